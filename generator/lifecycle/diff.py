"""What changes on each unit between OLD's state and NEW's (generator/lifecycle/state.py):
one `Change` per object, `+ create`, `~ modify` (each property old → new), `- delete`, or
`-/+ replace` with its reason (generator/lifecycle/forms.py), and the tmsh operations of each.

Objects are compared per unit: synced objects once, on the first unit (config-sync carries
them), device-local objects on each unit. An object under a new name is a replace of the old one
(paired by what it is: "the EtherIP tunnel to west"); an object replaced under its own name
takes along what refers to it and cannot keep doing so meanwhile: a self IP on a replaced VLAN is
replaced too, a VLAN group lets the member go and takes it back. Existing objects the change
modifies (create: false) are never created or deleted: they go from the values OLD gives them
to NEW's, and back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from generator import bigip
from generator.expects import short
from generator.lifecycle.forms import CASCADE, RENAMED, UNSET, form
from generator.lifecycle.state import Key, Obj, items_of, shown
from generator.operations import Entries, Item, Operation, Value, create, delete, modify


class Action(StrEnum):
    CREATE = "+ create"
    MODIFY = "~ modify"
    DELETE = "- delete"
    REPLACE = "-/+ replace"


@dataclass(frozen=True)
class PropChange:
    name: str
    old: Value | None
    new: Value | None


@dataclass(frozen=True)
class Change:
    """One object's change on one unit (or, synced, on the first unit for the pair)."""

    action: Action
    old: Obj | None
    new: Obj | None
    props: tuple[PropChange, ...] = ()
    reason: str = ""  # a replace: why

    @property
    def obj(self) -> Obj:
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def renamed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.path != self.new.path

    def line(self) -> str:
        """The plan's one line for this object."""
        o = self.obj
        head = f"{self.action.value} {o.kind.tmsh} {self.old.path if self.renamed and self.old else o.path}"
        if self.renamed and self.new:
            head += f" → {self.new.path}"
        props = "; ".join(f"{p.name}: {shown_value(p.old)} → {shown_value(p.new)}" for p in self.props)
        text = f"{head}: {props}" if props else head
        return f"{text} ({self.reason})" if self.reason else text


def shown_value(value: Value | None) -> str:
    """A property as the plan prints it: names without /Common/, lists in braces."""
    if value is None:
        return "(unset)"
    if isinstance(value, Entries):
        return "{ " + " ".join(short(i.name) for i in value.items) + " }" if value.items else "{ }"
    return " and ".join(short(part) for part in value.split(" and "))


# ---- comparing two units -------------------------------------------------------------------


def unit_changes(old: Mapping[Key, Obj], new: Mapping[Key, Obj]) -> list[Change]:
    """Every change from `old` to `new` (one unit's objects of one scope), in a stable order."""
    changes: list[Change] = []
    for key in [k for k in new if k in old]:
        found = _compare(old[key], new[key])
        if found is not None:
            changes.append(found)
    gone = [o for k, o in old.items() if k not in new and o.created]
    added = [o for k, o in new.items() if k not in old and o.created]
    for o in added:
        twin = next((g for g in gone if g.kind == o.kind and g.label == o.label), None)
        if twin is not None:
            gone.remove(twin)
            changes.append(Change(Action.REPLACE, twin, o, _props(twin, o), RENAMED))
        else:
            changes.append(Change(Action.CREATE, None, o))
    changes += [Change(Action.DELETE, g, None) for g in gone]
    changes += [
        _existing_only(o, present_in_new=False) for k, o in old.items() if k not in new and not o.created
    ]
    changes += [
        _existing_only(o, present_in_new=True) for k, o in new.items() if k not in old and not o.created
    ]
    return changes


def full(o: Obj, other: Obj | None) -> dict[str, Value]:
    """An object's values as the unit holds them: an existing object's untouched properties are
    what rollback restores (from either side)."""
    if o.created:
        return dict(o.values)
    restored = {**(dict(other.restore) if other else {}), **dict(o.restore)}
    return {**restored, **dict(o.values)}


def _existing_only(o: Obj, *, present_in_new: bool) -> Change:
    """An existing object only one side changes: from its own values back to what it had, or
    from what it had to NEW's."""
    before = Obj(o.kind, o.path, o.restore, o.label, False)
    old, new = (before, o) if present_in_new else (o, before)
    return Change(Action.MODIFY, old, new, _props(old, new))


def _compare(old: Obj, new: Obj) -> Change | None:
    props = _props(old, new)
    if not props:
        return None
    forms = [form(new.kind, p.name, p.old, p.new) for p in props]
    refused = next((f for f in forms if not f.in_place), None)
    if refused is not None and old.created:
        return Change(Action.REPLACE, old, new, props, refused.source)
    return Change(Action.MODIFY, old, new, props)


def _props(old: Obj, new: Obj) -> tuple[PropChange, ...]:
    a, b = full(old, new), full(new, old)
    sa, sb = shown(a, new.kind), shown(b, new.kind)
    names = [n for n in new.kind.properties + new.kind.modified_later if sa.get(n) != sb.get(n)]
    return tuple(PropChange(n, a.get(n), b.get(n)) for n in names)


def cascade(changes: list[Change], old: Mapping[Key, Obj], new: Mapping[Key, Obj]) -> list[Change]:
    """Objects replaced under their own name take what refers to them along: a self IP on one is
    replaced too (it cannot point elsewhere meanwhile); a VLAN group keeps its own change, and
    its operations let the member go and take it back (`bounces`)."""
    replaced = {c.obj.path for c in changes if c.action is Action.REPLACE and not c.renamed}
    touched = {c.obj.key for c in changes}
    grew = True
    while grew:
        grew = False
        for key, o in new.items():
            if key in touched or key not in old or o.kind is not bigip.SELF_IP:
                continue
            if o.get("vlan") in replaced:
                changes.append(Change(Action.REPLACE, old[key], o, (), CASCADE))
                touched.add(key)
                replaced.add(o.path)
                grew = True
    return changes


def bounces(changes: list[Change], new: Mapping[Key, Obj]) -> list[tuple[Obj, str]]:
    """(VLAN group, member) for each member replaced under its own name, in a group kept."""
    replaced = {c.obj.path for c in changes if c.action is Action.REPLACE and not c.renamed}
    kept = {c.obj.key for c in changes if c.action in (Action.REPLACE, Action.DELETE, Action.CREATE)}
    out = []
    for key, o in new.items():
        if o.kind is bigip.VLAN_GROUP and key not in kept:
            out += [(o, i.name) for i in items_of(o.get("members")) if i.name in replaced]
    return out


# ---- the operations of a change --------------------------------------------------------------


def operations(change: Change) -> Iterator[Operation]:
    """The tmsh operations of one change, in an order that holds on their own (the planner then
    orders them among the others)."""
    old, new = change.old, change.new
    if change.action is Action.CREATE and new:
        yield from _create(new, dict(new.values))
    elif change.action is Action.DELETE and old:
        yield from _delete(old)
    elif change.action is Action.REPLACE and old and new:
        if change.renamed:
            yield from _create(new, dict(new.values))
            yield from _delete(old)
        else:
            yield from _delete(old)
            yield from _create(new, dict(new.values))
    elif new:
        yield from _modifies(new, change.props)


def _create(o: Obj, values: dict[str, Value]) -> Iterator[Operation]:
    """A create without the properties set later (a pool's monitor rule names the monitor,
    whose pool names the pool), then a modify setting them."""
    later = {n: values.pop(n) for n in o.kind.modified_later if n in values}
    yield create(o.kind, o.path, values, o.label)
    if later:
        yield modify(o.kind, o.path, dict(later), o.label)


def _delete(o: Obj) -> Iterator[Operation]:
    """A delete, after a modify that lets go of what the object names where something else may
    have to go first: a pool's monitor rule (its monitor names the pool), a VLAN group's members
    (a VLAN or tunnel bridges in one VLAN group at a time, so a new group can take them only
    once this one let them go; generator/lifecycle/schedule.py)."""
    later = {n: UNSET[(o.kind.words, n)] for n in o.kind.modified_later if o.get(n) is not None}
    if later:
        yield modify(o.kind, o.path, dict(later), o.label)
    members = items_of(o.get("members"))
    if o.kind is bigip.VLAN_GROUP and members:
        release = Entries("delete", tuple(Item(i.name) for i in members))
        yield modify(o.kind, o.path, {"members": release}, o.label)
    yield delete(o.kind, o.path, o.label)


def _modifies(o: Obj, props: tuple[PropChange, ...]) -> Iterator[Operation]:
    """One modify for the properties set, and for a list of members one that adds and one that
    deletes (tmsh's list operators: what is moved never leaves the list meanwhile)."""
    values: dict[str, Value | None] = {}
    adds, drops = [], []
    for p in props:
        if p.name == "members":
            before = {i.name for i in items_of(p.old)}
            after = {i.name for i in items_of(p.new)}
            adds += [i for i in items_of(p.new) if i.name not in before]
            drops += [Item(i.name) for i in items_of(p.old) if i.name not in after]
        else:
            values[p.name] = set_value(o.kind, p.name, p.new)
    if adds:
        yield modify(o.kind, o.path, {"members": Entries("add", tuple(adds))}, o.label)
    if any(v is not None for v in values.values()):
        yield modify(o.kind, o.path, values, o.label)
    if drops:
        yield modify(o.kind, o.path, {"members": Entries("delete", tuple(drops))}, o.label)


def set_value(kind: bigip.Kind, name: str, value: Value | None) -> Value:
    """What a modify writes to give the property `value`: a list in full (replace-all-with),
    a word, or, for unset, the value tmsh shows then (forms.UNSET)."""
    if value is None or (isinstance(value, Entries) and not value.items):
        unset = UNSET.get((kind.words, name))
        if unset is None:
            raise ValueError(f"{kind.tmsh} {name}: no form unsets it")  # forms.form made it a replace
        return unset
    if isinstance(value, Entries):
        return replace(value, op="replace-all-with")
    return value


def bounce_operations(group: Obj, member: str) -> tuple[Operation, Operation]:
    """A VLAN group lets a member go before it is replaced, and takes it back after."""
    label = group.label
    away = modify(group.kind, group.path, {"members": Entries("delete", (Item(member),))}, label)
    back = modify(group.kind, group.path, {"members": Entries("add", (Item(member),))}, label)
    return away, back
