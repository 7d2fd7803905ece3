"""What a site's change leaves on each unit: the state a plan moves between.

Per device of a site's view-model (generator/context.py): the objects its apply steps create,
with every later modify applied (`probes.expected_objects`, the objects of expected-state.conf),
and the existing objects they change (an existing pool's monitor rule and min-active-members, an
existing endpoint self IP's allow-service), with the values rollback puts back on them. A unit
holds its own device-local objects and every synced object of its peer (config-sync).

`apply` plays one operation on such a state, the way tmsh applies it to the object's
properties: the planner plays its own operations with it to know each object's values before an
operation (for its exact inverse) and to check, before anything is written, that the apply
operations reach NEW's state and the rollback operations OLD's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from generator import bigip
from generator.context import DeviceContext, PeerContext, SiteContext
from generator.lifecycle.forms import UNSET
from generator.operations import Entries, Item, Operation, Value, Verb
from generator.probes import expected_objects
from generator.steps import Phase

Key = tuple[tuple[str, ...], str]
Values = dict[str, Value]


@dataclass(frozen=True)
class Obj:
    """One object a unit holds because of the change."""

    kind: bigip.Kind
    path: str
    values: tuple[tuple[str, Value], ...]
    label: str  # how step titles name it ("the EtherIP tunnel to west")
    created: bool  # the change created it; False: an existing object it changed
    restore: tuple[tuple[str, Value], ...] = ()  # existing: the values rollback puts back

    @property
    def key(self) -> Key:
        return self.kind.words, self.path

    def get(self, name: str) -> Value | None:
        return dict(self.values).get(name)

    @property
    def synced(self) -> bool:
        group = self.get("traffic-group")
        return bigip.is_synced(self.kind.words, group if isinstance(group, str) else None)


@dataclass(frozen=True)
class UnitState:
    peer: str
    hostname: str
    index: int  # 0: the first unit (runs the synced steps)
    objects: Mapping[Key, Obj] = field(default_factory=dict)


def unit_states(ctx: SiteContext) -> dict[tuple[str, int], UnitState]:
    """(peer, device index) → what the change leaves on that unit."""
    return {(peer.name, device.index): _unit(peer, device) for peer in ctx.peers for device in peer.devices}


def _unit(peer: PeerContext, device: DeviceContext) -> UnitState:
    labels = {
        (op.kind.words, op.path): op.label
        for op in _held(peer, device, Phase.APPLY)
        if op.verb is Verb.CREATE
    }
    objects = {
        (o.kind.words, o.path): Obj(o.kind, o.path, o.values, labels[(o.kind.words, o.path)], True)
        for o in expected_objects(peer, device)
    }
    touched = _modified(peer, device, Phase.APPLY, set(labels))
    restored = _modified(peer, device, Phase.ROLLBACK, set(labels))
    for key, (kind, values, label) in touched.items():
        before = restored.get(key, (kind, {}, label))[1]
        objects[key] = Obj(kind, key[1], tuple(values.items()), label, False, tuple(before.items()))
    return UnitState(peer.name, device.hostname, device.index, objects)


def _held(peer: PeerContext, device: DeviceContext, phase: Phase) -> Iterator[Operation]:
    """The operations whose results this unit holds: its own, and the synced steps' of the first
    unit, step by step in run order."""
    steps = sorted({ds.step.number for d in peer.devices for ds in d.plan(phase)})
    for number in steps:
        for other in peer.devices:
            for ds in other.plan(phase):
                if ds.step.number == number and (other is device or ds.step.synced):
                    yield from ds.operations


def _modified(
    peer: PeerContext, device: DeviceContext, phase: Phase, created: set[Key]
) -> dict[Key, tuple[bigip.Kind, Values, str]]:
    """Existing objects the phase modifies on this unit: key → (kind, values set, label)."""
    out: dict[Key, tuple[bigip.Kind, Values, str]] = {}
    for op in _held(peer, device, phase):
        key = (op.kind.words, op.path)
        if op.verb is Verb.MODIFY and key not in created:
            entry = out.setdefault(key, (op.kind, {}, op.label))
            entry[1].update(op.values)
    return out


# ---- playing operations on a state ---------------------------------------------------------


def apply(state: dict[Key, Values], op: Operation) -> None:
    """`op` on `state` ({key: values}), as tmsh applies it; ValueError where tmsh would refuse."""
    key = (op.kind.words, op.path)
    if op.verb is Verb.CREATE:
        if key in state:
            raise ValueError(f"create {op.path}: exists")
        state[key] = dict(op.values)
    elif key not in state:
        raise ValueError(f"{op.verb.value} {op.path}: does not exist")
    elif op.verb is Verb.DELETE:
        del state[key]
    else:
        for name, value in op.values:
            state[key][name] = merged(state[key].get(name), value)


def merged(current: Value | None, value: Value) -> Value:
    """A property after `value` is written over `current`: list operators add and delete act on
    the list, anything else replaces it."""
    if not isinstance(value, Entries) or value.op == "replace-all-with":
        return value
    items = {i.name: i for i in current.items} if isinstance(current, Entries) else {}
    for item in value.items:
        if value.op == "add":
            items[item.name] = item
        else:
            items.pop(item.name, None)
    return Entries(current.op if isinstance(current, Entries) else "add", tuple(items.values()))


def canonical(value: Value | None) -> object:
    """A property as `tmsh list` shows it: a list's items without their order or operator;
    an empty list, none and unset are alike."""
    if isinstance(value, Entries):
        return frozenset(value.items) or None
    if value == "none":
        return None
    return value


def shown(values: Mapping[str, Value], kind: bigip.Kind) -> dict[str, object]:
    """Values as listed: the kind's defaults filled in (generator/lifecycle/forms.py UNSET too)."""
    defaults = {**kind.defaults, **{n: v for (k, n), v in UNSET.items() if k == kind.words}}
    merged_values = {**defaults, **values}
    return {n: c for n, v in merged_values.items() if (c := canonical(v)) is not None}


def items_of(value: Value | None) -> tuple[Item, ...]:
    return value.items if isinstance(value, Entries) else ()
