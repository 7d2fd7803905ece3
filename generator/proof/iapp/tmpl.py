"""Check 1: the outer structure of a .tmpl file, read by Tcl's brace and quote rules.

A .tmpl file is a sequence of tmsh config objects, read the way the BIG-IP loader reads them:
words split by Tcl's rules (generator/proof/iapp/tclparse.py), `#` lines are comments. It holds
exactly one `sys application template`; other objects may come before or after it (`cli
admin-partitions`, a `cli script` library, a `sys application apl-script`, ...). The template's
sections are raw text between braces; braces count the Tcl way (`\\{` does not count, but a
brace inside a comment or a quoted string does), which is how the BIG-IP loader reads them [C
for the rule, I for loader internals].

`read_template` is the grammar (any iApp template); `parse_template` adds etherip's own policy
for the templates it renders (only `cli admin-partitions` beside the template, no checksum, an
floor from the version table, `requires-modules { ltm }`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.proof.iapp.tclparse import Lines, TclSyntaxError, brace_depth_problems, parse
from generator.versions import iapp_min_versions

TEMPLATE_KEYS = frozenset(
    {
        "actions",
        "description",
        "ignore-verification",
        "requires-bigip-version-max",
        "requires-bigip-version-min",
        "requires-modules",
        "signing-key",
        "tmpl-checksum",
        "tmpl-signature",
    }
)
# Accepted by the loader but never written by etherip: the 11.1 format's partition and the
# read-only fields of an export [reference iapp-11.6.md §1.1].
EXPORT_KEYS = frozenset({"partition", "total-signing-status", "verification-status", "prerequisite-errors"})
DEFINITION_KEYS = frozenset({"html-help", "implementation", "macro", "presentation", "role-acl", "run-as"})
REQUIRED_SECTIONS = ("implementation", "presentation")
_NAME = re.compile(r"(/[A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]+\Z")


class TmplError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class TmshObject:
    """Another object in the file (`cli script NAME { ... }`, `cli admin-partitions { ... }`)."""

    words: tuple[str, ...]  # its words but the braced body
    body: str  # the last braced word's text ("" when there is none)
    body_line: int  # the file line where `body` starts


@dataclass
class Template:
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    # 1-based line in the file where each section's text starts (for FILE:LINE messages)
    section_lines: dict[str, int] = field(default_factory=dict)
    line: int = 1  # line of `sys application template`
    objects: list[TmshObject] = field(default_factory=list)  # the file's other objects


def tcl_words(text: str) -> list[str]:
    """The words of a Tcl command or of a braced tmsh body (newlines separate like spaces);
    braced and quoted words keep their inner text verbatim."""
    try:
        script = parse(text, substitutions=False)
    except TclSyntaxError as exc:
        raise TmplError(exc.message, Lines(text).line(exc.offset)) from None
    return [w.text for c in script.commands for w in c.words]


def read_template(text: str) -> Template:
    """The grammar of a template file, for any iApp template."""
    lines = Lines(text)
    try:
        script = parse(text, substitutions=False)
    except TclSyntaxError as exc:
        raise TmplError(_loader_message(exc.message), lines.line(exc.offset)) from None
    for command in script.commands:
        if command.words[0].text.startswith("}"):
            raise TmplError(
                "unexpected '}' at the top level: a brace above it closes more than was opened",
                lines.line(command.start),
            )
    templates = [
        c for c in script.commands if [w.text for w in c.words[:3]] == ["sys", "application", "template"]
    ]
    if len(templates) != 1:
        raise TmplError(f"expected exactly one 'sys application template', found {len(templates)}")
    objects: list[TmshObject] = []
    for command in script.commands:
        words = command.words
        if command in templates:
            continue
        if len(words) < 2:
            raise TmplError(f"{words[0].text[:40]!r} is not a tmsh object", lines.line(command.start))
        last = words[-1]
        body = last.text if last.kind == "braced" else ""
        header = tuple(w.text for w in (words[:-1] if last.kind == "braced" else words))
        objects.append(TmshObject(header, body, lines.line(last.body)))
    words = templates[0].words
    line = lines.line(templates[0].start)
    if len(words) != 5 or words[4].kind != "braced":
        raise TmplError("expected: sys application template NAME { ... }", line)
    tmpl = _template(words[3].text, words[4].text, words[4].body, lines, line)
    tmpl.objects = objects
    return tmpl


def _loader_message(message: str) -> str:
    if message == "missing close-brace":
        return "unbalanced '{': a brace is never closed (Tcl counts braces in comments and strings too)"
    return message


def _template(name: str, body: str, offset: int, lines: Lines, line: int) -> Template:
    if not _NAME.match(name):
        raise TmplError(f"template name {name!r} is not [A-Za-z0-9_.-] (with an optional /folder/)", line)
    tmpl = Template(name, line=line)
    words = _words(body, offset, lines)
    _pairs(words, TEMPLATE_KEYS | EXPORT_KEYS, tmpl.attributes, "template", lines)
    actions = next((w for k, w in zip(words[::2], words[1::2], strict=True) if k[0] == "actions"), None)
    if actions is None:
        raise TmplError("the template has no actions { definition { ... } }", line)
    inner = _words(actions[0], actions[1], lines)
    if [w[0] for w in inner[:1]] != ["definition"] or len(inner) != 2:
        raise TmplError("actions must hold exactly one 'definition'", lines.line(actions[1]))
    definition: dict[str, str] = {}
    words = _words(inner[1][0], inner[1][1], lines)
    _pairs(words, DEFINITION_KEYS, definition, "definition", lines)
    for (key, _), (value, at) in zip(words[::2], words[1::2], strict=True):
        tmpl.sections[key] = value
        tmpl.section_lines[key] = lines.line(at)
    for section in REQUIRED_SECTIONS:
        if section not in tmpl.sections:
            raise TmplError(f"definition has no {section} section", lines.line(inner[1][1]))
    tmpl.attributes.pop("actions")
    return tmpl


def _words(text: str, offset: int, lines: Lines) -> list[tuple[str, int]]:
    """Words of a braced tmsh body (any number of lines), with their offsets in the file."""
    try:
        script = parse(text, substitutions=False)
    except TclSyntaxError as exc:
        raise TmplError(_loader_message(exc.message), lines.line(offset + exc.offset)) from None
    return [(w.text, offset + w.body) for c in script.commands for w in c.words]


def _pairs(
    words: list[tuple[str, int]], known: frozenset[str], into: dict[str, str], where: str, lines: Lines
) -> None:
    if len(words) % 2:
        raise TmplError(f"{where}: {words[-1][0][:40]!r} has no value", lines.line(words[-1][1]))
    for (key, at), (value, _) in zip(words[::2], words[1::2], strict=True):
        if key not in known:
            raise TmplError(f"{where}: unknown key {key!r}", lines.line(at))
        if key in into:
            raise TmplError(f"{where}: {key!r} given twice", lines.line(at))
        into[key] = value


def parse_template(text: str) -> Template:
    """An etherip-rendered template: the grammar, then etherip's own policy."""
    tmpl = read_template(text)
    for obj in tmpl.objects:
        if obj.words[:2] != ("cli", "admin-partitions"):
            raise TmplError(f"unexpected top-level object: {' '.join(obj.words)[:40]!r}")
    for key in EXPORT_KEYS & set(tmpl.attributes):
        raise TmplError(f"template: unknown key {key!r}", tmpl.line)
    a = tmpl.attributes
    if a.get("tmpl-checksum") != "none":
        raise TmplError("tmpl-checksum must be none (a checksum makes every reload fail)", tmpl.line)
    if a.get("requires-bigip-version-min", "") not in iapp_min_versions():
        known = ", ".join(sorted(iapp_min_versions()))
        raise TmplError(f"requires-bigip-version-min must be one etherip targets ({known})", tmpl.line)
    if a.get("requires-modules", "").split() != ["ltm"]:
        raise TmplError("requires-modules must be { ltm }", tmpl.line)
    return tmpl


def brace_problems(name: str, text: str) -> list[str]:
    """Tcl's brace rule for one section: depth never negative and zero at the end, counting
    every brace but backslash-escaped ones (quotes and comments do not hide a brace)."""
    lines = Lines(text)
    return [f"{name}: line {lines.line(at)}: {message}" for at, message in brace_depth_problems(text)]


def brace_policy(name: str, text: str) -> list[str]:
    """etherip's own hygiene on top of Tcl's rule: raw counts equal (escaped braces included)
    and escaped braces in pairs, so no lone brace hides in a string or a comment."""
    problems = []
    if text.count("{") != text.count("}"):
        problems.append(f"{name}: {text.count('{')} '{{' but {text.count('}')} '}}'")
    if text.count("\\{") != text.count("\\}"):
        problems.append(
            f"{name}: escaped braces are not paired ({text.count(chr(92) + '{')} vs {text.count(chr(92) + '}')})"
        )
    return problems
