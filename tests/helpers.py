"""Shared test helpers: the golden cases, rendering them once, and a real Tcl interpreter."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from generator.model import Site
from generator.render import VersionTree, render_version
from generator.validate import load_site
from generator.versions import ALL_VERSIONS, BigIpVersion

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"
GOLDEN = ROOT / "golden"
CASES = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
REGEN_HINT = "regenerate with: make golden   (runs: pytest tests/test_golden.py --regen-all; then read git diff golden/)"


@cache
def site(case: str) -> Site:
    return load_site(CASES_DIR / f"{case}.yaml", f"{case}.yaml")


@cache
def tree(case: str, version: BigIpVersion) -> VersionTree:
    return render_version(site(case), version)


def all_trees() -> list[tuple[str, BigIpVersion, VersionTree]]:
    return [(case, v, tree(case, v)) for v in ALL_VERSIONS for case in CASES]


def manifest(t: VersionTree) -> dict[str, object]:
    data: dict[str, object] = json.loads(t.files()["manifest.json"])
    return data


# Reads NUL-separated commands on stdin; prints per command "<complete>[n]" then its words,
# separated by \x01, each record ended by \x02 ("n" marks text that is not a Tcl list).
_TCL_WORDS = r"""fconfigure stdin -encoding utf-8; fconfigure stdout -encoding utf-8
foreach c [split [read stdin] \x00] {
  set ok [info complete $c]
  if {[catch {llength $c}]} { puts -nonewline "${ok}n\x02" } else { puts -nonewline "${ok}\x01[join $c \x01]\x02" }
}
"""


class Tcl:
    """A real Tcl interpreter: tkinter's if Python has it, else tclsh. Never optional."""

    def __init__(self) -> None:
        self._tk = None
        try:
            import tkinter
        except ImportError:
            tkinter = None  # type: ignore[assignment]
        if tkinter is not None:
            self._tcl_error = tkinter.TclError
            try:
                self._tk = tkinter.Tcl()
                self.kind = f"tkinter Tcl {self._tk.eval('info patchlevel')}"
                return
            except tkinter.TclError:  # Python has tkinter but the Tcl library is missing
                self._tk = None
        tclsh = shutil.which("tclsh")
        if tclsh is None:
            raise RuntimeError(
                "no Tcl interpreter: install Debian package 'tcl' (scripts/test.sh does this) "
                "or use a Python built with tkinter"
            )
        self._tclsh = tclsh
        self.kind = f"tclsh at {tclsh}"

    def words(self, commands: list[str]) -> list[tuple[bool, list[str] | None]]:
        """For each command: (info complete, its words as Tcl's list parser splits them, or
        None when the text is not a valid Tcl list)."""
        if self._tk is not None:
            results: list[tuple[bool, list[str] | None]] = []
            for c in commands:
                ok = str(self._tk.call("info", "complete", c)) == "1"
                try:
                    words: list[str] | None = [str(w) for w in self._tk.splitlist(c)]
                except self._tcl_error:
                    words = None
                results.append((ok, words))
            return results
        program = _TCL_WORDS
        with tempfile.NamedTemporaryFile("w", suffix=".tcl", delete=False, encoding="utf-8") as fh:
            fh.write(program)
        try:
            out = subprocess.run(
                [self._tclsh, fh.name],
                input="\x00".join(commands),
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=True,
            ).stdout
        finally:
            Path(fh.name).unlink()
        parsed: list[tuple[bool, list[str] | None]] = []
        for record in out.split("\x02")[: len(commands)]:
            head, *ws = record.split("\x01")
            parsed.append((head.startswith("1"), None if head.endswith("n") else ws))
        return parsed


@cache
def tcl() -> Tcl:
    return Tcl()
