"""A Tcl script parser that follows Tcl's own rules (the Dodekalogue, Tcl.n), for static checks.

It splits a script into commands and words exactly where Tcl would: `;` and newlines end a
command unless inside braces, quotes or a `[...]` substitution; `#` starts a comment only where
a command would start; a backslash-newline is a space; a braced word ends at the brace that
balances it, counting every brace except backslash-escaped ones (quotes do not matter inside
braces); a quoted word ends at the first unescaped `"` outside a `[...]`; after a close-brace or
close-quote only white space or the end of the command may follow; `{*}` before a word is
argument expansion. Nothing is evaluated: variable and command substitutions are only located
(each `[...]` becomes a nested script the caller may walk).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_SPACE = " \t\v\f\r"
_BRACE_STOP = re.compile(r"[\\{}]")
_NEWLINE = re.compile("\n")
_QUOTED_STOP = re.compile(r'[\\\[$"]')
_BARE_STOP = re.compile(r"[\\\[$ \t\v\f\r\n;]")
_BARE_STOP_NESTED = re.compile(r"[\\\[$ \t\v\f\r\n;\]]")
_QUOTED_STOP_PLAIN = re.compile(r'[\\"]')
_BARE_STOP_PLAIN = re.compile(r"[\\ \t\v\f\r\n;]")


class TclSyntaxError(ValueError):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class TclWord:
    kind: str  # "braced", "quoted" or "bare"
    text: str  # the characters between the delimiters (bare: the whole word), unsubstituted
    start: int  # offset of the word's first character (its delimiter) in the source
    body: int  # offset of `text` in the source
    expand: bool = False  # written with a {*} prefix
    scripts: tuple[tuple[int, int], ...] = ()  # [start, end) of each [...] body (not braced)

    @property
    def literal(self) -> str | None:
        """The word's value when it has no substitution (braced, or plain characters only)."""
        if self.kind == "braced":
            return self.text
        if any(c in self.text for c in "$[\\"):
            return None
        return self.text


@dataclass(frozen=True)
class TclCommand:
    words: tuple[TclWord, ...]
    start: int


@dataclass(frozen=True)
class TclScript:
    commands: tuple[TclCommand, ...]
    comments: tuple[tuple[int, int], ...]  # [start, end) of each comment
    end: int  # offset after the script (at the `]` of a nested one)


def parse(
    source: str,
    start: int = 0,
    end: int | None = None,
    nested: bool = False,
    substitutions: bool = True,
    tolerated: list[int] | None = None,
    errors: list[TclSyntaxError] | None = None,
) -> TclScript:
    """Parse source[start:end]; nested=True stops at the `]` that closes a command substitution.
    substitutions=False reads tmsh config text, where `[` and `$` are ordinary characters (the
    word, brace, quote and comment rules are the same). With `tolerated`, a `{` right after a
    close-brace (`}{`, which F5's Tcl accepts and stock Tcl refuses) starts the next word, and
    its offset is appended there, instead of being a syntax error. With `errors`, a syntax
    error in a top-level command is appended there and parsing goes on from the next line
    (the commands before and after it are returned), instead of being raised."""
    parser = _Parser(source, end if end is not None else len(source), substitutions)
    parser.tolerated, parser.errors = tolerated, errors
    return parser.script(start, nested)


class _Parser:
    def __init__(self, src: str, end: int, substitutions: bool = True) -> None:
        self.s = src
        self.n = end
        self.substitutions = substitutions
        self.tolerated: list[int] | None = None
        self.errors: list[TclSyntaxError] | None = None

    def script(self, i: int, nested: bool) -> TclScript:
        s, n = self.s, self.n
        commands: list[TclCommand] = []
        comments: list[tuple[int, int]] = []
        while True:
            i = self.between_commands(i)
            if i >= n:
                if nested:
                    raise TclSyntaxError(i, "missing close-bracket")
                return TclScript(tuple(commands), tuple(comments), i)
            if nested and s[i] == "]":
                return TclScript(tuple(commands), tuple(comments), i)
            if s[i] == "#":
                j = i
                while j < n and s[j] != "\n":
                    j += 2 if s[j] == "\\" else 1
                comments.append((i, min(j, n)))
                i = j
                continue
            command, i = self.command(i, nested) if self.errors is None or nested else self.recovering(i)
            if command is not None:
                commands.append(command)

    def between_commands(self, i: int) -> int:
        """Past white space, newlines, semicolons and backslash-newlines."""
        s, n = self.s, self.n
        while i < n:
            if s[i] in _SPACE or s[i] in "\n;":
                i += 1
            elif s.startswith("\\\n", i):
                i += 2
            else:
                break
        return i

    def recovering(self, i: int) -> tuple[TclCommand | None, int]:
        """A top-level command; on a syntax error, the error is kept and the parse goes on
        from the next line."""
        assert self.errors is not None
        try:
            return self.command(i, False)
        except TclSyntaxError as exc:
            self.errors.append(exc)
            resume = self.s.find("\n", max(exc.offset, i), self.n)
            return None, self.n if resume < 0 else resume + 1

    def command(self, i: int, nested: bool) -> tuple[TclCommand, int]:
        s, n = self.s, self.n
        start = i
        words: list[TclWord] = []
        while True:
            while i < n and (s[i] in _SPACE or s.startswith("\\\n", i)):
                i += 2 if s[i] == "\\" else 1
            if i >= n or s[i] in "\n;" or (nested and s[i] == "]"):
                return TclCommand(tuple(words), start), i
            word, i = self.word(i, nested)
            words.append(word)

    def word(self, i: int, nested: bool) -> tuple[TclWord, int]:
        s, n = self.s, self.n
        expand = False
        first = i
        if s.startswith("{*}", i) and i + 3 < n and s[i + 3] not in _SPACE + "\n;":
            expand = True
            i += 3
        if s[i] == "{":
            end = self.close_brace(i)
            self.after_close(end + 1, nested, "close-brace")
            return TclWord("braced", s[i + 1 : end], first, i + 1, expand), end + 1
        if s[i] == '"':
            j, scripts = self.chars(i + 1, nested, quoted=True)
            if j >= n:
                raise TclSyntaxError(i, "missing close-quote")
            self.after_close(j + 1, nested, "close-quote")
            return TclWord("quoted", s[i + 1 : j], first, i + 1, expand, scripts), j + 1
        j, scripts = self.chars(i, nested, quoted=False)
        return TclWord("bare", s[i:j], first, i, expand, scripts), j

    def close_brace(self, i: int) -> int:
        s, n = self.s, self.n
        depth, start = 0, i
        while True:
            match = _BRACE_STOP.search(s, i, n)
            if match is None:
                raise TclSyntaxError(start, "missing close-brace")
            i = match.start()
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return i
            i += 1

    def after_close(self, i: int, nested: bool, what: str) -> None:
        s = self.s
        if i < self.n and s[i] not in _SPACE + "\n;" and not (nested and s[i] == "]"):
            if s.startswith("\\\n", i):
                return
            if self.tolerated is not None and what == "close-brace" and s[i] == "{":
                self.tolerated.append(i)
                return
            raise TclSyntaxError(i, f"extra characters after {what}")

    def chars(self, i: int, nested: bool, quoted: bool) -> tuple[int, tuple[tuple[int, int], ...]]:
        """Scan a quoted word's inside (up to its `"`) or a bare word; locate [...] scripts."""
        s, n = self.s, self.n
        if not self.substitutions:
            stop = _QUOTED_STOP_PLAIN if quoted else _BARE_STOP_PLAIN
        else:
            stop = _QUOTED_STOP if quoted else (_BARE_STOP_NESTED if nested else _BARE_STOP)
        scripts: list[tuple[int, int]] = []
        while True:
            match = stop.search(s, i, n)
            if match is None:
                return n, tuple(scripts)
            i = match.start()
            c = s[i]
            if c == "\\":
                if not quoted and s.startswith("\\\n", i):
                    return i, tuple(scripts)
                i += 2
            elif c == "[":
                inner = self.script(i + 1, nested=True)
                scripts.append((i + 1, inner.end))
                i = inner.end + 1
            elif c == "$":
                if s.startswith("${", i):
                    close = s.find("}", i, n)
                    if close < 0:
                        raise TclSyntaxError(i, "missing close-brace for variable name")
                    i = close + 1
                else:
                    i += 1
            else:
                return i, tuple(scripts)


class Lines:
    """Offset -> 1-based line number of a text."""

    def __init__(self, text: str) -> None:
        self._starts = [m.end() for m in _NEWLINE.finditer(text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) + 1


def brace_depth_problems(text: str) -> list[tuple[int, str]]:
    """Tcl's brace rule for a braced body: every brace counts except a backslash-escaped one
    (quotes, comments and strings do not matter); the depth never goes below zero and ends at
    zero. Returns (offset, message) pairs."""
    depth = 0
    opened: list[int] = []
    i = 0
    while (match := _BRACE_STOP.search(text, i)) is not None:
        i = match.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
            opened.append(i)
        else:
            depth -= 1
            if depth < 0:
                return [
                    (i, "'}' closes more than was opened (Tcl counts braces in comments and strings too)")
                ]
            opened.pop()
        i += 1
    if depth:
        return [(opened[0], f"'{{' never closed ({depth} open at the end)")]
    return []
