"""A plan: per peer, what changes on which unit (generator/lifecycle/diff.py), the apply steps
in dependency and HA order (generator/lifecycle/schedule.py), and the rollback steps.

Rollback undoes the apply steps in reverse, each operation by its exact inverse (a create by a
delete, a delete by a create with the values the object had, a modify by a modify writing the
values it had), with the same device and config-sync discipline: a rollback step undoes one
apply step, so a change that stopped part way rolls back from the step it reached. Both
directions are played on the units' states before anything is written (`_played`): apply must
reach NEW's state and rollback OLD's, or the plan is not made (an error in etherip, not in the
site files).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from generator import bigip
from generator.context import SiteContext
from generator.lifecycle.diff import (
    Change,
    bounce_operations,
    bounces,
    cascade,
    full,
    operations,
    set_value,
    unit_changes,
)
from generator.lifecycle.schedule import (
    SYNCED,
    PlanOp,
    annotate,
    hard_edges,
    place,
    reaches,
    topological,
    with_preferences,
)
from generator.lifecycle.state import Key, Obj, UnitState, Values, apply, shown, unit_states
from generator.operations import Entries, Item, Operation, Value, Verb, create, delete, modify


class PlanError(ValueError):
    """The planner could not order or check its own operations: a bug in etherip."""


@dataclass(frozen=True)
class SyncGate:
    """Before a second unit's step: a synced operation of an earlier step must have arrived."""

    op: Operation
    after: tuple[tuple[str, Value], ...] = ()  # the object's values once it has arrived
    mode: str = "arrived"  # arrived (a new object) | removed | values (changed, or replaced)


@dataclass(frozen=True)
class PlanStep:
    number: int
    synced: bool  # first unit only, then config-sync (a pair)
    ops: Mapping[int, tuple[Operation, ...]]  # device index → its operations, in order
    gates: Mapping[int, tuple[SyncGate, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerPlan:
    name: str
    ha: bool
    device_group: str | None
    hostnames: tuple[str, ...]  # NEW's, in run order
    old_hostnames: tuple[str, ...]
    changes: tuple[tuple[int, Change], ...]  # (device index or SYNCED, change)
    apply: tuple[PlanStep, ...]
    rollback: tuple[PlanStep, ...]
    start: tuple[dict[Key, Values], ...] = ()  # each unit's objects before the plan (OLD)
    target: tuple[dict[Key, Values], ...] = ()  # and after it (NEW)

    @property
    def replaced(self) -> tuple[int, ...]:
        """Units that are new: another hostname at this place (a standalone unit replaced)."""
        return tuple(i for i, h in enumerate(self.hostnames) if self.old_hostnames[i] != h)

    def changes_on(self, index: int) -> tuple[Change, ...]:
        return tuple(c for w, c in self.changes if w == index or (w == SYNCED and index == 0))


@dataclass(frozen=True)
class Plan:
    old: SiteContext
    new: SiteContext
    peers: tuple[PeerPlan, ...]

    @property
    def empty(self) -> bool:
        return not any(p.changes for p in self.peers)


def make_plan(old: SiteContext, new: SiteContext) -> Plan:
    olds, news = unit_states(old), unit_states(new)
    peers = []
    for peer in new.peers:
        before = next(p for p in old.peers if p.name == peer.name)
        count = len(peer.devices)
        peers.append(
            _peer_plan(
                peer.name,
                peer.is_ha,
                peer.device_group,
                [olds[(peer.name, i)] for i in range(count)],
                [news[(peer.name, i)] for i in range(count)],
                tuple(d.hostname for d in before.devices),
            )
        )
    return Plan(old, new, tuple(peers))


# ---- one peer ---------------------------------------------------------------------------------


def _peer_plan(
    name: str,
    ha: bool,
    group: str | None,
    olds: list[UnitState],
    news: list[UnitState],
    old_hosts: tuple[str, ...],
) -> PeerPlan:
    hosts = tuple(u.hostname for u in news)
    before = [o.objects if o.hostname == n.hostname else {} for o, n in zip(olds, news, strict=True)]
    after = [n.objects for n in news]
    scopes = _scopes(before, after, ha)
    changes: list[tuple[int, Change]] = []
    raw: list[tuple[int, Operation]] = []
    for where, (old_objs, new_objs) in scopes:
        found = cascade(unit_changes(old_objs, new_objs), old_objs, new_objs)
        changes += [(where, c) for c in found]
        raw += _ops(where, found, new_objs)
    start = [_start(b, a) for b, a in zip(before, after, strict=True)]
    target = [_start(a, b) for b, a in zip(before, after, strict=True)]
    annotated = _annotated(raw, _around(start, raw))
    edges = with_preferences(annotated, hard_edges(annotated))
    try:
        leveled = place(annotated, edges, ha)
    except ValueError as exc:
        raise PlanError(f"peer {name}: {exc}") from None
    apply_steps = _steps(annotated, leveled.level, leveled.order, ha)
    rollback_steps = _rollback(apply_steps, start, target)
    _check_reaches(name, "apply", start, apply_steps, target)
    _check_reaches(name, "rollback", target, rollback_steps, start)
    return PeerPlan(
        name,
        ha,
        group,
        hosts,
        old_hosts,
        tuple(changes),
        _gated(apply_steps, start, ha),
        _gated(rollback_steps, target, ha),
        tuple(start),
        tuple(target),
    )


Scope = tuple[int, tuple[Mapping[Key, Obj], Mapping[Key, Obj]]]


def _scopes(before: list[Mapping[Key, Obj]], after: list[Mapping[Key, Obj]], ha: bool) -> list[Scope]:
    """Synced objects once (the first unit's), each unit's device-local ones; a standalone unit
    holds everything itself."""
    if not ha:
        return [(0, (before[0], after[0]))]

    def pick(objs: Mapping[Key, Obj], synced: bool) -> dict[Key, Obj]:
        return {k: o for k, o in objs.items() if o.synced == synced}

    out: list[Scope] = [(SYNCED, (pick(before[0], True), pick(after[0], True)))]
    out += [(i, (pick(b, False), pick(a, False))) for i, (b, a) in enumerate(zip(before, after, strict=True))]
    return out


def _ops(where: int, changes: list[Change], new: Mapping[Key, Obj]) -> list[tuple[int, Operation]]:
    out = [(where, op) for c in changes for op in operations(c)]
    for group, member in bounces(changes, new):
        away, back = bounce_operations(group, member)
        out = [(where, away), *out, (where, back)]
    return out


def _annotated(
    ops: list[tuple[int, Operation]], around: list[tuple[Values | None, Values | None]]
) -> list[PlanOp]:
    replacing = _replacing(ops)
    return [
        annotate(op, w, b, a, n in replacing)
        for n, ((w, op), (b, a)) in enumerate(zip(ops, around, strict=True))
    ]


def _replacing(ops: list[tuple[int, Operation]]) -> set[int]:
    """Indexes of deletes a create of the same object follows (a replace under its own name)."""
    out = set()
    for n, (where, op) in enumerate(ops):
        later = ops[n + 1 :]
        if op.verb is Verb.DELETE and any(
            w == where and o.verb is Verb.CREATE and o.path == op.path for w, o in later
        ):
            out.add(n)
    return out


def _start(own: Mapping[Key, Obj], other: Mapping[Key, Obj]) -> dict[Key, Values]:
    """A unit's objects as values: `own`'s, and the existing objects only `other` changes, as
    they are before either change touches them."""
    state = {k: full(o, other.get(k)) for k, o in own.items()}
    state |= {k: dict(o.restore) for k, o in other.items() if k not in own and not o.created}
    return state


def _around(
    start: list[dict[Key, Values]], ops: Sequence[tuple[int, Operation]]
) -> list[tuple[Values | None, Values | None]]:
    """Each operation's object values before and after it, played in the given order."""
    states = _copy(start)
    out = []
    for where, op in ops:
        unit = states[0 if where == SYNCED else where]
        key = (op.kind.words, op.path)
        before = dict(unit[key]) if key in unit else None
        _play(states, where, op)
        out.append((before, dict(unit[key]) if key in unit else None))
    return out


def _copy(states: list[dict[Key, Values]]) -> list[dict[Key, Values]]:
    return [{k: dict(v) for k, v in s.items()} for s in states]


def _play(states: list[dict[Key, Values]], where: int, op: Operation) -> None:
    targets = range(len(states)) if where == SYNCED else (where,)
    for i in targets:
        try:
            apply(states[i], op)
        except ValueError as exc:
            raise PlanError(f"{op.text}: {exc}") from None


def _steps(ops: list[PlanOp], level: list[int], order: list[int], ha: bool) -> tuple[PlanStep, ...]:
    steps = []
    for number, lv in enumerate(sorted(set(level)), start=1):
        mine: dict[int, list[Operation]] = {}
        for j in order:
            if level[j] == lv:
                where = 0 if ops[j].where == SYNCED else ops[j].where
                mine.setdefault(where, []).append(ops[j].op)
        steps.append(PlanStep(number, ha and lv % 2 == 1, {i: tuple(o) for i, o in sorted(mine.items())}))
    return tuple(steps)


def _flat(steps: Iterable[PlanStep]) -> list[tuple[int, Operation]]:
    return [
        (SYNCED if step.synced else index, op)
        for step in steps
        for index, ops in step.ops.items()
        for op in ops
    ]


def _rollback(
    apply_steps: tuple[PlanStep, ...], start: list[dict[Key, Values]], target: list[dict[Key, Values]]
) -> tuple[PlanStep, ...]:
    """Each apply step undone, last first: each unit's operations inverted, in reverse, then put
    in dependency order within the step (a replaced self IP comes back before the tunnel that
    names its address points at it again)."""
    flat = _flat(apply_steps)
    befores = dict(zip(map(id, (op for _, op in flat)), (b for b, _ in _around(start, flat)), strict=True))
    states = _copy(target)
    out = []
    for number, step in enumerate(reversed(apply_steps), start=1):
        ops = {}
        for index, forward in step.ops.items():
            where = SYNCED if step.synced else index
            undo = [(where, inverse(op, befores[id(op)])) for op in reversed(forward)]
            ops[index] = tuple(op for _, op in _ordered(undo, states))
            for op in ops[index]:
                _play(states, where, op)
        out.append(PlanStep(number, step.synced, ops))
    return tuple(out)


def _ordered(
    ops: list[tuple[int, Operation]], states: list[dict[Key, Values]]
) -> list[tuple[int, Operation]]:
    """One unit's operations of one step in dependency order (their given order where free)."""
    annotated = _annotated(ops, _around(states, ops))
    return [ops[i] for i in topological(len(ops), hard_edges(annotated))]


def inverse(op: Operation, before: Values | None) -> Operation:
    """The operation that takes the object back to `before` (its values just before `op`)."""
    if op.verb is Verb.CREATE:
        return delete(op.kind, op.path, op.label)
    assert before is not None
    if op.verb is Verb.DELETE:
        return create(op.kind, op.path, before, op.label)
    values: dict[str, Value | None] = {}
    for name, value in op.values:
        values[name] = _back(op, name, value, before.get(name))
    return modify(op.kind, op.path, values, op.label)


def _back(op: Operation, name: str, value: Value, was: Value | None) -> Value:
    if isinstance(value, Entries) and value.op == "add":
        return Entries("delete", tuple(Item(i.name) for i in value.items))
    if isinstance(value, Entries) and value.op == "delete":
        had = {i.name: i for i in (was.items if isinstance(was, Entries) else ())}
        return Entries("add", tuple(had.get(i.name, i) for i in value.items))
    return set_value(op.kind, name, was)


def _check_reaches(
    peer: str,
    phase: str,
    start: list[dict[Key, Values]],
    steps: tuple[PlanStep, ...],
    goal: list[dict[Key, Values]],
) -> None:
    states = _copy(start)
    for where, op in _flat(steps):
        _play(states, where, op)
    for index, (got, want) in enumerate(zip(states, goal, strict=True)):
        kinds = {k: k[0] for k in (*got, *want)}
        wrong = sorted(
            k[1]
            for k in kinds
            if k not in got or k not in want or shown(got[k], _kind(k)) != shown(want[k], _kind(k))
        )
        if wrong:
            raise PlanError(f"peer {peer}, unit {index}: the {phase} operations miss {', '.join(wrong)}")


def _kind(key: Key) -> bigip.Kind:
    return bigip.BY_WORDS[key[0]]


def _gates(
    flat: list[tuple[int, Operation]],
    around: list[tuple[Values | None, Values | None]],
    needed: list[int],
    until: int,
) -> tuple[SyncGate, ...]:
    """What the second unit reads: each needed synced object as the syncs so far left it."""
    out: dict[str, SyncGate] = {}
    for i in needed:
        path = flat[i][1].path
        synced = [k for k in range(until) if flat[k][0] == SYNCED and flat[k][1].path == path]
        last, first = synced[-1], synced[0]
        after = around[last][1]
        if after is None:
            mode = "removed"
        elif around[first][0] is None:
            mode = "arrived"
        else:
            mode = "values"
        out[path] = SyncGate(flat[last][1], tuple((after or {}).items()), mode)
    return tuple(out.values())


def _gated(steps: tuple[PlanStep, ...], start: list[dict[Key, Values]], ha: bool) -> tuple[PlanStep, ...]:
    """Each second unit's step after a synced one first reads what it needs from that sync."""
    if not ha:
        return steps
    flat = _flat(steps)
    around = _around(start, flat)
    annotated = _annotated(flat, around)
    edges = hard_edges(annotated)
    position = {id(op): n for n, (_, op) in enumerate(flat)}
    out = []
    for step in steps:
        gates: dict[int, tuple[SyncGate, ...]] = {}
        for index, ops in step.ops.items():
            if step.synced or index == 0:
                continue
            mine = {position[id(op)] for op in ops}
            needed = sorted({i for i, j in edges if j in mine and annotated[i].where == SYNCED})
            if needed:
                gates[index] = _gates(flat, around, needed, min(mine))
        out.append(PlanStep(step.number, step.synced, step.ops, gates))
    return tuple(out)


# ---- the iApp path: the second unit's operations around one reconfigure ----------------------


@dataclass(frozen=True)
class SecondUnit:
    """A pair's second unit, when the first unit's part is one reconfigure and one config-sync:
    its operations that must run before (the synced objects the sync brings need them, or the
    sync removes what they let go of) and after (they need what the sync brings), with the sync
    gates of the latter. `conflict` says why one reconfigure cannot do it (an operation that must
    be both)."""

    before: tuple[Operation, ...] = ()
    after: tuple[Operation, ...] = ()
    gates: tuple[SyncGate, ...] = ()
    undo_before: tuple[Operation, ...] = ()  # rollback: undoes `after`, before the reconfigure back
    undo_after: tuple[Operation, ...] = ()  # undoes `before`, after it
    undo_gates: tuple[SyncGate, ...] = ()
    conflict: str = ""


def second_unit(pp: PeerPlan) -> SecondUnit:
    if not pp.ha:
        return SecondUnit()
    flat = _flat(pp.apply)
    start = list(pp.start)
    around = _around(start, flat)
    annotated = _annotated(flat, around)
    edges = hard_edges(annotated)
    synced = {n for n, (w, _) in enumerate(flat) if w == SYNCED}
    mine = [n for n, (w, _) in enumerate(flat) if w == 1]
    before = [n for n in mine if any(reaches(edges, n, i) for i in synced)]
    after = [n for n in mine if n not in before]
    both = [flat[n][1].text for n in before if any(reaches(edges, i, n) for i in synced)]
    if both:
        return SecondUnit(
            conflict=f"{pp.hostnames[1]} would have to run {both[0]!r} both before and after the "
            "reconfigure's config-sync"
        )
    befores = {n: around[n][0] for n in mine}
    ahead = [flat[n] for n in sorted(synced)]
    gates = _second_gates(ahead, [flat[n] for n in after], _played(start, [flat[n] for n in before]))
    target = list(pp.target)
    undo_before = _undo([flat[n][1] for n in after], befores, after, target)
    back = [(w, op) for step in pp.rollback if step.synced for w, op in _flat((step,))]
    midway = _played(target, [(1, op) for op in undo_before])
    undo_after = _undo([flat[n][1] for n in before], befores, before, _played(midway, back))
    undo_gates = _second_gates(back, [(1, op) for op in undo_after], midway)
    return SecondUnit(
        tuple(op for _, op in (flat[n] for n in before)),
        tuple(op for _, op in (flat[n] for n in after)),
        gates,
        undo_before,
        undo_after,
        undo_gates,
    )


def _undo(
    forward: list[Operation],
    befores: dict[int, Values | None],
    indexes: list[int],
    states: list[dict[Key, Values]],
) -> tuple[Operation, ...]:
    undo = [(1, inverse(op, befores[n])) for op, n in zip(reversed(forward), reversed(indexes), strict=True)]
    return tuple(op for _, op in _ordered(undo, states))


def _played(start: list[dict[Key, Values]], ops: list[tuple[int, Operation]]) -> list[dict[Key, Values]]:
    states = _copy(start)
    for where, op in ops:
        _play(states, where, op)
    return states


def _second_gates(
    synced: list[tuple[int, Operation]], mine: list[tuple[int, Operation]], start: list[dict[Key, Values]]
) -> tuple[SyncGate, ...]:
    """The gates before the second unit's `mine`, run after the synced operations `synced`."""
    flat = synced + mine
    around = _around(start, flat)
    annotated = _annotated(flat, around)
    edges = hard_edges(annotated)
    first = len(synced)
    needed = sorted({i for i, j in edges if j >= first and i < first})
    return _gates(flat, around, needed, first) if needed else ()
