"""Word splitting for the tmsh subset etherip emits: the strict reader of our own scripts.

One of etherip's two Tcl word splitters, each with its own job:
- this one (`split_words`) reads the tmsh commands etherip writes, for the replay, the
  read-only and Expect checks: a subset of Tcl's rules, where words are separated by blanks, a
  word that starts with `{` runs to its matching `}` and keeps nested braces, and a word that
  starts with `"` runs to the next `"`. Characters that would trigger Tcl substitution (`[`,
  `$`, `\\`) and `;` are never emitted by etherip, so it refuses them instead of interpreting
  them: anything outside the subset is an error, never a guess.
- `generator/proof/iapp/tclparse.py` (`parse`) reads any Tcl (an iApp template, its
  implementation) by Tcl's full rules, substitutions located, for the template checks.
Both are checked against real Tcl (tests/test_tcl_words.py, tests/test_iapp_readers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

FORBIDDEN = frozenset("[]$\\;")


class WordError(ValueError):
    pass


@dataclass(frozen=True)
class Word:
    text: str  # content without the enclosing braces or quotes
    braced: bool = False
    quoted: bool = False


def split_words(text: str) -> list[Word]:
    """The words of one command of the subset; `WordError` for anything outside it. Memoised
    on the exact text (a deployment's version folders repeat most commands)."""
    return list(_split(text))


@lru_cache(maxsize=8192)
def _split(text: str) -> tuple[Word, ...]:
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n":
            i += 1
        elif ch in FORBIDDEN:
            raise WordError(f"character {ch!r} at offset {i} would be interpreted by Tcl/tmsh")
        elif ch == "{":
            end = _matching_brace(text, i)
            words.append(Word(text[i + 1 : end], braced=True))
            i = _after_word(text, end + 1)
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise WordError(f"unterminated quote at offset {i}")
            words.append(Word(text[i + 1 : end], quoted=True))
            i = _after_word(text, end + 1)
        else:
            start = i
            while i < n and text[i] not in ' \t\n"{}':
                if text[i] in FORBIDDEN:
                    raise WordError(f"character {text[i]!r} at offset {i} would be interpreted by Tcl/tmsh")
                i += 1
            if i < n and text[i] in '"{}':
                raise WordError(f"character {text[i]!r} inside a word at offset {i}")
            words.append(Word(text[start:i]))
    return tuple(words)


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] in FORBIDDEN:
            raise WordError(f"character {text[j]!r} inside braces at offset {j}")
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise WordError(f"unbalanced '{{' at offset {start}")


def _after_word(text: str, i: int) -> int:
    if i < len(text) and text[i] not in " \t\n":
        raise WordError(f"extra characters after close-brace or quote at offset {i}")
    return i


def is_complete(text: str) -> bool:
    """Like Tcl's `info complete` for our subset: braces balanced, quotes closed."""
    depth, quoted = 0, False
    for ch in text:
        if ch == '"' and depth == 0:
            quoted = not quoted
        elif not quoted and ch == "{":
            depth += 1
        elif not quoted and ch == "}":
            depth -= 1
            if depth < 0:
                return True  # an extra close brace is an error the splitter reports
    return depth == 0 and not quoted


Block = tuple[tuple[str, tuple[str, ...] | None], ...]


def parse_block(text: str) -> Block:
    """A braced list: each item is a word, optionally followed by its own braced body.

    `{ 1.2 { tagged } }` -> (("1.2", ("tagged",)),); `{ a b }` -> (("a", None), ("b", None)).
    """
    items: list[tuple[str, tuple[str, ...] | None]] = []
    for word in split_words(text):
        if word.braced:
            if not items or items[-1][1] is not None:
                raise WordError(f"braced body {{{word.text}}} follows no item")
            items[-1] = (items[-1][0], tuple(w.text for w in split_words(word.text)))
        else:
            items.append((word.text, None))
    return tuple(items)
