"""The one way etherip reads a file it is given or finds, and walks a folder.

Every command reads through here: the pre-check's saved configurations and archives,
`check FILE.tmpl`, the version folders `check` and `render --check` compare, the swap journal
and `manifest.json`. The rules:

- only a regular file is read: a FIFO, a device, a socket or a folder is refused after an
  `O_NONBLOCK` open and `fstat` (opening a FIFO never blocks, /dev/zero is never read);
- below a folder (`root`), no symlink is followed, in any part of the path: each part is
  opened with `O_NOFOLLOW` relative to the one before, so nothing leads out of the folder. A
  path given by name on the command line (no `root`) may be a symlink to a regular file;
- at most `limit` bytes: a larger file is refused by its size before anything is read, and one
  that grows while it is read stops at `limit` + 1 bytes;
- a read that runs out of memory is a refusal, never a `MemoryError` traceback.

Folders are walked without recursion and without following symlinks, so a chain of thousands of
nested folders is listed (or removed) like any other.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from generator.errors import GeneratorError

MIB = 2**20
_FILE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1 << 20


class ReadRefused(GeneratorError):
    """A file was not read: not a regular file, a symlink below a folder, too large, or the
    system refused it. `where` names it, `reason` says why (one line each)."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


def describe(mode: int) -> str:
    """What a file system entry is, for messages: `a FIFO`, `a symlink`, ..."""
    for test, text in (
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISREG, "a regular file"),
    ):
        if test(mode):
            return text
    return "not a regular file"


def too_large(limit: int) -> str:
    return f"larger than {_size(limit)}; refused"


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB and limit % MIB == 0 else f"{limit} bytes"


def read_file(path: Path, limit: int, *, root: Path | None = None, display: str | None = None) -> bytes:
    """The bytes of a regular file, at most `limit` of them, or `ReadRefused`. With `root`,
    `path` is relative to it and no part of it may be a symlink."""
    shown = display if display is not None else str(root / path if root is not None else path)
    fd = _open_regular(path, root, shown)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise ReadRefused(shown, too_large(limit))
        parts: list[bytes] = []
        total = 0
        while total <= limit:  # a regular file gives its size in the first read
            want = min(max(size + 1 - total, _CHUNK), limit + 1 - total)
            chunk = os.read(fd, want)
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ReadRefused(shown, too_large(limit))
        return parts[0] if len(parts) == 1 else b"".join(parts)
    except MemoryError:
        raise ReadRefused(shown, "not enough memory to read it; refused") from None
    except OSError as exc:
        raise ReadRefused(shown, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_named(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a file named on the command line that may be a pipe or
    device (a site file from `<(...)` or /dev/stdin): enough to tell a too-large input without
    reading it all (/dev/zero ends at once); a FIFO without a writer reads as empty instead of
    blocking; a folder is refused. OSError as the system gives it."""
    fd = os.open(path, _FILE_FLAGS)
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@contextmanager
def open_file(path: Path, *, root: Path | None = None, display: str | None = None) -> Iterator[BinaryIO]:
    """A regular file opened for reading as a stream (archives are read in pieces); the same
    refusals as `read_file`. The caller bounds what it reads."""
    shown = display if display is not None else str(root / path if root is not None else path)
    fd = _open_regular(path, root, shown)
    with os.fdopen(fd, "rb") as fh:
        yield fh


def _open_regular(path: Path, root: Path | None, shown: str) -> int:
    try:
        fd = os.open(path, _FILE_FLAGS) if root is None else _open_beneath(root, path)
    except OSError as exc:
        raise ReadRefused(shown, _reason(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadRefused(shown, f"{describe(mode)}, not a regular file; never read")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_beneath(root: Path, rel: Path) -> int:
    """Open `root/rel` following no symlink below `root` (each part with O_NOFOLLOW)."""
    parts = PurePosixPath(rel.as_posix()).parts
    if not parts or rel.is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise OSError(errno.EINVAL, f"not a path inside the folder: {rel}")
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], _FILE_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
    finally:
        os.close(folder)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink; never followed"
    if exc.errno == errno.ENOTDIR:
        return "a part of its path is not a folder (a symlink is never followed)"
    return f"cannot read: {exc.strerror or exc}"


@dataclass(frozen=True)
class Entry:
    """One thing below a walked folder. `rel` is "/"-separated; `kind` is "file" (a regular
    file, `size` set), "folder" (`empty` set), "symlink", "other" (`detail` says what) or
    "error" (`detail` says why it could not be listed)."""

    rel: str
    kind: str
    size: int = 0
    empty: bool = False
    detail: str = ""


def walk(root: Path, prune: Callable[[str], bool] | None = None) -> Iterator[Entry]:
    """Everything below `root`, depth first, names sorted within a folder; symlinks are
    reported, never followed; no recursion. `prune(name)`: folders not to descend into."""
    stack: list[str] = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel) if rel else root) as listing:
                items = sorted((e.name, e) for e in listing)
        except OSError as exc:
            yield Entry(rel, "error", detail=f"cannot be listed ({exc.strerror or exc})")
            continue
        if rel:
            yield Entry(rel, "folder", empty=not items)
        folders: list[str] = []
        for name, item in items:
            sub = f"{rel}/{name}" if rel else name
            try:
                mode = item.stat(follow_symlinks=False)
            except OSError as exc:
                yield Entry(sub, "error", detail=f"cannot be read ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(mode.st_mode):
                if prune is None or not prune(name):
                    folders.append(sub)
            elif stat.S_ISREG(mode.st_mode):
                yield Entry(sub, "file", size=mode.st_size)
            elif stat.S_ISLNK(mode.st_mode):
                yield Entry(sub, "symlink")
            else:
                yield Entry(sub, "other", detail=describe(mode.st_mode))
        stack.extend(reversed(folders))


def remove_tree(path: Path) -> None:
    """Remove a file, symlink or folder with everything in it, never following a symlink and
    without recursion (folders are emptied deepest first). OSError when something cannot go."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    stack: list[tuple[str, bool]] = [(str(path), False)]
    while stack:
        folder, emptied = stack.pop()
        if emptied:
            os.rmdir(folder)
            continue
        stack.append((folder, True))
        fd = os.open(folder, _DIR_FLAGS)  # the folder itself is never a symlink
        try:
            with os.scandir(fd) as listing:
                names = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
            for name, is_folder in names:
                if is_folder:
                    stack.append((os.path.join(folder, name), False))
                else:
                    os.unlink(name, dir_fd=fd)
        finally:
            os.close(fd)


def remove_quietly(path: Path) -> None:
    """`remove_tree`, leaving what cannot be removed for a later sweep."""
    with suppress(OSError):
        remove_tree(path)
