"""A folder written by another etherip (another version or template set) is no edit: `etherip
check` says so in one line and how to re-render, instead of listing every file as changed."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Protocol

from generator.provenance import writer
from generator.versions import BigIpVersion


class Findings(Protocol):
    def add(self, path: str, check: str, message: str) -> None: ...


def written_by_another(manifest: bytes | str, where: str, version: BigIpVersion, report: Findings) -> bool:
    """True, with one finding, when manifest.json names another etherip or template set than
    this one's (or none: a render from before manifests named their writer)."""
    try:
        doc = json.loads(manifest) if isinstance(manifest, bytes) else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        return False  # no readable manifest: the byte comparison and the manifest check say what is wrong
    theirs, mine = doc.get("etherip"), writer()
    if theirs == mine:
        return False
    if isinstance(theirs, dict) and theirs.get("version") == mine["version"]:
        by = f"etherip {mine['version']} with another template set"
    elif isinstance(theirs, dict) and isinstance(theirs.get("version"), str):
        by = f"etherip {theirs['version']}"
    else:
        by = "an etherip whose manifest does not name itself (before 0.1.0's provenance)"
    folder = PurePath(where)
    again = f"etherip render {folder / 'site.yaml'} --version {version.value} --out {folder.parent.parent}"
    report.add(
        f"{where}/manifest.json",
        "render",
        f"written by {by}, not by this etherip {mine['version']}; re-render it with this one: {again}",
    )
    return True
