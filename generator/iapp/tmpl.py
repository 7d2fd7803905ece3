"""Check 1: the outer structure of a .tmpl file, read by Tcl's brace and quote rules.

A .tmpl holds one `sys application template` (optionally after `cli admin-partitions`). Its
sections are raw text between braces; braces count the Tcl way (`\\{` does not count, but a brace
inside a comment or a quoted string does), which is how the BIG-IP loader reads them [C for the
rule, I for loader internals].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
DEFINITION_KEYS = frozenset({"html-help", "implementation", "macro", "presentation", "role-acl", "run-as"})
REQUIRED_SECTIONS = ("implementation", "presentation")
_NAME = re.compile(r"(/Common/)?[A-Za-z0-9_.-]+\Z")
_VERSION = re.compile(r"11\.6\.[1-5]\Z")


class TmplError(ValueError):
    pass


@dataclass
class Template:
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)


def tcl_words(text: str) -> list[str]:
    """Split one Tcl command into words (braced words keep their inner text verbatim)."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n":
            i += 1
            continue
        if ch == "{":
            end = matching_brace(text, i)
            words.append(text[i + 1 : end])
            i = end + 1
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise TmplError("unterminated quoted string")
            words.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in " \t\n":
                j += 2 if text[j] == "\\" else 1
            words.append(text[i:j])
            i = j
            continue
        if i < n and text[i] not in " \t\n":
            raise TmplError(f"extra characters after close-brace or quote at offset {i}")
    return words


def matching_brace(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise TmplError(f"unbalanced '{{' at offset {start}")


def commands(text: str) -> list[str]:
    """Top-level commands of the file; `#` comment lines between commands are skipped."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\n":
            i += 1
            continue
        if text[i] == "#":
            i = text.find("\n", i) + 1 or n
            continue
        start = i
        while i < n and text[i] != "\n":
            if text[i] == "{":
                i = matching_brace(text, i)
            elif text[i] == "}":
                raise TmplError(f"unexpected '}}' at offset {i}")
            i += 1
        out.append(text[start:i])
    return out


def parse_template(text: str) -> Template:
    cmds = commands(text)
    templates = [c for c in cmds if c.startswith("sys application template ")]
    others = [c for c in cmds if c not in templates and not c.startswith("cli admin-partitions ")]
    if len(templates) != 1:
        raise TmplError(f"expected exactly one 'sys application template', found {len(templates)}")
    if others:
        raise TmplError(f"unexpected top-level command: {others[0][:40]!r}")
    words = tcl_words(templates[0])
    if len(words) != 5:
        raise TmplError("expected: sys application template NAME { ... }")
    name = words[3]
    if not _NAME.match(name):
        raise TmplError(f"template name {name!r} is not [A-Za-z0-9_.-]")
    tmpl = Template(name)
    body = tcl_words(words[4])
    _pairs(body, TEMPLATE_KEYS, tmpl.attributes, "template")
    actions = tcl_words(tmpl.attributes.pop("actions", ""))
    if actions[:1] != ["definition"] or len(actions) != 2:
        raise TmplError("actions must hold exactly one 'definition'")
    _pairs(tcl_words(actions[1]), DEFINITION_KEYS, tmpl.sections, "definition")
    for section in REQUIRED_SECTIONS:
        if section not in tmpl.sections:
            raise TmplError(f"definition has no {section} section")
    _check_attributes(tmpl)
    return tmpl


def _pairs(words: list[str], known: frozenset[str], into: dict[str, str], where: str) -> None:
    if len(words) % 2:
        raise TmplError(f"{where}: odd number of words (a key without a value)")
    for key, value in zip(words[::2], words[1::2], strict=True):
        if key not in known:
            raise TmplError(f"{where}: unknown key {key!r}")
        if key in into:
            raise TmplError(f"{where}: {key!r} given twice")
        into[key] = value


def _check_attributes(tmpl: Template) -> None:
    a = tmpl.attributes
    if a.get("tmpl-checksum") != "none":
        raise TmplError("tmpl-checksum must be none (a checksum makes every reload fail)")
    if not _VERSION.match(a.get("requires-bigip-version-min", "")):
        raise TmplError("requires-bigip-version-min must be an 11.6.1-11.6.5 release")
    if a.get("requires-modules", "").split() != ["ltm"]:
        raise TmplError("requires-modules must be { ltm }")


def brace_problems(name: str, text: str) -> list[str]:
    """Brace hygiene of one section: raw counts equal, depth never negative, escapes paired."""
    problems = []
    if text.count("{") != text.count("}"):
        problems.append(f"{name}: {text.count('{')} '{{' but {text.count('}')} '}}'")
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        for ch in line:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth < 0:
                problems.append(f"{name}: line {number}: '}}' closes more than was opened")
                return problems
    if text.count("\\{") != text.count("\\}"):
        problems.append(
            f"{name}: escaped braces are not paired ({text.count(chr(92) + '{')} vs {text.count(chr(92) + '}')})"
        )
    return problems
