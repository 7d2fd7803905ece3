"""`etherip schema` agrees with the validator: the model's keys, the golden cases, and a sample
of the bad-input table (the schema-checkable ones). Random valid sites are checked against it in
test_properties.py."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML
from typer.testing import CliRunner

from generator.cli import app
from generator.model import Device, Monitor, Peer, Pool, Site, Vlan, WanVlan
from generator.schema import site_schema
from tests.helpers import CASES, CASES_DIR
from tests.test_invalid_sites import TABLE, build

SCHEMA = site_schema()


def _properties(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


def test_schema_has_exactly_the_model_keys() -> None:
    peer = SCHEMA["properties"]["peers"]["additionalProperties"]
    pool = SCHEMA["properties"]["pool"]
    pairs: list[tuple[type[BaseModel], dict[str, Any]]] = [
        (Site, SCHEMA),
        (Pool, pool),
        (Monitor, pool["properties"]["monitor"]),
        (Peer, peer),
        (WanVlan, peer["properties"]["wan"]),
        (Vlan, peer["properties"]["vm"]),
        (Device, peer["properties"]["devices"]["additionalProperties"]),
    ]
    for model, node in pairs:
        assert _properties(node) == set(model.model_fields), model.__name__
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        assert set(node["required"]) == required, model.__name__
        assert node["additionalProperties"] is False


@pytest.mark.parametrize("case", CASES)
def test_golden_cases_validate(case: str) -> None:
    jsonschema.validate(YAML(typ="safe").load((CASES_DIR / f"{case}.yaml").read_text()), SCHEMA)


SCHEMA_CHECKABLE = [
    "tag_above_range",
    "tag_zero",
    "tag_not_a_number",
    "tag_as_list",
    "interface_not_slot_port",
    "interface_tagging_word",
    "interfaces_as_list",
    "bool_written_no",
    "bool_written_word",
    "unknown_key_typo",
    "unknown_top_level_key",
    "missing_deployment",
    "version_two_parts",
    "version_unsupported",
    "self_ip_without_prefix",
    "self_ip_octet_above_255",
    "self_ip_route_domain",
    "members_not_a_list",
    "member_without_port",
    "name_with_brace",
    "name_with_semicolon",
    "name_with_dollar",
    "name_with_brackets",
    "name_starting_with_digit",
    "vlan_name_over_15",
    "deployment_name_too_long",
    "hostname_with_underscore",
    "three_devices_in_a_peer",
    "one_peer_only",
    "port_lockdown_bad_entry",
    "port_lockdown_bad_word",
    "vlan_mtu_out_of_range",
]


@pytest.mark.parametrize("name", SCHEMA_CHECKABLE)
def test_schema_rejects_what_the_validator_rejects_field_by_field(name: str) -> None:
    document = YAML(typ="safe").load(build(TABLE[name]).decode())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA
    jsonschema.Draft7Validator.check_schema(SCHEMA)
