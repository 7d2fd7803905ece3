"""The change-ticket runbook's rows: every file of every device, in the order to run them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

from generator.context import PeerContext, Role, SiteContext, VlanView
from generator.steps import PRECHECK_FILE, WORDS, Phase, verify_file

EXPECTED_STATE_FILE = "expected-state.conf"


@dataclass(frozen=True)
class Row:
    number: int
    peer: str
    device: str
    path: str  # relative to the version folder
    what: str
    expect: str
    step: int = 0  # apply or rollback step number; 0 for pre-check and verify rows
    slug: str = ""  # the step's slug ("" for pre-check and verify rows)


@dataclass(frozen=True)
class StopRow:
    """Where an apply stopped (the file that failed, which applied nothing) and which rollback
    file of that data center comes first; rollback files whose apply step never ran are skipped."""

    peer: str
    failed: str  # the apply file that failed
    start: str  # the first rollback file to run ("" when nothing was applied there)
    skip: tuple[str, ...]  # rollback files after `start` whose apply step never ran


@dataclass(frozen=True)
class Runbook:
    prechecks: tuple[Row, ...]
    apply: tuple[Row, ...]
    verify: tuple[Row, ...]
    rollback: tuple[Row, ...]
    stops: tuple[StopRow, ...] = ()


def build_runbook(ctx: SiteContext) -> Runbook:
    counter = count(1)
    prechecks = _device_rows(ctx.peers, counter, PRECHECK_FILE, "pre-check and UCS backup")
    apply = _step_rows(ctx.peers, counter, ctx.step_count, Phase.APPLY)
    verify = _device_rows(ctx.peers, counter, verify_file(ctx.step_count), "verification (read-only)")
    rollback = _step_rows(tuple(reversed(ctx.peers)), count(1), ctx.step_count, Phase.ROLLBACK)
    return Runbook(prechecks, apply, verify, rollback, _stops(ctx, apply, rollback))


def _stops(ctx: SiteContext, apply: tuple[Row, ...], rollback: tuple[Row, ...]) -> tuple[StopRow, ...]:
    """For each apply file that could fail: the rollback files of its data center that undo
    what ran before it, in rollback order (a failed file's transaction applied nothing)."""
    undoes = {ds.step.number: ds.step.undoes for p in ctx.peers for d in p.devices for ds in d.rollback}
    out = []
    for p in ctx.peers:
        rows = [r for r in apply if r.peer == p.name]
        back = [r for r in rollback if r.peer == p.name]
        for i, failed in enumerate(rows):
            ran = {(r.device, r.step) for r in rows[:i]}
            needed = [r for r in back if undoes.get(r.step) is None or (r.device, undoes[r.step]) in ran]
            if not ran:
                out.append(StopRow(p.name, failed.path, "", ()))
                continue
            first = needed[0]
            skipped = tuple(r.path for r in back[back.index(first) :] if r not in needed)
            out.append(StopRow(p.name, failed.path, first.path, skipped))
    return tuple(out)


def _device_rows(
    peers: tuple[PeerContext, ...], counter: Iterator[int], filename: str, what: str
) -> tuple[Row, ...]:
    """One read-only file per device, every device of both data centers."""
    return tuple(
        Row(
            next(counter),
            p.name,
            d.hostname,
            f"{p.name}/{d.hostname}/{filename}",
            what,
            "every Expect line matches",
        )
        for p in peers
        for d in p.devices
    )


def _step_rows(
    peers: tuple[PeerContext, ...], counter: Iterator[int], steps: int, phase: Phase
) -> tuple[Row, ...]:
    """Apply or rollback files of each peer in turn: step by step, devices in order."""
    label = f"{WORDS[phase].step_prefix}step"
    return tuple(
        Row(
            next(counter),
            p.name,
            d.hostname,
            f"{p.name}/{d.hostname}/{ds.filename}",
            f"{label} {ds.step.number}: {ds.title}",
            f"{ds.step.expect}; {ds.step.expect_pair}" if p.is_ha and ds.step.expect_pair else ds.step.expect,
            ds.step.number,
            ds.step.slug,
        )
        for p in peers
        for number in range(1, steps + 1)
        for d in p.devices
        for ds in d.plan(phase)
        if ds.step.number == number
    )


@dataclass(frozen=True)
class PeerSummary:
    name: str
    devices: str
    tunnel: str
    wan_vlan: str
    vm_vlan: str
    vlan_group: str
    floating: str
    device_selfs: tuple[str, ...]
    routing: str


GENERAL_INFERRED = (
    "tmsh ignores pasted lines that start with '#' [I].",
    "load sys config merge ... verify checks a file without changing the running configuration [C for the option, used by F5's Ansible bigip_config; I for this release line].",
    "Objects created by one unit's cli transaction can be referred to by later commands of the same transaction [I].",
    "Pool members create node objects (/Common/<address>) implicitly; rollback leaves them, as they may serve other pools [I].",
    "A tmsh line refused while pasting inside a cli transaction is not queued, and submit applies the rest; `delete cli transaction` discards the queue [I]: the headers say to read every reply before submit.",
    "modify cli preference pager disabled display-threshold 0 turns the pager off (F5's Ansible terminal plugin sends it [C]); it is a per-user preference that may persist [I].",
    "Routes in /Common are config-synced (F5's templates keep per-unit routes in a /LOCAL_ONLY folder to stop them syncing [C]), so the route to the other endpoint is created once, with the tunnel.",
)


def summarize(ctx: SiteContext) -> tuple[PeerSummary, ...]:
    out = []
    for p in ctx.peers:
        kind = f"HA pair, device group {p.device_group}" if p.is_ha else "standalone"
        wan, vm = p.created_vlan(Role.WAN), p.created_vlan(Role.VM)
        floating = (
            ", ".join(f"{s.address} on {s.vlan_path}" for s in (p.wan_floating, p.vm_floating) if s) or "none"
        )
        if p.is_ha and p.wan_floating is None:
            floating = f"{p.tunnel.local_address} (existing, WAN); {floating}"
        out.append(
            PeerSummary(
                name=p.name,
                devices=f"{', '.join(p.hostnames)} ({kind})",
                tunnel=f"{p.tunnel.path}: local {p.tunnel.local_address}, remote {p.tunnel.remote_address}",
                wan_vlan=_vlan_text(wan) if wan else f"{p.wan_vlan_path} (existing)",
                vm_vlan=_vlan_text(vm) if vm else f"{p.vm_vlan_path} (existing)",
                vlan_group=f"{p.vlan_group.path}: {' + '.join(p.vlan_group.members)}",
                floating=floating,
                device_selfs=tuple(
                    f"{d.hostname}: WAN {d.wan_self.address if d.wan_self else 'existing'}, VM {d.vm_self.address}"
                    for d in p.devices
                ),
                routing=_routing_text(p),
            )
        )
    return tuple(out)


def _routing_text(p: PeerContext) -> str:
    if p.route is not None:
        return f"route {p.route.path}: {p.route.network} via {p.route.gateway} (created)"
    if p.gateway is not None:
        return f"existing route to {p.tunnel.remote_address} (the pre-check lists it)"
    return f"on-link: {p.tunnel.remote_address} is in the WAN subnet"


def _vlan_text(v: VlanView) -> str:
    ifaces = ", ".join(f"{n} {m}" for n, m in v.interfaces)
    tag = f"tag {v.tag}" if v.tag else "tag auto"
    return f"{v.path} ({tag}; {ifaces}) created"


def inferred_facts(ctx: SiteContext) -> tuple[str, ...]:
    seen: list[str] = []
    for p in ctx.peers:
        for d in p.devices:
            for ds in d.steps + d.rollback:
                for fact in ds.inferred:
                    if fact not in seen:
                        seen.append(fact)
    return tuple(seen) + GENERAL_INFERRED
