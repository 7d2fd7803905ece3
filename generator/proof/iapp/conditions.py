"""Evaluating APL `optional ( ... )` expressions, to know which fields a GUI would send."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'\s*("[^"]*"|==|!=|&&|\|\||[()]|[A-Za-z_][A-Za-z0-9_.]*)')


def evaluate(expression: str, values: dict[str, str]) -> bool:
    """`site.pair == "yes" && (wan.create != "no")`, with field values keyed "section.field"."""
    tokens = _TOKEN.findall(expression)
    result, rest = _or(tokens, values)
    if rest:
        raise ValueError(f"cannot read optional expression {expression!r}")
    return result


def _or(tokens: list[str], values: dict[str, str]) -> tuple[bool, list[str]]:
    left, tokens = _and(tokens, values)
    while tokens[:1] == ["||"]:
        right, tokens = _and(tokens[1:], values)
        left = left or right
    return left, tokens


def _and(tokens: list[str], values: dict[str, str]) -> tuple[bool, list[str]]:
    left, tokens = _atom(tokens, values)
    while tokens[:1] == ["&&"]:
        right, tokens = _atom(tokens[1:], values)
        left = left and right
    return left, tokens


def _atom(tokens: list[str], values: dict[str, str]) -> tuple[bool, list[str]]:
    if tokens[:1] == ["("]:
        result, tokens = _or(tokens[1:], values)
        if tokens[:1] != [")"]:
            raise ValueError("unbalanced parentheses")
        return result, tokens[1:]
    if len(tokens) < 3 or tokens[1] not in ("==", "!="):
        raise ValueError(f'expected: field == "literal", got {" ".join(tokens[:3])!r}')
    left = values.get(tokens[0], "")
    right = tokens[2].strip('"')
    return (left == right) if tokens[1] == "==" else (left != right), tokens[3:]
