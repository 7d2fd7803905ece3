"""Cross-object rules despite structural problems, so `validate` reports both kinds in one run.

When the site file has structural problems (an unknown key, a value of the wrong form), the
model cannot be built and its cross-object rules (`generator.rules`) do not run. Here the
tree is pruned of what failed and validated again:

- an unknown key is dropped: it takes part in no rule, so every rule is judged as usual;
- an optional value of the wrong form is dropped, and the rules about the part of the site it
  belongs to (the pool, or the peers) are not judged: a note says so;
- a required value of the wrong form leaves nothing to judge the rules on: a note says so.
"""

from __future__ import annotations

import copy
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from generator.errors import Problem
from generator.load import SiteSource, key_path
from generator.model import Site
from generator.rules import RuleViolations

Loc = tuple[str | int, ...]
_SCOPES = {
    "pool": "the pool (monitor timers, members in vm_subnet, duplicates)",
    "peers": "the peers (subnets, addresses, HA shape, names, both ends)",
}


def despite_structure(source: SiteSource, tree: dict[str, Any], errors: list[ErrorDetails]) -> list[Problem]:
    """Rule violations found after pruning what failed, and notes about what was not judged."""
    pruned = copy.deepcopy(tree)
    unjudged: list[Loc] = []
    blocking: list[Loc] = []
    for err in errors:
        loc: Loc = tuple(err["loc"])
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
        if err["type"] == "extra_forbidden":
            _drop(pruned, loc)
            continue
        field, info = _field(loc)
        if info is not None and not info.is_required() and len(field) > 1:
            _drop(pruned, field)
            unjudged.append(field)
        else:
            blocking.append(field)
    if blocking:
        others = sorted({key_path(b) for b in blocking[1:] if b != blocking[0]})
        also = f" (and at {', '.join(others)})" if others else ""
        return [
            _note(
                source,
                blocking[0],
                f"cross-object rules were not checked: they need a valid value here{also}; fix it and run validate again",
            )
        ]
    try:
        Site.model_validate(pruned)
    except ValidationError:
        return [
            _note(
                source,
                _strip(tuple(errors[0]["loc"])),
                "cross-object rules were not checked: fix the problems above and run validate again",
            )
        ]
    except RuleViolations as exc:
        scopes = {str(u[0]) for u in unjudged}
        found = [
            source.problem(v.loc, v.message, at_key=v.at_key)
            for v in exc.violations
            if not v.loc or str(v.loc[0]) not in scopes
        ]
        return found + _scope_notes(source, scopes, unjudged)
    return _scope_notes(source, {str(u[0]) for u in unjudged}, unjudged)


def _scope_notes(source: SiteSource, scopes: set[str], unjudged: list[Loc]) -> list[Problem]:
    notes = []
    for scope in sorted(scopes):
        locs = [u for u in unjudged if str(u[0]) == scope]
        paths = ", ".join(key_path(u) for u in locs)
        notes.append(
            _note(
                source,
                locs[0],
                f"rules about {_SCOPES.get(scope, scope)} were not checked until {paths} is valid",
            )
        )
    return notes


def _note(source: SiteSource, loc: Loc, message: str) -> Problem:
    return source.problem(loc, f"note: {message}")


def _strip(loc: Loc) -> Loc:
    return loc[:-1] if loc and loc[-1] == "[key]" else loc


def _field(loc: Loc) -> tuple[Loc, FieldInfo | None]:
    """The model field a location is in, and its FieldInfo: a list item or an entry of a
    mapping of plain values belongs to its key; an entry of a mapping of models (peers,
    devices) leads into that model."""
    current: Any = Site
    out: list[str | int] = []
    info: FieldInfo | None = None
    for i, part in enumerate(loc):
        if _is_model(current) and isinstance(part, str) and part in current.model_fields:
            info = current.model_fields[part]
            out.append(part)
            current = _inner(info.annotation)
        elif get_origin(current) is dict and _is_model(_inner(get_args(current)[1])) and i + 1 < len(loc):
            out.append(part)
            current = _inner(get_args(current)[1])
        else:
            break
    return tuple(out), info


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _inner(t: Any) -> Any:
    """The type inside Annotated[...] and Optional[...]."""
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
        elif origin in (Union, UnionType) and len([a for a in get_args(t) if a is not type(None)]) == 1:
            t = next(a for a in get_args(t) if a is not type(None))
        else:
            return t


def _drop(tree: Any, loc: Loc) -> None:
    node = tree
    for part in loc[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict) and loc and loc[-1] in node:
        del node[loc[-1]]
