"""Values YAML would silently change are read exactly as written, or refused with advice."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SiteFileError
from generator.validate import load_site_text
from tests.helpers import CASES_DIR

BASE = (CASES_DIR / "mixed.yaml").read_text()


def test_unquoted_interface_keeps_its_text() -> None:
    site = load_site_text(
        BASE.replace('interfaces: {"1.1": untagged}', "interfaces: {1.10: untagged}"), "s.yaml"
    )
    assert site.peers["dc2"].wan.interfaces == {"1.10": "untagged"}


def test_name_no_is_a_name_not_false() -> None:
    site = load_site_text(BASE.replace("tunnel: eip_dc1", "tunnel: no"), "s.yaml")
    assert site.peers["dc2"].tunnel == "no"


def test_quoted_number_is_refused_as_the_json_schema_does() -> None:
    with pytest.raises(SiteFileError) as info:
        load_site_text(BASE.replace("tag: 300", 'tag: "300"'), "s.yaml")
    assert next(str(p).split(": ", 1)[1] for p in info.value.problems) == (
        "peers.dc2.wan.tag: '300' is in quotes, which makes it text; a number is written without quotes"
    )


def test_all_problems_at_once() -> None:
    text = (
        BASE.replace("tag: 300", "tag: 9999")
        .replace("tunnel: eip_dc1", "tunnel: 9x")
        .replace("timeout: 16", "timeout: x")
    )
    with pytest.raises(SiteFileError) as info:
        load_site_text(text, "s.yaml")
    assert [p.path for p in info.value.problems if not p.message.startswith("note: ")] == [
        "pool.monitor.timeout",
        "peers.dc2.wan.tag",
        "peers.dc2.tunnel",
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(SiteFileError, match="anchors and aliases are not supported"):
        load_site_text(bomb, "s.yaml")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(SiteFileError, match="nested too deeply"):
        load_site_text("a: " + "[" * 500 + "]" * 500 + "\n", "s.yaml")


def test_every_case_file_is_valid() -> None:
    for path in sorted(Path(CASES_DIR).glob("*.yaml")):
        load_site_text(path.read_text(), path.name)
