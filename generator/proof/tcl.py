"""A real Tcl interpreter for the offline checks: Python's tkinter if it has Tcl, else tclsh.

Never optional: when neither exists, `TclMissing` says what to install, and the checks fail.
Scripts run from a file with `source -encoding utf-8`; the file's last result is returned.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from generator.errors import GeneratorError


class TclMissing(GeneratorError):
    exit_code = 1


class TclFailed(GeneratorError):
    exit_code = 1


# Reads NUL-separated commands (its first argument); returns per command "<complete>[n]" and its words,
# separated by \x01, each record ended by \x02 ("n" marks text that is not a Tcl list).
_WORDS = r"""set data [lindex $argv_words 0]
set out ""
foreach c [split $data \x00] {
  set ok [info complete $c]
  if {[catch {llength $c}]} { append out "${ok}n\x02" } else { append out "${ok}\x01[join $c \x01]\x02" }
}
set out
"""


class Tcl:
    def __init__(self) -> None:
        self._tk: Any = None
        try:
            import tkinter
        except ImportError:
            tkinter = None  # type: ignore[assignment]
        if tkinter is not None:
            try:
                self._tk = tkinter.Tcl()
                self.kind = f"tkinter Tcl {self._tk.eval('info patchlevel')}"
                return
            except tkinter.TclError:  # Python has tkinter, but the Tcl library is missing
                self._tk = None
        tclsh = shutil.which("tclsh")
        if tclsh is None:
            raise TclMissing(
                "no Tcl interpreter: install Debian package 'tcl' (apt-get install tcl), "
                "or use a Python built with tkinter; the iApp and word-list checks need real Tcl"
            )
        self._tclsh = tclsh
        self.kind = f"tclsh at {tclsh}"

    def run(self, script: str, argv: list[str] | None = None) -> str:
        """Run `script` in a fresh interpreter (with `argv_words` set) and return its last result."""
        if self._tk is not None:
            import tkinter

            interp = tkinter.Tcl()
            try:  # no file, no quoting: the arguments become a Tcl list object as they are
                interp.call("set", "argv_words", tuple(argv or ()))
                return str(interp.eval(script))
            except tkinter.TclError as exc:
                raise TclFailed(f"Tcl error: {exc}") from None
        prologue = "set argv_words [list " + " ".join(tcl_quote(a) for a in argv or []) + "]\n"
        with tempfile.TemporaryDirectory(prefix="etherip-tcl-") as tmp:
            body = Path(tmp) / "script.tcl"
            body.write_text(script, encoding="utf-8")
            wrapper = Path(tmp) / "main.tcl"
            wrapper.write_text(
                prologue + "fconfigure stdout -encoding utf-8 -translation lf\n"
                f"puts -nonewline [source -encoding utf-8 {tcl_quote(str(body))}]\n",
                encoding="utf-8",
            )
            proc = subprocess.run([self._tclsh, str(wrapper)], capture_output=True, check=False)
            if proc.returncode != 0:
                raise TclFailed(f"Tcl error: {proc.stderr.decode('utf-8', 'replace').strip()}")
            return proc.stdout.decode("utf-8")

    def words(self, commands: list[str]) -> list[tuple[bool, list[str] | None]]:
        """For each command: (info complete, its words as Tcl's list parser splits them, or
        None when the text is not a valid Tcl list)."""
        out = self.run(_WORDS, ["\x00".join(commands)])
        parsed: list[tuple[bool, list[str] | None]] = []
        for record in out.split("\x02")[: len(commands)]:
            head, *ws = record.split("\x01")
            parsed.append((head.startswith("1"), None if head.endswith("n") else ws))
        return parsed


_SPECIAL = {
    "\\": "\\\\",
    "{": "\\{",
    "}": "\\}",
    "[": "\\[",
    "]": "\\]",
    "$": "\\$",
    '"': '\\"',
    ";": "\\;",
    " ": "\\ ",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\x00": "\\x00",
}


def tcl_quote(value: str) -> str:
    """One Tcl word that evaluates to exactly `value`, whatever it holds."""
    if value == "":
        return "{}"
    return value.translate(_QUOTE_TABLE)


_QUOTE_TABLE = str.maketrans({**{chr(c): f"\\x{c:02x}" for c in range(32)}, **_SPECIAL})


@cache
def tcl() -> Tcl:
    return Tcl()
