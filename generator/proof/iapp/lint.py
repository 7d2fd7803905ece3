"""`etherip check FILE.tmpl`: lint any iApp template, not only etherip's, without running it.

Reads the file the way the BIG-IP loader does and reports, as `FILE:LINE: check: message`:
  structure  the file's objects and the template's keys and sections (tmpl.read_template);
  apl        the presentation against F5's APL grammar and its lint (apl.grammar_lint), with
             the macros of any `sys application apl-script` in the file (checked the same way);
  tcl84      Tcl 8.5+ constructs and Tcl syntax errors in the implementation, in every
             `tcl { ... }` body of the presentation and in every `cli script` in the file.
etherip's own policy (checksum, version floor, text entries, the variable cross-check, the
harness run) is not applied: those are rules for the templates etherip renders. Nothing in the
file is ever run.

Exit codes: 0 clean, 1 findings (an unreadable or non-UTF-8 file too), 2 usage error (no such
file).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from generator.proof.iapp import apl
from generator.proof.iapp.tcl84 import findings as tcl_findings
from generator.proof.iapp.tclparse import TclSyntaxError, parse
from generator.proof.iapp.tmpl import TmplError, TmshObject, read_template

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class LintFinding:
    line: int
    check: str
    message: str


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
            LintFinding(first + line - 1, "apl", message) for line, message in apl.grammar_lint(presentation)
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
            LintFinding(first + n - 1, "apl", f"{' '.join(obj.words)}: {m}")
            for n, m in apl.grammar_lint(script)
        ]
        for line, body in script.tcl_bodies:
            found += _tcl(body, first + line - 1, f"{' '.join(obj.words)} tcl body")
        return found
    return [LintFinding(obj.body_line, "structure", f"{' '.join(obj.words)}: no script {{ ... }}")]


def _tcl(code: str, first_line: int, where: str) -> list[LintFinding]:
    return [
        LintFinding(first_line + line - 1, "tcl84", f"{where}: {what}: {text}")
        for line, what, text in tcl_findings(code)
    ]


def lint_file(path: Path) -> int:
    """Print the findings of one file; return the exit code."""
    shown = _printable(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        print(f"{shown}: no such file", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"{shown}:1: structure: cannot read: {exc.strerror}", file=sys.stderr)
        return EXIT_FINDINGS
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        print(f"{shown}:{line}: structure: not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return EXIT_FINDINGS
    found = lint_text(text.replace("\r\n", "\n"))
    for f in found:
        print(f"{shown}:{f.line}: {f.check}: {_printable(f.message)}", file=sys.stderr)
    print(f"{shown}: {len(found)} finding(s)" if found else f"{shown}: ok")
    return EXIT_FINDINGS if found else EXIT_CLEAN


def _printable(text: str) -> str:
    """Control characters escaped, so a message is one line and no escape code reaches a terminal."""
    return "".join(
        ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
        for ch in text
    )
