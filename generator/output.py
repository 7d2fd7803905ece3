"""Writing rendered trees to disk: one writer at a time, every version or none.

- **One writer**: a render holds an exclusive lock (`flock`) on the folder `OUT/<deployment>`
  itself from before it touches anything until it is done; another render of the same
  deployment gets `OutputLocked` (exit 3) at once. The kernel drops the lock when its process
  ends, even by SIGKILL, so a lock is never stale, and no lock file is left behind.
- **All or nothing**: each version folder is built complete in a hidden sibling
  (`.<version>.new-*`), then all are swapped in under a journal (`.etherip-swap.json`),
  written before the first rename and removed after the last: removing it is the commit.
  An error or SIGINT/SIGTERM/SIGHUP before the commit puts every previous folder back
  (exit 3 or 128 + signal: nothing changed). SIGKILL leaves the journal; the next command
  that takes the lock (`render`, `check`) rolls back the same way before anything else.
  On Linux each folder is swapped in one step (renameat2 RENAME_EXCHANGE), so a version
  folder is never missing, even after SIGKILL; where that is unavailable, two renames leave a
  SIGKILLed render's folder missing between them until the next command rolls back.
- **Never delete what etherip did not write**: a version folder is replaced only when every
  file in it is listed in its `manifest.json`; otherwise `OutputError` lists the others and
  nothing changes, unless `force`.
- Folders of other deployments and versions are never touched; new folders honour the umask.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.artifacts import VersionTree
from generator.bounded import ReadRefused, read_file, remove_quietly, remove_tree, walk
from generator.errors import OutputError, OutputLocked, signals_held
from generator.folder import Folder, compare
from generator.versions import ALL_VERSIONS

JOURNAL = ".etherip-swap.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_JOURNAL_BYTES = 64 * 1024  # entries for every supported version fit many times over
_VERSIONS = "|".join(re.escape(v.value) for v in ALL_VERSIONS)
# What renders leave beside version folders: nothing else in a deployment folder is touched.
# Staging names carry "etherip-", so a user's own hidden folder (`.11.6.5.old-mybackup`) is
# never taken for one.
_LEFTOVER = re.compile(
    rf"\.(?P<version>{_VERSIONS})\.(?P<kind>new|old)-etherip-[A-Za-z0-9_]+\Z|\.{re.escape(JOURNAL)}\.new-[A-Za-z0-9_]+\Z"
)
# Inside each staged folder until its swap commits: the journal's token for that folder. A
# rollback removes a folder only when it holds this marker with the journal's token, so a
# forged journal naming a real version folder's inode never makes etherip delete it.
STAGED_MARKER = ".etherip-staged"
_SHOWN = 20  # files listed in a refusal before "... and N more"


def version_dir(out: Path, tree: VersionTree) -> Path:
    return out / tree.deployment / tree.version.value


def write_trees(out: Path, trees: list[VersionTree], *, force: bool = False) -> list[Path]:
    """Write every tree into OUT/<deployment>/<version>, all replaced or none. Returns the
    folders. `force` replaces version folders that hold files etherip did not write."""
    deployments = {tree.deployment for tree in trees}
    if len(deployments) != 1:
        raise ValueError(f"one deployment per write, not {sorted(deployments)}")
    folder = out / deployments.pop()
    try:
        with deployment_lock(folder):
            recover(folder)
            targets = [version_dir(out, tree) for tree in trees]
            changed = [(t, p) for t, p in zip(trees, targets, strict=True) if not _unchanged(p, t)]
            if not force:
                _refuse_foreign([p for _, p in changed])
            if changed:
                _stage_and_commit(folder, [t for t, _ in changed], [p for _, p in changed])
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else out
        raise OutputError(
            f"cannot write output under {where}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return targets


@contextmanager
def deployment_lock(
    folder: Path, *, create: bool = True, shared: bool = False, wait: float = 0.0
) -> Iterator[None]:
    """Hold the deployment folder's lock (on the folder itself), or raise `OutputLocked`.
    `shared`: a reader's lock (readers together, never with a render). `create`: make the
    folder first. `wait`: seconds to wait for the holder to finish (renders never wait)."""
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputLocked(
                        f"{folder}: another etherip command is using it (a render writing, or a "
                        "check reading); nothing was changed; run again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def recover(folder: Path) -> None:
    """Undo what an interrupted render left in a deployment folder (call with its lock held):
    roll back a swap that did not commit, restore a folder an older etherip moved aside, and
    remove hidden staging leftovers (folders, files or symlinks; nothing else is touched)."""
    journal = folder / JOURNAL
    if journal.exists():
        _rollback(folder, _journal_entries(journal))
    for version in ALL_VERSIONS:  # a render killed after its commit, before dropping its marker
        marker = folder / version.value / STAGED_MARKER
        if marker.is_file() and not marker.is_symlink():
            marker.unlink()
    for leftover in sorted(folder.iterdir()):
        match = _LEFTOVER.match(leftover.name)
        if match is None:
            continue
        target = folder / (match["version"] or JOURNAL)
        if leftover.is_symlink() or not leftover.is_dir():
            leftover.unlink()
        elif match["kind"] == "old" and not os.path.lexists(target):
            leftover.rename(target)  # an older etherip's swap stopped between its renames
        else:
            remove_tree(leftover)


def _journal_entries(journal: Path) -> list[dict[str, object]]:
    """The journal's entries, each checked to name only a version folder and its own hidden
    siblings (a damaged or forged journal never makes etherip move anything else)."""
    try:
        entries = json.loads(read_file(Path(JOURNAL), MAX_JOURNAL_BYTES, root=journal.parent))["entries"]
        for e in entries:
            version = e["version"]
            if not (
                isinstance(e["had"], bool)
                and isinstance(e["ino"], int)
                and any(version == v.value for v in ALL_VERSIONS)
                and all(
                    _LEFTOVER.match(str(e[k])) and str(e[k]).startswith(f".{version}.{k}-etherip-")
                    for k in ("new", "old")
                )
            ):
                raise ValueError(e)
        return list(entries)
    except (ReadRefused, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        why = f" ({exc.reason})" if isinstance(exc, ReadRefused) else ""
        raise OutputError(
            f"{journal}: an interrupted render's journal cannot be read{why}; move it away after "
            "checking that each version folder is complete"
        ) from None


def needs_recovery(folder: Path) -> bool:
    """Whether a deployment folder holds what an interrupted render left (journal, staging)."""
    try:
        return any(_LEFTOVER.match(name) or name == JOURNAL for name in os.listdir(folder))
    except OSError:
        return False


def foreign_files(target: Path) -> list[str]:
    """What a version folder holds that etherip did not write: files, symlinks, other entries
    and empty folders not listed in its manifest.json (everything, when it has no readable
    manifest). Walked without recursion, symlinks never followed."""
    if not os.path.lexists(target):
        return []
    if target.is_symlink() or not target.is_dir():
        return [f"{target.name} (not a folder)"]
    listed = _manifest_paths(target)
    found: list[str] = []
    for entry in walk(target):
        if entry.kind == "folder":
            if entry.empty:
                found.append(f"{entry.rel}/")
        elif listed is None or (entry.rel not in listed and entry.rel != "manifest.json"):
            found.append(entry.rel if entry.kind != "error" else f"{entry.rel or '.'} ({entry.detail})")
    if listed is None:
        return ["(no readable manifest.json: not etherip output)", *sorted(found)]
    return sorted(found)


MAX_EDITED_BYTES = 64 * 1024 * 1024  # far above any file etherip writes


def _manifest_paths(folder: Path) -> set[str] | None:
    try:
        entries = json.loads(read_file(Path("manifest.json"), MAX_MANIFEST_BYTES, root=folder))["artifacts"]
        return {e["path"] for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)}
    except (ReadRefused, ValueError, KeyError, TypeError, RecursionError):
        return None


def edited_files(target: Path) -> list[str]:
    """Files of a version folder whose bytes differ from the sha256 its manifest.json lists for
    them: edited after etherip wrote them (a listed file that is gone counts too)."""
    try:
        entries = json.loads(read_file(Path("manifest.json"), MAX_MANIFEST_BYTES, root=target))["artifacts"]
    except (ReadRefused, ValueError, KeyError, TypeError, RecursionError):
        return []  # no readable manifest: foreign_files already refuses the folder
    edited = []
    for e in entries:
        if not (isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)):
            continue
        try:
            data = read_file(Path(e["path"]), MAX_EDITED_BYTES, root=target)
        except ReadRefused:
            edited.append(f"{e['path']} (missing or not a regular file)")
            continue
        if hashlib.sha256(data).hexdigest() != e["sha256"]:
            edited.append(e["path"])
    return sorted(edited)


def _unchanged(target: Path, tree: VersionTree) -> bool:
    """Whether the version folder holds exactly this render already, byte for byte (every file,
    manifest.json included, and nothing else): it is then left as it is, not rewritten."""
    if target.is_symlink() or not target.is_dir():
        return False
    return not compare(Folder.on_disk(target), tree.files())


def _refuse_foreign(targets: list[Path]) -> None:
    for target in targets:
        found = foreign_files(target)
        if found:
            shown = found[:_SHOWN] + ([f"... and {len(found) - _SHOWN} more"] if len(found) > _SHOWN else [])
            raise OutputError(
                f"{target}: holds files etherip did not write (not in its manifest.json); nothing "
                "was changed. Move them away, or render with --force to replace the folder:",
                shown,
            )
        edited = edited_files(target)
        if edited:
            shown = edited[:_SHOWN] + (
                [f"... and {len(edited) - _SHOWN} more"] if len(edited) > _SHOWN else []
            )
            raise OutputError(
                f"{target}: files were edited after etherip wrote them (their sha256 differs from "
                "manifest.json); nothing was changed. Copy your edits elsewhere, or render with --force "
                "to replace them:",
                shown,
            )


def _stage_and_commit(folder: Path, trees: list[VersionTree], targets: list[Path]) -> None:
    staged: list[Path] = []
    try:
        for tree in trees:
            tmp = Path(tempfile.mkdtemp(prefix=f".{tree.version.value}.new-etherip-", dir=folder))
            staged.append(tmp)
            os.chmod(tmp, 0o777 & ~_umask())
            _write_files(tmp, tree.files())
        _commit(folder, list(zip(staged, targets, strict=True)))
    except BaseException:
        for tmp in staged:
            remove_quietly(tmp)
        raise


def _commit(folder: Path, staged: list[tuple[Path, Path]]) -> None:
    """Swap every staged folder into place under the journal; all or none. Each entry names
    the staged folder by its inode, so a rollback can tell where the new render is."""
    token = staged[0][0].name.rsplit("-", 1)[-1] if staged else "x"
    entries: list[dict[str, object]] = [
        {
            "version": target.name,
            "new": tmp.name,
            "old": f".{target.name}.old-etherip-{token}",
            "had": os.path.lexists(target),
            "ino": os.lstat(tmp).st_ino,
            "token": tmp.name,
        }
        for tmp, target in staged
    ]
    for tmp, _ in staged:
        (tmp / STAGED_MARKER).write_text(tmp.name)
    with signals_held() as checkpoint:
        write_whole(folder / JOURNAL, json.dumps({"entries": entries}).encode())
        try:
            for entry in entries:
                checkpoint()
                target, new, old = (folder / str(entry[k]) for k in ("version", "new", "old"))
                if entry["had"] and MOVES.exchange(new, target):  # the folder never goes missing
                    MOVES.rename(new, old)
                else:
                    if entry["had"]:
                        MOVES.rename(target, old)
                    MOVES.rename(new, target)
            checkpoint()
        except BaseException:
            try:
                _rollback(folder, entries)
            except OSError as exc:
                raise OutputError(
                    f"{folder}: the swap failed and the previous output could not be put back "
                    f"({exc.strerror or exc}); the next etherip render or check of this folder retries"
                ) from None
            raise
        (folder / JOURNAL).unlink()  # the commit: from here on the new output stands
        for entry in entries:  # a signal now only ends a render that has succeeded: dropped
            (folder / str(entry["version"]) / STAGED_MARKER).unlink(missing_ok=True)
            remove_quietly(folder / str(entry["old"]))


def _rollback(folder: Path, entries: list[dict[str, object]]) -> None:
    """Put back every previous version folder of an uncommitted swap. Idempotent: a rollback
    that is itself interrupted is finished by the next one."""
    for entry in reversed(entries):
        target, new, old = (folder / str(entry[k]) for k in ("version", "new", "old"))
        aside = folder / f".{entry['version']}.new-etherip-rollback"
        mine = entry["ino"] if _marked(folder, entry) else -1  # not ours: nothing is moved
        previous = next((p for p in (old, new) if _inode(p) not in (None, mine)), None)
        if _inode(target) == mine:  # the new render is in place
            if previous is not None:
                if not MOVES.exchange(previous, target):
                    MOVES.rename(target, aside)
                    MOVES.rename(previous, target)
            elif not entry["had"]:
                MOVES.rename(target, aside)
        elif not os.path.lexists(target) and previous is not None:
            MOVES.rename(previous, target)
        for path in (new, old, aside):
            if _inode(path) == mine:
                remove_tree(path)
    (folder / JOURNAL).unlink(missing_ok=True)


def _marked(folder: Path, entry: dict[str, object]) -> bool:
    """Whether the folder with the entry's inode holds the staging marker with its token."""
    for name in (entry["version"], entry["new"], entry["old"], f".{entry['version']}.new-etherip-rollback"):
        path = folder / str(name)
        if _inode(path) == entry["ino"]:
            try:
                marker = read_file(Path(STAGED_MARKER), 256, root=path)
            except ReadRefused:
                return False
            return marker == str(entry.get("token")).encode()
    return False


def _inode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_ino
    except FileNotFoundError:
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE). False where the system
    or file system cannot; the caller then renames twice."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _renameat2() -> Any:
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except OSError:
        return None


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_RENAMEAT2 = _renameat2() if sys.platform.startswith("linux") else None


@dataclass
class Moves:
    """The two moves every write of this module makes, in one public place: `rename` (a file or
    folder takes a name, os.rename) and `exchange` (two folders swap names in one step; False
    where the system cannot, and the caller renames twice). tests/test_integrity.py replaces them
    to stop a write at each of its steps; a port to another system replaces `exchange`."""

    rename: Callable[[Path, Path], None] = os.rename
    exchange: Callable[[Path, Path], bool] = _exchange


MOVES = Moves()
HAS_EXCHANGE = _RENAMEAT2 is not None  # this system swaps two folders in one step


def write_whole(target: Path, content: bytes, *, replace: bool = True) -> None:
    """The one way etherip writes a single file: `target` holds all of `content` or is left as it
    was. The bytes go to a hidden sibling (`.<name>.new-*`, removed on failure; one a SIGKILL
    leaves beside a deployment's journal is removed by `recover`) with the permissions open()
    would give, which then replaces `target` (`replace`) or, for a file that must not exist
    yet, takes its name by a hard link: FileExistsError if something has it."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.new-", dir=target.parent)
    staged = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with open(fd, "wb") as fh:
            fh.write(content)
        if replace:
            MOVES.rename(staged, target)
        else:
            os.link(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    """Every file into the fresh folder `root`, each folder below it created once."""
    made: set[str] = set()
    for rel, content in sorted(files.items()):
        parts = rel.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if sub not in made:
                os.mkdir(root / sub)
                made.add(sub)
        with open(root / rel, "wb") as fh:
            fh.write(content)


def drift(out: Path, tree: VersionTree) -> list[str]:
    """How the version folder on disk differs from `tree`: one line per entry, sorted. The
    same comparison as `etherip check` (generator/folder.py): empty folders, FIFOs, devices and
    symlinks are extra or changed, never read or followed."""
    folder = version_dir(out, tree)
    if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
        return [f"changed: {folder} (not a folder)"]
    on_disk = Folder.on_disk(folder) if folder.is_dir() else Folder({})
    lines = []
    for diff in compare(on_disk, tree.files()):
        shown = f"{folder / diff.rel}{'/' if diff.detail.startswith('an empty folder') else ''}"
        lines.append(f"{diff.kind}: {shown}" + (f" ({diff.detail})" if diff.detail else ""))
    order = {"missing": 0, "changed": 1, "extra": 2}
    return sorted(lines, key=lambda line: order[line.split(":", 1)[0]])


def read_tree(root: Path, limit: int = MAX_MANIFEST_BYTES * 16) -> dict[str, bytes]:
    """A folder's regular files as {relative path: bytes}, for comparisons: walked without
    recursion, symlinks and other entries left out, each file read bounded."""
    return {
        e.rel: read_file(Path(e.rel), limit, root=root)
        for e in sorted(walk(root), key=lambda e: e.rel)
        if e.kind == "file"
    }


def versions_on_disk(out: Path, deployment: str) -> list[str]:
    """The supported version names OUT/<deployment>/ holds an entry for (for `render --check`;
    one that is not a real folder is then reported, never followed)."""
    root = out / deployment
    return [v.value for v in ALL_VERSIONS if os.path.lexists(root / v.value)]


def stray_folders(out: Path, deployment: str) -> list[str]:
    """Entries under OUT/<deployment>/ that no render writes (staging folders start with '.')."""
    root = out / deployment
    if root.is_symlink() or not root.is_dir():
        return []
    known = {v.value for v in ALL_VERSIONS} | {"changes"}  # etherip plan's packages (lifecycle/package.py)
    return [
        f"extra: {p}{'/' if p.is_dir() and not p.is_symlink() else ''}"
        for p in sorted(root.iterdir())
        if not p.name.startswith(".") and p.name not in known
    ]
