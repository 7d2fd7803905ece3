"""Random valid site files, from a `random.Random`: hypothesis drives it in the property tests
(st.randoms), a fixed seed drives it in the benchmark. Every rule of the model is respected by
construction, so each generated file must validate and render."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from generator.bigip import BUILTIN_MONITORS
from generator.bigip import RESERVED_WORDS as RESERVED_NAMES
from generator.schema import site_schema
from generator.versions import ALL_VERSIONS


def _bounds(*path: str) -> tuple[int, int]:
    """A number's bounds as the site file's JSON Schema states them (one source for the limits)."""
    node: Any = site_schema()
    for key in path:
        named = node.get("properties", {})
        node = named[key] if key in named else node["additionalProperties"]["properties"][key]
    return int(node["minimum"]), int(node["maximum"])


TAG = _bounds("peers", "wan", "tag")
MTU = _bounds("peers", "wan", "mtu")


def _name(rng: random.Random, max_len: int, taken: set[str]) -> str:
    while True:
        first = rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        rest = "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_.-") for _ in range(rng.randint(0, max_len - 1))
        )
        name = first + rest
        if name.lower() not in RESERVED_NAMES and name not in taken and name not in BUILTIN_MONITORS:
            taken.add(name)
            return name


def _hosts(network: IPv4Network, count: int, rng: random.Random) -> list[IPv4Address]:
    picks = rng.sample(range(1, network.num_addresses - 1), count)
    return [network.network_address + p for p in picks]


def random_site(rng: random.Random) -> dict[str, Any]:
    prefix = rng.choice([22, 23, 24, 25, 26])
    vm_subnet = IPv4Network(((10 << 24) | (rng.randrange(1 << 16) << 8), prefix), strict=False)
    names: set[str] = set()
    ha = [rng.random() < 0.5, rng.random() < 0.5]
    n_vm = sum(2 + 1 if h else 1 for h in ha)
    pool_create = rng.random() < 0.75
    members = rng.randint(1, 4) if pool_create else rng.randint(0, 2)
    vm_hosts = _hosts(vm_subnet, n_vm + members, rng)
    peer_names = [_name(rng, 10, names), _name(rng, 10, names)]
    groups: set[str] = set()  # device groups: distinct across the two data centers
    peers = {}
    # A quarter of the sites put both endpoints in one WAN subnet (on-link, no gateway); the
    # others are routed: a gateway per side (etherip creates the route) or an existing route.
    on_link = rng.random() < 0.25
    shared = IPv4Network(f"100.{64 + rng.randrange(60)}.{rng.randrange(256)}.0/24")
    shared_hosts = _hosts(shared, 6, rng)
    for i, pname in enumerate(peer_names):
        if on_link:
            wan_net, wan_hosts, gateway = shared, shared_hosts[i * 3 : i * 3 + 3], None
        else:
            wan_net = IPv4Network(f"100.{64 + i * 30 + rng.randrange(30)}.{rng.randrange(256)}.0/24")
            wan_hosts = _hosts(wan_net, 4, rng)
            gateway = str(wan_hosts.pop())  # _peer may turn it into "existing" (existing WAN VLAN only)
        peers[pname] = _peer(rng, f"p{i}", ha[i], vm_subnet, vm_hosts, (wan_net, wan_hosts, gateway), groups)
    monitor_name = _name(rng, 20, set(names))
    interval = rng.randint(1, 30)
    pool: dict[str, Any] = {"name": _name(rng, 30, set(names))}
    if not pool_create:
        pool["create"] = False
        pool["restore_monitor"] = rng.choice(["none", "http", "http and tcp", "gateway_icmp"])
        if rng.random() < 0.5:
            pool["restore_min_active_members"] = rng.randint(0, 3)
    member_list = [f"{vm_hosts.pop()}:{rng.randint(1, 65535)}" for _ in range(members)]
    if member_list:
        pool["members"] = member_list
    pool["monitor"] = {
        "name": monitor_name,
        "interval": interval,
        "timeout": rng.randint(interval + 1, 3 * interval + 1),
    }
    if pool_create or rng.random() < 0.5:  # a created pool needs a health monitor
        pool["also_monitor"] = rng.choice(["http", "tcp", "https"])
    site: dict[str, Any] = {"deployment": _name(rng, 12, set()), "vm_subnet": str(vm_subnet)}
    site["bigip_version"] = rng.choice([v.value for v in ALL_VERSIONS])
    site["pool"] = pool
    site["peers"] = peers
    return site


def _peer(
    rng: random.Random,
    pname: str,
    ha: bool,
    vm_subnet: IPv4Network,
    vm_hosts: list[IPv4Address],
    wan_side: tuple[IPv4Network, list[IPv4Address], str | None],
    groups: set[str],
) -> dict[str, Any]:
    local: set[str] = set()
    n_dev = 2 if ha else 1
    wan_net, wan_hosts, gateway = wan_side
    peer: dict[str, Any] = {}
    if ha:
        peer["device_group"] = _name(rng, 20, groups)
    vm_iface = f"1.{rng.randint(1, 20)}"
    wan: dict[str, Any] = {"vlan": _name(rng, 15, local)}
    if rng.random() < 0.35:
        wan["create"] = False
    else:
        wan_iface = rng.choice([f"2.{rng.randint(1, 20)}", _name(rng, 12, set())])
        mode = rng.choice(["tagged", "untagged"])
        wan["interfaces"] = {wan_iface: mode}
        wan["tag"] = rng.randint(*TAG)
        if rng.random() < 0.3:
            wan["mtu"] = rng.randint(MTU[0] + 36, MTU[1])  # the tunnel keeps 576 bytes (rules._check_mtu)
        if rng.random() < 0.4:
            wan["allow_service"] = rng.choice(["none", "default", "all", ["tcp:4353", "udp:1026"], ["gre:0"]])
    vm: dict[str, Any] = {"vlan": _name(rng, 15, local)}
    if rng.random() < 0.2:
        vm["create"] = False
    else:
        vm["interfaces"] = {vm_iface: "tagged"}
        tag = rng.randint(*TAG)
        while tag == wan.get("tag"):
            tag = rng.randint(*TAG)
        vm["tag"] = tag
    if rng.random() < 0.3:
        vm["allow_service"] = rng.choice(["none", "default", ["tcp:443"]])
    if ha:
        wan["floating_self"] = f"{wan_hosts[2]}/{wan_net.prefixlen}"
        vm["floating_self"] = f"{vm_hosts.pop()}/{vm_subnet.prefixlen}"
    if gateway is not None:
        wan["gateway"] = "existing" if wan.get("create") is False and rng.random() < 0.5 else gateway
    peer["wan"] = wan
    peer["vm"] = vm
    peer["tunnel"] = _name(rng, 15, local)
    peer["vlan_group"] = _name(rng, 15, local)
    peer["devices"] = {
        f"{pname}-lb{j}.dc{rng.randint(1, 9)}": {
            "wan_self": f"{wan_hosts[j]}/{wan_net.prefixlen}",
            "vm_self": f"{vm_hosts.pop()}/{vm_subnet.prefixlen}",
        }
        for j in range(n_dev)
    }
    return peer


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML; every key and string double-quoted, numbers and booleans plain."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f'{pad}"{key}":\n{to_yaml(item, indent + 1)}')
            else:
                lines.append(f'{pad}"{key}": {_scalar(item)}')
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(f"{pad}- {_scalar(item)}" for item in value)
    return pad + _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return f'"{value}"'
