"""`etherip precheck SITE --after DEVICE=PATH…`: evidence after the change. Each unit's saved
configuration, taken after the change, is compared with what the site file's change leaves on
that unit (generator/lifecycle/state.py: the objects expected-state.conf prints, and what the
change sets on existing objects); every difference is one finding:

  missing    an object the site gives this unit is not saved;
  different  a property is saved with another value (lists compared whole: an extra VLAN-group
             member, allow-service entry or pool member is a difference too; a property left
             unset compares as its default: a VLAN's mtu 1500, a self IP's traffic group
             local-only and allow-service none, a VLAN group's mode translucent);
  extra      an object of this deployment the site does not give the unit: a tunnel with the
             etherip profile, an object whose description is etherip's for this deployment
             ("etherip <deployment> …"), a self IP named <deployment>_…, a Virtual Location
             monitor on the site's pool, a VLAN group bridging the site's VM VLAN or tunnel
             (what a later change deleted or renamed must be gone).

Exit 0 when every given unit holds exactly its expected state. The saved configuration is read
by the pre-check's own reader (stanzas.py, properties.py, saved.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator import bigip
from generator.context import SiteContext, build_context
from generator.expects import PORT_NAMES, PROTOCOL_NAMES
from generator.lifecycle.state import Obj, UnitState, unit_states
from generator.model import Site
from generator.operations import Entries, Value
from generator.proof.precheck.report import CONFLICT, ERROR, NOTE, PrecheckFinding, PrecheckReport
from generator.proof.precheck.run import UnitInput, judge_units
from generator.proof.precheck.saved import (
    SavedConfig,
    Stanza,
    allow_service,
    monitor_rule,
    names,
    object_path,
    parse_address,
    parse_network,
    unquote,
    vlan_interfaces,
)
from generator.versions import BigIpVersion

# Saved stanza kind (saved.KINDS) of each object kind.
STANZA = {
    bigip.VLAN.words: "net vlan",
    bigip.SELF_IP.words: "net self",
    bigip.TUNNEL.words: "net tunnels tunnel",
    bigip.VLAN_GROUP.words: "net vlan-group",
    bigip.ROUTE.words: "net route",
    bigip.POOL.words: "ltm pool",
    bigip.MONITOR.words: "ltm monitor",
    bigip.IPSEC_POLICY.words: "net ipsec ipsec-policy",
    bigip.TRAFFIC_SELECTOR.words: "net ipsec traffic-selector",
    bigip.IKE_PEER.words: "net ipsec ike-peer",
}
# What a unit saves no line for: the property is at this value (generator/bigip.py defaults,
# and docs/research/lifecycle-issue-20.md §6: defaults omitted for net objects [C], mtu 1500 [I]).
DEFAULTS: dict[tuple[tuple[str, ...], str], str] = {
    (bigip.VLAN.words, "mtu"): "1500",
    (bigip.SELF_IP.words, "traffic-group"): bigip.TG_LOCAL,
    (bigip.SELF_IP.words, "allow-service"): "none",
    (bigip.VLAN_GROUP.words, "mode"): "translucent",
    (bigip.POOL.words, "min-active-members"): "0",
    (bigip.POOL.words, "monitor"): "none",
}
_REFERENCES = frozenset(
    {
        "vlan",
        "pool",
        "profile",
        "defaults-from",
        "traffic-group",
        "ipsec-policy",
        "my-cert-file",
        "my-cert-key-file",
        "ca-cert-file",
    }
)
_PROTOCOLS = {name: number for number, name in PROTOCOL_NAMES.items()} | {"tcp": "6", "udp": "17"}
_PORTS = {f"{entry.split(':')[0]}:{name}": entry for entry, name in PORT_NAMES.items()}


class AfterReport(PrecheckReport):
    def summary(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in (CONFLICT, ERROR, NOTE)}
        checked = sum(1 for u in self.units if u.source)
        verdict = (
            "every unit given holds exactly what the site file gives it"
            if not self.failed
            else "not as the site file gives it"
        )
        return (
            f"{self.site}: after the change: {checked} unit(s) checked: {counts[CONFLICT]} difference(s), "
            f"{counts[ERROR]} error(s), {counts[NOTE]} note(s): {verdict}"
        )


def run_after(model: Site, version: BigIpVersion, inputs: list[UnitInput], site_name: str) -> AfterReport:
    ctx = build_context(model, version)
    states = unit_states(ctx)
    devices = {d.hostname: (p, d) for p in ctx.peers for d in p.devices}

    def judge(host: str, saved: SavedConfig) -> Iterable[PrecheckFinding]:
        peer, device = devices[host]
        return compare_unit(ctx, host, states[(peer.name, device.index)], saved)

    return AfterReport(site_name, version.value, judge_units(devices, inputs, judge))


def compare_unit(
    ctx: SiteContext, host: str, state: UnitState, saved: SavedConfig
) -> Iterator[PrecheckFinding]:
    complete = {"base", "user"} <= saved.parts
    for o in state.objects.values():
        stanza = saved.get(STANZA[o.kind.words], o.path)
        if stanza is None or (o.kind is bigip.MONITOR and stanza.subtype != "virtual-location"):
            searched = ", ".join(f.display for f in saved.source.files)
            what = f"{o.kind.tmsh} {o.path}: the site gives this unit {o.label}, not saved here (searched {searched})"
            yield PrecheckFinding(
                host,
                "missing" if complete else "not-checked",
                (o.path,),
                what,
                severity=CONFLICT if complete else NOTE,
            )
            continue
        yield from _properties(host, o, stanza)
    yield from _extras(ctx, host, state, saved)


def _properties(host: str, o: Obj, stanza: Stanza) -> Iterator[PrecheckFinding]:
    if not stanza.readable:
        yield PrecheckFinding(
            host,
            "not-read",
            (o.path,),
            f"its properties could not be read: {stanza.problem}",
            str(stanza.where),
            NOTE,
        )
        return
    given = dict(o.values)
    props = [
        n
        for n in o.kind.properties + o.kind.modified_later
        if n in given or (o.created and (o.kind.words, n) in DEFAULTS)
    ]
    for name in props:
        want = expected(o.kind.words, name, given.get(name))
        have = saved_value(o.kind.words, name, stanza.body)
        if want != have:
            message = f"{o.kind.tmsh} {o.path}: {name} is {_shown(have)}, the site gives {_shown(want)}"
            yield PrecheckFinding(host, "different", (o.path,), message, str(stanza.where))


def _shown(value: object) -> str:
    if isinstance(value, frozenset):
        return "{ " + " ".join(sorted(str(v) for v in value)) + " }"
    if isinstance(value, dict):
        return "{ " + " ".join(f"{k}{' tagged' if v else ''}" for k, v in sorted(value.items())) + " }"
    return "(unset)" if value is None else str(value)


# ---- one property, both sides in one form --------------------------------------------------


def expected(kind: tuple[str, ...], name: str, value: Value | None) -> object:
    if value is None:
        value = DEFAULTS.get((kind, name))
        if value is None:
            return None
    if isinstance(value, Entries):
        if name == "interfaces":
            return {i.name: i.body == ("tagged",) for i in value.items}
        if name == "allow-service":
            return _services(tuple(i.name for i in value.items))
        return frozenset(object_path(i.name) if name == "members" else i.name for i in value.items)
    return _word(kind, name, value)


def _word(kind: tuple[str, ...], name: str, value: str) -> object:
    if name == "allow-service":
        return _services((value,))
    if name == "monitor":
        return frozenset(object_path(m) for m in value.split(" and ") if m != "none")
    if name == "proxy-excludes":
        return frozenset() if value == "none" else frozenset(value.split())
    if name in _REFERENCES:
        return object_path(value)
    if name == "address":
        found = parse_address(value)
        return str(found.interface) if found else value
    if name == "network":
        net = parse_network(value)
        return str(net[0]) if net else value
    return unquote(value)


def saved_value(kind: tuple[str, ...], name: str, body: Mapping[str, Any]) -> object:
    raw = body.get(name)
    if name == "interfaces":
        return vlan_interfaces(body)
    if name == "allow-service":
        return _services(allow_service(body))
    if name == "monitor" and kind == bigip.POOL.words:
        return frozenset(monitor_rule(body).monitors)
    if name == "members":
        return frozenset(names(raw))
    if name == "traffic-selector":  # an IKE peer's selectors (paths)
        return frozenset(names(raw)) if raw is not None else None
    if name == "version":  # an IKE peer's versions (words, not paths)
        return frozenset(raw) if isinstance(raw, dict) else None
    if name == "proxy-excludes":
        listed = raw if isinstance(raw, list) else list(raw) if isinstance(raw, dict) else []
        return frozenset(str(v) for v in listed if v and v != "none")
    if raw is None or isinstance(raw, (list, dict)):
        default = DEFAULTS.get((kind, name))
        return None if default is None else _word(kind, name, default)
    return _word(kind, name, raw)


def _services(entries: tuple[str, ...]) -> object:
    """allow-service as one form: a keyword, or the set of (protocol, port) numbers."""
    if len(entries) == 1 and entries[0] in ("none", "default", "all"):
        return entries[0]
    out = set()
    for entry in entries:
        entry = _PORTS.get(entry, entry)
        proto, _, port = entry.partition(":")
        out.add((_PROTOCOLS.get(proto, proto), "0" if port in ("any", "") else port))
    return frozenset(out)


# ---- what is there and should not be --------------------------------------------------------


@dataclass(frozen=True)
class _Marks:
    """How this deployment's objects are known on a unit."""

    description: str  # '"etherip <deployment> '
    self_prefix: str  # '/Common/<deployment>_'
    pool: str
    bridged: frozenset[str]  # the VM VLAN and tunnel paths a VLAN group of this deployment holds


def _extras(ctx: SiteContext, host: str, state: UnitState, saved: SavedConfig) -> Iterator[PrecheckFinding]:
    expected_paths = {(STANZA[k[0]], k[1]) for k in state.objects}
    peer = next(p for p in ctx.peers if any(d.hostname == host for d in p.devices))
    marks = _Marks(
        f"etherip {ctx.deployment} ",
        bigip.path(f"{ctx.deployment}_"),
        ctx.pool.path,
        frozenset(peer.vlan_group.members),
    )
    for kind in STANZA.values():
        for path, stanza in saved.of(kind).items():
            if (kind, path) in expected_paths or not stanza.readable:
                continue
            why = _belongs(kind, path, stanza, marks)
            if why:
                yield PrecheckFinding(
                    host,
                    "extra",
                    (path,),
                    f"{kind} {path}: {why}, but the site does not give it to this unit",
                    str(stanza.where),
                )


def _belongs(kind: str, path: str, stanza: Stanza, marks: _Marks) -> str:
    body = stanza.body
    if unquote(body.get("description")).startswith(marks.description):
        return f"its description is etherip's for this deployment ({unquote(body.get('description'))!r})"
    if kind == "net tunnels tunnel" and object_path(unquote(body.get("profile"))) == bigip.ETHERIP_PROFILE:
        return "an EtherIP tunnel (profile etherip)"
    if kind == "net self" and path.startswith(marks.self_prefix):
        return "a self IP named as this deployment's"
    if (
        kind == "ltm monitor"
        and stanza.subtype == "virtual-location"
        and object_path(unquote(body.get("pool"))) == marks.pool
    ):
        return f"a Virtual Location monitor on {marks.pool}"
    if kind == "net vlan-group" and set(names(body.get("members"))) & marks.bridged:
        return "a VLAN group bridging this deployment's VM VLAN or tunnel"
    return ""
