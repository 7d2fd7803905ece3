"""The JSON Schema and `etherip validate` agree on every field's type, field by field.

Every leaf of the site file is written as a quoted number, a bare number, a quoted and a bare
`true`, empty, and its own text quoted and bare. The schema sees the document as an editor's
YAML 1.2 parser types it; validate sees the text. Both must accept or both refuse each one.

Decision: a quoted value is text. `tag: "3001"` is refused by both (a number is written without
quotes), `create: "false"` too, and a bare `true` is a boolean, never a name. An empty value is
refused by both, never read as "absent". One deliberate difference is of value, not type:
validate also refuses number forms YAML tools read differently (`0300`, `0x1F`, `5.0`), which
the schema sees only as the number they become.
"""

from __future__ import annotations

import copy
from functools import cache
from io import StringIO
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from generator.errors import SiteFileError
from generator.load import key_path, parse_site
from generator.schema import site_schema
from generator.validate import validate_source
from tests.helpers import CASES_DIR

SCHEMA = site_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
BASES = (
    "mixed",
    "existing-pool",
    "ha-both",
    "longest-names",
    "existing-wan-pair",
    "guest-snat",
    "jumbo-gateway",
    "ipsec-cert",
)
PLACEHOLDER = "etherip_placeholder_value"
Path = tuple[str | int, ...]


def _leaves(node: object, at: Path = ()) -> list[Path]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*at, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*at, i))]
    return [at]


def _source_text(case: str) -> str:
    return (CASES_DIR / f"{case}.yaml").read_text(encoding="utf-8")


@cache
def _round_trip(case: str) -> Any:
    return YAML(typ="rt").load(_source_text(case))


def _raw(case: str, path: Path) -> str:
    """The leaf's text as the file writes it (ruamel's round-trip value)."""
    node = _round_trip(case)
    for part in path:
        node = node[part]
    return str(node).lower() if isinstance(node, bool) else str(node)


def _with(case: str, path: Path, token: str) -> str:
    """The case file with the leaf at `path` written as the raw YAML `token`."""
    return _with_placeholder(case, path).replace(PLACEHOLDER, token)


@cache
def _with_placeholder(case: str, path: Path) -> str:
    """The case file through ruamel's round trip with the leaf at `path` replaced by a
    placeholder (the same for each of the tokens written there)."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    doc = yaml.load(_source_text(case))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = PLACEHOLDER
    buffer = StringIO()
    yaml.dump(doc, buffer)
    text = buffer.getvalue()
    assert text.count(PLACEHOLDER) == 1
    return text


@cache
def _schema_view(case: str, path: Path) -> Any:
    """The case file with the placeholder at `path`, as the editor's YAML 1.2 reader types it."""
    document = YAML(typ="safe").load(_with_placeholder(case, path))
    node = document
    for part in path[:-1]:
        node = node[part]
    assert node[path[-1]] == PLACEHOLDER
    return document


def _typed(token: str) -> Any:
    """`token` as the editor's reader types it where the file writes it: a block value (in a
    mapping or a list alike), read alone instead of reading the whole file again per token."""
    return YAML(typ="safe").load(f"value: {token}\n")["value"]


def _schema_refuses(case: str, path: Path, token: str) -> bool:
    document = copy.deepcopy(_schema_view(case, path))
    node = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = _typed(token)
    errors = VALIDATOR.iter_errors(document)
    return any(tuple(e.absolute_path) == path for e in errors)


def _validate_refuses(text: str, path: Path) -> bool:
    try:
        validate_source(parse_site(text.encode(), "site.yaml"))
    except SiteFileError as err:
        return any(p.path == key_path(path) and not p.message.startswith("note: ") for p in err.problems)
    return False


def _entry_positions(path: Path) -> set[tuple[int, str | int]]:
    """Positions in `path` that are mapping entries (peer names, hostnames, interfaces)."""
    entries = set()
    for i, part in enumerate(path):
        if i > 0 and path[i - 1] in ("peers", "devices", "interfaces"):
            entries.add((i, part))
    return entries


def _cases() -> list[tuple[str, Path, str]]:
    out = []
    seen: set[tuple[str | int, ...]] = set()
    for case in BASES:
        for path in _leaves(YAML(typ="safe").load(_source_text(case))):
            entries = {i for i, _ in _entry_positions(path)}
            shape = tuple(
                "#" if isinstance(p, int) else "*" if i in entries else p for i, p in enumerate(path)
            )
            if shape in seen:
                continue
            seen.add(shape)
            raw = _raw(case, path)
            for token in (raw, f'"{raw}"', "7", '"7"', "true", '"true"', "False", '""', "~"):
                out.append((case, path, token))
    return out


CASES = _cases()


def test_every_schema_leaf_is_covered() -> None:
    """A field added to the schema without a base case that writes it fails here."""

    def schema_leaves(schema: dict[str, object], at: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if isinstance(props, dict):
            return {leaf for k, v in props.items() for leaf in schema_leaves(v, (*at, k))}
        if isinstance(extra, dict):
            return schema_leaves(extra, (*at, "*"))
        return {at}

    covered = {
        tuple(
            "*" if (i, p) in _entry_positions(path) else p
            for i, p in enumerate(path)
            if not isinstance(p, int)
        )
        for _, path, _ in CASES
    }
    missing = sorted(schema_leaves(SCHEMA) - covered)
    assert not missing, f"no base case writes these fields: {missing}"


@pytest.mark.parametrize(
    ("case", "path", "token"), CASES, ids=[f"{c}:{key_path(p)}={t}" for c, p, t in CASES]
)
def test_schema_and_validate_agree(case: str, path: Path, token: str) -> None:
    text = _with(case, path, token)
    schema, validate = _schema_refuses(case, path, token), _validate_refuses(text, path)
    assert schema == validate, (
        f"{key_path(path)}: {token}: the schema {'refuses' if schema else 'accepts'}, "
        f"validate {'refuses' if validate else 'accepts'}"
    )


def test_a_token_read_alone_is_typed_as_in_the_whole_file() -> None:
    """The shortcut of `_schema_refuses` (each token read alone, set into the document read
    once) holds: a token read in its place in the whole file is typed the same. The value as
    the file writes it, for every leaf (it could depend on where it stands: a flow mapping or
    list ends at `,]}`); each fixed token, which reads the same anywhere, at the first leaf."""
    first = CASES[0]
    picked = [(c, p, t) for c, p, t in CASES if t == _raw(c, p)]
    picked += [(first[0], first[1], t) for c, p, t in CASES if (c, p) == first[:2] and t != _raw(c, p)]
    assert len({(c, p) for c, p, _ in picked}) == len({(c, p) for c, p, _ in CASES})
    for case, path, token in picked:
        whole = YAML(typ="safe").load(_with(case, path, token))
        node = whole
        for part in path[:-1]:
            node = node[part]
        alone = _typed(token)
        assert node[path[-1]] == alone and type(node[path[-1]]) is type(alone), (key_path(path), token)


def test_quoted_number_is_refused_by_both_with_the_reason() -> None:
    text = _with("mixed", ("peers", "dc2", "wan", "tag"), '"3001"')
    assert _schema_refuses("mixed", ("peers", "dc2", "wan", "tag"), '"3001"')
    with pytest.raises(SiteFileError) as info:
        validate_source(parse_site(text.encode(), "site.yaml"))
    assert "'3001' is in quotes, which makes it text; a number is written without quotes" in str(info.value)
