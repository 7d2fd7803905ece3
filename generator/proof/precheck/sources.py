"""One unit's saved configuration, read into memory from one of three forms.

- a UCS archive (gzip tar, or a plain tar): the regular files `config/bigip_base.conf` and
  `config/bigip.conf` (also `./config/…`, or the two names at the archive's top) are read from
  the tar stream, each once, and reading stops when both are found; nothing is extracted. Any
  other name (absolute, with `..`, elsewhere) and any link, device or non-file is skipped.
- a folder holding `bigip_base.conf` and `bigip.conf` (or an unpacked UCS: `config/…`);
- in both, the files of other administrative partitions, `config/partitions/<P>/bigip_base.conf`
  and `…/bigip.conf` (where a UCS keeps them [S: oxidized's F5 model, `save sys config`
  transcripts]): their VLANs, self IPs and routes take tags, interfaces and addresses too.
- a single configuration file (`bigip_base.conf`, `bigip.conf`, or one file written by
  `save sys config file …`).

Every read is bounded: a member or file larger than MAX_FILE_BYTES is refused, and an archive
is read through at most MAX_ARCHIVE_BYTES of decompressed data (a gzip bomb stops there), so a
hostile input costs bounded time and memory. Failures raise `SavedConfigError`, one line each.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import GeneratorError

MAX_FILE_BYTES = 64 * 1024 * 1024  # one configuration file (tmconfpy parses about 5 MB/s)
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # decompressed bytes read from one archive, at most
MAX_MEMBERS = 200_000  # tar headers read from one archive, at most
BASE, USER = "bigip_base.conf", "bigip.conf"
WANTED = (BASE, USER)
GZIP_MAGIC = b"\x1f\x8b"


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
    text: str


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
    if not path.is_file():
        raise SavedConfigError(shown, "neither a file nor a folder (a pipe or device is never read)")
    head = _head(path, shown)
    if head.startswith(GZIP_MAGIC) or _is_tar(head):
        return _read_archive(path, shown, compressed=head.startswith(GZIP_MAGIC))
    role = {BASE: "base", USER: "user"}.get(path.name, "full")
    absent = tuple(n for n in WANTED if role != "full" and n != path.name)
    return SavedSource(shown, "file", (SavedFile(shown, role, _read_file(path, shown)),), absent)


def _head(path: Path, shown: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(512)
    except OSError as exc:
        raise SavedConfigError(shown, f"cannot read: {exc.strerror}") from None


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def _decode(data: bytes, shown: str) -> str:
    if b"\x00" in data:
        raise SavedConfigError(shown, "not a text configuration file (binary data)")
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _read_file(path: Path, shown: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SavedConfigError(shown, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SavedConfigError(shown, f"larger than {MAX_FILE_BYTES // 2**20} MiB; refused")
    return _decode(data, shown)


def _read_folder(path: Path, shown: str) -> SavedSource:
    base = path / "config" if not any((path / n).is_file() for n in WANTED) else path
    files = []
    for name in WANTED:
        candidate = base / name
        if candidate.is_file():
            where = f"{shown.rstrip('/')}/{candidate.relative_to(path).as_posix()}"
            files.append(SavedFile(where, "base" if name == BASE else "user", _read_file(candidate, where)))
    if not files:
        raise SavedConfigError(shown, f"folder holds neither {BASE} nor {USER} (nor config/…)")
    partitions = base / "partitions"
    if partitions.is_dir():
        for folder in sorted(p for p in partitions.iterdir() if p.is_dir() and not p.is_symlink()):
            for name in WANTED:
                candidate = folder / name
                if candidate.is_file() and not candidate.is_symlink():
                    where = f"{shown.rstrip('/')}/{candidate.relative_to(path).as_posix()}"
                    files.append(SavedFile(where, "partition", _read_file(candidate, where)))
    absent = tuple(n for n in WANTED if not (base / n).is_file())
    return SavedSource(shown, "folder", tuple(files), absent)


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
        with open(path, "rb") as raw:
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
            budget = _Budget(stream, MAX_ARCHIVE_BYTES, shown)
            with tarfile.open(fileobj=budget, mode="r|") as tar:  # type: ignore[call-overload]
                _scan(tar, shown, found, notes)
    except SavedConfigError as exc:
        if not all(n in found for n in WANTED) or "decompressed" not in exc.reason:
            raise
        # Both files were read; the rest of the archive is past the read limit.
        notes.append(
            f"archive read up to {MAX_ARCHIVE_BYTES // 2**20} MiB: partition files after that point not read"
        )
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError, ValueError) as exc:
        what = "truncated" if isinstance(exc, EOFError) else "damaged or not a tar archive"
        raise SavedConfigError(shown, f"{what}: {_one_line(exc)}") from None
    if not any(n in found for n in WANTED):
        raise SavedConfigError(shown, f"archive holds neither config/{BASE} nor config/{USER}")
    files = tuple(found[n] for n in WANTED if n in found) + tuple(
        f for n, f in sorted(found.items()) if n not in WANTED
    )
    return SavedSource(shown, "ucs", files, tuple(n for n in WANTED if n not in found), tuple(notes))


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
            raise SavedConfigError(where, f"larger than {MAX_FILE_BYTES // 2**20} MiB; refused")
        fh = tar.extractfile(member)
        data = fh.read(MAX_FILE_BYTES + 1) if fh is not None else b""
        role = {BASE: "base", USER: "user"}.get(name, "partition")
        found[name] = SavedFile(where, role, _decode(data, where))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
