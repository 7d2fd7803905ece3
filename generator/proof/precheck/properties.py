"""The properties of one saved stanza, as plain data: the shapes `saved.py` normalises.

A body is read by the saved format's rules: words are split by spaces and tabs; a `"` that
starts a word opens a quoted string (backslash escapes inside; newlines allowed), kept with its
quotes; braces outside strings open and close blocks. In a multi-line block each line is one
property:

    key value words...        -> {"key": "value words..."}   (quoted words keep their quotes)
    key words... { block }    -> {"key words...": <block>}   (`monitor min 1 of { a b }`)
    word                      -> {"word": ""}                (a flag, or one name of a list)
    { block }                 -> {"0": <block>, "1": ...}    (unnamed blocks, numbered)

A block on one line is a list of its words (`members { a b }` -> ["a", "b"]), or, when names in
it carry blocks of their own (`devices { /Common/a { } /Common/b { } }`), a dict of them
(`{"/Common/a": {}, "/Common/b": {}}`); `{ }` is an empty dict. The body of a one-line stanza is
read only when it is one `key value` pair or empty: a longer one cannot be split into
properties without knowing each property's arity (`PropertyError`).
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 64  # nested blocks, at most
_TOKEN = re.compile(r'\n|[ \t\r\f\v]+|\{|\}|"(?:[^"\\]|\\.)*"|(?:[^\s{}\\]|\\.)+|\\', re.DOTALL)


class PropertyError(ValueError):
    pass


Value = str | list[str] | dict[str, Any]


def parse_body(text: str, one_line: bool = False) -> dict[str, Value]:
    """The properties of a stanza body (the text between its outer braces)."""
    tokens = [t for t in _TOKEN.findall(text) if not t.isspace() or t == "\n"]
    statements, end, _ = _statements(tokens, 0, 0)
    if end != len(tokens):
        raise PropertyError("a '}' closes more than was opened")
    if one_line:
        items = [item for statement in statements for item in statement]
        if not items:
            return {}
        if len(items) == 2 and all(isinstance(i, str) for i in items):
            return {str(items[0]): str(items[1])}
        raise PropertyError("a one-line stanza with more than one property (its body is not read)")
    return _as_properties(statements)


Item = str | tuple[list[list[Any]], bool]  # a word, or a block: (its statements, multi-line?)


def _statements(tokens: list[str], i: int, depth: int) -> tuple[list[list[Item]], int, bool]:
    """The statements (lines) of a block, from token i to its `}` (not taken) or the end, and
    whether the block spans lines."""
    if depth > MAX_DEPTH:
        raise PropertyError(f"blocks nested deeper than {MAX_DEPTH} levels")
    statements: list[list[Item]] = [[]]
    multi_line = False
    while i < len(tokens):
        token = tokens[i]
        if token == "\n":
            statements.append([])
            multi_line = True
        elif token == "}":
            break
        elif token == "{":
            inner, close, spans = _statements(tokens, i + 1, depth + 1)
            if close >= len(tokens):
                raise PropertyError("a '{' is never closed")
            statements[-1].append((inner, spans))
            i = close
        else:
            statements[-1].append(token)
        i += 1
    return [s for s in statements if s], i, multi_line


def _value(block: tuple[list[list[Any]], bool]) -> Value:
    statements, multi_line = block
    if multi_line:
        return _as_properties(statements)
    items = statements[0] if statements else []
    if all(isinstance(item, str) for item in items):
        return [str(item) for item in items]
    out: dict[str, Value] = {}
    k = 0
    while k < len(items):
        name = items[k]
        if not isinstance(name, str):
            raise PropertyError("a block without a name inside a one-line block")
        following = items[k + 1] if k + 1 < len(items) else None
        if isinstance(following, tuple):
            out[name] = _value(following)
            k += 2
        else:
            out[name] = ""
            k += 1
    return out


def _as_properties(statements: list[list[Item]]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    unnamed = 0
    for statement in statements:
        *head, last = statement
        if any(not isinstance(item, str) for item in head):
            raise PropertyError("a block in the middle of a property line")
        words = [str(item) for item in head]
        if isinstance(last, tuple):
            key = " ".join(words) if words else str(unnamed)
            unnamed += 0 if words else 1
            out[key] = _value(last)
        elif not words:
            out[last] = ""
        else:
            out[words[0]] = " ".join([*words[1:], last])
    return out
