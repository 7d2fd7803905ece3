"""Writing rendered trees to disk: all or nothing, one version folder at a time.

A version folder is built complete in a temporary sibling folder and then swapped into
place with renames, so a failed or interrupted render leaves the previous output as it
was, and folders of other deployments and versions are never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from generator.artifacts import VersionTree
from generator.errors import OutputError


def version_dir(out: Path, tree: VersionTree) -> Path:
    return out / tree.deployment / tree.version.value


def write_trees(out: Path, trees: list[VersionTree]) -> list[Path]:
    """Write every tree; each version folder is replaced atomically. Returns the folders."""
    staged: list[tuple[Path, Path]] = []
    try:
        for tree in trees:
            target = version_dir(out, tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            _recover(target)
            tmp = Path(tempfile.mkdtemp(prefix=f".{tree.version.value}.new-", dir=target.parent))
            staged.append((tmp, target))
            _write_files(tmp, tree.files())
        for tmp, target in staged:
            _swap(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write output under {out}: {exc.strerror or exc}") from None
    return [target for _, target in staged]


def _recover(target: Path) -> None:
    """Undo what an interrupted earlier render left: restore a moved-away folder, drop staging."""
    for stale in sorted(target.parent.glob(f".{target.name}.old-*")):
        if not target.exists():
            stale.rename(target)
        else:
            shutil.rmtree(stale, ignore_errors=True)
    for stale in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in sorted(files.items()):
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "wb") as fh:
            fh.write(content)


def _swap(tmp: Path, target: Path) -> None:
    if not target.exists():
        tmp.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        tmp.rename(target)
    except OSError:
        old.rename(target)  # put the previous output back
        raise
    shutil.rmtree(old, ignore_errors=True)


def drift(out: Path, tree: VersionTree) -> list[str]:
    """How the version folder on disk differs from `tree`: one line per file, sorted."""
    folder = version_dir(out, tree)
    on_disk = read_tree(folder) if folder.is_dir() else {}
    wanted = tree.files()
    lines = [f"missing: {folder / p}" for p in sorted(set(wanted) - set(on_disk))]
    lines += [f"changed: {folder / p}" for p in sorted(set(wanted) & set(on_disk)) if wanted[p] != on_disk[p]]
    lines += [f"extra: {folder / p}" for p in sorted(set(on_disk) - set(wanted))]
    return lines


def read_tree(root: Path) -> dict[str, bytes]:
    """A folder's files as {relative path: bytes}, for comparisons."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def versions_on_disk(out: Path, deployment: str) -> list[str]:
    """The supported version folders OUT/<deployment>/ holds (for `render --check`)."""
    from generator.versions import ALL_VERSIONS

    root = out / deployment
    return [v.value for v in ALL_VERSIONS if (root / v.value).is_dir()]


def stray_folders(out: Path, deployment: str) -> list[str]:
    """Folders under OUT/<deployment>/ that no render writes (staging folders start with '.')."""
    from generator.versions import ALL_VERSIONS

    root = out / deployment
    if not root.is_dir():
        return []
    known = {v.value for v in ALL_VERSIONS}
    return [
        f"extra: {p}/"
        for p in sorted(root.iterdir())
        if not p.name.startswith(".") and not (p.is_dir() and p.name in known)
    ]
