"""Check 3: Tcl 8.5+ constructs in the implementation (the box runs Tcl 8.4.6).

The implementation is parsed by Tcl's own rules (generator/proof/iapp/tclparse.py) and walked the way
Tcl would run it: command names, options and subcommands are checked where they are commands;
bodies of proc, if, while, for, foreach, catch, switch, namespace eval, uplevel, eval and time
are walked as scripts; conditions of if, while, for and expr as expressions; `[...]`
substitutions everywhere. Braced strings, quoted text and comments are data, never scanned. It
also reports the F5-only leniencies stock Tcl rejects (`}{`, a line starting with else/elseif,
the expr words `starts_with`, `contains`, `matches`, `and`) as warnings, and any other syntax
error as an error. The scan reads `}{` as F5's Tcl does and goes on; after any other syntax
error it goes on from the next line, so an 8.5 construct after it is still found.
"""

from __future__ import annotations

import re
from functools import lru_cache

from generator.proof.iapp.tclparse import Lines, TclCommand, TclSyntaxError, TclWord, parse

COMMANDS_85 = frozenset(
    {"dict", "lassign", "lmap", "apply", "try", "throw", "lrepeat", "lreverse", "chan"}
    | {"tailcall", "coroutine", "yield", "yieldto", "zlib", "oo::class", "oo::object", "oo::define"}
)
MATH_85 = frozenset({"min", "max", "entier", "bool", "isqrt"})
F5_EXPR_WORDS = frozenset(
    {"starts_with", "ends_with", "contains", "matches", "matches_glob", "matches_regex", "equals"}
    | {"and", "or", "not"}
)

# command -> options or subcommands added after 8.4 (first word after the command, or any option)
OPTIONS_85: dict[str, frozenset[str]] = {
    "lsearch": frozenset({"-nocase", "-index", "-subindices", "-bisect"}),
    "lsort": frozenset({"-nocase", "-indices", "-stride"}),
    "switch": frozenset({"-matchvar", "-indexvar", "-nocase"}),
    "return": frozenset({"-options", "-level"}),
    "clock": frozenset({"-timezone", "-locale"}),
}
SUBCOMMANDS_85: dict[str, frozenset[str]] = {
    "clock": frozenset({"add", "milliseconds", "microseconds"}),
    "string": frozenset({"reverse", "cat"}),
    "info": frozenset({"frame", "coroutine", "errorstack", "class", "object"}),
    "namespace": frozenset({"ensemble", "path", "upvar", "unknown"}),
    "file": frozenset({"tempfile"}),
    "binary": frozenset({"encode", "decode"}),
}
STRING_IS_85 = frozenset({"list", "entier"})

_OPERAND_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9A-Za-z_.]+")
_VARIABLE = re.compile(r"(?:::)?[A-Za-z0-9_]+(?:::[A-Za-z0-9_]+)*")


def scan(tcl: str) -> list[str]:
    """Every finding as 'implementation line N: what: source line'."""
    return [f"implementation line {line}: {what}: {text}" for line, what, text in findings(tcl)]


def findings(tcl: str) -> list[tuple[int, str, str]]:
    """(line, what, source line) of every finding; the same text is scanned once per process
    (the version folders of one deployment share their implementation)."""
    return list(_findings(tcl))


@lru_cache(maxsize=64)
def _findings(tcl: str) -> tuple[tuple[int, str, str], ...]:
    walker = _Walker(tcl)
    try:
        walker.script(0, len(tcl))
    except RecursionError:
        walker.found.append((1, "scripts nested too deeply to check", ""))
    return tuple(sorted(set(walker.found)))


NO_SPACE = "'}{' with no space (F5 accepts it, stock Tcl does not)"
WARNING, ERROR = "warning", "error"
# What F5's Tcl accepts (the template loads and runs on the box) is a warning; what Tcl 8.4
# refuses at run time (8.5+ commands, options and syntax, syntax errors) is an error.
_WARNINGS = (NO_SPACE, "else/elseif at the start of a line", "the expr word ", "scripts nested too deeply")


def severity(what: str) -> str:
    """`warning` or `error` for a finding's `what`."""
    return WARNING if what.startswith(_WARNINGS) else ERROR


def _syntax_message(tcl: str, exc: TclSyntaxError) -> str:
    return f"Tcl syntax error: {exc.message}"


class _Walker:
    def __init__(self, src: str) -> None:
        self.src = src
        self.lines = Lines(src)
        self.text_lines = src.split("\n")
        self.found: list[tuple[int, str, str]] = []

    def add(self, offset: int, what: str) -> None:
        number = self.lines.line(offset)
        self.found.append((number, what, self.text_lines[number - 1].strip()[:60]))

    # scripts ---------------------------------------------------------------------------------
    def script(self, start: int, end: int, nested: bool = False) -> None:
        """Walk one script. `}{` is read as F5's Tcl reads it (a finding, then on); after any
        other syntax error (a finding), the scan goes on from the next line, so what follows
        is still checked."""
        tolerated: list[int] = []
        errors: list[TclSyntaxError] = []
        try:
            parsed = parse(self.src, start, end, nested, tolerated=tolerated, errors=errors)
        except TclSyntaxError as exc:  # in a nested [...] script: the enclosing one recovers
            self.add(exc.offset, _syntax_message(self.src, exc))
            return
        for error in errors:
            self.add(error.offset, _syntax_message(self.src, error))
        for offset in tolerated:
            self.add(offset, NO_SPACE)
        for command in parsed.commands:
            self.command(command)

    def braced_script(self, word: TclWord) -> None:
        if word.kind == "braced":
            self.script(word.body, word.body + len(word.text))
        else:
            self.substitutions(word)

    def substitutions(self, word: TclWord) -> None:
        for start, end in word.scripts:
            self.script(start, end + 1, nested=True)

    def command(self, cmd: TclCommand) -> None:
        words = cmd.words
        for word in words:
            if word.expand:
                self.add(word.start, "{*} argument expansion (8.5)")
            if word.kind != "braced":
                self.substitutions(word)
        name = words[0].literal if words else None
        if name is None:
            return
        bare = name.removeprefix("::")
        args = words[1:]
        if bare in ("else", "elseif"):
            self.add(cmd.start, "else/elseif at the start of a line")
            return
        if bare in COMMANDS_85:
            self.add(cmd.start, f"an 8.5+ command ({bare})")
            return
        self.options(cmd, bare, args)
        handler = getattr(self, f"cmd_{bare}", None)
        if handler is not None:
            handler(args)

    def options(self, cmd: TclCommand, name: str, args: tuple[TclWord, ...]) -> None:
        literals = [a.literal for a in args]
        sub = literals[0] if literals else None
        if sub is not None and sub in SUBCOMMANDS_85.get(name, ()):
            self.add(cmd.start, f"an 8.5+ subcommand ({name} {sub})")
        if name == "string" and sub == "is" and len(literals) > 1 and literals[1] in STRING_IS_85:
            self.add(cmd.start, f"an 8.5+ class (string is {literals[1]})")
        for option in OPTIONS_85.get(name, frozenset()):
            if option in literals:
                self.add(cmd.start, f"an 8.5+ option ({name} {option})")

    # commands whose arguments are scripts or expressions ---------------------------------------
    def cmd_proc(self, args: tuple[TclWord, ...]) -> None:
        if len(args) == 3:
            self.braced_script(args[2])

    def cmd_if(self, args: tuple[TclWord, ...]) -> None:
        i, expect_condition = 0, True
        while i < len(args):
            word = args[i]
            if expect_condition:
                self.expression(word)
                i += 1
                if i < len(args) and args[i].literal == "then":
                    i += 1
                if i < len(args):
                    self.braced_script(args[i])
                i += 1
                expect_condition = False
            elif word.literal == "elseif":
                expect_condition = True
                i += 1
            else:
                if word.literal == "else":
                    i += 1
                if i < len(args):
                    self.braced_script(args[i])
                i += 1

    def cmd_while(self, args: tuple[TclWord, ...]) -> None:
        if len(args) == 2:
            self.expression(args[0])
            self.braced_script(args[1])

    def cmd_for(self, args: tuple[TclWord, ...]) -> None:
        if len(args) == 4:
            self.braced_script(args[0])
            self.expression(args[1])
            self.braced_script(args[2])
            self.braced_script(args[3])

    def cmd_foreach(self, args: tuple[TclWord, ...]) -> None:
        if len(args) >= 3:
            self.braced_script(args[-1])

    def cmd_catch(self, args: tuple[TclWord, ...]) -> None:
        if args:
            self.braced_script(args[0])

    def cmd_time(self, args: tuple[TclWord, ...]) -> None:
        self.cmd_catch(args)

    def cmd_eval(self, args: tuple[TclWord, ...]) -> None:
        if len(args) == 1:
            self.braced_script(args[0])

    def cmd_uplevel(self, args: tuple[TclWord, ...]) -> None:
        if args:
            self.braced_script(args[-1])

    def cmd_namespace(self, args: tuple[TclWord, ...]) -> None:
        if len(args) >= 3 and args[0].literal == "eval":
            self.braced_script(args[-1])

    def cmd_expr(self, args: tuple[TclWord, ...]) -> None:
        if len(args) == 1:
            self.expression(args[0])
            return
        for word in args:
            if word.literal in ("in", "ni"):
                self.add(word.start, f"the {word.literal} operator (8.5)")
            elif word.literal == "**":
                self.add(word.start, "the ** operator (8.5)")

    def cmd_switch(self, args: tuple[TclWord, ...]) -> None:
        i = 0
        while i < len(args) and (args[i].literal or "").startswith("-"):
            i += 1
            if args[i - 1].literal == "--":
                break
            if args[i - 1].literal in ("-matchvar", "-indexvar"):
                i += 1  # the option's variable name
        rest = args[i + 1 :]
        if len(rest) == 1 and rest[0].kind == "braced":
            self._switch_body(rest[0])
        else:
            for k in range(1, len(rest), 2):
                if rest[k].literal != "-":
                    self.braced_script(rest[k])

    def _switch_body(self, body: TclWord) -> None:
        """`switch $x { pattern body ... }`: each body is a script."""
        tolerated: list[int] = []
        try:
            inner = parse(self.src, body.body, body.body + len(body.text), tolerated=tolerated).commands
        except TclSyntaxError as exc:
            self.add(exc.offset, _syntax_message(self.src, exc))
            return
        for offset in tolerated:
            self.add(offset, NO_SPACE)
        words = [w for c in inner for w in c.words]
        for k in range(1, len(words), 2):
            if words[k].literal != "-":
                self.braced_script(words[k])

    # expressions -----------------------------------------------------------------------------
    def expression(self, word: TclWord) -> None:
        if word.kind != "braced":
            self.substitutions(word)
            return
        self.expr_text(word.body, word.body + len(word.text))

    def expr_text(self, start: int, end: int) -> None:
        try:
            self._expr_text(start, end)
        except TclSyntaxError as exc:
            self.add(exc.offset, _syntax_message(self.src, exc))

    def _expr_text(self, start: int, end: int) -> None:
        s, i = self.src, start
        while i < end:
            c = s[i]
            if c == "\\":
                i += 2
            elif c == "[":
                i = self.nested(i + 1, end)
            elif c == '"':
                i = self.expr_string(i + 1, end)
            elif c == "{":
                i = _skip_braces(s, i, end)
            elif c == "$":
                i = self.variable(i + 1, end)
            elif s.startswith("**", i):
                self.add(i, "the ** operator (8.5)")
                i += 2
            elif c.isdigit():
                i = self.expr_number(i, end)
            elif c.isalpha() or c == "_":
                i = self.expr_word(i, end)
            else:
                i += 1

    def nested(self, i: int, end: int) -> int:
        """Walk the command substitution starting at i; return the offset after its `]`."""
        tolerated: list[int] = []
        inner = parse(self.src, i, end, nested=True, tolerated=tolerated)
        for offset in tolerated:
            self.add(offset, NO_SPACE)
        for command in inner.commands:
            self.command(command)
        return inner.end + 1

    def expr_string(self, j: int, end: int) -> int:
        s = self.src
        while j < end and s[j] != '"':
            if s[j] == "\\":
                j += 2
            elif s[j] == "[":
                j = self.nested(j + 1, end)
            else:
                j += 1
        return j + 1

    def expr_number(self, i: int, end: int) -> int:
        match = _NUMBER.match(self.src, i, end)
        assert match is not None
        if match.group().lower().startswith("0b"):
            self.add(i, "a 0b binary literal (8.5)")
        return match.end()

    def expr_word(self, i: int, end: int) -> int:
        s = self.src
        match = _OPERAND_NAME.match(s, i, end)
        assert match is not None
        name = match.group()
        j = match.end()
        while j < end and s[j] in " \t\n":
            j += 1
        if j < end and s[j] == "(":
            if name in MATH_85:
                self.add(i, f"an 8.5 math function ({name}())")
        elif name in ("in", "ni"):
            self.add(i, f"the {name} operator (8.5)")
        elif name in F5_EXPR_WORDS:
            self.add(i, f"the expr word {name!r} (F5 accepts it, stock Tcl does not)")
        return match.end()

    def variable(self, i: int, end: int) -> int:
        s = self.src
        if i < end and s[i] == "{":
            close = s.find("}", i, end)
            return end if close < 0 else close + 1
        match = _VARIABLE.match(s, i, end)
        if match is None:
            return i
        i = match.end()
        if i < end and s[i] == "(":
            depth = 0
            while i < end:
                if s[i] == "\\":
                    i += 2
                    continue
                if s[i] == "[":
                    i = self.nested(i + 1, end)
                    continue
                depth += {"(": 1, ")": -1}.get(s[i], 0)
                i += 1
                if depth == 0:
                    break
        return i


def _skip_braces(s: str, i: int, end: int) -> int:
    depth = 0
    while i < end:
        if s[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(s[i], 0)
        i += 1
        if depth == 0:
            break
    return i
