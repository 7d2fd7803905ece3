"""What a version folder holds, compared with a render: the one comparison behind both
`etherip check` and `etherip render --check`, so the two always agree on what is missing,
changed or extra (empty folders, FIFOs, devices and symlinks included).

A folder on disk is listed without recursion and without following symlinks
(`generator.bounded.walk`); a file's bytes are read only when its size is the size of the
file etherip renders there, and only through the bounded reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.bounded import ReadRefused, read_file, walk


class Folder:
    """What a version folder holds, by "/"-separated relative path: the size of each regular
    file (read only on demand, and only whole files of a size etherip could have written), or
    why an entry is not one (a symlink, a device, an empty folder, unreadable)."""

    def __init__(
        self, entries: dict[str, int | str], root: Path | None = None, data: dict[str, bytes] | None = None
    ) -> None:
        self.entries = entries
        self._root = root
        self._data = dict(data or {})

    @classmethod
    def of(cls, files: dict[str, bytes]) -> Folder:
        return cls({p: len(b) for p, b in files.items()}, data=files)

    @classmethod
    def on_disk(cls, root: Path) -> Folder:
        entries: dict[str, int | str] = {}
        for entry in walk(root):
            if entry.kind == "file":
                entries[entry.rel] = entry.size
            elif entry.kind == "symlink":
                entries[entry.rel] = "a symlink, which etherip never writes"
            elif entry.kind == "folder":
                if entry.empty:
                    entries[entry.rel] = "an empty folder, which etherip never writes"
            elif entry.kind == "other":
                entries[entry.rel] = f"not a regular file ({entry.detail})"
            else:
                entries[entry.rel or "."] = entry.detail
        return cls(entries, root=root)

    def read(self, rel: str, limit: int) -> bytes | str:
        """The file's bytes, or why they cannot be had (not a regular file, larger than `limit`)."""
        entry = self.entries.get(rel)
        if entry is None:
            return "missing"
        if isinstance(entry, str):
            return entry
        if entry > limit:
            return f"{entry} bytes, more than the {limit} expected"
        if rel not in self._data:
            assert self._root is not None
            try:
                self._data[rel] = read_file(Path(rel), limit, root=self._root)
            except ReadRefused as exc:
                return exc.reason
        return self._data[rel]


@dataclass(frozen=True, order=True)
class Difference:
    rel: str
    kind: str  # "missing", "changed" or "extra"
    detail: str  # why: for "changed", what the folder holds instead ("" when only the bytes differ)


def compare(folder: Folder, mine: dict[str, bytes]) -> list[Difference]:
    """Every way `folder` differs from the render `mine`, sorted by path."""
    out = []
    for rel in sorted(set(mine) | set(folder.entries)):
        if rel not in folder.entries:
            out.append(Difference(rel, "missing", ""))
        elif rel not in mine:
            entry = folder.entries[rel]
            out.append(Difference(rel, "extra", entry if isinstance(entry, str) else ""))
        else:
            entry = folder.entries[rel]
            if entry != len(mine[rel]) and not isinstance(entry, str):
                out.append(Difference(rel, "changed", ""))
                continue
            theirs = folder.read(rel, len(mine[rel]))
            if isinstance(theirs, str):
                out.append(Difference(rel, "changed", theirs))
            elif theirs != mine[rel]:
                out.append(Difference(rel, "changed", ""))
    return out
