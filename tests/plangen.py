"""Random later changes of a random site (tests/sitegen.py): one to five edits of every kind a
deployment lives through, applied to the site's mapping. An edit that does not apply to this
site (a pool member dropped from a one-member pool) is skipped; one that makes the site invalid
is left to the caller (hypothesis `assume`)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from ipaddress import IPv4Interface, IPv4Network
from typing import Any

from tests.sitegen import MTU, TAG, _name

Site = dict[str, Any]


class NotHere(Exception):
    """The edit does not apply to this site."""


def _peer(rng: random.Random, site: Site) -> dict[str, Any]:
    return site["peers"][rng.choice(sorted(site["peers"]))]  # type: ignore[no-any-return]


def _used(site: Site) -> set[str]:
    used = set()
    for peer in site["peers"].values():
        for side in ("wan", "vm"):
            if "floating_self" in peer[side]:
                used.add(peer[side]["floating_self"].split("/")[0])
            if isinstance(peer[side].get("gateway"), str):
                used.add(peer[side]["gateway"])
        for device in peer["devices"].values():
            used |= {device["wan_self"].split("/")[0], device["vm_self"].split("/")[0]}
    used |= {m.split(":")[0] for m in site["pool"].get("members", [])}
    used |= set(site.get("shared_gateways", []))
    return used


def _free(rng: random.Random, network: IPv4Network, site: Site) -> str:
    used = _used(site)
    for _ in range(50):
        host = network.network_address + rng.randrange(1, network.num_addresses - 1)
        if str(host) not in used:
            return str(host)
    raise NotHere


def _names(peer: dict[str, Any]) -> set[str]:
    return {peer["wan"]["vlan"], peer["vm"]["vlan"], peer["tunnel"], peer["vlan_group"]}


def add_member(rng: random.Random, site: Site) -> None:
    address = _free(rng, IPv4Network(site["vm_subnet"]), site)
    site["pool"].setdefault("members", []).append(f"{address}:{rng.randint(1, 65535)}")


def drop_member(rng: random.Random, site: Site) -> None:
    members = site["pool"].get("members", [])
    if len(members) < 2:
        raise NotHere
    members.remove(rng.choice(members))


def monitor_timers(rng: random.Random, site: Site) -> None:
    interval = rng.randint(1, 30)
    site["pool"]["monitor"] |= {"interval": interval, "timeout": rng.randint(interval + 1, 3 * interval + 1)}


def gateway(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if not isinstance(peer["wan"].get("gateway"), str) or peer["wan"]["gateway"] == "existing":
        raise NotHere
    network = IPv4Interface(next(iter(peer["devices"].values()))["wan_self"]).network
    peer["wan"]["gateway"] = _free(rng, network, site)


def tunnel_rename(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    peer["tunnel"] = _name(rng, 15, _names(peer))


def vlan_group_rename(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    peer["vlan_group"] = _name(rng, 15, _names(peer))


def vm_vlan_rename(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if peer["vm"].get("create") is False:
        raise NotHere
    peer["vm"]["vlan"] = _name(rng, 15, _names(peer))


def vlan_tag(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    side = rng.choice(["wan", "vm"])
    if "tag" not in peer[side]:
        raise NotHere
    other = peer["vm" if side == "wan" else "wan"].get("tag")
    tag = rng.randint(*TAG)
    if tag == other:
        raise NotHere
    peer[side]["tag"] = tag


def replace_device(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if len(peer["devices"]) != 1:
        raise NotHere
    ((host, device),) = peer["devices"].items()
    peer["devices"] = {f"{host}-new{rng.randint(1, 9)}": device}


def endpoint_lockdown(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if peer["wan"].get("create") is False:
        raise NotHere
    peer["wan"]["allow_service"] = rng.choice(["none", "default", "all", ["tcp:4353", "udp:1026"], ["gre:0"]])


def mtu(rng: random.Random, site: Site) -> None:
    choice = rng.choice(["wan", "vm_mtu", "tunnel_mtu"])
    if choice == "wan":
        peer = _peer(rng, site)
        if peer["wan"].get("create") is False:
            raise NotHere
        peer["wan"]["mtu"] = rng.randint(1536, MTU[1])
    else:
        site[choice] = rng.randint(1200, 1500)


def pool_rename(rng: random.Random, site: Site) -> None:
    if site["pool"].get("create") is False:
        raise NotHere
    site["pool"]["name"] = _name(rng, 30, {site["pool"]["name"], site["pool"]["monitor"]["name"]})


def monitor_rename(rng: random.Random, site: Site) -> None:
    site["pool"]["monitor"]["name"] = _name(rng, 20, {site["pool"]["name"], site["pool"]["monitor"]["name"]})


def also_monitor(rng: random.Random, site: Site) -> None:
    site["pool"]["also_monitor"] = rng.choice(["http", "tcp", "https", "gateway_icmp"])


def vm_self(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    device = peer["devices"][rng.choice(sorted(peer["devices"]))]
    prefix = device["vm_self"].split("/")[1]
    device["vm_self"] = f"{_free(rng, IPv4Network(site['vm_subnet']), site)}/{prefix}"


def floating_vm_self(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if "floating_self" not in peer["vm"]:
        raise NotHere
    prefix = peer["vm"]["floating_self"].split("/")[1]
    peer["vm"]["floating_self"] = f"{_free(rng, IPv4Network(site['vm_subnet']), site)}/{prefix}"


def wan_self(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if peer["wan"].get("create") is False:
        raise NotHere
    device = peer["devices"][rng.choice(sorted(peer["devices"]))]
    iface = IPv4Interface(device["wan_self"])
    device["wan_self"] = f"{_free(rng, iface.network, site)}/{iface.network.prefixlen}"


def shared_gateway(rng: random.Random, site: Site) -> None:
    gateways = site.setdefault("shared_gateways", [])
    if gateways and rng.random() < 0.5:
        gateways.pop()
    else:
        gateways.append(_free(rng, IPv4Network(site["vm_subnet"]), site))
    if not gateways:
        del site["shared_gateways"]


def vm_interfaces(rng: random.Random, site: Site) -> None:
    peer = _peer(rng, site)
    if "interfaces" not in peer["vm"]:
        raise NotHere
    peer["vm"]["interfaces"] = {f"1.{rng.randint(21, 30)}": "tagged"}


EDITS: tuple[Callable[[random.Random, Site], None], ...] = (
    add_member,
    drop_member,
    monitor_timers,
    gateway,
    tunnel_rename,
    vlan_group_rename,
    vm_vlan_rename,
    vlan_tag,
    replace_device,
    endpoint_lockdown,
    mtu,
    pool_rename,
    monitor_rename,
    also_monitor,
    vm_self,
    floating_vm_self,
    wan_self,
    shared_gateway,
    vm_interfaces,
)


def edited(rng: random.Random, site: Site, count: int) -> tuple[Site, list[str]]:
    """`site` after `count` random edits that apply to it (fewer when few apply)."""
    new = copy.deepcopy(site)
    done: list[str] = []
    for _ in range(count * 4):
        if len(done) == count:
            break
        edit = rng.choice(EDITS)
        try:
            edit(rng, new)
        except NotHere:
            continue
        done.append(edit.__name__)
    return new, done
