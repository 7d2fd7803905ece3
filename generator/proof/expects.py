"""Reading the `# Expect:` lines of a rendered file back into claims.

Independent of the generator's sentence builders (generator/expects.py): this module knows the
sentence forms as a grammar, reads them from the file's text, and returns a claim per read-only
command. A sentence it cannot read is a finding, so a template that prints a claim this reader
does not know fails `etherip check` instead of slipping through.

A claim is the Expect's first sentence: its lines up to the first one that ends a sentence
("." or '."'); later lines are notes for the operator and are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.proof.tmsh.script import ScriptError, split_commands


@dataclass(frozen=True)
class Claim:
    """What an Expect says. `kind` names the sentence form; `args` holds its values."""

    kind: str
    args: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()  # "values" claims: (property, value) in order
    selfs: tuple[tuple[str, str, str, str], ...] = ()  # "self-ips": address, vlan, tg, service claim


@dataclass(frozen=True)
class ReadLine:
    """A command of a file with the Expect just before it (None: no Expect)."""

    line: int
    command: str
    expect: tuple[str, ...] | None
    claim: Claim | None = None
    problem: str = ""  # why the Expect could not be read
    notes: tuple[str, ...] = field(default=())


_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("absent", r'"was not found": the change creates this object\.'),
        ("gone", r'"was not found": the change deleted it\.'),
        ("removed", r'"was not found": config-sync from (\S+) removed it\.'),
        ("arrived", r'listed \(not "was not found"\): it arrives by config-sync from (\S+)\.'),
        ("listed", r'listed \(not "was not found"\)(?:\.|: .+\.)'),
        ("noted", r"listed; write down (.+)\."),
        ("no-output", r"no output\."),
        ("version", r'Version (\S+) or \S+ in the "Sys::Version" listing \(.*\)\.'),
        ("sync", r"Status (.+?) \(device group (\S+)\)\."),
        ("failover", r"Failover (\w+): .+\."),
        ("no-route", r"no route with network (\S+) \(.+\)\."),
        (
            "route-covers",
            r"a route whose network covers (\S+) \(or network default\), its gw in the subnet of a self IP on vlan (\S+)\.",
        ),
        ("no-tag", r"no VLAN listed with tag ([0-9]+(?: or [0-9]+)*) \(.+\)\."),
        ("replies", r"0% packet loss: replies from (\S+?)(?: .*)?\."),
        ("routable", r"replies from (\S+); no reply alone is not conclusive .+ stop\."),
        (
            "pool-members",
            r'every member listed, with Availability "available" once the monitors have run \(about \d+ seconds\)\.',
        ),
        (
            "tunnel-traffic",
            r'"HC Incoming Octets" and "HC Outgoing Octets" above 0 after the pings above, .+\.',
        ),
        ("ucs-saved", r'"Saving active configuration\.\.\." then "/var/local/ucs/(\S+)\.ucs is saved\."'),
        ("self-ips", r"among the self IPs listed: (.+)\."),
        ("monitors-listed", r"monitors named (.+) listed \(each as ltm monitor <type> <name>, any type\)\."),
        (
            "vs-snat",
            r"every virtual server listed whose pool is (\S+) has source-address-translation type automap or snat\.",
        ),
        ("not-bridged", r"no VLAN group listed has (\S+) among its members\."),
        ("no-self-in", r"no self IP listed on vlan (\S+) has an address in (\S+)\."),
        ("no-ike-peer-for", r"no IKE peer listed with remote-address (\S+)\."),
        (
            "ipsec-sas",
            r"IPsec security associations for traffic selector (\S+): at least one with Direction in and one with Direction out, each State mature\.",
        ),
        ("ike-sa", r"an IKE security association with (\S+) listed\."),
    )
)
_ENTRY = r"[a-z0-9]+:[a-z0-9-]+"
_SELF = re.compile(
    r"address (\S+) \(vlan (\S+), traffic-group (\S+)(?:, allow-service (none|default|all|\{[^}]*\}))?"
    rf"(, admits IP protocol 97((?:, {_ENTRY})*(?: and {_ENTRY}))?)?\)"
)
_VALUE = re.compile(r"([a-z][a-z0-9-]*) (.+)")


def _sentence(lines: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The claim (lines up to the first sentence end, joined) and the notes after it."""
    parts = []
    for i, line in enumerate(lines):
        parts.append(line.strip())
        if line.rstrip().endswith((".", '."')):
            return " ".join(parts), lines[i + 1 :]
    return " ".join(parts), ()


def parse_claim(lines: tuple[str, ...]) -> Claim:
    """The claim of one Expect (its lines without the leading '# '); ValueError if unreadable."""
    if not lines or not lines[0].startswith("Expect: "):
        raise ValueError("not an Expect")
    text, _ = _sentence((lines[0][len("Expect: ") :], *lines[1:]))
    for kind, pattern in _FORMS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if kind == "self-ips":
            return Claim(kind, selfs=tuple(_self_entry(part) for part in m.group(1).split("; ")))
        return Claim(kind, tuple(g for g in m.groups() if g is not None))
    return Claim("values", values=_values(text))


def _self_entry(text: str) -> tuple[str, str, str, str]:
    m = _SELF.fullmatch(text)
    if m is None:
        raise ValueError(f"a self IP entry this reader does not know: {text[:80]!r}")
    address, vlan, group, exact, admits, extra = m.groups()
    if not admits:
        return address, vlan, group, exact or ""
    more = tuple(e for e in re.split(r", | and ", extra or "") if e)
    return address, vlan, group, " ".join(("admits", "97:0", *more))


def _values(text: str) -> tuple[tuple[str, str], ...]:
    if not text.endswith("."):
        raise ValueError(f"an Expect this reader does not know: {text[:80]!r}")
    pairs = []
    for part in text[:-1].split(", "):
        m = _VALUE.fullmatch(part)
        if m is None:
            raise ValueError(f"an Expect this reader does not know: {text[:80]!r}")
        pairs.append((m.group(1), m.group(2)))
    return tuple(pairs)


def read_lines(text: str) -> list[ReadLine]:
    """Every command of a tmsh file, each with the Expect (if any) in the comments just before it."""
    lines = text.split("\n")
    out = []
    try:
        commands = split_commands(text)
    except ScriptError as exc:
        return [ReadLine(exc.line, "", None, problem=str(exc))]
    for number, command in commands:
        comments: list[str] = []
        i = number - 2
        while i >= 0 and lines[i].startswith("#"):
            comments.insert(0, lines[i])
            i -= 1
        start = next((j for j, c in enumerate(comments) if c.startswith("# Expect: ")), None)
        if start is None:
            out.append(ReadLine(number, command, None))
            continue
        expect = tuple(c[2:] for c in comments[start:])
        try:
            claim = parse_claim(expect)
        except ValueError as exc:
            out.append(ReadLine(number, command, expect, problem=str(exc)))
            continue
        out.append(ReadLine(number, command, expect, claim, notes=_sentence(expect)[1]))
    return out
