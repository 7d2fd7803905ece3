"""Check 2: parse and lint the APL presentation, and cross-check it with the implementation.

APL is a small language of its own (reference iapp-11.6.md §2): sections of fields, rows and
tables, `optional ( expr )` blocks, and one `text` table of labels. The parser covers the
grammar of §2.1; the lint applies the rules of §2.2-§2.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELD_KINDS = frozenset({"string", "password", "choice", "editchoice", "multichoice"})
VALIDATORS = {"fqdn", "iporfqdn", "ipaddress", "nonnegativenumber", "number", "portnumber"}
DISPLAYS = frozenset({"small", "medium", "large", "xlarge", "xxlarge"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r'\s+|#[^\n]*|"(?:\\.|[^"\\])*"|=>|==|!=|&&|\|\||[{}(),]|[A-Za-z0-9_./:-]+')
_IPV4 = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"


class AplError(ValueError):
    pass


@dataclass
class Field:
    path: tuple[str, ...]  # (section, [row or table], name)
    kind: str
    required: bool = False
    display: str | None = None
    default: str | None = None
    validator: str | None = None
    choices: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()  # the optional ( ... ) expressions around it

    @property
    def variable(self) -> str:
        return "__".join(self.path)


@dataclass
class Presentation:
    sections: list[str] = field(default_factory=list)
    groups: list[tuple[str, ...]] = field(default_factory=list)  # rows and tables
    messages: list[tuple[str, ...]] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    text: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def variables(self) -> set[str]:
        return {f.variable for f in self.fields}


def tokenize(text: str) -> list[str]:
    tokens, i = [], 0
    while i < len(text):
        match = _TOKEN.match(text, i)
        if not match:
            raise AplError(f"unexpected character {text[i]!r} at offset {i}")
        token = match.group()
        if not token.isspace() and not token.startswith("#"):
            tokens.append(token)
        i = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.t = tokens
        self.i = 0
        self.out = Presentation()

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, expected: str | None = None) -> str:
        if self.i >= len(self.t):
            raise AplError(f"unexpected end of presentation (expected {expected or 'more'})")
        token = self.t[self.i]
        if expected is not None and token != expected:
            raise AplError(f"expected {expected!r}, found {token!r}")
        self.i += 1
        return token

    def name(self) -> str:
        token = self.take()
        if not _NAME.match(token):
            raise AplError(f"{token!r} is not a valid APL name")
        if "__" in token:
            raise AplError(f"{token!r} contains '__', the separator of Tcl variable names")
        return token

    def top(self) -> Presentation:
        while self.peek() is not None:
            word = self.take()
            if word == "section":
                name = self.name()
                self.out.sections.append(name)
                self.block((name,), ())
            elif word == "text":
                self.text()
            elif word == "include":
                self.take()
            else:
                raise AplError(f"unexpected {word!r} at the top level")
        return self.out

    def block(self, path: tuple[str, ...], conditions: tuple[str, ...]) -> None:
        self.take("{")
        while self.peek() != "}":
            word = self.take()
            if word in FIELD_KINDS:
                self.field(word, path, conditions)
            elif word == "optional":
                self.block(path, (*conditions, self.expression()))
            elif word in ("row", "table"):
                name = self.name()
                self.out.groups.append((*path, name))
                self.block((*path, name), conditions)
            elif word == "message":
                self.out.messages.append((*path, self.name()))
                if self.peek() is not None and str(self.peek()).startswith('"'):
                    self.take()
            else:
                raise AplError(f"unknown element {word!r} in {'.'.join(path)}")
        self.take("}")

    def expression(self) -> str:
        self.take("(")
        depth, parts = 1, []
        while depth:
            token = self.take()
            depth += {"(": 1, ")": -1}.get(token, 0)
            if depth:
                parts.append(token)
        return " ".join(parts)

    def field(self, kind: str, path: tuple[str, ...], conditions: tuple[str, ...]) -> None:
        f = Field((*path, self.name()), kind, conditions=conditions)
        while self.peek() in ("required", "display", "default", "validator"):
            attr = self.take()
            if attr == "required":
                f.required = True
            else:
                value = _unquote(self.take())
                setattr(f, attr, value)
        if kind in ("choice", "editchoice", "multichoice"):
            f.choices = self.choices()
        self.out.fields.append(f)

    def choices(self) -> tuple[str, ...]:
        self.take("{")
        values: list[str] = []
        while self.peek() != "}":
            display = _unquote(self.take())
            if self.peek() == "=>":
                self.take()
                display = _unquote(self.take())
            values.append(display)
            if self.peek() == ",":
                self.take()
        self.take("}")
        return tuple(values)

    def text(self) -> None:
        self.take("{")
        while self.peek() != "}":
            key = self.take()
            strings = []
            while self.peek() is not None and str(self.peek()).startswith('"'):
                strings.append(_unquote(self.take()))
            if not strings:
                raise AplError(f"text entry {key!r} has no label")
            if key in self.out.text:
                raise AplError(f"text entry {key!r} given twice")
            self.out.text[key] = tuple(strings)
        self.take("}")


def _unquote(token: str) -> str:
    if not (token.startswith('"') and token.endswith('"')):
        return token
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def parse_apl(text: str) -> Presentation:
    return _Parser(tokenize(text)).top()


def lint(apl: Presentation) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    choices = {".".join(f.path): f.choices for f in apl.fields}
    for f in apl.fields:
        key = ".".join(f.path)
        if key in seen:
            problems.append(f"{key}: defined twice")
        seen.add(key)
        if f.validator is not None and f.validator.lower() not in VALIDATORS:
            problems.append(f"{key}: unknown validator {f.validator!r}")
        if f.display is not None and f.display not in DISPLAYS:
            problems.append(f"{key}: unknown display size {f.display!r}")
        problems += _default_problems(key, f)
        for condition in f.conditions:
            problems += _condition_problems(key, condition, choices)
    labelled = {".".join(p) for p in [(s,) for s in apl.sections] + apl.groups + apl.messages} | seen
    for key in sorted(labelled - set(apl.text)):
        problems.append(f"{key}: no entry in the text table")
    for key in sorted(set(apl.text) - labelled):
        problems.append(f"text entry {key!r} names no section or field")
    return problems


_VALIDATOR_PATTERNS = {
    "ipaddress": _IPV4,
    "nonnegativenumber": r"[0-9]+",
    "number": r"-?[0-9]+",
    "portnumber": r"\*|[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]",
}


def _default_problems(key: str, f: Field) -> list[str]:
    if f.default is None or (f.default == "" and not f.required):
        return []
    if f.choices and f.default not in f.choices:
        return [f"{key}: default {f.default!r} is not one of its choices"]
    check = _VALIDATOR_PATTERNS.get((f.validator or "").lower())
    if check is not None and not re.fullmatch(check, f.default):
        return [f"{key}: default {f.default!r} fails its validator {f.validator}"]
    if f.required and f.default == "":
        return [f"{key}: required, but its default is empty"]
    return []


def _condition_problems(key: str, condition: str, choices: dict[str, tuple[str, ...]]) -> list[str]:
    problems = []
    for ref, literal in re.findall(r'([A-Za-z_][A-Za-z0-9_.]*) (?:==|!=) "([^"]*)"', condition):
        if ref not in choices:
            problems.append(f"{key}: optional ( {condition} ) names unknown field {ref!r}")
        elif choices[ref] and literal not in choices[ref]:
            problems.append(
                f"{key}: optional ( {condition} ) compares with {literal!r}, not a choice of {ref}"
            )
    return problems


_VAR = re.compile(r"\b([a-z][a-z0-9_]*?__[a-z][a-z0-9_]*?(?:__[a-z][a-z0-9_]*)?)\b")


def implementation_variables(tcl: str) -> set[str]:
    """APL variables the implementation names (comment lines excluded)."""
    code = "\n".join(line for line in tcl.split("\n") if not line.lstrip().startswith("#"))
    return set(_VAR.findall(code))


def cross_check(apl: Presentation, tcl: str) -> list[str]:
    used = implementation_variables(tcl)
    defined = apl.variables()
    problems = [
        f"implementation reads ::{v}, which the presentation does not define" for v in sorted(used - defined)
    ]
    problems += [
        f"presentation field {v} is never read by the implementation" for v in sorted(defined - used)
    ]
    return problems
