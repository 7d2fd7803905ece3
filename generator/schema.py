"""The JSON Schema of the site file, for editors (VS Code's YAML extension) and CI linters.

Whole-number fields come from the model itself (their bounds and descriptions, `_whole_numbers`);
the rest is written here from the same names and limits the model uses, so an editor flags what
the validator rejects field by field. Cross-object rules (subnets, mirrored endpoints, HA shape)
stay with `etherip validate`. A test keeps this schema and the model's fields in step.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from generator.limits import choice_fields, whole_numbers
from generator.model import Ipsec, Monitor, Peer, Pool, Site, Vlan
from generator.scalars import (
    DEPLOYMENT_NAME_MAX,
    NET_NAME_MAX,
    OBJECT_NAME_MAX,
)
from generator.versions import ALL_VERSIONS, SUPPORTED

SCHEMA_ID = "https://etherip.invalid/site.schema.json"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(\.{_OCTET}){{3}}"
_NAME = r"^[A-Za-z][A-Za-z0-9_.-]*$"


def _name(max_len: int, description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": _NAME, "maxLength": max_len, "description": description}


def _whole_numbers(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Every whole-number field of `model` as the model states it (generator/limits.py): a field
    added to the model with its bounds and description is in the schema with nothing written here."""
    return {name: _int(low, high, text) for name, (low, high, text) in whole_numbers(model).items()}


def _int(low: int, high: int, description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high, "description": description}


def _obj(
    description: str,
    properties: dict[str, Any],
    required: list[str],
    model: type[BaseModel] | None = None,
) -> dict[str, Any]:
    """An object of the site file; with `model`, its properties in the model's field order (so a
    field the model adds takes its place, and the schema's bytes stay put)."""
    if model is not None:
        order = list(model.model_fields)
        properties = dict(sorted(properties.items(), key=lambda kv: order.index(kv[0])))
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
        "required": required,
    }


SELF_IP = {
    "type": "string",
    "pattern": rf"^{_IPV4}/([89]|[12][0-9]|30)$",
    "description": "IPv4 address with prefix, e.g. 10.10.10.2/24",
}
LOCKDOWN = {
    "description": "port lockdown: none, default, all, or a list of protocol:port",
    "anyOf": [
        {"type": "string", "enum": ["none", "default", "all"]},
        {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": r"^[a-z][a-z0-9-]{0,15}:(any|0|[1-9][0-9]{0,4})$"},
        },
    ],
}
VLAN = _obj(
    "a VLAN of this peer",
    {
        "vlan": _name(NET_NAME_MAX, "VLAN name (at most 15 characters)"),
        "create": {
            "type": "boolean",
            "description": "false: the VLAN and its self IPs exist; referenced, never created",
        },
        "interfaces": {
            "type": "object",
            "description": 'interface or trunk -> tagged | untagged; quote slot.port names: "1.2"',
            "minProperties": 1,
            "propertyNames": {
                "pattern": r"^(([1-9][0-9]?/)?[1-9][0-9]?\.[1-9][0-9]?|[A-Za-z][A-Za-z0-9_.-]*)$"
            },
            "additionalProperties": {"type": "string", "enum": ["tagged", "untagged"]},
        },
        **_whole_numbers(Vlan),
        "floating_self": SELF_IP | {"description": "floating self IP (traffic-group-1), HA pairs only"},
        "allow_service": LOCKDOWN,
    },
    ["vlan"],
    Vlan,
)
WAN_VLAN = VLAN | {
    "properties": VLAN["properties"]
    | {
        "gateway": {
            "type": "string",
            "pattern": rf"^(existing|{_IPV4})$",
            "description": "next hop to the other endpoint in this WAN subnet (etherip creates the route), or existing",
        },
        "endpoint_self": _obj(
            "the existing self IP that is the tunnel's local address (create: false): its name and its "
            "allow-service today; the change admits EtherIP there and rollback puts this back",
            {"name": _name(OBJECT_NAME_MAX, "name of the existing self IP"), "allow_service": LOCKDOWN},
            ["name", "allow_service"],
        ),
    }
}


def _enum(model: type[BaseModel], field: str, description: str) -> dict[str, Any]:
    """A field that takes one of a fixed set of words, listed as the model's parser takes them."""
    return {"type": "string", "enum": list(choice_fields(model)[field]), "description": description}


IPSEC = _obj(
    "IPsec for the EtherIP tunnel ({} = etherip's defaults; unset keys take them, some by release)",
    {
        "ike_version": _enum(
            Ipsec, "ike_version", "IKE version; default v2 where the release mirrors IKEv2 SAs, else v1"
        ),
        "auth": _enum(
            Ipsec,
            "auth",
            "psk (default): a key typed on the unit in the key step; certificate: ipsec_certificate per peer",
        ),
        "mode": _enum(Ipsec, "mode", "ESP mode; default tunnel"),
        "nat_traversal": _enum(Ipsec, "nat_traversal", "default off; on or force also admits UDP 4500"),
        "phase1_encrypt": _enum(
            Ipsec, "phase1_encrypt", "default aes256 (aes where the release has no key-length names)"
        ),
        "phase1_hash": _enum(Ipsec, "phase1_hash", "default sha256"),
        "dh_group": _enum(Ipsec, "dh_group", "default modp2048"),
        "phase2_encrypt": _enum(Ipsec, "phase2_encrypt", "default aes256"),
        "phase2_auth": _enum(Ipsec, "phase2_auth", "default sha256; not with aes-gcm"),
        "pfs": _enum(Ipsec, "pfs", "default modp2048"),
        **_whole_numbers(Ipsec),
    },
    [],
    Ipsec,
)
IPSEC_CERTIFICATE = _obj(
    "certificate authentication of this peer's IKE peer: objects already on its units",
    {
        "cert": _name(OBJECT_NAME_MAX, "sys file ssl-cert of this side"),
        "key": _name(OBJECT_NAME_MAX, "its sys file ssl-key"),
        "ca": _name(OBJECT_NAME_MAX, "sys file ssl-cert of the CA that signed the other side's certificate"),
    },
    ["cert", "key", "ca"],
)
DEVICE = _obj("one BIG-IP", {"wan_self": SELF_IP, "vm_self": SELF_IP}, ["wan_self", "vm_self"])
PEER = _obj(
    "one end of the tunnel: a standalone device or an HA pair",
    {
        "platform": _enum(
            Peer,
            "platform",
            "appliance (default): the change creates the VLANs; vcmp-guest / f5os-tenant: the host does",
        ),
        "device_group": _name(OBJECT_NAME_MAX, "sync-failover device group (HA pairs only)"),
        "wan": WAN_VLAN,
        "vm": VLAN,
        "tunnel": _name(NET_NAME_MAX, "EtherIP tunnel name"),
        "vlan_group": _name(NET_NAME_MAX, "VLAN group name"),
        "devices": {
            "type": "object",
            "description": "hostname -> self IPs; one (standalone) or two (HA pair), in run order",
            "minProperties": 1,
            "maxProperties": 2,
            "propertyNames": {
                "pattern": r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
            },
            "additionalProperties": DEVICE,
        },
        "ipsec_certificate": IPSEC_CERTIFICATE,
    },
    ["wan", "vm", "tunnel", "vlan_group", "devices"],
)
MONITOR_NAME = {"type": "string", "pattern": r"^(/Common/)?[A-Za-z][A-Za-z0-9_.-]*$"}
POOL = _obj(
    "the VM pool and its Virtual Location monitor",
    {
        "name": _name(OBJECT_NAME_MAX, "pool name"),
        "create": {"type": "boolean", "description": "false: the pool exists; only its monitor rule changes"},
        "members": {"type": "array", "items": {"type": "string", "pattern": rf"^{_IPV4}:[1-9][0-9]{{0,4}}$"}},
        "monitor": _obj(
            "the Virtual Location monitor",
            {
                "name": _name(OBJECT_NAME_MAX, "monitor name"),
                **_whole_numbers(Monitor),
            },
            ["name"],
        ),
        "also_monitor": MONITOR_NAME
        | {"description": "a second monitor: the rule becomes '<monitor> and <this>'"},
        "restore_monitor": {
            "type": "string",
            "pattern": r"^(none|(/Common/)?[A-Za-z][A-Za-z0-9_.-]*( and (/Common/)?[A-Za-z][A-Za-z0-9_.-]*)*)$",
            "description": "existing pool only: the monitor rule to restore on rollback",
        },
        **_whole_numbers(Pool),
    },
    ["name", "monitor"],
)


def site_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "etherip site file",
        **_obj(
            f"One EtherIP deployment for VMware vMotion between two data centers (BIG-IP {SUPPORTED})",
            {
                "deployment": _name(
                    DEPLOYMENT_NAME_MAX, "short name: output folder, descriptions, iApp name"
                ),
                "bigip_version": {"type": "string", "enum": [v.value for v in ALL_VERSIONS]},
                "vm_subnet": {
                    "type": "string",
                    "pattern": rf"^{_IPV4}/([89]|[12][0-9]|30)$",
                    "description": "the VM segment",
                },
                "return_path": _enum(
                    Site,
                    "return_path",
                    "how a moved VM's replies come back through this BIG-IP: snat on every virtual server, or the VMs' gateway is the BIG-IP's floating VM self IP",
                ),
                "shared_gateways": {
                    "type": "array",
                    "maxItems": 8,
                    "items": {"type": "string", "pattern": rf"^{_IPV4}$"},
                    "description": "gateway addresses both data centers answer on the VM subnet: the VLAN group's proxy exclusion list",
                },
                **_whole_numbers(Site),
                "ipsec": IPSEC,
                "pool": POOL,
                "peers": {
                    "type": "object",
                    "description": "exactly two peers: the two ends of the tunnel",
                    "minProperties": 2,
                    "maxProperties": 2,
                    "propertyNames": {"pattern": _NAME, "maxLength": OBJECT_NAME_MAX},
                    "additionalProperties": PEER,
                },
            },
            ["deployment", "bigip_version", "vm_subnet", "pool", "peers"],
        ),
    }


def schema_text() -> str:
    """The schema as `etherip schema` prints it and `etherip init` writes it."""
    return json.dumps(site_schema(), indent=2) + "\n"
