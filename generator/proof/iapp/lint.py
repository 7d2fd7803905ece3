"""`etherip check FILE.tmpl`: lint any iApp template, not only etherip's, without running it.

Reads the file the way the BIG-IP loader does and reports, as `FILE:LINE: SEVERITY: check: message`:
  structure  the file's objects and the template's keys and sections (tmpl.read_template);
  apl        the presentation against F5's APL grammar and its lint (apl.grammar_lint), with
             the macros of any `sys application apl-script` in the file (checked the same way);
  tcl84      Tcl 8.5+ constructs and Tcl syntax errors in the implementation, in every
             `tcl { ... }` body of the presentation and in every `cli script` in the file.
Each finding is an `error` (the template would not load, or Tcl 8.4 refuses it at run time)
or a `warning` (F5's loader and Tcl accept it: `}{`, else-lines, F5's expr words, APL lint such
as unknown validators or conditions naming unknown fields).
etherip's own policy (checksum, version floor, text entries, the variable cross-check, the
harness run) is not applied: those are rules for the templates etherip renders. Nothing in the
file is ever run; it is read through the bounded reader (a regular file, at most
MAX_TEMPLATE_BYTES), whatever its name (`*.tmpl`, `*.iapp`, `*.tmpl.tcl`).

Exit codes: 0 no error (warnings are listed), 1 an error (an unreadable or non-UTF-8 file too;
with `strict`, a warning too), 2 usage error (no such file).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from generator.bounded import ReadRefused, read_file
from generator.proof.iapp import apl
from generator.proof.iapp.tcl84 import ERROR, WARNING, severity
from generator.proof.iapp.tcl84 import findings as tcl_findings
from generator.proof.iapp.tclparse import TclSyntaxError, parse
from generator.proof.iapp.tmpl import TmplError, TmshObject, read_template

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_TEMPLATE_BYTES = 32 * 1024 * 1024  # F5's largest templates are a few hundred KB
_APL_ERRORS = ("tables cannot nest",)  # the rest of the APL lint F5's GUI tolerates


@dataclass(frozen=True)
class LintFinding:
    line: int
    check: str
    message: str
    severity: str = ERROR


def lint_text(text: str) -> list[LintFinding]:
    try:
        tmpl = read_template(text)
    except TmplError as exc:
        return [LintFinding(exc.line, "structure", str(exc))]
    out: list[LintFinding] = []
    library = apl.Presentation()
    for obj in tmpl.objects:
        if obj.words[:3] == ("sys", "application", "apl-script"):
            out += _apl_script(obj, library)
    first = tmpl.section_lines["presentation"]
    try:
        presentation = apl.parse_apl(tmpl.sections["presentation"], library)
    except apl.AplError as exc:
        out.append(LintFinding(first + exc.line - 1, "apl", str(exc)))
    else:
        out += [
            LintFinding(first + line - 1, "apl", message, _apl_severity(message))
            for line, message in apl.grammar_lint(presentation)
        ]
        for line, body in presentation.tcl_bodies:
            out += _tcl(body, first + line - 1, "presentation tcl body")
    out += _tcl(tmpl.sections["implementation"], tmpl.section_lines["implementation"], "implementation")
    for obj in tmpl.objects:
        if obj.words[:2] == ("cli", "script") and obj.body:
            out += _tcl(obj.body, obj.body_line, " ".join(obj.words))
    return sorted(out, key=lambda f: f.line)


def _apl_script(obj: TmshObject, library: apl.Presentation) -> list[LintFinding]:
    """An apl-script in the file: its `script { ... }` is APL (defines a presentation may use);
    its macros join `library`."""
    try:
        words = [w for c in parse(obj.body, substitutions=False).commands for w in c.words]
    except TclSyntaxError as exc:  # pragma: no cover - read_template already read this body
        return [LintFinding(obj.body_line, "structure", exc.message)]
    for key, value in zip(words[::2], words[1::2], strict=False):
        if key.text != "script":
            continue
        first = obj.body_line + obj.body.count("\n", 0, value.body)
        try:
            script = apl.parse_apl(value.text)
        except apl.AplError as exc:
            return [LintFinding(first + exc.line - 1, "apl", f"{' '.join(obj.words)}: {exc}")]
        library.macros.update(script.macros)
        library.group_macros.update(script.group_macros)
        found = [
            LintFinding(first + n - 1, "apl", f"{' '.join(obj.words)}: {m}", _apl_severity(m))
            for n, m in apl.grammar_lint(script)
        ]
        for line, body in script.tcl_bodies:
            found += _tcl(body, first + line - 1, f"{' '.join(obj.words)} tcl body")
        return found
    return [LintFinding(obj.body_line, "structure", f"{' '.join(obj.words)}: no script {{ ... }}")]


def _apl_severity(message: str) -> str:
    return ERROR if any(e in message for e in _APL_ERRORS) else WARNING


def _tcl(code: str, first_line: int, where: str) -> list[LintFinding]:
    return [
        LintFinding(first_line + line - 1, "tcl84", f"{where}: {what}: {text}", severity(what))
        for line, what, text in tcl_findings(code)
    ]


def lint_file(path: Path, strict: bool = False) -> int:
    """Print the findings of one file (any name); return the exit code."""
    shown = _printable(str(path))
    if not path.exists() and not path.is_symlink():
        print(f"{shown}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        data = read_file(path, MAX_TEMPLATE_BYTES)
    except ReadRefused as exc:
        print(f"{shown}:1: {ERROR}: structure: cannot read: {_printable(exc.reason)}", file=sys.stderr)
        return EXIT_FINDINGS
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        print(f"{shown}:{line}: {ERROR}: structure: not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return EXIT_FINDINGS
    found = lint_text(text.replace("\r\n", "\n"))
    for f in found:
        print(f"{shown}:{f.line}: {f.severity}: {f.check}: {_printable(f.message)}", file=sys.stderr)
    errors = sum(f.severity == ERROR for f in found)
    warnings = len(found) - errors
    print(f"{shown}: {errors} error(s), {warnings} warning(s)" if found else f"{shown}: ok")
    return EXIT_FINDINGS if errors or (strict and warnings) else EXIT_CLEAN


def _printable(text: str) -> str:
    """Control characters escaped, so a message is one line and no escape code reaches a terminal."""
    return "".join(
        ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
        for ch in text
    )
