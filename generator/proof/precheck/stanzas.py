"""A saved configuration split into its top-level stanzas, in one linear pass, by the format's
own rules.

`bigip.conf` and `bigip_base.conf` (written by `save sys config`) are a sequence of top-level
stanzas, each a header at column 0 and a braced body:

    ltm pool /Common/web {          header words, then the opening brace
        members { ... }             properties, indented
    }                               the closing brace, alone at column 0

or a one-line stanza (`sys db iptunnel.configsync { value "disable" }`); between them, blank
lines and `#` comments (`#TMSH-VERSION: 11.6.5`).

Where a stanza ends is found by counting braces from its opening brace, as the format reads them:

- an iRule (`ltm rule`, `gtm rule`, `pem irule`) or a `cli script` is one Tcl braced word:
  every brace counts except a backslash-escaped one, quotes and comments do not matter (Tcl.n,
  rule 6). Its body is never read as configuration, whatever its lines say (`ltm rule x {`,
  `net vlan y {`, brace-free lines at column 0);
- every other stanza holds properties: a `"` that starts a word opens a quoted string, which
  ends at the next `"` not escaped by a backslash (`"5\\" rack"`); braces inside it do not count.

A stanza ends at a line that is `}` at column 0 where the count is back at zero: the saved format
closes every top-level stanza that way. (A stanza whose Tcl body, such as an iApp template's
implementation, confuses the quote rule still ends where its braces balance by Tcl's rule and
the next line starts a new stanza.)

Linear in the size of the file: each byte is looked at a bounded number of times, the counting
is done by `bytes.count`/`bytes.find` and by regular expressions without backtracking, and Python
only steps from one closing-brace line, quote or backslash to the next. Nothing is copied but
the header lines and the stanzas the caller wants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

VERBATIM = frozenset({("ltm", "rule"), ("gtm", "rule"), ("pem", "irule"), ("cli", "script")})
MAX_STRAYS = 5  # lines outside any stanza listed by number; the rest are counted
_OPEN, _CLOSE, _QUOTE = 0x7B, 0x7D, 0x22
_WORD_START = frozenset(b" \t\n")
# An odd run of backslashes before a brace (the lookbehind makes each run start the only place
# a match is tried, so a long run costs its length once).
_ESCAPED_BRACE = re.compile(rb"(?<!\\)(?:\\\\)*\\[{}]")
# The rest of a quoted string after its opening quote, up to and with its closing quote.
_STRING_REST = re.compile(rb'(?:[^"\\]++|\\.)*+"', re.DOTALL)
_CLOSING_LINE = re.compile(rb"\}[ \t]*(?:\n|\Z)")
_HEADER_WORD = re.compile(rb'"((?:[^"\\]|\\.)*)"|([^\s"]+)', re.DOTALL)
_VERSION = re.compile(rb"#TMSH-VERSION:[ \t]*(\S+)")


class StanzaError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class RawStanza:
    """A top-level stanza the caller wanted: its header words, the line of its header, and
    where its body is in the file (between the braces, without them)."""

    words: tuple[str, ...]
    line: int
    start: int
    end: int
    one_line: bool


@dataclass
class Split:
    stanzas: list[RawStanza] = field(default_factory=list)
    version: tuple[str, int] | None = None  # #TMSH-VERSION and its line, when the file starts with it
    kinds: set[tuple[str, ...]] = field(default_factory=set)  # the first two words of every stanza
    strays: list[int] = field(default_factory=list)  # lines outside any stanza (the first few)
    stray_count: int = 0


def split(data: bytes, wanted: Callable[[tuple[str, ...]], bool]) -> Split:
    """Every top-level stanza of `data` (LF line endings); only those whose header words
    `wanted` accepts are kept. StanzaError (with its line) when a stanza never closes."""
    out = Split()
    n, pos, line = len(data), 0, 1
    first = True
    while pos < n:
        eol = data.find(b"\n", pos)
        eol = n if eol < 0 else eol
        lead = data[pos]
        if lead == 0x23:  # '#'
            if first:
                match = _VERSION.match(data, pos, eol)
                out.version = (match.group(1).decode("utf-8", "replace"), line) if match else None
            first = False
        elif lead in b" \t\r\n" and not data[pos:eol].strip():
            pass  # a blank line
        elif lead in b" \t}" or data.find(b"{", pos, eol) < 0:
            first = False
            out.stray_count += 1
            if len(out.strays) < MAX_STRAYS:
                out.strays.append(line)
        else:
            first = False
            stanza, after = _stanza(data, pos, eol, line)
            out.kinds.add(stanza.words[:2])
            if wanted(stanza.words):
                out.stanzas.append(stanza)
            line += data.count(b"\n", pos, after)
            pos = after
            continue
        line += 1
        pos = eol + 1
    return out


def _stanza(data: bytes, pos: int, eol: int, line: int) -> tuple[RawStanza, int]:
    """The stanza whose header line starts at `pos`, and the offset after its last line."""
    brace = data.find(b"{", pos, eol)
    words = tuple(
        (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")
        for m in _HEADER_WORD.finditer(data, pos, brace)
    )
    if not words:
        raise StanzaError(line, "a line opens a brace without a stanza header")
    verbatim = words[:2] in VERBATIM
    count = _Counter(data, verbatim)
    count.region(brace, eol)
    if count.closed():
        close = data.rfind(b"}", brace, eol)
        if count.depth < 0 or close < 0:
            raise StanzaError(line, f"{' '.join(words)[:80]}: a '}}' closes more than was opened")
        return RawStanza(words, line, brace + 1, close, True), min(eol + 1, len(data))
    return _multi_line(data, words, line, brace, eol, count)


def _multi_line(
    data: bytes, words: tuple[str, ...], line: int, brace: int, eol: int, count: _Counter
) -> tuple[RawStanza, int]:
    """Count region by region, from one `}` line at column 0 to the next, until one closes it."""
    start, search = eol, eol
    while True:
        k = data.find(b"\n}", search)
        if k < 0:
            what = "iRule/script braces (Tcl's rule)" if count.verbatim else "braces"
            raise StanzaError(
                line,
                f"{' '.join(words)[:80]}: never closed ({what} do not balance up to the end of the file)",
            )
        closing = _CLOSING_LINE.match(data, k + 1)
        if closing is None:
            search = k + 2  # `} else {` and the like inside a Tcl body: not the end
            continue
        count.region(start, k + 2)
        start = search = k + 2
        after = closing.end()
        if count.closed() or (count.tcl_closed() and _starts_stanza(data, after)):
            if count.depth < 0:
                raise StanzaError(line, f"{' '.join(words)[:80]}: a '}}' closes more than was opened")
            return RawStanza(words, line, brace + 1, k + 1, False), after


def _starts_stanza(data: bytes, pos: int) -> bool:
    """Whether, after blank lines, the file ends or a line starts at column 0 with a word."""
    while pos < len(data) and data[pos] == 0x0A:
        pos += 1
    return pos >= len(data) or data[pos] not in b" \t}"


class _Counter:
    """The brace depth of one stanza, region by region. `depth` by the stanza's rule (Tcl's for
    a verbatim body, quoted strings for properties); `tcl` always by Tcl's rule."""

    def __init__(self, data: bytes, verbatim: bool) -> None:
        self.data, self.verbatim = data, verbatim
        self.depth = self.tcl = 0
        self.in_string = False

    def closed(self) -> bool:
        return self.depth <= 0 and not self.in_string

    def tcl_closed(self) -> bool:
        return self.tcl == 0

    def region(self, a: int, b: int) -> None:
        tcl = _tcl_delta(self.data, a, b)
        self.tcl += tcl
        if self.verbatim or (not self.in_string and self.data.find(b'"', a, b) < 0):
            self.depth += tcl
        else:
            self._properties(a, b)

    def _properties(self, a: int, b: int) -> None:
        data, i = self.data, a
        while i < b:
            if self.in_string:
                match = _STRING_REST.match(data, i, b)
                if match is None:
                    return  # the string goes on past this region
                i, self.in_string = match.end(), False
                continue
            quote = _word_quote(data, i, b)
            if quote < 0:
                self.depth += _tcl_delta(data, i, b)
                return
            self.depth += _tcl_delta(data, i, quote)
            i, self.in_string = quote + 1, True


def _tcl_delta(data: bytes, a: int, b: int) -> int:
    """Opened minus closed braces in data[a:b], not counting backslash-escaped ones."""
    delta = data.count(b"{", a, b) - data.count(b"}", a, b)
    if data.find(b"\\", a, b) >= 0:
        for match in _ESCAPED_BRACE.finditer(data, a, b):
            delta += -1 if data[match.end() - 1] == _OPEN else 1
    return delta


def _word_quote(data: bytes, i: int, b: int) -> int:
    """The next `"` in data[i:b] that starts a word (after a space, tab or newline), or -1."""
    quote = data.find(b'"', i, b)
    while quote > 0 and data[quote - 1] not in _WORD_START:
        quote = data.find(b'"', quote + 1, b)
    return quote
