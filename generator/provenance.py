"""Which etherip wrote a render: its version and a hash of its template set, recorded in each
manifest.json so `etherip check` can tell an upgrade from an edit."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from generator.resources import templates_root


@cache
def etherip_version() -> str:
    """The installed package's version ("unknown" when run from a checkout without installing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("etherip")
    except PackageNotFoundError:
        return "unknown"


def templates_digest(root: Path) -> str:
    """sha256 over every file under `root`, in sorted "/"-separated path order, each as its path,
    a NUL, its size in decimal, a NUL, and its bytes."""
    digest = hashlib.sha256()
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    for rel, path in files:
        content = path.read_bytes()
        digest.update(f"{rel}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@cache
def writer() -> dict[str, str]:
    """manifest.json's `etherip`: the version and template set of this etherip."""
    return {"version": etherip_version(), "templates": templates_digest(templates_root())}
