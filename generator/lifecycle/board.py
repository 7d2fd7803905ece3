"""CHANGE.md of a plan package: what changes per unit, the impact of each change, duration and
window, roles, the order of work, the rollback trigger and table, the iApp path, and the
evidence after the change (`etherip precheck SITE --after`).

Durations are the render's planning estimates [I] (generator/changeboard.py), per file run by
hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

from generator.artifacts import Artifact
from generator.changeboard import (
    GATE_MIN,
    PRECHECK_MIN,
    UCS_RESTORE_MIN,
    VERIFY_MIN,
    WINDOW_MARGIN_MIN,
    WINDOW_ROUND_MIN,
)
from generator.lifecycle.diff import Action, Change
from generator.lifecycle.plan import PeerPlan, Plan
from generator.lifecycle.views import PlanHeader, StepView, UnitView
from generator.runbook import Row, StopRow

STEP_MIN = 5  # one apply or rollback file
SAVE_MIN = 3


@dataclass(frozen=True)
class UnitChanges:
    peer: str
    hostname: str
    role: str  # "first unit: synced objects for the pair", "standalone", "second unit", "new unit"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    where: str
    what: str  # the plan's line
    impact: str


def values(
    plan: Plan, header: PlanHeader, units: list[UnitView], before: list[Artifact]
) -> dict[str, object]:
    counter = count(1)
    prechecks = tuple(_read_rows(units, counter, "precheck"))
    pages = tuple(
        (p.name, tuple(_step_rows(units, p.name, counter, "apply"))) for p in plan.peers if p.changes
    )
    verify = tuple(_read_rows(units, counter, "verify"))
    back = count(1)
    rollback = tuple(
        r for p in reversed(plan.peers) if p.changes for r in _step_rows(units, p.name, back, "rollback")
    )
    apply_rows = [r for _, rows in pages for r in rows]
    minutes = _minutes(prechecks, apply_rows, verify, len(pages))
    rollback_min = sum(_file_min(r) for r in rollback)
    window = (
        math.ceil((minutes + rollback_min + UCS_RESTORE_MIN + WINDOW_MARGIN_MIN) / WINDOW_ROUND_MIN)
        * WINDOW_ROUND_MIN
    )
    return {
        "plan": header,
        "site": plan.new,
        "changes": tuple(_unit_changes(plan)),
        "count": sum(len(p.changes) for p in plan.peers),
        "impacts": tuple(_impacts(plan)),
        "prechecks": prechecks,
        "pages": pages,
        "verify": verify,
        "rollback": rollback,
        "stops": tuple(_stops(plan, units)),
        "minutes": minutes,
        "rollback_min": rollback_min,
        "window": window,
        "ucs_restore_min": UCS_RESTORE_MIN,
        "roles": tuple(_roles(plan)),
        "replaced": tuple(_replaced(plan)),
        "iapp": tuple(p for p in plan.peers if p.changes),
        "rests_on": tuple(_rests_on(units)),
        "checksums": tuple((a.path, a.sha256) for a in sorted(before, key=lambda a: a.path)),
        "backup": f"{header.deployment}-pre-{header.change.split('-')[1]}",
    }


def _unit_changes(plan: Plan) -> Iterator[UnitChanges]:
    for pp in plan.peers:
        for index, host in enumerate(pp.hostnames):
            role = (
                "standalone"
                if not pp.ha
                else ("first unit; synced objects for the pair" if index == 0 else "second unit")
            )
            if index in pp.replaced:
                role = f"new unit, replacing {pp.old_hostnames[index]}"
            lines = tuple(c.line() for c in pp.changes_on(index))
            yield UnitChanges(pp.name, host, role, lines)


def _impacts(plan: Plan) -> Iterator[Impact]:
    for pp in plan.peers:
        for index, host in enumerate(pp.hostnames):
            for c in pp.changes_on(index):
                where = f"{pp.name} (both units)" if pp.ha and c.obj.synced else f"{pp.name} / {host}"
                yield Impact(where, c.line().split(" (")[0], impact(c))


def impact(c: Change) -> str:
    """What one change does to traffic, in words [I: from what each object does]."""
    kind = c.obj.kind.words
    if c.action is Action.REPLACE:
        return _replace_impact(c)
    if c.action is Action.CREATE:
        return _CREATED.get(kind, "new; nothing uses it before the steps that refer to it")
    if c.action is Action.DELETE:
        return "deleted after everything that used it has moved away (the steps' order)"
    texts = [_MODIFIED.get((kind, p.name), "changed in place") for p in c.props]
    return "; ".join(dict.fromkeys(texts))


_CREATED = {
    ("net", "vlan"): "a new VLAN on the interfaces listed: the switch ports must carry its tag",
    ("net", "self"): "a new address answers on its VLAN from this step on: it must be free (network team)",
    ("net", "tunnels", "tunnel"): "a new tunnel: it carries VM traffic once the VLAN group holds it",
    ("net", "vlan-group"): "a new bridge between the VM VLAN and the tunnel: broadcast frames cross the WAN",
    ("net", "route"): "EtherIP packets to the other endpoint take this route from this step on",
    ("ltm", "pool"): "a new pool: no traffic uses it until a virtual server does",
    ("ltm", "monitor", "virtual-location"): "members are marked local or remote by this monitor",
}
_MODIFIED = {
    (
        ("ltm", "pool"),
        "members",
    ): "members added get new connections once their monitors mark them up; members removed get no new ones, and their open connections are not carried on [I]",
    (("ltm", "pool"), "monitor"): "members are marked up or down by the new rule from this step on",
    (
        ("ltm", "pool"),
        "min-active-members",
    ): "priority-group activation changes: which members take new connections",
    (
        ("ltm", "monitor", "virtual-location"),
        "interval",
    ): "members' status is re-evaluated on the new timers; traffic is not touched while they stay up [I]",
    (
        ("ltm", "monitor", "virtual-location"),
        "timeout",
    ): "members' status is re-evaluated on the new timers; traffic is not touched while they stay up [I]",
    (
        ("net", "route"),
        "gw",
    ): "EtherIP packets to the other data center leave through the new gateway from this step on; if it does not forward them yet, the tunnel stops (the network team confirms it before the window)",
    (
        ("net", "tunnels", "tunnel"),
        "remote-address",
    ): "the tunnel points at the other data center's new endpoint: it carries nothing until both ends are changed",
    (
        ("net", "tunnels", "tunnel"),
        "local-address",
    ): "the tunnel leaves from a new endpoint: it carries nothing until the other end points at it",
    (
        ("net", "tunnels", "tunnel"),
        "mtu",
    ): "the largest packet the tunnel carries changes (CHANGE.md of the render: MTU)",
    (
        ("net", "vlan"),
        "tag",
    ): "the VLAN's traffic stops until the switch ports carry the new tag: the network team changes them in the same step",
    (("net", "vlan"), "interfaces"): "the VLAN's traffic moves to the interfaces listed",
    (("net", "vlan"), "mtu"): "the largest frame the VLAN carries changes",
    (("net", "self"), "allow-service"): "the self IP's port lockdown changes: which services answer on it",
    (("net", "self"), "vlan"): "the self IP moves to another VLAN or VLAN group [S: check on the box]",
    (
        ("net", "vlan-group"),
        "members",
    ): "the bridge's members change in one transaction on this unit: VM traffic across the tunnel pauses for that moment [I]",
    (("net", "vlan-group"), "proxy-excludes"): "proxy ARP stops or starts answering for the addresses listed",
}


def _replace_impact(c: Change) -> str:
    kind = c.obj.kind.words
    if c.renamed:
        return "the new object takes over in the order of the steps (created, what used the old one moved, old one deleted); VM traffic across the tunnel pauses while a VLAN group's member moves [I]"
    if kind == ("net", "self"):
        return "deleted and created again in one transaction: the address stops answering for that moment; connections to the old address drop"
    if kind == ("net", "route"):
        return "deleted and created again in one transaction: EtherIP packets have no route for that moment"
    return "deleted and created again: whatever uses it lets go first and takes it back after"


def _read_rows(units: list[UnitView], counter: Iterator[int], which: str) -> Iterator[Row]:
    for u in units:
        name = "00-precheck.tmsh" if which == "precheck" else u.verify_file
        yield Row(
            next(counter),
            u.peer,
            u.hostname,
            f"{u.peer}/{u.hostname}/{name}",
            which,
            "every Expect line matches",
        )


def _step_rows(units: list[UnitView], peer: str, counter: Iterator[int], phase: str) -> Iterator[Row]:
    mine = [u for u in units if u.peer == peer]
    numbers = sorted({s.number for u in mine for s in (u.apply if phase == "apply" else u.rollback)})
    for number in numbers:
        for u in mine:
            for s in u.apply if phase == "apply" else u.rollback:
                if s.number == number:
                    yield Row(
                        next(counter),
                        peer,
                        u.hostname,
                        f"{peer}/{u.hostname}/{s.filename}",
                        _what(s),
                        _expect(s),
                        number,
                    )


def _what(s: StepView) -> str:
    prefix = "rollback step" if s.undoes or s.filename.startswith("rollback/") else "step"
    return f"{prefix} {s.number}: {s.title}"


def _expect(s: StepView) -> str:
    if s.lines == ("save sys config",):
        return "'Saving running configuration...', no error" + ("; then In Sync" if s.closing else "")
    if s.sync:
        return "no error after submit; the config-sync returns with no error"
    return "the prompt returns after submit with no error"


def _file_min(r: Row) -> int:
    return SAVE_MIN if r.path.endswith("-save.tmsh") else STEP_MIN


def _minutes(prechecks: tuple[Row, ...], apply: list[Row], verify: tuple[Row, ...], pages: int) -> int:
    return (
        len(prechecks) * PRECHECK_MIN
        + sum(_file_min(r) for r in apply)
        + len(verify) * VERIFY_MIN
        + (pages + 1) * GATE_MIN
    )


def _stops(plan: Plan, units: list[UnitView]) -> Iterator[StopRow]:
    """For each apply file that could fail: the first rollback file of its data center, and the
    rollback files to skip (their apply step never ran on that unit)."""
    for pp in plan.peers:
        if not pp.changes:
            continue
        rows = list(_step_rows(units, pp.name, count(1), "apply"))
        back = list(_step_rows(units, pp.name, count(1), "rollback"))
        steps = len(pp.apply)
        for i, failed in enumerate(rows):
            ran = {(r.device, r.step) for r in rows[:i]}
            undone = [r for r in back if r.step <= steps and (r.device, steps + 1 - r.step) in ran]
            if not undone:
                yield StopRow(pp.name, failed.path, "", ())
                continue
            needed = [r for r in back if r in undone or r.step > steps]
            first = needed[0]
            yield StopRow(
                pp.name,
                failed.path,
                first.path,
                tuple(r.path for r in back[back.index(first) :] if r not in needed),
            )


def _roles(plan: Plan) -> Iterator[tuple[str, tuple[str, ...]]]:
    peers = plan.peers
    yield (
        "load balancer (BIG-IP)",
        tuple(
            f"runs every file on {', '.join(p.hostnames)}; holds console access to each unit" for p in peers
        ),
    )
    yield "network", tuple(_network_duty(p) for p in peers)
    yield "virtualization (VMware)", tuple(_vm_duty(p) for p in peers)
    yield (
        "change lead (one for both)",
        tuple("calls every go/no-go and the rollback; keeps time" for _ in peers),
    )


_WAN_KINDS = {("net", "route"), ("net", "tunnels", "tunnel"), ("net", "vlan")}


def _network_duty(pp: PeerPlan) -> str:
    wan = [c for _, c in pp.changes if c.obj.kind.words in _WAN_KINDS or c.obj.kind.words == ("net", "self")]
    if pp.replaced:
        return "cables, switch ports and addresses of the new unit as the old one had them"
    if not wan:
        return "on call; nothing to change"
    return "the switch ports, gateways and firewall rules the changes listed for this data center need, ready at the step that uses them"


def _vm_duty(pp: PeerPlan) -> str:
    pool = [c for _, c in pp.changes if c.obj.kind.words[0] == "ltm"]
    return (
        "the VMs of the pool members added or removed, up and answering"
        if pool
        else "on call; nothing to change"
    )


def _replaced(plan: Plan) -> Iterator[str]:
    for pp in plan.peers:
        for index in pp.replaced:
            yield (
                f"{pp.name}: {pp.hostnames[index]} replaces {pp.old_hostnames[index]}. The plan treats it as a fresh unit: "
                "its pre-check is the render's (nothing of the deployment may exist on it yet), its steps create "
                f"everything the deployment holds on it, and its rollback removes that again; {pp.old_hostnames[index]} "
                "itself is gone and gets no file. If the old unit's UCS was restored on the new one, do not use this "
                "plan: take the new unit's saved configuration, `etherip init --from` it, and plan from that site."
            )


def _rests_on(units: list[UnitView]) -> Iterator[str]:
    seen: dict[str, None] = {}
    for u in units:
        for s in (*u.apply, *u.rollback):
            seen |= dict.fromkeys(s.forms)
    yield from seen
