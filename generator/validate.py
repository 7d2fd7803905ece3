"""Site file → validated `Site`, or a `SiteFileError` listing every located problem."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.crosscheck import despite_structure
from generator.errors import Problem, SiteFileError
from generator.ipsec import version_problems
from generator.load import Located, SiteSource, parse_site, read_site
from generator.model import Site
from generator.rules import RuleViolations
from generator.scalars import Empty, Quoted, show
from generator.versions import FORMER_DEFAULT, SUPPORTED, BigIpVersion


def load_site(path: Path, display: str | None = None) -> Site:
    return load_site_and_source(path, display)[0]


def load_site_and_source(
    path: Path, display: str | None = None, versions: tuple[BigIpVersion, ...] = ()
) -> tuple[Site, bytes]:
    """The validated site and the exact bytes it came from (read once). `versions`: releases
    to render it for besides its own; a choice one of them does not take is refused there."""
    source = read_site(path, display)
    site = validate_source(source)
    problems = [p for v in versions if v != site.bigip_version for p in release_problems(source, site, v)]
    if problems:
        raise SiteFileError(problems)
    return site, source.data


def release_problems(source: SiteSource, site: Site, version: BigIpVersion) -> list[Problem]:
    """What `version` does not take of a site valid for its own release (IPsec choices)."""
    if site.ipsec is None:
        return []
    return [
        source.problem(("ipsec", key), f"{message} (asked to render for {version.value})")
        for key, message in version_problems(site.ipsec, version)
    ]


def load_site_text(text: str, name: str) -> Site:
    return validate_source(parse_site(text.encode("utf-8"), name))


def validate_source(source: SiteSource) -> Site:
    tree = typed_tree(source.root)
    if not isinstance(tree, dict):
        raise SiteFileError(
            [source.problem((), "expected a mapping of site keys (deployment, vm_subnet, pool, peers)")]
        )
    try:
        return Site.model_validate(tree)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [_pydantic_problem(source, err) for err in errors]
        raise SiteFileError(problems + despite_structure(source, tree, errors)) from None
    except RuleViolations as exc:
        raise SiteFileError(
            [source.problem(v.loc, v.message, at_key=v.at_key) for v in exc.violations]
        ) from None


def typed_tree(node: Located) -> Any:
    """The composed tree as plain values, marking what YAML would not read as text: quoted
    scalars become `Quoted`, keys with no value `Empty` (see generator.scalars)."""
    if isinstance(node.value, dict):
        return {k: typed_tree(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [typed_tree(v) for v in node.value]
    if node.value is None:
        return Empty()
    return Quoted(node.value) if node.quoted else node.value


def _pydantic_problem(source: SiteSource, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    at_key = False
    if loc and loc[-1] == "[key]":  # a dict key failed: point at the key itself
        loc, at_key = loc[:-1], True
    if kind == "value_error":
        message = str(err["ctx"]["error"])
    elif kind == "missing":
        message = _missing_message(loc)
    elif kind == "extra_forbidden":
        message = _unknown_key(loc)
        at_key = True
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = _mapping_message(loc, err)
    elif kind in ("tuple_type", "list_type"):
        message = (
            "missing value: expected a list, e.g. [a, b]"
            if isinstance(err.get("input"), Empty)
            else "expected a list, e.g. [a, b]"
        )
    elif kind == "less_than_equal":
        message = f"{err.get('input')} is above the maximum {err['ctx']['le']}"
    elif kind == "greater_than_equal":
        message = f"{err.get('input')} is below the minimum {err['ctx']['ge']}"
    elif kind in ("too_short", "too_long"):
        message = _count_message(loc, err)
    else:
        message = err["msg"]
    return source.problem(loc, message, at_key=at_key)


def _mapping_message(loc: tuple[Any, ...], err: Any) -> str:
    if loc == ("ipsec",):
        return "expected a mapping: write `ipsec: {}` for IPsec with etherip's defaults, or name settings under it"
    if err.get("input") is None or isinstance(err.get("input"), Empty):
        return "missing value: expected a mapping of keys"
    return "expected a mapping of keys"


def _missing_message(loc: tuple[Any, ...]) -> str:
    if loc == ("bigip_version",):
        return (
            f"missing required key 'bigip_version': add the line `bigip_version: <version>` with one of "
            f"{SUPPORTED} (etherip 0.1 rendered {FORMER_DEFAULT.value} when it was absent; write "
            f"{FORMER_DEFAULT.value} to keep that)"
        )
    return f"missing required key {loc[-1]!r}"


def _count_message(loc: tuple[Any, ...], err: Any) -> str:
    field = loc[-1] if loc else ""
    if field == "peers":
        return "a site has exactly two peers, one per data center (the two ends of the tunnel)"
    if field == "devices":
        return "a peer has one device (standalone) or two (HA pair)"
    return str(err["msg"])


def _known_keys() -> set[str]:
    keys: set[str] = set()
    todo: list[type[BaseModel]] = [Site]
    while todo:
        model = todo.pop()
        for name, field in model.model_fields.items():
            keys.add(name)
            sub = field.annotation
            for candidate in (*getattr(sub, "__args__", ()), sub):
                if (
                    isinstance(candidate, type)
                    and issubclass(candidate, BaseModel)
                    and candidate is not model
                ):
                    todo.append(candidate)
    return keys


def _unknown_key(loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    if key in _known_keys():
        return (
            f"unknown key {show(key)} here: it belongs at another level of the site file (see etherip init)"
        )
    close = difflib.get_close_matches(key, sorted(_known_keys()), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {show(key)}{hint}"
