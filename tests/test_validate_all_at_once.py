"""`validate` reports structural and cross-object problems in one run, every one located, and
says which cross-object rules it could not judge because of a structural problem."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import SiteFileError
from generator.validate import load_site_text
from tests.helpers import CASES_DIR

MIXED = (CASES_DIR / "mixed.yaml").read_text(encoding="utf-8")
OUTSIDE = MIXED.replace("vm_self: 10.10.10.2/24", "vm_self: 10.10.99.2/24")  # a rule violation


def _lines(text: str) -> list[str]:
    with pytest.raises(SiteFileError) as info:
        load_site_text(text, "site.yaml")
    return info.value.lines()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_key_and_self_ip_outside_its_subnet_in_one_run() -> None:
    text = OUTSIDE.replace("    tunnel: eip_dc2\n", "    tunnel: eip_dc2\n    tunnell: x\n")
    lines = _lines(text)
    assert lines == [
        f"site.yaml:{_line_of(text, 'tunnell:')}:5: peers.dc1.tunnell: unknown key 'tunnell'; did you mean 'tunnel'?",
        (
            f"site.yaml:{_line_of(text, '10.10.99.2')}:58: peers.dc1.devices.bigip-dc1-a.vm_self: "
            "10.10.99.2/24 is not in vm_subnet 10.10.10.0/24 (same network and prefix required)"
        ),
    ]


def test_bad_optional_value_leaves_the_other_rules_judged_and_says_which_were_not() -> None:
    text = OUTSIDE.replace("timeout: 16", "timeout: 3").replace("tag: 200", "tag: 99999", 1)
    lines = _lines(text)
    tag_line = _line_of(text, "tag: 99999")
    assert f"site.yaml:{tag_line}:12: peers.dc1.vm.tag: 99999 is above the maximum 4094" in lines
    assert any(
        "pool.monitor.timeout: timeout (3) must be greater than interval (5)" in line for line in lines
    )
    note = next(line for line in lines if ": note: " in line)
    assert note.startswith(f"site.yaml:{tag_line}:12: peers.dc1.vm.tag: note: rules about the peers")
    assert "were not checked until peers.dc1.vm.tag is valid" in note
    assert not any("10.10.99.2" in line for line in lines), "peer rules are not judged on a pruned peer"


def test_bad_required_value_says_the_rules_were_not_checked() -> None:
    text = OUTSIDE.replace("wan_self: 198.51.100.11/24", "wan_self: 198.51.100.311/24")
    lines = _lines(text)
    where = f"site.yaml:{_line_of(text, '198.51.100.311')}"
    assert lines == [
        f"{where}:31: peers.dc1.devices.bigip-dc1-a.wan_self: '198.51.100.311/24': address octet 311 is above 255",
        (
            f"{where}:31: peers.dc1.devices.bigip-dc1-a.wan_self: note: cross-object rules were not checked: "
            "they need a valid value here; fix it and run validate again"
        ),
    ]


def test_empty_optional_value_is_refused_not_taken_as_absent() -> None:
    lines = _lines(MIXED.replace("tag: 300", "tag:"))
    assert lines[0].endswith("peers.dc2.wan.tag: missing value: write a whole number")


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            "tag: 300",
            'tag: "300"',
            "'300' is in quotes, which makes it text; a number is written without quotes",
        ),
        (
            "create: false",
            'create: "false"',
            "'false' is in quotes, which makes it text; true or false is written without quotes",
        ),
        (
            "tunnel: eip_dc2",
            "tunnel: true",
            "true without quotes is a boolean in YAML; expected a VLAN, VLAN-group or tunnel name",
        ),
    ],
)
def test_yaml_types_are_what_the_schema_sees(before: str, after: str, message: str) -> None:
    assert any(message in line for line in _lines(MIXED.replace(before, after)))


def test_quoted_text_true_is_a_name_and_bare_true_false_are_booleans() -> None:
    site = load_site_text(
        MIXED.replace("tunnel: eip_dc2", 'tunnel: "true"').replace("create: false", "create: False"), "s.yaml"
    )
    assert site.peers["dc1"].tunnel == "true"
    assert site.peers["dc1"].wan.create is False


def test_cli_validate_prints_both_kinds(tmp_path: object) -> None:
    from pathlib import Path

    site = Path(str(tmp_path)) / "site.yaml"
    site.write_text(OUTSIDE.replace("  name: vm_pool\n", "  name: vm_pool\n  colour: blue\n"))
    result = CliRunner().invoke(app, ["validate", str(site)])
    assert result.exit_code == 1
    assert "pool.colour: unknown key 'colour'" in result.stderr
    assert "is not in vm_subnet 10.10.10.0/24" in result.stderr
