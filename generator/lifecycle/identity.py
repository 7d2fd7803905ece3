"""Whether two site files describe one deployment, so that a plan can take it from one to the
other: the same name and peers, the same units (a standalone unit may be replaced by one with
another hostname), and the same ground it stands on. What existed before the deployment was
built (VLANs, a pool, self IPs marked create: false, the platform, the device groups) is that
ground: a change there is another deployment, and its way is to render the new site and roll
the old one back.

Every refusal is one located problem in the NEW file (SiteFileError, exit 1), naming the OLD
file's value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.errors import Problem, SiteFileError
from generator.load import SiteSource
from generator.model import Peer, Site

REFUSAL = "render the new site (etherip render) and roll back the old one"


@dataclass(frozen=True)
class Sites:
    old: Site
    new: Site
    old_source: SiteSource
    new_source: SiteSource


def check_same_deployment(sites: Sites) -> None:
    problems = list(_problems(sites))
    if problems:
        raise SiteFileError(problems)


def _problems(s: Sites) -> Iterator[Problem]:
    old, new = s.old, s.new
    if old.deployment != new.deployment:
        yield _refuse(s, ("deployment",), old.deployment, new.deployment, "another deployment")
        return
    if set(old.peers) != set(new.peers):
        yield _refuse(s, ("peers",), sorted(old.peers), sorted(new.peers), "other data centers")
        return
    yield from _ipsec(s)
    yield from _pool(s)
    for name, peer in new.peers.items():
        yield from _peer(s, name, old.peers[name], peer)


def _refuse(s: Sites, loc: tuple[str | int, ...], was: object, now: object, what: str) -> Problem:
    shown = ".".join(str(p) for p in loc)
    message = (
        f"{_text(now)} here, {_text(was)} in {s.old_source.name}: {what}, so not one deployment a plan "
        f"can change; {REFUSAL}"
    )
    return s.new_source.problem(loc, message, at_key=shown.endswith("devices") or shown == "peers")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "unset" if value is None else repr(str(value))


def _ipsec(s: Sites) -> Iterator[Problem]:
    """IPsec (issue 19) is not planned yet: its IKE peer is created by a key step where the key is
    typed, outside any transaction a plan schedules, and the plan's replay does not model it."""
    if s.old.ipsec is None and s.new.ipsec is None:
        return
    source = s.new_source if s.new.ipsec is not None else s.old_source
    yield source.problem(
        ("ipsec",),
        "a plan does not take a site with IPsec yet (the IKE peer is created by the key step, where the key is "
        f"typed, outside the transactions a plan schedules); {REFUSAL}",
        at_key=True,
    )


def _pool(s: Sites) -> Iterator[Problem]:
    old, new = s.old.pool, s.new.pool
    if old.create != new.create:
        yield _refuse(s, ("pool", "create"), old.create, new.create, "the pool existed before or not")
        return
    if old.create:
        return
    before = "what the existing pool held before"
    facts = (
        ("name", old.name, new.name, "another existing pool"),
        ("restore_monitor", old.restore_monitor, new.restore_monitor, before),
        (
            "restore_min_active_members",
            old.restore_min_active_members or 0,
            new.restore_min_active_members or 0,
            before,
        ),
    )
    for key, was, now, what in facts:
        if was != now:
            yield _refuse(s, ("pool", key), was, now, what)


def _peer(s: Sites, name: str, old: Peer, new: Peer) -> Iterator[Problem]:
    at = ("peers", name)
    if len(old.devices) != len(new.devices):
        shape = "a pair instead of a standalone unit, or the other way round"
        yield _refuse(s, (*at, "devices"), list(old.devices), list(new.devices), shape)
        return
    if new.is_ha and list(old.devices) != list(new.devices):
        yield s.new_source.problem(
            (*at, "devices"),
            f"{', '.join(new.devices)} here, {', '.join(old.devices)} in {s.old_source.name}: a unit of a pair "
            "replaced under another hostname (or the run order changed) is not planned: the new unit would get "
            "its synced objects by a full config-sync before its VLAN group can hold the tunnel; restore the old "
            f"unit's UCS on it under the same hostname, or {REFUSAL}",
            at_key=True,
        )
    for key, was, now, what in _ground(old, new):
        yield _refuse(s, (*at, *key), was, now, what)


def _ground(old: Peer, new: Peer) -> Iterator[tuple[tuple[str, ...], object, object, str]]:
    """What the peer stood on before the deployment: (key path, old, new, what it is)."""
    if old.device_group != new.device_group:
        yield ("device_group",), old.device_group, new.device_group, "another device group"
    if old.platform != new.platform:
        yield ("platform",), old.platform, new.platform, "another platform"
    yield from _vlans(old, new)
    if old.wan.create or new.wan.create:
        return
    if old.wan.floating_self != new.wan.floating_self:
        what = "another existing floating WAN self IP"
        yield ("wan", "floating_self"), old.wan.floating_self, new.wan.floating_self, what
    if old.wan.endpoint_self != new.wan.endpoint_self:
        what = "another existing endpoint self IP or its lockdown"
        yield ("wan", "endpoint_self"), _endpoint(old), _endpoint(new), what
    for was, (host, now) in zip(old.devices.values(), new.devices.items(), strict=True):
        if was.wan_self != now.wan_self:
            what = "another existing WAN self IP"
            yield ("devices", host, "wan_self"), was.wan_self, now.wan_self, what


def _vlans(old: Peer, new: Peer) -> Iterator[tuple[tuple[str, ...], object, object, str]]:
    for side in ("wan", "vm"):
        was, now = getattr(old, side), getattr(new, side)
        if was.create != now.create:
            yield (side, "create"), was.create, now.create, f"the {side.upper()} VLAN existed before or not"
        elif not now.create and was.vlan != now.vlan:
            yield (side, "vlan"), was.vlan, now.vlan, f"another existing {side.upper()} VLAN"


def _endpoint(peer: Peer) -> object:
    e = peer.wan.endpoint_self
    return None if e is None else f"{e.name} {' '.join(e.allow_service)}"
