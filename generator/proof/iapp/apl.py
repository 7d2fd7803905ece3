"""Check 2: parse and lint the APL presentation, and cross-check it with the implementation.

APL is a small language of its own (reference iapp-11.6.md §2; F5's iApps developer guide):

    presentation := top*
    top      := "include" STRING | define | "section" NAME block
              | "optional" "(" expr ")" "{" top* "}" | "text" [STRING] "{" entry* "}"
    define   := "define" KIND NAME attr* [choices] | "define" ("section"|"row"|"table") NAME block
    block    := "{" element* "}"
    element  := FIELD NAME attr* [choices]               FIELD: string password choice
              | MACRO NAME attr* [choices]                multichoice editchoice, or a define'd
              | "row" NAME block | "table" NAME block      or included macro name
              | "message" NAME [STRING] | "optional" "(" expr ")" block
              | "section" NAME block (inside a top-level optional) | define | "include" STRING
    attr     := "required" | "display" STRING | "validator" STRING
              | "default" (STRING | WORD | "{" STRING ("," STRING)* "}" | "tcl" TCLBODY)
    choices  := "{" [choice ("," choice)* [","]] "}" | "tcl" TCLBODY
    choice   := STRING ["=>" STRING]
    expr     := term (("&&" | "||") term)* ;  term := "(" expr ")" | operand ("==" | "!=") operand
    entry    := KEY STRING* [choices]                  KEY: section[.row|.table][.field]

`#` starts a comment outside strings and Tcl bodies. A TCLBODY is raw Tcl between braces that
balance by Tcl's rule (only backslash-escaped braces do not count).

`parse_apl` is the grammar; `grammar_lint` finds what is wrong in any presentation (unknown
validators and display sizes, `__` in names, duplicates, nested tables, defaults outside their
choices or failing their validator, conditions naming unknown fields); `lint` adds etherip's own
policy for the presentations it renders (a text entry for everything, no empty required default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from generator.proof.iapp.tclparse import Lines

FIELD_KINDS = frozenset({"string", "password", "choice", "editchoice", "multichoice"})
CHOICE_KINDS = frozenset({"choice", "editchoice", "multichoice"})
VALIDATORS = {"fqdn", "iporfqdn", "ipaddress", "nonnegativenumber", "number", "portnumber"}
DISPLAYS = frozenset({"small", "medium", "large", "xlarge", "xxlarge"})
KEYWORDS = frozenset({"section", "optional", "text", "include", "define", "row", "table", "message", "tcl"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_IPV4 = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
_INCLUDE_DIRECTIVE = re.compile(r'#include[ \t]+("(?:\\.|[^"\\\n])*")')
_LEX = re.compile(r'"(?:\\.|[^"\\])*"|=>|==|!=|&&|\|\||[{}(),]|[^\s{}(),"#=!&|]+')


class AplError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Field:
    path: tuple[str, ...]  # (section, [row or table], name)
    kind: str  # string, password, choice, editchoice, multichoice, or a macro's name
    required: bool = False
    display: str | None = None
    default: str | None = None
    validator: str | None = None
    choices: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()  # the optional ( ... ) expressions around it
    default_list: tuple[str, ...] | None = None  # multichoice default {"a", "b"}
    default_tcl: str | None = None  # default tcl { ... }
    choices_tcl: str | None = None  # choice x tcl { ... }: choices computed by Tcl in the GUI
    choices_from_text: bool = False  # the values come from the field's entry in the text table
    macro: str | None = None  # the define'd or included macro this field uses
    in_table: bool = False
    line: int = 1
    expanded: bool = False  # placed by a define'd section/row/table (its attributes are checked there)

    @property
    def variable(self) -> str:
        """The Tcl variable the GUI sets (a table column lives in its table's variable)."""
        return "__".join(self.path[:-1] if self.in_table else self.path)

    @property
    def static_choices(self) -> bool:
        return self.choices_tcl is None and (self.kind in CHOICE_KINDS or bool(self.choices))


@dataclass
class Presentation:
    sections: list[str] = field(default_factory=list)
    groups: list[tuple[str, ...]] = field(default_factory=list)  # rows and tables
    tables: list[tuple[str, ...]] = field(default_factory=list)
    messages: list[tuple[str, ...]] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    text: dict[str, tuple[str, ...]] = field(default_factory=dict)
    text_choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `key "label" { ... }`
    includes: list[str] = field(default_factory=list)
    macros: dict[str, Field] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message) seen while parsing
    tcl_bodies: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of each tcl { }
    group_macros: dict[str, Presentation] = field(default_factory=dict)  # define section|row|table
    library: set[str] = field(default_factory=set)  # macro names that came from an apl-script

    def variables(self) -> set[str]:
        return {f.variable for f in self.fields}


@dataclass(frozen=True)
class Token:
    text: str
    offset: int
    raw: bool = False  # a Tcl body's text (without its braces)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    lines = Lines(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            directive = _INCLUDE_DIRECTIVE.match(text, i)
            if directive:  # `#include "..."`, as some tools write it: read as include
                tokens += [Token("include", i), Token(directive.group(1), directive.start(1))]
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c == "{" and tokens and tokens[-1].text == "tcl" and not tokens[-1].raw:
            end = _tcl_body_end(text, i, lines)
            tokens.append(Token(text[i + 1 : end], i + 1, raw=True))
            i = end + 1
            continue
        match = _LEX.match(text, i)
        if not match:
            if c == '"':
                raise AplError("unterminated string", lines.line(i))
            raise AplError(f"unexpected character {c!r}", lines.line(i))
        tokens.append(Token(match.group(), i))
        i = match.end()
    return tokens


def _tcl_body_end(text: str, i: int, lines: Lines) -> int:
    depth, start = 0, i
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0:
            return i
        i += 1
    raise AplError("tcl { ... } body never closed", lines.line(start))


class _Parser:
    def __init__(self, text: str, library: Presentation | None = None) -> None:
        self.lines = Lines(text)
        self.t = tokenize(text)
        self.i = 0
        self.out = Presentation()
        if library is not None:
            self.out.macros.update(library.macros)
            self.out.group_macros.update(library.group_macros)
            self.out.library = set(library.macros)

    # tokens ------------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> str | None:
        k = self.i + ahead
        return self.t[k].text if k < len(self.t) and not self.t[k].raw else None

    def line(self) -> int:
        if self.i < len(self.t):
            return self.lines.line(self.t[self.i].offset)
        return self.lines.line(self.t[-1].offset) if self.t else 1

    def error(self, message: str) -> AplError:
        return AplError(message, self.line())

    def take(self, expected: str | None = None) -> str:
        if self.i >= len(self.t):
            raise self.error(f"unexpected end of presentation (expected {expected or 'more'})")
        token = self.t[self.i]
        if token.raw or (expected is not None and token.text != expected):
            found = "a tcl body" if token.raw else repr(token.text)
            raise self.error(f"expected {expected!r}, found {found}" if expected else f"unexpected {found}")
        self.i += 1
        return token.text

    def tcl_body(self) -> str:
        self.take("tcl")
        if self.i >= len(self.t) or not self.t[self.i].raw:
            raise self.error("expected a { ... } Tcl body after 'tcl'")
        self.i += 1
        body = self.t[self.i - 1]
        self.out.tcl_bodies.append((self.lines.line(body.offset), body.text))
        return body.text

    def string(self, what: str) -> str:
        token = self.take()
        if not token.startswith('"'):
            raise self.error(f"{what}: expected a quoted string, found {token!r}")
        return _unquote(token)

    def name(self) -> str:
        line = self.line()
        token = self.take()
        if not _NAME.match(token):
            raise AplError(f"{token!r} is not a valid APL name", line)
        if "__" in token:
            self.out.problems.append((line, f"{token!r} contains '__', the separator of Tcl variable names"))
        return token

    # structure ---------------------------------------------------------------------------------
    def top(self) -> Presentation:
        while self.peek() is not None:
            self.top_element(())
        if self.i < len(self.t):
            raise self.error("a tcl body where an element was expected")
        # `choice x` whose values the text table lists, F5's style (APL spec, "The Text String
        # Table Element": https://clouddocs.f5.com/api/iapps/APL.html)
        for f in self.out.fields:
            listed = self.out.text_choices.get(".".join(f.path))
            if f.kind in CHOICE_KINDS and not f.choices and f.choices_tcl is None and listed is not None:
                f.choices, f.choices_from_text = listed, True
        return self.out

    def top_element(self, conditions: tuple[str, ...]) -> None:
        word = self.take()
        if word == "section":
            name = self.name()
            self.out.sections.append(name)
            self.block((name,), conditions)
        elif word == "optional":
            inner = (*conditions, self.expression())
            self.take("{")
            while self.peek() != "}":
                self.top_element(inner)
            self.take("}")
        elif word == "text":
            self.text()
        elif word == "include":
            self.out.includes.append(self.string("include"))
        elif word == "define":
            self.define()
        elif self.out.macros.get(word, Field((), "")).kind == "section":
            name = self.name()
            self.out.sections.append(name)
            self.expand(word, (name,), conditions, False)
        else:
            raise self.error(
                f"unexpected {word!r} at the top level (expected section, optional, text, include or define)"
            )

    def define(self) -> None:
        kind = self.take()
        line = self.line()
        name = self.name()
        if kind in ("section", "row", "table"):
            # a group macro: read it to check its grammar; its fields belong to no section yet
            saved = self.out
            self.out = Presentation(
                includes=saved.includes,
                macros=saved.macros,
                group_macros=saved.group_macros,
                problems=saved.problems,
                tcl_bodies=saved.tcl_bodies,
            )
            self.block(("<define>", name), ())
            inner, self.out = self.out, saved
            saved.macros[name] = Field(("<define>", name), kind, line=line)
            saved.group_macros[name] = inner
            return
        if not self.known_kind(kind):
            raise AplError(f"define {name}: unknown element kind {kind!r}", line)
        macro = Field(("<define>", name), kind, line=line)
        self.attributes(macro)
        self.macros_body(macro)
        self.out.macros[name] = macro

    def known_kind(self, kind: str) -> bool:
        return kind in FIELD_KINDS or kind in self.out.macros or bool(self.out.includes)

    def block(self, path: tuple[str, ...], conditions: tuple[str, ...], in_table: bool = False) -> None:
        self.take("{")
        while self.peek() != "}":
            if self.peek() is None:
                raise self.error(f"unexpected end of presentation inside {'.'.join(path)}")
            self.element(path, conditions, in_table)
        self.take("}")

    def element(self, path: tuple[str, ...], conditions: tuple[str, ...], in_table: bool) -> None:
        line = self.line()
        word = self.take()
        macro_kind = self.out.macros[word].kind if word in self.out.macros else None
        if word == "optional":
            self.block(path, (*conditions, self.expression()), in_table)
        elif word in ("row", "table") or macro_kind in ("row", "table"):
            self.group(word, macro_kind, path, conditions, in_table, line)
        elif word == "message":
            self.message(path)
        elif word == "define":
            self.define()
        elif word == "include":
            self.out.includes.append(self.string("include"))
        elif word in FIELD_KINDS or word in self.out.macros or (self.out.includes and word not in KEYWORDS):
            self.field(word, path, conditions, in_table, line)
        else:
            hint = " (a macro? include its apl-script or define it first)" if _NAME.match(word) else ""
            raise AplError(f"unknown element {word!r} in {'.'.join(path)}{hint}", line)

    def group(
        self,
        word: str,
        macro_kind: str | None,
        path: tuple[str, ...],
        conditions: tuple[str, ...],
        in_table: bool,
        line: int,
    ) -> None:
        """A row or table, written out or from a define'd row/table macro."""
        kind = macro_kind or word
        group = (*path, self.name())
        self.out.groups.append(group)
        if kind == "table":
            if in_table:
                self.out.problems.append((line, f"{'.'.join(group)}: tables cannot nest"))
            self.out.tables.append(group)
        if macro_kind is None:
            self.block(group, conditions, in_table or kind == "table")
        else:
            self.expand(word, group, conditions, in_table or kind == "table")

    def message(self, path: tuple[str, ...]) -> None:
        if (self.peek() or "").startswith('"'):
            self.take()  # a message without a name: display text only
            return
        self.out.messages.append((*path, self.name()))
        if (self.peek() or "").startswith('"'):
            self.take()

    def expand(self, macro: str, path: tuple[str, ...], conditions: tuple[str, ...], in_table: bool) -> None:
        """A define'd section, row or table used under a name: its elements, placed at `path`."""
        line = self.lines.line(self.t[self.i - 1].offset)
        body = self.out.group_macros[macro]
        skip = 2  # ("<define>", macro)
        for f in body.fields:
            self.out.fields.append(
                replace(
                    f,
                    path=(*path, *f.path[skip:]),
                    conditions=(*conditions, *f.conditions),
                    in_table=in_table or f.in_table,
                    line=line,
                    expanded=True,
                )
            )
        self.out.groups += [(*path, *g[skip:]) for g in body.groups]
        self.out.tables += [(*path, *g[skip:]) for g in body.tables]
        self.out.messages += [(*path, *m[skip:]) for m in body.messages]

    def field(
        self, kind: str, path: tuple[str, ...], conditions: tuple[str, ...], in_table: bool, line: int
    ) -> None:
        macro = self.out.macros.get(kind)
        if macro is not None and macro.kind in ("section", "row", "table"):
            raise AplError(f"{kind} is a {macro.kind} macro, not a field", line)
        f = Field((*path, self.name()), kind, conditions=conditions, in_table=in_table, line=line)
        if kind not in FIELD_KINDS:
            f.macro = kind
            if macro is not None:
                f.kind, f.required, f.display, f.validator = (
                    macro.kind,
                    macro.required,
                    macro.display,
                    macro.validator,
                )
                f.default, f.default_list, f.default_tcl = (
                    macro.default,
                    macro.default_list,
                    macro.default_tcl,
                )
                f.choices, f.choices_tcl = macro.choices, macro.choices_tcl
        self.attributes(f)
        self.macros_body(f)
        self.out.fields.append(f)

    def macros_body(self, f: Field) -> None:
        """The choices of a choice kind (or of a macro usage that adds them)."""
        if self.peek() == "tcl":
            f.choices_tcl = self.tcl_body()
            f.choices = ()
        elif self.peek() == "{":
            f.choices = self.choices()
            f.choices_tcl = None

    def attributes(self, f: Field) -> None:
        while self.peek() in ("required", "display", "default", "validator"):
            attr = self.take()
            if attr == "required":
                f.required = True
            elif attr == "default":
                self.default(f)
            else:
                setattr(f, attr, self.string(attr))

    def default(self, f: Field) -> None:
        if self.peek() == "tcl":
            f.default_tcl, f.default, f.default_list = self.tcl_body(), None, None
        elif self.peek() == "{":
            self.take("{")
            values: list[str] = []
            while self.peek() != "}":
                values.append(_unquote(self.take()))
                if self.peek() == ",":
                    self.take()
            self.take("}")
            f.default_list, f.default, f.default_tcl = tuple(values), None, None
        else:
            token = self.take()
            if token in ("{", "}", "(", ")", ",", "=>"):
                raise self.error(f"default: unexpected {token!r}")
            f.default, f.default_list, f.default_tcl = _unquote(token), None, None

    def choices(self) -> tuple[str, ...]:
        self.take("{")
        values: list[str] = []
        while self.peek() != "}":
            token = self.take()
            if token in ("{", "(", ")", ",", "=>"):
                raise self.error(f"choices: unexpected {token!r}")
            value = _unquote(token)
            if self.peek() == "=>":
                self.take()
                value = _unquote(self.take())
            values.append(value)
            if self.peek() == ",":
                self.take()
            elif self.peek() not in ("}", None) and not (self.peek() or "").startswith('"'):
                raise self.error(f"choices: expected ',' or '}}', found {self.peek()!r}")
        self.take("}")
        return tuple(values)

    def expression(self) -> str:
        """`( expr )`, checked against the grammar; returned as its tokens joined by spaces."""
        start = self.i
        self.take("(")
        self.expr()
        self.take(")")
        return " ".join(t.text for t in self.t[start + 1 : self.i - 1])

    def expr(self) -> None:
        self.term()
        while self.peek() in ("&&", "||"):
            self.take()
            self.term()

    def term(self) -> None:
        if self.peek() == "(":
            self.take("(")
            self.expr()
            self.take(")")
            return
        for position in ("left", "right"):
            token = self.take()
            if not (token.startswith('"') or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", token)):
                raise self.error(f"optional: expected a field or a quoted string, found {token!r}")
            if position == "left":
                operator = self.take()
                if operator not in ("==", "!="):
                    raise self.error(f"optional: expected == or !=, found {operator!r}")

    def text(self) -> None:
        if (self.peek() or "").startswith('"'):
            self.take()  # a language tag: text "en-US" { ... }
        self.take("{")
        while self.peek() != "}":
            line = self.line()
            key = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,3}", key):
                raise AplError(f"text: {key!r} is not a section or field key", line)
            strings = []
            while (self.peek() or "").startswith('"'):
                strings.append(_unquote(self.take()))
            if self.peek() == "{":
                # a choice's values, or their labels: `s.f "Label" { "One" => "one", "two" }`
                self.out.text_choices[key] = self.choices()
                if not strings:
                    self.out.text.setdefault(key, ())
                    continue
            elif not strings:
                raise AplError(f"text entry {key!r} has no label", line)
            if self.out.text.get(key):
                self.out.problems.append((line, f"text entry {key!r} given twice"))
            self.out.text[key] = tuple(strings)
        self.take("}")


def _unquote(token: str) -> str:
    if not (token.startswith('"') and token.endswith('"') and len(token) >= 2):
        return token
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def parse_apl(text: str, library: Presentation | None = None) -> Presentation:
    """Parse a presentation; `library` holds the macros of an apl-script it may include (the
    `sys application apl-script` objects in the same file)."""
    try:
        return _Parser(text, library).top()
    except RecursionError:
        raise AplError("elements nested too deeply") from None


def grammar_lint(apl: Presentation) -> list[tuple[int, str]]:
    """What is wrong in any presentation, F5's or ours: (line, message) pairs."""
    problems: list[tuple[int, str]] = list(apl.problems)
    seen: set[str] = set()
    by_key = {".".join(f.path): f for f in apl.fields}
    # what else a condition may name: a section, row, table or message (F5 hides an element
    # with `optional ( intro == "NEVER_SHOW_THIS" )`, naming a message or the section itself;
    # `optional ( <expression> )`: https://clouddocs.f5.com/api/iapps/optional.html)
    others = {*apl.sections, *(".".join(g) for g in apl.groups), *(".".join(m) for m in apl.messages)}
    local = [m for name, m in apl.macros.items() if name not in apl.library]
    local += [f for name, g in apl.group_macros.items() if name not in apl.library for f in g.fields]
    for f in [*local, *apl.fields]:
        key = ".".join(f.path).replace("<define>.", "define ")
        if f.path[0] != "<define>":
            if key in seen:
                problems.append((f.line, f"{key}: defined twice"))
            seen.add(key)
            for condition in f.conditions:
                problems += [(f.line, p) for p in _condition_problems(key, condition, f.path, by_key, others)]
        if not f.expanded:
            problems += [(f.line, p) for p in _attribute_problems(key, f)]
    return problems


def _attribute_problems(key: str, f: Field) -> list[str]:
    problems = []
    if f.kind in CHOICE_KINDS and not f.choices and f.choices_tcl is None and f.macro is None:
        problems.append(
            f"{key}: a {f.kind} with no choices: none inline, no tcl {{ ... }}, none in the text table"
        )
    if f.validator is not None and f.validator.lower() not in VALIDATORS:
        problems.append(f"{key}: unknown validator {f.validator!r}")
    if f.display is not None and f.display not in DISPLAYS:
        problems.append(f"{key}: unknown display size {f.display!r}")
    return problems + _default_problems(key, f)


def lint(apl: Presentation) -> list[str]:
    """etherip's lint of its own presentation: the grammar lint and etherip's policy."""
    problems = [message for _, message in grammar_lint(apl)]
    for f in apl.fields:
        if f.required and f.default == "":
            problems.append(f"{'.'.join(f.path)}: required, but its default is empty")
    labelled = {".".join(p) for p in [(s,) for s in apl.sections] + apl.groups + apl.messages}
    labelled |= {".".join(f.path) for f in apl.fields}
    for key in sorted(labelled - set(apl.text)):
        problems.append(f"{key}: no entry in the text table")
    for key in sorted(set(apl.text) - labelled):
        problems.append(f"text entry {key!r} names no section or field")
    return problems


_VALIDATOR_PATTERNS = {
    "ipaddress": rf"\*|{_IPV4}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*",
    "nonnegativenumber": r"[0-9]+",
    "number": r"-?[0-9]+",
    "portnumber": r"\*|[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]",
}


def _default_problems(key: str, f: Field) -> list[str]:
    defaults = f.default_list if f.default_list is not None else ((f.default,) if f.default else ())
    if f.default_list is not None and f.kind in ("choice", "string", "password"):
        return [f"{key}: a list default belongs to a multichoice, not a {f.kind}"]
    problems = []
    for value in defaults:
        if f.static_choices and f.choices and f.kind != "editchoice" and value not in f.choices:
            problems.append(f"{key}: default {value!r} is not one of its choices")
            continue
        check = _VALIDATOR_PATTERNS.get((f.validator or "").lower())
        if check is not None and not re.fullmatch(check, value):
            problems.append(f"{key}: default {value!r} fails its validator {f.validator}")
    return problems


def _condition_problems(
    key: str, condition: str, path: tuple[str, ...], fields: dict[str, Field], others: set[str]
) -> list[str]:
    """A field named in an optional ( ... ) is `section.field` or, unqualified, a field of the
    same row or section (the nearest enclosing group first). A name that is a section, row,
    table or message instead is valid too: it has no value, so the condition is a constant."""
    problems = []
    for left, literal in re.findall(r'("[^"]*"|[A-Za-z_][A-Za-z0-9_.]*) (?:==|!=) "([^"]*)"', condition):
        if left.startswith('"'):
            continue  # "HIDE" == "THIS": a constant
        candidates = (
            [left] if "." in left else [".".join((*path[:k], left)) for k in range(len(path) - 1, 0, -1)]
        )
        if any(c in others for c in [*candidates, left]) and not any(c in fields for c in candidates):
            continue
        ref = next((c for c in candidates if c in fields), None)
        if ref is None:
            problems.append(f"{key}: optional ( {condition} ) names unknown field {left!r}")
            continue
        target = fields[ref]
        if target.static_choices and target.choices and literal not in target.choices:
            problems.append(
                f"{key}: optional ( {condition} ) compares with {literal!r}, not a choice of {ref}"
            )
    return problems


_VAR = re.compile(r"\b([a-z][a-z0-9_]*?__[a-z][a-z0-9_]*?(?:__[a-z][a-z0-9_]*)?)\b")


# The limits tables etherip writes at the top of the implementation (array set ::etherip_limits
# {, one entry a line, }): they name fields without reading them.
_TABLE = re.compile(r"^array\s+set\s+::etherip_\w+\s+\{")


def implementation_variables(tcl: str) -> set[str]:
    """APL variables the implementation names (comment lines and the limits tables excluded)."""
    code, table = [], False
    for line in tcl.split("\n"):
        if _TABLE.match(line):
            table = not line.rstrip().endswith("}")  # a table of one line ends where it starts
        elif table:
            table = line.strip() != "}"
        elif not line.lstrip().startswith("#"):
            code.append(line)
    return set(_VAR.findall("\n".join(code)))


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
