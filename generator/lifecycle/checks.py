"""The read-only lines of a plan's files, with their Expect (generator/expects.py): the pre-check
that confirms the unit holds OLD's state (and is free for what the plan creates), the sync gates
of a second unit, the save step's sync check, and the verification of NEW's state.

The same sentences as a render's, so `etherip check` reads them back with the same reader and
judges them on the same device model; a replaced unit gets the render's own pre-check (it is a
fresh unit), every unit gets the render's own verification of NEW plus "was not found" for what
the plan deleted on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator import expects as e
from generator import probes
from generator.context import DeviceContext, PeerContext, SiteContext
from generator.expects import Probe, short
from generator.lifecycle.plan import PeerPlan, SyncGate
from generator.lifecycle.state import Obj, UnitState
from generator.operations import Entries, Value


def shown(value: Value) -> str:
    """A property value as `tmsh list` prints it from /Common (Expect text)."""
    if isinstance(value, Entries):
        parts = []
        for item in value.items:
            name = short(item.name)
            parts.append(name if item.body is None else f"{name} {{ {' '.join(item.body)} }}")
        return "{ " + " ".join(parts) + " }"
    if " and " in value:
        return " and ".join(short(v) for v in value.split(" and "))
    return short(value)


def _pairs(o: Obj, values: Iterable[tuple[str, Value]]) -> tuple[tuple[str, str], ...]:
    """What a listing checks of an object: every property it holds but the description."""
    given = dict(values)
    pairs = [(n, shown(given[n])) for n in o.kind.properties + o.kind.modified_later if n in given]
    if o.kind.words == ("net", "vlan") and "tag" not in given and o.created:
        pairs.append(("tag", "(auto-assigned)"))
    return tuple(p for p in pairs if p[0] != "description" and p[1] != "{  }")


def object_probe(o: Obj, values: Iterable[tuple[str, Value]], note: str = "") -> Probe:
    pairs = _pairs(o, values)
    return Probe(f"list {o.kind.tmsh} {o.path} {' '.join(n for n, _ in pairs)}", e.values(pairs, note))


def precheck(
    ctx: SiteContext, peer: PeerContext, device: DeviceContext, old: UnitState, plan: PeerPlan, backup: str
) -> tuple[Probe, ...]:
    """A kept unit before the plan: the right box, version and HA state; every object OLD's change
    left on it, with its values; nothing yet under the names the plan creates."""
    if device.index in plan.replaced:
        return probes.precheck(ctx, peer, device)
    found = [
        *probes.pager_probes(),
        Probe(
            "list sys global-settings hostname",
            e.values((("hostname", device.hostname),), "Any other name: this is the wrong box; stop."),
        ),
        Probe("show sys version", e.version(ctx.version)),
    ]
    if peer.check_backplane_mtu:
        found.append(
            Probe(
                "list sys db vlan.backplane.mtu",
                e.Expect(
                    (
                        'Expect: listed (not "was not found"): vlan.backplane.mtu, the key of Bug 470715\'s fix',
                        '  (value 1640 by default); "was not found" means this build lacks the fix: stop.',
                    )
                ),
            )
        )
    if peer.is_ha:
        found += _ha(peer, device)
    heading = ("The deployment as it is today (the OLD site file's change): every object and its values.",)
    states = [object_probe(o, _values(o)) for o in old.objects.values()]
    found += [Probe(p.command, p.expect, heading if i == 0 else ()) for i, p in enumerate(states)]
    created = sorted(
        {c.obj.path: c.obj for c in plan.changes_on(device.index) if _creates(c.new, old)}.values(),
        key=lambda o: o.path,
    )
    heading = ("The plan creates these objects on this device: none may exist yet.",)
    found += [
        Probe(f"list {o.kind.tmsh} {o.path}", e.absent(), heading if i == 0 else ())
        for i, o in enumerate(created)
    ]
    found.append(
        Probe(
            f"save sys ucs {backup}",
            e.ucs_saved(backup),
            before=("Last: a UCS backup of this device, the way back if a rollback step fails.",),
        )
    )
    return tuple(_split(found))


def _values(o: Obj) -> tuple[tuple[str, Value], ...]:
    return o.values


def _creates(new: Obj | None, old: UnitState) -> bool:
    return new is not None and new.key not in old.objects and new.created


def _ha(peer: PeerContext, device: DeviceContext) -> list[Probe]:
    state = (
        e.failover("active", "this unit runs the synced steps")
        if device.is_first
        else e.failover("standby", f"{peer.hostnames[0]} runs the synced steps")
    )
    return [
        Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))),
        Probe("show sys failover", state),
    ]


def verify(
    ctx: SiteContext, peer: PeerContext, device: DeviceContext, old: UnitState | None, new: UnitState
) -> tuple[Probe, ...]:
    """NEW's verification (the render's own), and every object the plan deleted on this unit."""
    found = list(probes.verify(ctx, peer, device))
    gone = sorted(
        o.path for k, o in (old.objects.items() if old else ()) if k not in new.objects and o.created
    )
    heading = ("The plan deleted these objects on this device (renamed ones live on under their new names).",)
    kinds = {o.path: o for o in (old.objects.values() if old else ())}
    found += [
        Probe(f"list {kinds[p].kind.tmsh} {p}", e.gone(), heading if i == 0 else ())
        for i, p in enumerate(gone)
    ]
    return tuple(_split(found))


def gates(peer: PeerContext, items: tuple[SyncGate, ...]) -> tuple[Probe, ...]:
    """A second unit's step that needs what the config-sync just carried: read it first."""
    if not items:
        return ()
    first = peer.hostnames[0]
    heading = (f"Sync gate: this step needs what the config-sync from {first} carried here. Read it first.",)
    found = [
        Probe(probes.PAGER_OFF, e.no_output(), heading),
        Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))),
    ]
    found += [_gate(g, first) for g in items]
    return tuple(_split(found))


def _gate(gate: SyncGate, first: str) -> Probe:
    op = gate.op
    if gate.mode == "arrived":
        return Probe(f"list {op.kind.tmsh} {op.path}", e.arrived(first))
    if gate.mode == "removed":
        return Probe(f"list {op.kind.tmsh} {op.path}", e.removed(first))
    return object_probe(
        Obj(op.kind, op.path, gate.after, op.label, False),
        gate.after,
        f"config-sync from {first} sets this; while it shows another value, the sync is not done: wait a\n"
        "  minute and paste this line again; do not go on until it shows this.",
    )


def _split(found: list[Probe]) -> list[Probe]:
    """Expect notes given with a newline become continuation lines (as probes.py does)."""
    out = []
    for p in found:
        lines = tuple(part for line in p.expect.lines for part in line.split("\n"))
        out.append(Probe(p.command, e.Expect(lines), p.before))
    return out
