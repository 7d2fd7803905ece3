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
closes every top-level stanza that way. (An iApp template, APL script or iCall script, whose Tcl
bodies may confuse the quote rule, also ends where its braces balance by Tcl's rule and the
next line starts a new stanza.)

Linear in the size of the file: each byte is looked at a bounded number of times. The common
stanza (header ending in its brace, closed by the first `}` line at column 0, no backslash, no
quoted string holding a brace or a newline) is decided by two `bytes.count` calls; any other is
counted region by region, Python stepping only from one closing line, quote or backslash run to
the next; regular expressions never backtrack. Nothing is copied but header lines.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

VERBATIM = frozenset({("ltm", "rule"), ("gtm", "rule"), ("pem", "irule"), ("cli", "script")})
# Property stanzas with script bodies among their values: iApp templates and APL scripts
# (`sys application template|apl-script`), iCall scripts (`sys icall script`).
SCRIPT_HOLDERS = frozenset({("sys", "application"), ("sys", "icall")})
MAX_STRAYS = 5  # lines outside any stanza listed by number; the rest are counted
_OPEN, _CLOSE = 0x7B, 0x7D
_WORD_START = frozenset(b" \t\n")
_BACKSLASHES = re.compile(rb"\\+")
# The rest of a quoted string after its opening quote, up to and with its closing quote.
_STRING_REST = re.compile(rb'(?:[^"\\]++|\\.)*+"', re.DOTALL)
_CLOSING_LINE = re.compile(rb"\}[ \t]*(?:\n|\Z)")
_LINE_OR_BRACE = re.compile(rb"[\n{}]")
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


def split(data: bytes, wanted: Collection[tuple[str, str]]) -> Split:
    """Every top-level stanza of `data` (LF line endings); only those whose first two header
    words are in `wanted` are kept. StanzaError (with its line) when a stanza never closes."""
    out = Split()
    pairs = {f"{a} {b}".encode() for a, b in wanted}
    kinds: set[bytes] = set()
    lines = _Lines(data)
    n, pos, first = len(data), 0, True
    find, count = data.find, data.count
    while pos < n:
        eol = find(b"\n", pos)
        eol = n if eol < 0 else eol
        lead = data[pos]
        brace = find(b"{", pos, eol) if lead not in _NOT_HEADER else -1
        if brace > pos:
            head = data[pos:brace]
            head_words = head.split() if b'"' not in head else _quoted_words(data, pos, brace)
            pair = b" ".join(head_words[:2])
            kinds.add(pair)
            verbatim = pair in _VERBATIM_PAIRS
            k = find(b"\n}", eol) if brace + 1 == eol else -1
            end = k + 2
            # The common case: the header ends with its brace, the first `}` line at column 0 ends
            # the stanza, no backslash, and no quoted string holding a brace: two counts decide.
            if (
                k >= 0
                and (end == n or data[end] == 0x0A)
                and find(b"\\", brace, end) < 0
                and (verbatim or find(b'"', brace, end) < 0 or _plain_strings(data, brace, end))
                and count(b"{", brace, end) == count(b"}", brace, end)
            ):
                body, after = (brace + 1, k + 1, False), (end + 1 if end < n else n)
            else:
                found, after = _exact(data, brace, eol, verbatim, pair in _SCRIPT_HOLDER_PAIRS)
                if found is None:
                    raise StanzaError(lines.at(pos), f"{_shown(head_words)}: {_WHY[after]}")
                body = found
            if pair in pairs:  # one decode for all words (the data holds no NUL)
                words = tuple(b"\0".join(head_words).decode("utf-8", "replace").split("\0"))
                out.stanzas.append(RawStanza(words, lines.at(pos), *body))
            first, pos = False, after
            continue
        if lead == 0x23:  # '#': a comment; the first line may say #TMSH-VERSION
            match = _VERSION.match(data, pos, eol) if first else None
            if match:
                out.version = (match.group(1).decode("utf-8", "replace"), lines.at(pos))
        elif data[pos:eol].strip():
            out.stray_count += 1
            if len(out.strays) < MAX_STRAYS:
                out.strays.append(lines.at(pos))
        else:
            pos = eol + 1
            continue  # a blank line
        first, pos = False, eol + 1
    out.kinds = {tuple(k.decode("utf-8", "replace").split(" ")) for k in kinds}
    return out


class _Lines:
    """Line numbers of offsets asked for in increasing order, counted incrementally."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset, self.line = data, 0, 1

    def at(self, offset: int) -> int:
        self.line += self.data.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


_NOT_HEADER = frozenset(b" \t\n#}")
_VERBATIM_PAIRS = frozenset(" ".join(k).encode() for k in VERBATIM)
_SCRIPT_HOLDER_PAIRS = frozenset(" ".join(k).encode() for k in SCRIPT_HOLDERS)
_NEVER_CLOSED, _CLOSES_MORE = -1, -2
_WHY = {
    _NEVER_CLOSED: "never closed (its braces do not balance up to the end of the file)",
    _CLOSES_MORE: "a '}' closes more than was opened",
}


def _shown(head: list[bytes]) -> str:
    return b" ".join(head).decode("utf-8", "replace")[:80] or "a line"


def _plain_strings(data: bytes, a: int, b: int) -> bool:
    """Whether every `"` in data[a:b] (which holds no backslash) opens a string at a word start
    that closes on the same line without a brace in it: the quotes then change no count."""
    find, inside = data.find, _LINE_OR_BRACE.search
    quote = find(b'"', a, b)
    while quote >= 0:
        close = find(b'"', quote + 1, b)
        if close < 0 or data[quote - 1] not in _WORD_START or inside(data, quote, close):
            return False
        quote = find(b'"', close + 1, b)
    return True


def _quoted_words(data: bytes, pos: int, brace: int) -> list[bytes]:
    """Header words where a name is quoted (`ltm pool "/Common/my pool" {`)."""
    return [
        m.group(1) if m.group(1) is not None else m.group(2) for m in _HEADER_WORD.finditer(data, pos, brace)
    ]


def _exact(
    data: bytes, brace: int, eol: int, verbatim: bool, holds_scripts: bool
) -> tuple[tuple[int, int, bool] | None, int]:
    """((body start, body end, one line?), offset after the stanza), or (None, why): the
    stanza counted region by region, from one `}` line at column 0 to the next. A stanza that
    `holds_scripts` (Tcl or APL bodies as property values, whose quotes the property rule may
    misread) also ends where its braces balance by Tcl's rule and a new stanza starts."""
    count = _Counter(data, verbatim)
    count.region(brace, eol)
    if count.closed():  # a one-line stanza
        close = data.rfind(b"}", brace, eol)
        if count.depth < 0 or close < 0:
            return None, _CLOSES_MORE
        return (brace + 1, close, True), min(eol + 1, len(data))
    start = search = eol
    while True:
        k = data.find(b"\n}", search)
        if k < 0:
            return None, _NEVER_CLOSED
        closing = _CLOSING_LINE.match(data, k + 1)
        if closing is None:
            search = k + 2  # `} else {` and the like inside a Tcl body: not the end
            continue
        count.region(start, k + 2)
        start = search = k + 2
        after = closing.end()
        if count.closed() or (holds_scripts and count.tcl_closed() and _starts_stanza(data, after)):
            if count.depth < 0:
                return None, _CLOSES_MORE
            return (brace + 1, k + 1, False), after


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
            self.depth += tcl - self._in_strings(a, b)

    def _in_strings(self, a: int, b: int) -> int:
        """The braces (Tcl's count) inside quoted strings in data[a:b]; `in_string` carries a
        string that goes on past b into the next region."""
        data, i, inside = self.data, a, 0
        while True:
            if self.in_string:
                match = _STRING_REST.match(data, i, b)
                end = b if match is None else match.end()
                inside += _braces(data, i, end)
                if match is None:
                    return inside  # the string goes on past this region
                i, self.in_string = end, False
            quote = _word_quote(data, i, b)
            if quote < 0:
                return inside
            i, self.in_string = quote + 1, True


def _braces(data: bytes, a: int, b: int) -> int:
    if data.find(b"{", a, b) < 0 and data.find(b"}", a, b) < 0:
        return 0
    return _tcl_delta(data, a, b)


def _tcl_delta(data: bytes, a: int, b: int) -> int:
    """Opened minus closed braces in data[a:b], not counting backslash-escaped ones (a brace
    after an odd run of backslashes). Python steps only from one backslash run to the next."""
    delta = data.count(b"{", a, b) - data.count(b"}", a, b)
    i = data.find(b"\\", a, b)
    while i >= 0:
        run = _BACKSLASHES.match(data, i, b)
        assert run is not None
        j = run.end()
        if (j - i) % 2 and j < b:  # an odd run escapes the next character
            delta += (data[j] == _CLOSE) - (data[j] == _OPEN)
            j += 1
        i = data.find(b"\\", j, b)
    return delta


def _word_quote(data: bytes, i: int, b: int) -> int:
    """The next `"` in data[i:b] that starts a word (after a space, tab or newline), or -1."""
    quote = data.find(b'"', i, b)
    while quote > 0 and data[quote - 1] not in _WORD_START:
        quote = data.find(b'"', quote + 1, b)
    return quote
