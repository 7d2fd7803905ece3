"""What a change advisory board reads before the runbook: impact and risk, duration and the
window to ask for, roles per data center and team, what to have ready, the go/no-go points
between the data centers, the vMotion test, and when to roll back.

Durations are planning estimates [I], per file run by hand (paste, read the output, compare
with "Expect"); the per-step figures are constants here so a team can adjust them in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.context import PeerContext, SiteContext
from generator.mtu import DOT1Q_TAG
from generator.operations import Value, Verb
from generator.runbook import Row, Runbook
from generator.steps import Phase, plan
from generator.traffic import Paragraphs, traffic_sections

PRECHECK_MIN = 10  # read-only checks plus `save sys ucs` and copying the UCS off the box
VERIFY_MIN = 5
# Per apply step (by slug); the rollback step that undoes one takes as long.
STEP_MIN = {"local-network": 5, "tunnel": 5, "ike-peer": 5, "vlan-group": 5, "pool-monitor": 5, "save": 3}
GATE_MIN = 5  # each go/no-go call
VMOTION_TEST_MIN = 20  # there and back, watching the connection
WINDOW_MARGIN_MIN = 30
UCS_RESTORE_MIN = 20  # one unit: fail over, force offline, load the UCS, wait for the config load [I]
WINDOW_ROUND_MIN = 30


@dataclass(frozen=True)
class DurationRow:
    what: str
    runs: int  # files run (devices x steps), or 1 for a call or a test
    minutes: int


@dataclass(frozen=True)
class GoNoGo:
    """A go/no-go point: what must be true to go on, and what to do when it is not."""

    after: str
    go_when: tuple[str, ...]
    no_go: str


@dataclass(frozen=True)
class PeerPage:
    """One data center's part of the runbook: its team, its rows, and the gate after it."""

    name: str
    hostnames: tuple[str, ...]
    apply: tuple[Row, ...]
    gate: GoNoGo


@dataclass(frozen=True)
class Board:
    impact: tuple[str, ...]
    risks: tuple[tuple[str, str, str], ...]  # what could go wrong, blast radius, what limits it
    durations: tuple[DurationRow, ...]
    per_file: tuple[tuple[str, int], ...]  # estimate per file run or call, in minutes
    total_min: int
    rollback_min: int
    window_min: int
    ucs_restore_min: int
    ucs_restore: tuple[str, ...]  # how to restore a unit's UCS backup, step by step
    roles: tuple[tuple[str, tuple[str, ...]], ...]  # team, one cell per data center
    have_ready: tuple[str, ...]
    mtu_lines: tuple[str, ...]  # the MTU prerequisites, with the numbers of this site
    path_lines: tuple[str, ...]  # what the firewalls and each endpoint's lockdown must let through
    traffic: tuple[Paragraphs, ...]  # CHANGE.md "Traffic" (generator/traffic.py)
    host_tasks: tuple[str, ...]  # what a vCMP host or F5OS must do for a guest or tenant unit
    precheck_gate: GoNoGo
    pages: tuple[PeerPage, ...]
    verify_gate: GoNoGo
    vmotion_test: tuple[str, ...]
    rollback_triggers: tuple[str, ...]


def build_board(ctx: SiteContext, runbook: Runbook) -> Board:
    durations = _durations(ctx, runbook)
    total = sum(d.minutes for d in durations)
    rollback = sum(_step_minutes(r) for r in runbook.rollback)
    window = (
        math.ceil((total + rollback + UCS_RESTORE_MIN + WINDOW_MARGIN_MIN) / WINDOW_ROUND_MIN)
        * WINDOW_ROUND_MIN
    )
    a, b = ctx.peers
    return Board(
        impact=_impact(ctx),
        risks=_risks(ctx),
        durations=durations,
        per_file=(
            ("pre-check and UCS backup", PRECHECK_MIN),
            *((f"step {s.number}", STEP_MIN[s.slug]) for s in plan(Phase.APPLY, key_step=_key_step(ctx))),
            ("verify", VERIFY_MIN),
            ("go/no-go call", GATE_MIN),
            ("vMotion test", VMOTION_TEST_MIN),
        ),
        total_min=total,
        rollback_min=rollback,
        window_min=window,
        ucs_restore_min=UCS_RESTORE_MIN,
        ucs_restore=_ucs_restore(ctx),
        roles=_roles(ctx),
        have_ready=_have_ready(ctx),
        mtu_lines=_mtu_lines(ctx),
        path_lines=_path_lines(ctx),
        traffic=traffic_sections(ctx),
        host_tasks=_host_tasks(ctx),
        precheck_gate=GoNoGo(
            "the pre-checks",
            (
                "every Expect line of every pre-check matched, on every device of both data centers",
                "each UCS archive is copied off the box (see Have ready)",
                "the network team confirmed the WAN prerequisites (Before the change window)",
                "the network team confirmed the VM VLAN is not stretched between the data centers yet (Have ready)",
                (
                    f"the return path is settled: {ctx.return_path} (Traffic, Return path)"
                    if ctx.return_path
                    else "the change lead confirmed how a moved VM's replies come back (Traffic, Return path)"
                ),
            ),
            "stop: nothing has changed yet; close the change as not done",
        ),
        pages=tuple(
            PeerPage(
                p.name,
                p.hostnames,
                tuple(r for r in runbook.apply if r.peer == p.name),
                _peer_gate(p, nxt),
            )
            for p, nxt in ((a, b), (b, None))
        ),
        verify_gate=GoNoGo(
            "verification and the vMotion test",
            (
                "every Expect line of every verify file matched",
                "the vMotion test kept its connection, both ways",
            ),
            "roll back both data centers (Rollback below) when a rollback trigger below is met",
        ),
        vmotion_test=_vmotion_test(ctx),
        rollback_triggers=_rollback_triggers(rollback),
    )


def _step_minutes(row: Row) -> int:
    return STEP_MIN[row.slug]


def _key_step(ctx: SiteContext) -> bool:
    return ctx.ipsec is not None and ctx.ipsec.psk


def _durations(ctx: SiteContext, runbook: Runbook) -> tuple[DurationRow, ...]:
    rows = [
        DurationRow(
            "pre-checks and UCS backup", len(runbook.prechecks), PRECHECK_MIN * len(runbook.prechecks)
        )
    ]
    rows.append(DurationRow("go/no-go after the pre-checks", 1, GATE_MIN))
    for p in ctx.peers:
        apply = [r for r in runbook.apply if r.peer == p.name]
        rows.append(DurationRow(f"apply in {p.name}", len(apply), sum(_step_minutes(r) for r in apply)))
        rows.append(DurationRow(f"go/no-go after {p.name}", 1, GATE_MIN))
    rows.append(DurationRow("verification", len(runbook.verify), VERIFY_MIN * len(runbook.verify)))
    rows.append(DurationRow("vMotion test", 1, VMOTION_TEST_MIN))
    return tuple(rows)


@dataclass(frozen=True)
class ExistingChange:
    """One property of an object that existed before the change, as apply sets it."""

    peers: tuple[str, ...]  # the data centers where it changes
    label: str  # "the existing pool", "the existing endpoint self IP x"
    path: str
    prop: str
    before: str
    after: str


def existing_changes(ctx: SiteContext) -> tuple[ExistingChange, ...]:
    """Every property of an existing object the apply steps change, before → after: from the
    first unit's apply operations (after) and rollback operations (before) of each peer."""
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for p in ctx.peers:
        first = p.devices[0]
        before = {
            (op.path, name): _shown(value)
            for ds in first.rollback
            for op in ds.operations
            if op.verb is Verb.MODIFY
            for name, value in op.values
        }
        for ds in first.steps:
            for op in ds.operations:
                if op.verb is not Verb.MODIFY or not op.label.startswith("the existing"):
                    continue
                for name, value in op.values:
                    key = (
                        op.label,
                        op.path,
                        name,
                        f"{before.get((op.path, name), '?')}\0{_shown(value)}",
                    )
                    found.setdefault(key, []).append(p.name)
    return tuple(
        ExistingChange(tuple(peers), label, path, prop, *both.split("\0"))
        for (label, path, prop, both), peers in found.items()
    )


def _shown(value: Value) -> str:
    """A value as the board reads it: list entries without the tmsh list operator."""
    return value if isinstance(value, str) else " ".join(value.names)


def _change_line(c: ExistingChange) -> str:
    where = " and ".join(c.peers)
    text = f"In {where}: {c.label} `{c.path}`: {c.prop} `{c.before}` → `{c.after}`"
    if c.prop == "min-active-members":
        text += _priority_effect(int(c.before), int(c.after))
    elif c.prop == "monitor":
        text += ": the Virtual Location monitor joins the rule; the pool's own health monitors stay"
    elif c.prop == "allow-service":
        text += ": port lockdown of the tunnel's local address now admits EtherIP (IP protocol 97)"
    return text + "; verify reads it back, rollback puts the old value back."


def _priority_effect(before: int, after: int) -> str:
    """What min-active-members does (F5: the minimum number of members that must be available in
    one priority group before traffic goes to a lower one; 0 turns priority-group activation off
    [C: F5 help text, f5-ansible bigip_pool])."""
    if before == after:
        return " (unchanged)"
    if before == 0:
        return (
            ": this turns priority-group activation on: traffic goes to the highest-priority group with at "
            "least one member available, so the Virtual Location monitor's lower priority for remote members counts"
        )
    return (
        f": priority-group activation stays on, with the threshold lowered from {before} to {after}: the "
        f"highest-priority group keeps its traffic until its last member is down, where before it spilled "
        f"over to a lower group when fewer than {before} were available"
    )


def _impact(ctx: SiteContext) -> tuple[str, ...]:
    pool = ctx.pool
    changes = existing_changes(ctx)
    pool_line = (
        f"Pool `{pool.path}` is created by this change; no traffic uses it until a virtual server does."
        if pool.create
        else f"Existing pool `{pool.path}`: traffic through every virtual server that uses it is touched "
        "(its changes are listed below)."
    )
    existing = sorted({v for p in ctx.peers for v in p.existing_vlans})
    lines = [
        pool_line,
        *(_change_line(c) for c in changes),
        (
            "The VM VLAN of each data center is bridged to the other data center through the EtherIP tunnel "
            f"(VLAN group, VM subnet `{ctx.vm_subnet}`): broadcast and unknown-unicast frames of that segment "
            f"cross the WAN from step {ctx.step_number('vlan-group')} on."
        ),
        "Config-sync (HA pairs) pushes the first unit's whole configuration to its peer, not only these objects.",
        *(
            (
                (
                    "EtherIP between the data centers is encrypted and authenticated by IPsec ESP (Traffic, IPsec): from "
                    "step 2 on it must be, so the tunnel carries nothing until both data centers hold their IPsec "
                    "objects and IKE has come up."
                ),
            )
            if ctx.ipsec
            else ()
        ),
        (
            "Expected impact on existing traffic when every Expect line matches: "
            + ("the changes to existing objects above; " if changes else "none; ")
            + "connections to a VM now survive its vMotion to the other data center [I]."
        ),
    ]
    if existing:
        lines.insert(
            1, "Existing VLANs referenced, not changed: " + ", ".join(f"`{v}`" for v in existing) + "."
        )
    return tuple(lines)


def _risks(ctx: SiteContext) -> tuple[tuple[str, str, str], ...]:
    pool = ctx.pool.path
    return (
        (
            "the Virtual Location monitor marks members down",
            f"every virtual server using `{pool}`",
            "rollback step 1 removes the monitor first; verify shows the member status",
        ),
        (
            "a bridging loop or flood through the VLAN group",
            f"the VM segment `{ctx.vm_subnet}` in both data centers",
            "rollback step 2 removes the VLAN group; bridge-in-standby is disabled",
        ),
        (
            f"the WAN drops {'IP protocol 97' if ctx.ipsec is None else _ipsec_protocols(ctx, 'or')}, or packets above {ctx.mtu.wan_required} bytes",
            "only connections of VMs moved to the other data center",
            (
                f"verify's don't-fragment pings ({ctx.mtu.wan_required} bytes across the WAN, {ctx.mtu.tunnel} through the "
                "tunnel) and the vMotion test show it before the change is closed"
            ),
        ),
        *(
            (
                (
                    "IKE does not complete (a key, algorithm or address differs between the data centers)",
                    "only connections of VMs moved to the other data center",
                    "verify lists the IPsec security associations before the vMotion test; rollback removes IPsec with the tunnel",
                ),
            )
            if ctx.ipsec
            else ()
        ),
        (
            "config-sync pushes unrelated pending changes",
            "the whole device group",
            "the pre-check requires In Sync before step 1",
        ),
        (
            "a new self IP address is already in use",
            "the WAN or VM subnet of that data center",
            "the network team confirms the addresses are free (Have ready)",
        ),
    )


def _roles(ctx: SiteContext) -> tuple[tuple[str, tuple[str, ...]], ...]:
    peers = ctx.peers
    return (
        (
            "load balancer (BIG-IP)",
            tuple(
                f"runs every file on {', '.join(p.hostnames)}; holds console access to each unit"
                for p in peers
            ),
        ),
        (
            "network / firewall",
            tuple(
                f"WAN path {p.tunnel.local_address} ⇄ {p.tunnel.remote_address}: {_wan_protocols(ctx)} both ways, "
                f"no NAT, {ctx.mtu.wan_required}-byte IP packets unfragmented ({ctx.mtu.wan_frame}-byte frames on the wire); "
                f"{_route_duty(p)}"
                for p in peers
            ),
        ),
        (
            "virtualization (VMware)",
            tuple(
                f"a test VM on `{p.vm_vlan_path}` ready; runs the vMotion test from {p.name}" for p in peers
            ),
        ),
        (
            "change lead (one for both)",
            tuple("calls every go/no-go and the rollback; keeps time" for _ in peers),
        ),
    )


def _wan_protocols(ctx: SiteContext) -> str:
    """What the firewalls between the endpoints pass: EtherIP; with IPsec only ESP and IKE (no
    clear EtherIP crosses the WAN then)."""
    if ctx.ipsec is None:
        return "IP protocol 97"
    return f"{_ipsec_protocols(ctx)}, not IP protocol 97,"


def _ipsec_protocols(ctx: SiteContext, joiner: str = "and") -> str:
    nat = " and 4500" if ctx.ipsec is not None and ctx.ipsec.nat_traversal != "off" else ""
    return f"ESP (IP protocol 50) {joiner} IKE (UDP 500{nat})"


def _path_lines(ctx: SiteContext) -> tuple[str, ...]:
    """Before the window: what the firewalls pass, and what each tunnel endpoint's lockdown admits."""
    entries = " ".join(f"`{e}`" for e in ctx.peers[0].endpoint_services)
    if ctx.ipsec is None:
        lines = [
            (
                "Every firewall and ACL between the two endpoints permits **IP protocol 97** (EtherIP) in both\n"
                "  directions, with **no NAT**: EtherIP has no ports."
            ),
            (
                "Port lockdown on the tunnel endpoints' self IPs lets IP protocol 97 in. Self IPs this change\n"
                f"  creates as tunnel endpoints get the entry {entries} in their `allow-service`\n"
                '  (see "What this change rests on").'
            ),
        ]
    else:
        lines = [
            (
                f"Every firewall and ACL between the two endpoints permits **{_ipsec_protocols(ctx)}** in\n"
                "  both directions, with **no NAT**. With IPsec no EtherIP crosses the WAN in clear: keep IP\n"
                "  protocol 97 closed there, so clear EtherIP from a spoofed endpoint never reaches a unit (that\n"
                "  the unit drops clear EtherIP a selector should protect is not confirmed [I])."
            ),
            (
                f"Port lockdown on the tunnel endpoints' self IPs admits {entries} (EtherIP, ESP and IKE).\n"
                f"  Self IPs this change creates as tunnel endpoints get these entries in their `allow-service`\n"
                '  (see "What this change rests on").'
            ),
        ]
    for p in ctx.peers:
        lines += _endpoint_lines(ctx, p)
    return tuple(lines)


def _endpoint_lines(ctx: SiteContext, p: PeerContext) -> list[str]:
    if not p.existing_wan_addresses:
        return []
    where = f"{p.name}: the tunnel's local address {p.tunnel.local_address}"
    ep = p.endpoint
    if ep is not None and ep.changes:
        added = " ".join(e for e in ep.after if e not in ep.current)
        undo = ctx.step_number("tunnel", Phase.ROLLBACK)
        return [
            (
                f"{where} is the existing self IP `{ep.path}`;\n"
                f"  step 2 adds `{added}` to its allow-service and rollback step {undo} puts `{' '.join(ep.current)}` back."
            )
        ]
    if ep is not None:
        return [
            (
                f"{where} is the existing self IP `{ep.path}`,\n"
                f"  whose allow-service `{' '.join(ep.current)}` admits what the tunnel needs already; the change leaves it as it is."
            )
        ]
    needed = " ".join(f"`{e}`" for e in p.endpoint_services)
    return [
        (
            f"{where} is an existing self IP. The pre-check stops\n"
            f"  unless its allow-service admits {needed} (or `all`); if it does not, add\n"
            f"  `endpoint_self: {{name: …, allow_service: …}}` under `peers.{p.name}.wan` in the site file (the name and the\n"
            "  allow-service the pre-check lists) and render again: step 2 then admits it, and rollback puts it back."
        )
    ]


def _route_duty(peer: PeerContext) -> str:
    if peer.gateway is None:
        return "the other endpoint is reached on-link"
    if peer.gateway == "existing":
        return "the existing routing reaches the other endpoint"
    return f"gateway {peer.gateway} reaches the other endpoint"


def _esp_line(ctx: SiteContext) -> str:
    s, m = ctx.ipsec, ctx.mtu
    assert s is not None
    cipher = (
        "AES-GCM: IV 8, padding to 4 bytes, ICV 16 (RFC 4106)"
        if s.gcm
        else (
            f"AES-CBC: IV 16, padding to 16 bytes (RFC 3602), {s.phase2_auth} ICV "
            + {"sha1": "12 (RFC 2404)", "sha256": "16 (RFC 4868)", "sha512": "32 (RFC 4868)"}[s.phase2_auth]
        )
    )
    mode = (
        "a new IPv4 header of 20 bytes (tunnel mode)"
        if s.mode == "tunnel"
        else "no new IP header (transport mode)"
    )
    nat = "; UDP 8 bytes for NAT traversal (RFC 3948)" if s.nat_traversal != "off" else ""
    return (
        f"IPsec ESP adds {m.esp} bytes to each full tunnel packet: ESP header 8 (RFC 4303), {cipher}, pad length and "
        f"next header 2, and {mode}{nat} [C: the RFCs; I: the arithmetic, and the ICV length BIG-IP uses]."
    )


def _mtu_lines(ctx: SiteContext) -> tuple[str, ...]:
    """What the WAN and the VMs must carry (generator/mtu.py): the IP packet and the frame on the
    wire, each side's WAN VLAN, and what the VMs may send."""
    m = ctx.mtu
    a, b = ctx.peers
    lines = [
        (
            f"The WAN path between {a.name} ({a.tunnel.local_address}) and {b.name} ({b.tunnel.local_address}) carries IP "
            f"packets of **{m.wan_required} bytes** without fragmenting them: Ethernet frames of {m.wan_frame} bytes on the "
            f"wire ({m.wan_frame + DOT1Q_TAG} with an 802.1Q tag). EtherIP adds {m.overhead - m.esp} bytes (IPv4 header 20, "
            f"EtherIP header 2 (RFC 3378), the VM frame's Ethernet header 14; its FCS is not carried) to the tunnel's "
            f"{m.tunnel}-byte packets [I: arithmetic; 4 more if an inner 802.1Q tag were carried]."
        ),
    ]
    if ctx.ipsec is not None:
        lines.append(_esp_line(ctx))
    for p in ctx.peers:
        if p.wan.create:
            lines.append(f"{p.name}: the change creates WAN VLAN `{p.wan.path}` with mtu {p.wan.mtu}.")
        elif p.wan.mtu:
            lines.append(
                f"{p.name}: WAN VLAN `{p.wan.path}` has mtu {p.wan.mtu} (the site file; the pre-check reads it)."
            )
        else:
            lines.append(
                f"{p.name}: WAN VLAN `{p.wan.path}` exists; its mtu must be {m.wan_required} or more (the pre-check "
                "reads it and stops otherwise)."
            )
    if m.clamped:
        lines.append(
            f"The tunnel carries {m.tunnel}-byte packets, less than the VMs' {m.vm}: the virtualization team sets the "
            f"VMs' MTU (guest network interfaces) to {m.tunnel} or less before the window, or larger packets of a moved "
            "VM are lost in the tunnel [I]."
        )
    else:
        lines.append(
            f"The VMs send IP packets of at most {m.vm} bytes (their MTU; the virtualization team confirms it). Larger "
            "ones would be lost in the tunnel [I]: write vm_mtu in the site file if they are larger."
        )
    return tuple(lines)


_HOSTS = {
    "vcmp-guest": (
        "the vCMP host",
        (
            "create it on the host and add it to the guest's VLANs (F5: VLANs are created at the vCMP host "
            "layer and assigned to a guest by name; the guest sees them as they are [C: F5 rSeries/VELOS training, "
            "F5's Ansible bigip_vcmp_guest])"
        ),
    ),
    "f5os-tenant": (
        "F5OS (rSeries or VELOS)",
        (
            "create the VLAN ID on F5OS and assign it to the tenant (F5: at tenant creation the admin assigns VLANs "
            "by VLAN ID and the tenant inherits their names; the tag connects a VLAN in the tenant to F5OS [C: F5 "
            "rSeries/VELOS training])"
        ),
    ),
}


def _host_tasks(ctx: SiteContext) -> tuple[str, ...]:
    """A guest or tenant cannot bind interfaces: its host creates the VLANs the change needs,
    before the window; the pre-check confirms each is there with its tag and MTU."""
    lines = []
    for p in ctx.peers:
        if not p.host_vlans:
            continue
        host, how = _HOSTS[p.platform]
        for v in p.host_vlans:
            ifaces = ", ".join(f"{n} {m}" for n, m in v.interfaces)
            mtu = v.mtu or ctx.mtu.vm
            lines.append(
                f"{p.name} ({', '.join(p.hostnames)}, {p.platform}): on {host}, VLAN `{v.name}` tag {v.tag or 'auto'} "
                f"on {ifaces}, MTU {mtu} or more: {how}. After a rollback the host may remove it again; the "
                "change never deletes it."
            )
    return tuple(lines)


def _return_path_item(ctx: SiteContext) -> str:
    if ctx.return_path == "snat":
        return f"The virtual servers that use `{ctx.pool.path}`, each with source address translation (the pre-check stops on one without)."
    if ctx.return_path == "bigip_gateway":
        return "The virtualization team's confirmation that every VM's default gateway is the BIG-IP's VM self IP of its data center (Traffic, Return path)."
    return (
        "The answer to Traffic, Return path: every virtual server that uses the pool translates the source, or the "
        "VMs' default gateway is the BIG-IP's VM self IP (then write return_path in the site file)."
    )


def _have_ready(ctx: SiteContext) -> tuple[str, ...]:
    hosts = [h for p in ctx.peers for h in p.hostnames]
    return (
        (
            f"Console or out-of-band access to every unit ({', '.join(hosts)}), tested before the window: "
            "a self IP or VLAN mistake can cut the management path that runs over them."
        ),
        (
            f"An off-box copy of each unit's UCS archive `{ctx.deployment}-pre-change.ucs` "
            "(written by the pre-check to /var/local/ucs/; copy it off with scp before step 1)."
        ),
        "Credentials with the Administrator role and tmsh on every unit; a second person who can log in.",
        (
            "The network team's written confirmation that every address this change gives a new self IP is "
            "free in its subnet (no other host answers it): " + ", ".join(ctx.new_self_addresses) + "."
        ),
        (
            f"A test VM on the stretched VLAN (an address in `{ctx.vm_subnet}`, a member of `{ctx.pool.path}` or "
            "reachable through the same virtual server), and a client that can hold a long connection to it."
        ),
        (
            f"A virtual server whose pool is `{ctx.pool.path}`, named in the ticket: "
            + (
                "this change creates the pool and no virtual server, so create a test virtual server for it "
                "(outside this package) or name the one that will use it."
                if ctx.pool.create
                else "the one that carries the pool's traffic today."
            )
        ),
        "The other data center's team on the same call for the whole window.",
        (
            "The network team's confirmation that the VM VLAN is not already stretched between the data centers (OTV, "
            "VXLAN, VPLS, NSX L2VPN, another EtherIP tunnel), and whether both data centers answer one gateway address "
            "on it (Traffic, One bridge only)."
        ),
        _return_path_item(ctx),
        *_ipsec_ready(ctx),
        "This package, with its SHA-256 list (Artifacts) checked, and the site file it came from.",
    )


def _ipsec_ready(ctx: SiteContext) -> tuple[str, ...]:
    s = ctx.ipsec
    if s is None:
        return ()
    if s.psk:
        return (
            (
                "The IPsec pre-shared key, agreed between the two data centers' teams outside this package (a password "
                "vault, not e-mail or the ticket): 16 to 128 characters from A-Z a-z 0-9 + / = . _ -, e.g. from "
                "`openssl rand -base64 48`. Each team types it in its key step; no file of this change holds it."
            ),
        )
    certs = "; ".join(
        f"{p.name}: " + ", ".join(f"`{path}`" for _, path in p.ipsec.certificates)
        for p in ctx.peers
        if p.ipsec
    )
    return (
        (
            f"The IPsec certificates, keys and CA certificates on the units, installed and config-synced before the window "
            f"({certs}); each side's certificate is signed by the CA the other side names (the pre-check lists them)."
        ),
    )


def _peer_gate(peer: PeerContext, nxt: PeerContext | None) -> GoNoGo:
    go = [f"every step in {peer.name} returned what its Expect says"]
    if peer.is_ha:
        go.append(f"`show cm sync-status` on {peer.hostnames[0]}: device group {peer.device_group} In Sync")
    if nxt is not None:
        return GoNoGo(
            f"{peer.name}",
            (*go, f"the {nxt.name} team is ready to start"),
            f"roll back {peer.name} only (its rows in Rollback); {nxt.name} is untouched",
        )
    return GoNoGo(
        f"{peer.name}",
        (*go, "both data centers are done: go to verification"),
        "roll back both data centers (Rollback below)",
    )


def _vmotion_test(ctx: SiteContext) -> tuple[str, ...]:
    a, b = ctx.peers
    pool = ctx.pool.path
    return (
        (
            f"Open a long-lived connection from a client through the virtual server that uses `{pool}` to the "
            f"test VM while it runs in {a.name} (an SSH session, or a slow download that takes minutes)."
        ),
        (
            f"On the active unit of {a.name}: `show sys connection ss-server-addr <test VM address>`. "
            "Expect one entry for the connection [S]."
        ),
        f"Virtualization team: vMotion the test VM to {b.name}.",
        (
            "Expect: the client sees no reset and the session goes on; on the same unit the connection entry stays; "
            f"`show net tunnels tunnel {a.tunnel.path} all-properties` shows the packet counters rising, because the "
            f"VM's frames now cross the tunnel [S]; `show ltm pool {pool} members` keeps the member available [I]."
        ),
        f"vMotion the VM back to {a.name} and expect the same; then repeat from {b.name} with a VM there.",
        "If the connection drops: that is the rollback trigger below.",
    )


def _ucs_restore(ctx: SiteContext) -> tuple[str, ...]:
    """Restoring a unit's UCS backup: on a pair, the unit must not be active or able to become
    active while its configuration reloads. F5: K13132 'Backing up and restoring BIG-IP
    configuration files with a UCS archive' [C: title]; `load sys ucs` and its options, and the
    wait on `show sys mcp-state` (F5's Ansible bigip_ucs [C]); `run sys failover standby` and
    `offline`/`online` (F5 SDK, F5 Agility lab [C]); the order for a pair [I]."""
    name = f"/var/local/ucs/{ctx.deployment}-pre-change.ucs"
    pair = any(p.is_ha for p in ctx.peers)
    steps = []
    if pair:
        steps += [
            (
                "On an HA pair: if the unit is active, make it standby first (`run sys failover standby`; "
                "`show sys failover` must then say standby, and the other unit active)."
            ),
            (
                "Then take it out of the pair's failover while it reloads: `run sys failover offline` "
                "(`show sys failover` says forced_offline), so it cannot become active half-loaded."
            ),
        ]
    steps += [
        f"`load sys ucs {name}` (K13132 [C]); on a standalone unit this interrupts its traffic until the load ends.",
        "Wait until `show sys mcp-state field-fmt` shows `phase running` and `full-config-load-succeed`.",
    ]
    if pair:
        steps.append("Bring it back: `run sys failover online` (it comes back as the standby unit).")
    steps.append(
        "Check the unit with its `00-precheck.tmsh` lines up to the UCS backup: every Expect must hold again"
        + (" (but the failover line: this unit is now standby)." if pair else ".")
    )
    if pair:
        steps.append(
            "Do not config-sync from the restored unit until `show cm sync-status` and both units' objects are "
            "as the pre-check found them [I]."
        )
    return tuple(steps)


def _rollback_triggers(rollback_min: int) -> tuple[str, ...]:
    return (
        "a step's output differs from its Expect (a refused line, a failed submit or config-sync) and the cause is not found and fixed within 10 minutes",
        "traffic through a virtual server that uses the pool fails, or a device becomes unreachable",
        "the vMotion test drops its connection",
        f"less time is left in the window than a full rollback takes (about {rollback_min} minutes)",
    )
