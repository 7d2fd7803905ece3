"""One tmsh operation on one object, as a step file writes it: `create`, `modify` or `delete` of
a BIG-IP object, its properties in the vocabulary's order (generator/bigip.py).

The view-model (generator/context.py) decides which operations each device's step runs; the
step templates only print `operation.text`, and step titles, sync gates and the change board
describe the same operations, so a title can never name an object its file does not touch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

from generator import bigip


class Verb(StrEnum):
    CREATE = "create"
    MODIFY = "modify"
    DELETE = "delete"

    @property
    def word(self) -> str:
        """How a title says it."""
        return {Verb.CREATE: "create", Verb.MODIFY: "change", Verb.DELETE: "delete"}[self]


@dataclass(frozen=True)
class Item:
    """One entry of a braced list: a name and, optionally, its body (`1.1 { tagged }`,
    `/Common/10.0.0.1:80 { address 10.0.0.1 }`). Each body element is one line of the saved
    form (`tagged`, `address 10.0.0.1`)."""

    name: str
    body: tuple[str, ...] | None = None

    @property
    def text(self) -> str:
        return self.name if self.body is None else f"{self.name} {{ {' '.join(self.body)} }}"


@dataclass(frozen=True)
class Entries:
    """A braced list value with its tmsh list operator: `add { a b }`, `replace-all-with { … }`."""

    op: str  # add | replace-all-with | delete
    items: tuple[Item, ...]

    @property
    def text(self) -> str:
        return f"{self.op} {{ {' '.join(i.text for i in self.items)} }}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.items)


Value = str | Entries


def value_text(value: Value) -> str:
    return value if isinstance(value, str) else value.text


def entries(op: str, names: Iterable[str]) -> Entries:
    return Entries(op, tuple(Item(n) for n in names))


@dataclass(frozen=True)
class Operation:
    """`verb kind path name value …`: one line of a step file. `label` says, in words, which
    object it is ("the WAN VLAN", "this device's VM self IP"); a title is built from labels."""

    verb: Verb
    kind: bigip.Kind
    path: str
    values: tuple[tuple[str, Value], ...]
    label: str

    @property
    def text(self) -> str:
        words = [self.verb.value, self.kind.tmsh, self.path]
        words += [f"{name} {value_text(value)}" for name, value in self.values]
        return " ".join(words)

    @property
    def properties(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.values)

    def value(self, name: str) -> Value | None:
        return next((v for n, v in self.values if n == name), None)


def ordered(kind: bigip.Kind, values: Mapping[str, Value | None]) -> tuple[tuple[str, Value], ...]:
    """`values` in the vocabulary's order; unset (None) ones left out; any other name refused."""
    allowed = kind.properties + kind.modified_later
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"{kind.tmsh}: not in the vocabulary: {unknown}")
    return tuple((n, v) for n in allowed if (v := values.get(n)) is not None)


def create(kind: bigip.Kind, path: str, values: Mapping[str, Value | None], label: str) -> Operation:
    return Operation(Verb.CREATE, kind, path, ordered(kind, values), label)


def modify(kind: bigip.Kind, path: str, values: Mapping[str, Value | None], label: str) -> Operation:
    return Operation(Verb.MODIFY, kind, path, ordered(kind, values), label)


def delete(kind: bigip.Kind, path: str, label: str) -> Operation:
    return Operation(Verb.DELETE, kind, path, (), label)


@dataclass(frozen=True)
class ConfigObject:
    """An object as the device holds it after the change: its create values with every later
    modify applied, printed the way a saved configuration (and `tmsh list`) shows it."""

    kind: bigip.Kind
    path: str
    values: tuple[tuple[str, Value], ...]

    @property
    def stanza(self) -> str:
        lines = [f"{self.kind.tmsh} {self.path} {{"]
        for name, value in sorted(self.values):
            lines += _stanza_lines(name, value)
        return "\n".join([*lines, "}"])


def _stanza_lines(name: str, value: Value) -> list[str]:
    """One property in the saved form: a word, or a block (a list, and the keywords default and
    all of allow-service, which tmsh lists inside braces)."""
    if isinstance(value, str):
        if name == "allow-service" and value in ("default", "all"):
            return [f"    {name} {{", f"        {value}", "    }"]
        return [f"    {name} {value}"]
    lines = [f"    {name} {{"]
    for item in value.items:
        if item.body is None:
            lines.append(f"        {item.name}")
        else:
            lines += [f"        {item.name} {{", *(f"            {b}" for b in item.body), "        }"]
    return [*lines, "    }"]


def final_objects(operations: Iterable[Operation]) -> tuple[ConfigObject, ...]:
    """The objects `operations` create, each with the values later modifies set (in order).
    Objects are told apart by kind and path: a monitor may share its name with a tunnel."""
    objects: dict[tuple[tuple[str, ...], str], dict[str, Value]] = {}
    kinds: dict[tuple[tuple[str, ...], str], bigip.Kind] = {}
    for op in operations:
        key = (op.kind.words, op.path)
        if op.verb is Verb.CREATE:  # a secret is never printed: the unit holds it encrypted
            objects[key] = {n: v for n, v in op.values if n not in op.kind.secret}
            kinds[key] = op.kind
        elif op.verb is Verb.MODIFY and key in objects:
            objects[key].update(op.values)
        elif op.verb is Verb.DELETE:
            objects.pop(key, None)
    return tuple(ConfigObject(kinds[k], k[1], tuple(v.items())) for k, v in objects.items())


def title(operations: Iterable[Operation]) -> str:
    """What a step does, from its operations: "create the VM VLAN and the WAN VLAN; change the
    existing pool (monitor)". Consecutive operations with one verb share it; several changes to
    one object name it once, with the properties changed."""
    parts = []
    for verb, group in groupby(operations, key=lambda op: op.verb):
        labels: dict[str, list[str]] = {}
        for op in group:
            props = labels.setdefault(op.label, [])
            if verb is Verb.MODIFY:
                props += [p for p in op.properties if p not in props]
        named = [f"{label} ({', '.join(props)})" if props else label for label, props in labels.items()]
        parts.append(f"{verb.word} {join_and(named)}")
    return "; ".join(parts)


def join_and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
