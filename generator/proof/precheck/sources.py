"""One unit's saved configuration, read into memory from one of three forms.

- a UCS archive (gzip tar, or a plain tar): the regular files `config/bigip_base.conf` and
  `config/bigip.conf` (also `./config/…`, or the two names at the archive's top) are read from
  the tar stream, each once; nothing is extracted. Any other name (absolute, with `..`,
  elsewhere) is skipped; a link, device or other non-file under a wanted name is noted.
- a folder holding `bigip_base.conf` and `bigip.conf` (or an unpacked UCS: `config/…`);
- in both, the files of other administrative partitions, `config/partitions/<P>/bigip_base.conf`
  and `…/bigip.conf` (where a UCS keeps them [S: oxidized's F5 model, `save sys config`
  transcripts]): their VLANs, self IPs and routes take tags, interfaces and addresses too.
- a single configuration file (`bigip_base.conf`, `bigip.conf`, or one file written by
  `save sys config file …`).

Every file is read through the one bounded reader (`generator.bounded`): only regular files,
no symlink followed inside a folder (a `bigip_base.conf` that is a FIFO, a device or a symlink
makes the unit unreadable, it is never taken for absent), at most MAX_FILE_BYTES each and
MAX_TOTAL_BYTES for all the files of a folder; an archive is read through at most
MAX_TOTAL_BYTES of decompressed data (a gzip bomb stops there), and its headers are bounded too
(a long-name or pax header larger than MAX_HEADER_BYTES is refused before it is read). Text is
normalised: a UTF-8 byte order mark is dropped, CRLF and CR-only line endings become LF.
Failures raise `SavedConfigError`, one line each.
"""

from __future__ import annotations

import gzip
import os
import stat
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from generator.bounded import ReadRefused, describe, open_file, read_file, too_large
from generator.errors import GeneratorError

MAX_FILE_BYTES = 512 * 1024 * 1024  # one configuration file
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all files of a folder; decompressed bytes of an archive
MAX_HEADER_BYTES = 1024 * 1024  # one GNU long-name or pax header of an archive
MAX_MEMBERS = 200_000  # tar headers read from one archive, at most; entries of partitions/
BASE, USER = "bigip_base.conf", "bigip.conf"
WANTED = (BASE, USER)
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"


class SavedConfigError(GeneratorError):
    """A saved configuration could not be read: damaged, truncated, too large or hostile."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class SavedFile:
    display: str  # how findings name the file, e.g. "dc1-a.ucs/config/bigip_base.conf"
    role: str  # "base" (bigip_base.conf), "user" (bigip.conf), "full" (a single saved file) or
    # "partition" (a file of another administrative partition)
    data: bytes  # UTF-8 (not checked), LF line endings, no byte order mark

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class SavedSource:
    display: str
    form: str  # "ucs", "folder" or "file"
    files: tuple[SavedFile, ...]
    absent: tuple[str, ...]  # of bigip_base.conf / bigip.conf, the ones this form lacks
    notes: tuple[str, ...] = ()  # what was seen but not read (skipped members, unread partitions)

    @property
    def complete(self) -> bool:
        return not self.absent


def read_source(path: Path, display: str | None = None) -> SavedSource:
    shown = display or str(path)
    if path.is_dir():
        return _read_folder(path, shown)
    try:
        with open_file(path, display=shown) as fh:
            head = fh.read(512)
    except ReadRefused as exc:
        raise SavedConfigError(shown, exc.reason) from None
    except OSError as exc:
        raise SavedConfigError(shown, f"cannot read: {exc.strerror or exc}") from None
    if head.startswith(GZIP_MAGIC) or _is_tar(head):
        return _read_archive(path, shown, compressed=head.startswith(GZIP_MAGIC))
    role = {BASE: "base", USER: "user"}.get(path.name, "full")
    absent = tuple(n for n in WANTED if role != "full" and n != path.name)
    return SavedSource(shown, "file", (SavedFile(shown, role, _read(path, None, shown)),), absent)


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def normalise(data: bytes, shown: str) -> bytes:
    """Text as the reader wants it: no NUL, no byte order mark, LF line endings only."""
    if b"\x00" in data:
        raise SavedConfigError(shown, "not a text configuration file (binary data)")
    data = data.removeprefix(BOM)
    if b"\r\n" in data:  # one copy at a time: a CRLF file costs twice its size while it is read
        data = data.replace(b"\r\n", b"\n")
    if b"\r" in data:
        data = data.replace(b"\r", b"\n")
    return data


def _read(path: Path, root: Path | None, shown: str) -> bytes:
    try:
        return normalise(read_file(path, MAX_FILE_BYTES, root=root, display=shown), shown)
    except ReadRefused as exc:
        raise SavedConfigError(exc.where, exc.reason) from None


class _FolderBudget:
    """What the files of one folder may still add up to."""

    def __init__(self, shown: str) -> None:
        self.left, self.shown = MAX_TOTAL_BYTES, shown

    def read(self, root: Path, rel: PurePosixPath, where: str) -> bytes:
        limit = min(MAX_FILE_BYTES, self.left)
        try:
            data = read_file(Path(rel), limit, root=root, display=where)
        except ReadRefused as exc:
            if limit < MAX_FILE_BYTES and exc.reason == too_large(limit):
                raise SavedConfigError(
                    self.shown, f"its files together are larger than {MAX_TOTAL_BYTES // 2**20} MiB; refused"
                ) from None
            raise SavedConfigError(exc.where, exc.reason) from None
        self.left -= len(data)
        return normalise(data, where)


def _read_folder(path: Path, shown: str) -> SavedSource:
    top = "" if any(os.path.lexists(path / n) for n in WANTED) else "config"
    budget = _FolderBudget(shown)
    files = []
    for name in WANTED:
        rel = PurePosixPath(top, name)
        if os.path.lexists(path / rel):  # present in any form: read, or refused, never "absent"
            where = f"{shown.rstrip('/')}/{rel}"
            files.append(SavedFile(where, "base" if name == BASE else "user", budget.read(path, rel, where)))
    if not files:
        raise SavedConfigError(shown, f"folder holds neither {BASE} nor {USER} (nor config/…)")
    notes: list[str] = []
    files += _partition_files(path, PurePosixPath(top, "partitions"), shown, budget, notes)
    absent = tuple(n for n in WANTED if not os.path.lexists(path / top / n))
    return SavedSource(shown, "folder", tuple(files), absent, tuple(notes))


def _partition_files(
    path: Path, partitions: PurePosixPath, shown: str, budget: _FolderBudget, notes: list[str]
) -> list[SavedFile]:
    """The two files of each partition folder (never through a symlink); others are noted."""
    try:
        mode = os.lstat(path / partitions).st_mode
    except OSError:
        return []
    if not stat.S_ISDIR(mode):
        notes.append(f"{shown.rstrip('/')}/{partitions}: {describe(mode)}, not read")
        return []
    with os.scandir(path / partitions) as listing:
        folders = sorted(e.name for _, e in zip(range(MAX_MEMBERS), listing, strict=False))
    out = []
    for folder in folders:
        for name in WANTED:
            rel = partitions / folder / name
            where = f"{shown.rstrip('/')}/{rel}"
            if not os.path.lexists(path / rel):
                continue
            try:
                out.append(SavedFile(where, "partition", budget.read(path, rel, where)))
            except SavedConfigError as exc:
                if "together are larger" in exc.reason:
                    raise
                notes.append(f"{where}: {exc.reason}")
    return out


class _Budget:
    """A read-only stream that refuses to give more than `limit` bytes in total."""

    def __init__(self, raw: Any, limit: int, shown: str) -> None:
        self.raw, self.limit, self.left, self.shown = raw, limit, limit, shown

    def read(self, size: int = -1) -> bytes:
        want = self.left + 1 if size < 0 else min(size, self.left + 1)
        data: bytes = self.raw.read(want)
        self.left -= len(data)
        if self.left < 0:
            raise SavedConfigError(
                self.shown,
                f"more than {self.limit // 2**20} MiB decompressed before {BASE} and {USER} were found; "
                "refused (copy the two files out and pass the folder)",
            )
        return data


class _BoundedTarInfo(tarfile.TarInfo):
    """A tar header whose own extension blocks (GNU long names, pax headers) are refused when
    larger than MAX_HEADER_BYTES, before tarfile reads them into memory."""

    _EXTENDED = frozenset(
        {tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE, b"X"}
    )

    def _proc_member(self, tarfile: tarfile.TarFile) -> Any:  # tarfile's own hook per header
        if self.type in self._EXTENDED and self.size > MAX_HEADER_BYTES:
            raise SavedConfigError(
                f"archive header at byte {self.offset}",
                f"a long-name or pax header of {self.size} bytes (more than {MAX_HEADER_BYTES // 2**20} MiB); refused",
            )
        return super()._proc_member(tarfile)  # type: ignore[misc]


def _member_name(name: str) -> str | None:
    """`config/bigip.conf`, `./config/bigip.conf` or `bigip.conf` → `bigip.conf`;
    `config/partitions/P/bigip.conf` → `partitions/P/bigip.conf`; else None."""
    parts = PurePosixPath(name).parts
    if parts[:1] == (".",):
        parts = parts[1:]
    if parts[:1] == ("config",):
        parts = parts[1:]
    if len(parts) == 1 and parts[0] in WANTED:
        return parts[0]
    if (
        len(parts) == 3
        and parts[0] == "partitions"
        and parts[2] in WANTED
        and parts[1] not in ("", ".", "..")
    ):
        return "/".join(parts)
    return None


def _read_archive(path: Path, shown: str, compressed: bool) -> SavedSource:
    found: dict[str, SavedFile] = {}
    notes: list[str] = []
    try:
        with open_file(path, display=shown) as raw:
            _read_stream(raw, shown, compressed, found, notes)
    except SavedConfigError as exc:
        if not all(n in found for n in WANTED) or "decompressed" not in exc.reason:
            if "header" in exc.where:
                raise SavedConfigError(shown, f"{exc.where}: {exc.reason}") from None
            raise
        # Both files were read; the rest of the archive is past the read limit.
        notes.append(
            f"archive read up to {MAX_TOTAL_BYTES // 2**20} MiB: partition files after that point not read"
        )
    except ReadRefused as exc:
        raise SavedConfigError(shown, exc.reason) from None
    except MemoryError:
        raise SavedConfigError(shown, "not enough memory to read it; refused") from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError, ValueError) as exc:
        what = "truncated" if isinstance(exc, EOFError) else "damaged or not a tar archive"
        raise SavedConfigError(shown, f"{what}: {_one_line(exc)}") from None
    if not any(n in found for n in WANTED):
        raise SavedConfigError(shown, f"archive holds neither config/{BASE} nor config/{USER}")
    files = tuple(found[n] for n in WANTED if n in found) + tuple(
        f for n, f in sorted(found.items()) if n not in WANTED
    )
    return SavedSource(shown, "ucs", files, tuple(n for n in WANTED if n not in found), tuple(notes))


def _read_stream(
    raw: BinaryIO, shown: str, compressed: bool, found: dict[str, SavedFile], notes: list[str]
) -> None:
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
    budget = _Budget(stream, MAX_TOTAL_BYTES, shown)
    with tarfile.open(fileobj=budget, mode="r|", tarinfo=_BoundedTarInfo) as tar:  # type: ignore[call-overload]
        _scan(tar, shown, found, notes)


def _scan(tar: tarfile.TarFile, shown: str, found: dict[str, SavedFile], notes: list[str]) -> None:
    """Read the wanted members; the whole archive is walked, as partition files may come last."""
    for count, member in enumerate(tar, start=1):
        if count > MAX_MEMBERS:
            raise SavedConfigError(shown, f"more than {MAX_MEMBERS} archive members; refused")
        name = _member_name(member.name)
        if name is None:
            continue  # never read: traversal names, absolute names, other files
        where = f"{shown}/{member.name.removeprefix('./')}"
        if not member.isreg():
            notes.append(f"{where}: skipped: a link, folder or device, not a regular file")
            continue
        if name in found:
            raise SavedConfigError(where, "appears twice in the archive; refused")
        if member.size > MAX_FILE_BYTES:
            raise SavedConfigError(where, too_large(MAX_FILE_BYTES))
        fh = tar.extractfile(member)
        data = fh.read(member.size) if fh is not None else b""
        role = {BASE: "base", USER: "user"}.get(name, "partition")
        found[name] = SavedFile(where, role, normalise(data, where))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
