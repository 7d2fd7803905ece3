"""How each property of each object kind changes on a unit that already holds the object: a
tmsh `modify` of that property, or a replace (delete, then create again), with the source that
says so. One table, read by the planner (generator/lifecycle/diff.py) and printed, source and
confidence tag included, in the plan's step headers and CHANGE.md.

Sources (docs/research/lifecycle-issue-20.md §1 and its summary table): F5's own Ansible
modules and Terraform provider (what F5's code updates in place and what it refuses or
re-creates) [C for the module; S that 11.6 accepts the same modify], the tmsh reference for
`ltm pool`, and [I] where no source covers the kind. Nothing here emits `tmsh mv`: no source
shows it for net objects (same research, §2), so a renamed object is created under its new name,
what refers to it is moved, and the old one is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Interface

from generator import bigip
from generator.operations import Value

# F5 documents, by title, as operator files cite them (generator/citations.py holds the others).
ANSIBLE_SELFIP = "F5 Ansible collection, bigip_selfip module"
ANSIBLE_TUNNEL = "F5 Ansible collection, bigip_tunnel module"
ANSIBLE_VLAN = "F5 Ansible collection, bigip_vlan module"
ANSIBLE_ROUTE = "F5 Ansible collection, bigip_static_route module"
ANSIBLE_MONITOR = "F5 Ansible collection, bigip_monitor_tcp module"
TMSH_POOL = "F5 tmsh reference, ltm pool"
F5_NO_RENAME = "F5's engineers, F5Networks/f5-openstack-agent issue 247"


@dataclass(frozen=True)
class Form:
    """How one property of one kind changes: in place (`modify`) or by a replace."""

    in_place: bool
    source: str  # the operator-facing reason, with its confidence tag


def _modify(source: str) -> Form:
    return Form(True, source)


def _replace(source: str) -> Form:
    return Form(False, source)


_SELF = bigip.SELF_IP.words
_TUNNEL = bigip.TUNNEL.words
_VLAN = bigip.VLAN.words
_GROUP = bigip.VLAN_GROUP.words
_ROUTE = bigip.ROUTE.words
_POOL = bigip.POOL.words
_MONITOR = bigip.MONITOR.words

FORMS: dict[tuple[tuple[str, ...], str], Form] = {
    (_SELF, "address"): _replace(
        f"a self IP's address cannot be changed after it is created ({ANSIBLE_SELFIP}: "
        "'addresses themselves cannot be changed after they are created' [C])"
    ),
    (_SELF, "vlan"): _modify(
        f"{ANSIBLE_SELFIP} changes vlan in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_SELF, "traffic-group"): _modify(
        f"{ANSIBLE_SELFIP} changes traffic_group in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_SELF, "allow-service"): _modify(f"{ANSIBLE_SELFIP} changes allow_service in place [C]"),
    (_TUNNEL, "profile"): _replace(
        f"a tunnel's profile cannot be changed after it is set ({ANSIBLE_TUNNEL} [C])"
    ),
    (_TUNNEL, "local-address"): _modify(
        f"{ANSIBLE_TUNNEL} changes local_address in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_TUNNEL, "remote-address"): _modify(
        f"{ANSIBLE_TUNNEL} changes remote_address in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_TUNNEL, "mtu"): _modify(
        f"{ANSIBLE_TUNNEL} changes mtu in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_TUNNEL, "description"): _modify(f"{ANSIBLE_TUNNEL} changes description in place [C]"),
    (_VLAN, "tag"): _modify(f"{ANSIBLE_VLAN} changes tag in place (its example 'Set VLAN tag') [C]"),
    (_VLAN, "interfaces"): _modify(f"{ANSIBLE_VLAN} changes interfaces in place [C]"),
    (_VLAN, "mtu"): _modify(f"{ANSIBLE_VLAN} changes mtu in place [C]"),
    (_VLAN, "description"): _modify(f"{ANSIBLE_VLAN} changes description in place [C]"),
    (_GROUP, "members"): _modify("tmsh's list grammar: members add { … } / members delete { … } [S]"),
    (_GROUP, "mode"): _modify("a plain property of the VLAN group; no F5 module manages VLAN groups [I]"),
    (_GROUP, "bridge-in-standby"): _modify("a plain property of the VLAN group [I]"),
    (_GROUP, "migration-keepalive"): _modify("a plain property of the VLAN group [I]"),
    (_GROUP, "proxy-excludes"): _modify("a list property of the VLAN group, replace-all-with [I]"),
    (_GROUP, "description"): _modify("a plain property of the VLAN group [I]"),
    (_ROUTE, "network"): _replace(
        f"a route's destination cannot be changed ({ANSIBLE_ROUTE}: 'Delete and recreate the static "
        "route if you need to do this' [C])"
    ),
    (_ROUTE, "gw"): _modify(
        f"{ANSIBLE_ROUTE} changes gateway_address in place [C]; that BIG-IP itself accepts it [S]"
    ),
    (_ROUTE, "description"): _modify(f"{ANSIBLE_ROUTE} changes description in place [C]"),
    (_POOL, "members"): _modify(f"{TMSH_POOL}: members add {{ … }} / members delete {{ … }} [C]"),
    (_POOL, "min-active-members"): _modify(f"{TMSH_POOL}: min-active-members [C]"),
    (_POOL, "monitor"): _modify(f"{TMSH_POOL}: monitor [C]"),
    (_POOL, "description"): _modify(f"{TMSH_POOL}: description [C]"),
    (_MONITOR, "defaults-from"): _replace(
        f"a monitor's parent cannot be changed ({ANSIBLE_MONITOR}: 'The parent monitor cannot be changed' [C])"
    ),
    (_MONITOR, "pool"): _modify("a plain reference property of the Virtual Location monitor [I]"),
    (_MONITOR, "interval"): _modify(
        f"{ANSIBLE_MONITOR} changes interval in place [C for monitors; I for virtual-location]"
    ),
    (_MONITOR, "timeout"): _modify(
        f"{ANSIBLE_MONITOR} changes timeout in place [C for monitors; I for virtual-location]"
    ),
}

RENAMED = (
    f"a new name is a new object: BIG-IP's REST API renames nothing ({F5_NO_RENAME} [C]) and no source "
    "shows tmsh mv for net objects [I]: the new one is created, what refers to the old one is moved, "
    "the old one is deleted"
)
NO_UNSET = "tmsh has no form that removes this property once set [I]"
PREFIX_ONLY = f"{ANSIBLE_SELFIP} changes the prefix length of the same address in place [C]; that BIG-IP itself accepts it [S]"
CASCADE = "it refers to an object this plan replaces, which cannot be deleted while it does [I]"

# What a property is when the site leaves it unset: the value a modify writes to take it back
# there. The VLAN's mtu defaults to 1500 and is not saved at that value (saved forms,
# docs/research/lifecycle-issue-20.md §6 [I]); an empty list is written none (tmsh list grammar [S]).
UNSET: dict[tuple[tuple[str, ...], str], str] = {
    (_VLAN, "mtu"): "1500",
    (_GROUP, "proxy-excludes"): "none",
    (_POOL, "monitor"): "none",  # the render's own rollback form for a pool without a rule
}


def form(kind: bigip.Kind, name: str, old: Value | None, new: Value | None) -> Form:
    """How `name` of an object of `kind` goes from `old` to `new` (None: unset)."""
    known = FORMS.get((kind.words, name))
    if known is None:
        return _replace(f"no source says {kind.tmsh} {name} changes in place [I]")
    if kind is bigip.SELF_IP and name == "address" and _same_ip(old, new):
        return _modify(PREFIX_ONLY)
    if known.in_place and (old is None or new is None) and (kind.words, name) not in UNSET:
        return _replace(NO_UNSET)  # set where it was unset: the rollback would have to unset it
    return known


def _same_ip(old: Value | None, new: Value | None) -> bool:
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    return IPv4Interface(old).ip == IPv4Interface(new).ip
