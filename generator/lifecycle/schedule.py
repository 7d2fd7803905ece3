"""The order of a plan's operations: dependency order and HA order, in steps.

Each operation says what it needs to exist (and what no two objects may share: a name, a self
IP's address, a VLAN's tag or untagged interface [C: the site file's rules], a VLAN group's
member, which bridges in one group at a time [I]) (the objects its new values name; a tunnel's local
self IP by address; a route's gateway by a self IP's subnet), what it lets go of (what its old
values named), what it makes and what it removes. From that:
- it runs after what makes what it needs, and after what removed an object of the same name or
  address (a replace deletes before it creates: two self IPs may not share an address);
- a delete runs after everything that let go of the object;
- and, where nothing above forbids it, creates and additions go before deletes and removals, so
  a renamed object's users move to the new one before the old one goes (create, move, delete:
  docs/research/lifecycle-issue-20.md §2 and §3, order rules [I] built on F5's Declarative
  Onboarding, which does the same [C]).

Steps alternate between device-local operations (every unit runs its own) and synced ones (the
first unit only, then `run cm config-sync`), as the render's steps do; each operation goes into
the first step of its scope after everything it depends on. A standalone unit's operations are
all its own: one step where nothing forces more. Within a step, each unit's operations keep
dependency order inside one cli transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from generator import bigip
from generator.lifecycle.state import Values, items_of
from generator.operations import Operation, Verb

SYNCED = -1  # `where` of an operation on synced objects: the first unit, then config-sync


@dataclass(frozen=True)
class PlanOp:
    op: Operation
    where: int  # the device index that runs it, or SYNCED
    needs: frozenset[str] = frozenset()
    releases: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset()
    removes: frozenset[str] = frozenset()
    replacing: bool = False  # the delete of a replace under the same name: its create follows

    @property
    def adds(self) -> bool:
        return bool(self.needs or self.provides) and not (self.releases or self.removes)

    @property
    def drops(self) -> bool:
        return bool(self.releases or self.removes) and not (self.needs or self.provides)


def annotate(
    op: Operation, where: int, before: Values | None, after: Values | None, replacing: bool = False
) -> PlanOp:
    """What `op` needs, lets go of, makes and removes, from the object's values around it."""
    kind = op.kind
    refs_before = references(kind, before) if before is not None else set()
    refs_after = references(kind, after) if after is not None else set()
    made_before = made(kind, op.path, before) if before is not None else set()
    made_after = made(kind, op.path, after) if after is not None else set()
    return PlanOp(
        op,
        where,
        frozenset(refs_after - refs_before),
        frozenset(refs_before - refs_after),
        frozenset(made_after - made_before),
        frozenset(made_before - made_after),
        replacing,
    )


def references(kind: bigip.Kind, values: Mapping[str, object]) -> set[str]:
    """What an object's values name: paths (p:), a tunnel's local address (a:), a route's
    gateway (g:)."""
    words = kind.words
    found: set[str] = set()
    if words == bigip.SELF_IP.words and values.get("vlan"):
        found.add(f"p:{values['vlan']}")
    elif words == bigip.VLAN_GROUP.words:
        found |= {f"p:{i.name}" for i in items_of(values.get("members"))}  # type: ignore[arg-type]
    elif words == bigip.MONITOR.words and values.get("pool"):
        found.add(f"p:{values['pool']}")
    elif words == bigip.POOL.words and isinstance(values.get("monitor"), str):
        found |= {f"p:{m}" for m in str(values["monitor"]).split(" and ") if m != "none"}
    elif words == bigip.TUNNEL.words and values.get("local-address"):
        found.add(f"a:{values['local-address']}")
    elif words == bigip.ROUTE.words and values.get("gw"):
        found.add(f"g:{values['gw']}")
    return found


def made(kind: bigip.Kind, path: str, values: Mapping[str, object]) -> set[str]:
    """What an object is, for what refers to it or may not share it: its path; a self IP also its
    address and subnet; a VLAN its tag (t:) and its untagged interfaces (u:), which no other VLAN
    of the unit may have (the site file's rules, and tmsh's [I])."""
    out = {f"p:{path}"}
    address = values.get("address")
    if kind.words == bigip.SELF_IP.words and isinstance(address, str):
        iface = IPv4Interface(address)
        out |= {f"a:{iface.ip}", f"n:{iface.network}"}
    if kind.words == bigip.VLAN_GROUP.words:
        out |= {f"m:{i.name}" for i in items_of(values.get("members"))}  # type: ignore[arg-type]
    if kind.words == bigip.VLAN.words:
        if values.get("tag"):
            out.add(f"t:{values['tag']}")
        interfaces = values.get("interfaces")
        out |= {f"u:{i.name}" for i in items_of(interfaces) if i.body == ("untagged",)}  # type: ignore[arg-type]
    return out


def _serves(resource: str, wanted: str) -> bool:
    """Whether `resource` (made or removed) is what `wanted` (needed or let go) names."""
    if resource == wanted:
        return True
    if resource.startswith("n:") and wanted.startswith("g:"):
        return IPv4Address(wanted[2:]) in IPv4Network(resource[2:])
    return False


def _related(a: PlanOp, b: PlanOp) -> bool:
    """Two operations can depend on each other: synced ones reach every unit."""
    return a.where == b.where or SYNCED in (a.where, b.where)


def hard_edges(ops: Sequence[PlanOp]) -> set[tuple[int, int]]:
    """(before, after) index pairs that must hold."""
    edges: set[tuple[int, int]] = set()
    for j, later in enumerate(ops):
        for i, earlier in enumerate(ops):
            if (
                i != j
                and _related(earlier, later)
                and (_same_object(i, j, ops) or _must_precede(earlier, later))
            ):
                edges.add((i, j))
    return edges


def _same_object(i: int, j: int, ops: Sequence[PlanOp]) -> bool:
    """One object's create stays before, and its delete after, its other operations (its
    modifies set different properties or list items, so they may go in any order)."""
    a, b = ops[i].op, ops[j].op
    ends = Verb.MODIFY not in (a.verb, b.verb) or a.verb is not b.verb
    return i < j and a.kind == b.kind and a.path == b.path and ends


def _must_precede(a: PlanOp, b: PlanOp) -> bool:
    makes_need = any(_serves(r, w) for r in a.provides for w in b.needs)
    # A tunnel or route names a self IP by address or subnet, not by name: a replace of that
    # self IP (same name, new address) deletes and creates it in one transaction and the tunnel
    # or route follows it there [I: docs/research/lifecycle-issue-20.md §3, rule 3].
    lets_go = any(
        _serves(r, w) for r in b.removes for w in a.releases if w.startswith("p:") or not b.replacing
    )
    frees_name = any(r == w and not r.startswith("n:") for r in a.removes for w in b.provides)  # p: a: t: u:
    return makes_need or lets_go or frees_name


def with_preferences(ops: Sequence[PlanOp], edges: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Creates and additions before deletes and removals, wherever no edge forbids it."""
    out = set(edges)
    for i, a in enumerate(ops):
        for j, b in enumerate(ops):
            if a.adds and b.drops and _related(a, b) and not reaches(out, j, i):
                out.add((i, j))
    return out


def reaches(edges: set[tuple[int, int]], start: int, goal: int) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for a, b in edges:
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return False


@dataclass
class Leveled:
    """Operations placed in levels: even levels device-local, odd ones synced."""

    ops: list[PlanOp]
    level: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)  # a topological order of the indexes


def place(ops: list[PlanOp], edges: set[tuple[int, int]], ha: bool) -> Leveled:
    order = topological(len(ops), edges)
    level = [0] * len(ops)
    for j in order:
        synced = ha and ops[j].where == SYNCED
        low = 1 if synced else 0
        for i, k in edges:
            if k == j:
                same = (ops[i].where == SYNCED and ha) == synced
                low = max(low, level[i] + (0 if same else 1))
        if (low % 2 == 1) != synced:
            low += 1
        level[j] = low
    return Leveled(ops, level, order)


def topological(count: int, edges: set[tuple[int, int]]) -> list[int]:
    indegree = [0] * count
    for _, b in edges:
        indegree[b] += 1
    ready = [n for n in range(count) if indegree[n] == 0]
    order: list[int] = []
    while ready:
        node = min(ready)
        ready.remove(node)
        order.append(node)
        for a, b in sorted(edges):
            if a == node:
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    if len(order) != count:
        raise ValueError("the plan's operations depend on each other in a circle")
    return order
