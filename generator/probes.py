"""The read-only lines of each device's files, with their Expect (generator/expects.py): the
pre-check (the unit before the change), the verification (after both data centers are done),
the save step's sync check and the sync gates before a step that needs what config-sync brings.

Every Expect here is computed for one device at one moment, from the view-model: device-local
objects appear only in their own unit's lines, and what a unit receives by config-sync is
checked only once the sync that carries it has run.
"""

from __future__ import annotations

from generator import expects as e
from generator.bigip import TG_FLOATING, TG_LOCAL
from generator.citations import IPSEC_TSG_ISAKMP, IPSEC_TSG_SA
from generator.expects import Probe, short
from generator.operations import ConfigObject, Operation, Value, Verb, final_objects
from generator.steps import Phase
from generator.views import DeviceContext, DeviceStep, PeerContext, Role, SelfIpView, SiteContext, VlanView

PAGER_OFF = "modify cli preference pager disabled display-threshold 0"
SERVICE_NAMES = {"97:0": "EtherIP", "50:0": "ESP", "udp:500": "IKE", "udp:4500": "NAT traversal"}


def pager_probes() -> tuple[Probe, ...]:
    """Turn the pager off (a long listing must never stop at a prompt that would swallow the
    next pasted lines), after writing down the operator's own preference."""
    return (
        Probe(
            "list cli preference pager display-threshold",
            e.noted(
                "the values of pager and display-threshold: your own tmsh preference, which the next line changes"
            ),
            before=(
                "First the tmsh pager goes off, so long listings never stop at a prompt that would swallow",
                "  the next pasted lines. It is your user's preference; the last file of this device says how",
                "  to put it back.",
            ),
        ),
        Probe(PAGER_OFF, e.no_output()),
    )


def pager_back() -> tuple[str, ...]:
    """The closing comment of the last file a device runs: how to restore the preference."""
    return (
        "Last: put your tmsh pager preference back as 00-precheck.tmsh listed it, by typing",
        "  modify cli preference pager <pager> display-threshold <display-threshold>",
        "  with the two values you wrote down (tmsh's own default is pager enabled).",
    )


def _version_text(ctx: SiteContext) -> str:
    return ctx.version


def precheck(ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> tuple[Probe, ...]:
    probes = [
        *pager_probes(),
        Probe(
            "list sys global-settings hostname",
            e.values((("hostname", device.hostname),), "Any other name: this is the wrong box; stop."),
        ),
        Probe("show sys version", e.version(_version_text(ctx))),
    ]
    if peer.check_backplane_mtu:
        probes.append(
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
        probes += [
            Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))),
            Probe(
                "show sys failover",
                e.failover("active", "this unit runs the synced steps")
                if device.is_first
                else e.failover("standby", f"{peer.hostnames[0]} runs the synced steps"),
            ),
            Probe(
                "list sys db iptunnel.configsync value",
                e.values(
                    (("value", '"enable"'),),
                    f"The tunnel reaches {', '.join(device.other_hostnames)} only by config-sync (F5: 'By default, the"
                    '\n  BIG-IP system synchronizes all existing tunnel objects\' [S]); "disable" means it would not: stop.',
                ),
            ),
        ]
    probes += _interfaces(peer)
    probes += _absent(peer, device)
    probes += _existing(ctx, peer, device)
    probes += _traffic(ctx, peer)
    probes += _ipsec_precheck(peer)
    probes.append(
        Probe(
            f"save sys ucs {ctx.deployment}-pre-change",
            e.ucs_saved(f"{ctx.deployment}-pre-change"),
            before=("Last: a UCS backup of this device, the way back if a rollback step fails.",),
        )
    )
    return tuple(_split_notes(probes))


def _split_notes(probes: list[Probe]) -> list[Probe]:
    """Expect notes given with a newline become continuation lines."""
    out = []
    for p in probes:
        lines = tuple(part for line in p.expect.lines for part in line.split("\n"))
        out.append(Probe(p.command, e.Expect(lines), p.before))
    return out


def _interfaces(peer: PeerContext) -> list[Probe]:
    heading = ("The new VLANs use these interfaces and trunks; each must exist on this device.",)
    probes = [Probe(f"list net interface {name}", e.listed()) for name in peer.interfaces]
    probes += [Probe(f"list net trunk {name}", e.listed()) for name in peer.trunks]
    return [Probe(p.command, p.expect, heading if i == 0 else ()) for i, p in enumerate(probes)]


def expected_objects(peer: PeerContext, device: DeviceContext) -> tuple[ConfigObject, ...]:
    """What this device holds of the change once it is done: its own steps' objects and the
    synced steps' objects of the first unit, with every later modify applied."""
    mine = [
        op for d in peer.devices for ds in d.steps for op in ds.operations if d is device or ds.step.synced
    ]
    keep = {id(op) for op in mine}
    return final_objects(op for op in _in_step_order(peer) if id(op) in keep)


def _in_step_order(peer: PeerContext) -> list[Operation]:
    """Every operation of the peer's apply steps, step by step, devices in order."""
    steps = sorted({ds.step.number for d in peer.devices for ds in d.steps})
    return [
        op
        for n in steps
        for d in peer.devices
        for ds in d.steps
        if ds.step.number == n
        for op in ds.operations
    ]


def created_on(peer: PeerContext, device: DeviceContext) -> tuple[Operation, ...]:
    """Every create this device ends up with: its own, and what config-sync brings from the
    first unit (the synced steps' objects)."""
    own = [op for ds in device.steps for op in ds.operations if op.verb is Verb.CREATE]
    synced = [
        op
        for other in peer.devices
        if other is not device
        for ds in other.steps
        if ds.step.synced
        for op in ds.operations
        if op.verb is Verb.CREATE
    ]
    unique = {(op.kind.words, op.path): op for op in reversed(own + synced)}
    return tuple(reversed(unique.values()))


def _absent(peer: PeerContext, device: DeviceContext) -> list[Probe]:
    probes = []
    for i, op in enumerate(created_on(peer, device)):
        heading = ("The change creates these objects on this device: none may exist yet.",) if i == 0 else ()
        probes.append(Probe(f"list {op.kind.tmsh} {op.path}", e.absent(), heading))
    if peer.route:
        probes.append(Probe("list net route network", e.no_route(peer.route.network)))
    tags = tuple(v.tag for v in peer.vlans if v.tag)
    if tags:
        probes.append(Probe("list net vlan tag", e.no_tag(tags)))
    return probes


def _existing(ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> list[Probe]:
    probes: list[Probe] = []
    heading = ("The change refers to these existing objects: each must be there as the site file says.",)
    for vlan in peer.existing_vlans:
        probes.append(Probe(f"list net vlan {vlan}", e.listed(), heading if not probes else ()))
    probes += _existing_mtus(ctx, peer)
    probes += [_host_vlan_probe(ctx, v, peer) for v in peer.host_vlans]
    if peer.existing_wan_addresses:
        probes.append(_existing_selfs(peer, device))
    if peer.endpoint:
        probes.append(_endpoint_probe(peer, after=False))
    if peer.gateway == "existing":
        probes.append(
            Probe(
                "list net route network gw",
                e.route_covers(peer.tunnel.remote_address, short(peer.wan_vlan_path)),
            )
        )
        if peer.wan_vlan_path in peer.existing_vlans:
            probes.append(
                Probe(
                    f"run util ping -c 3 {peer.tunnel.remote_address}", e.routable(peer.tunnel.remote_address)
                )
            )
    elif peer.route and peer.wan_vlan_path in peer.existing_vlans:
        probes.append(Probe(f"run util ping -c 3 {peer.route.gateway}", e.routable(peer.route.gateway)))
    pool = ctx.pool
    if not pool.create:
        probes.append(
            Probe(
                f"list ltm pool {pool.path} monitor min-active-members",
                e.values(
                    (
                        ("monitor", " and ".join(short(m) for m in pool.restore_rule)),
                        ("min-active-members", str(pool.restore_min_active_members)),
                    ),
                    "This is what rollback puts back. If either differs, stop and correct\n"
                    "  restore_monitor / restore_min_active_members in the site file.",
                ),
                heading if not probes else (),
            )
        )
    return probes


def _traffic(ctx: SiteContext, peer: PeerContext) -> list[Probe]:
    """What the traffic needs besides the objects (CHANGE.md, "Traffic"): the monitors the pool's
    rule names exist, an existing pool's priority groups, how replies come back, that the VM VLAN
    is not bridged already, an existing VM VLAN's own self IPs."""
    pool = ctx.pool
    heading = ('What the traffic needs beside the objects (CHANGE.md, "Traffic"):',)
    probes = []
    named = tuple(
        dict.fromkeys((*pool.restore_monitors, *((pool.also_monitor,) if pool.also_monitor else ())))
    )
    if named:
        probes.append(Probe("list ltm monitor", e.monitors_listed(named)))
    if not pool.create:
        probes.append(
            Probe(
                f"list ltm pool {pool.path} members",
                e.noted(
                    "each member and its priority-group (none shown means 0): min-active-members 1 keeps traffic on "
                    "the highest group that has a member available"
                ),
            )
        )
    virtuals = "list ltm virtual pool source-address-translation mirror"
    if ctx.return_path == "snat":
        probes.append(Probe(virtuals, e.snat_on_every_virtual(pool.name)))
    else:
        probes.append(
            Probe(
                virtuals,
                e.noted(
                    f"each virtual server whose pool is {pool.name}, with its source-address-translation and mirror "
                    '(CHANGE.md, "Return path" and "Failover during a vMotion")'
                ),
            )
        )
    probes.append(Probe("list net vlan-group members", e.not_bridged(short(peer.vm_vlan_path))))
    if not peer.vm.create:
        probes.append(
            Probe("list net self address vlan", e.no_self_in(short(peer.vm_vlan_path), ctx.vm_subnet))
        )
    return [Probe(p.command, p.expect, heading if i == 0 else ()) for i, p in enumerate(probes)]


def _ipsec_precheck(peer: PeerContext) -> list[Probe]:
    """IPsec (CHANGE.md, "IPsec"): the certificates the IKE peer names are there; no IKE peer for
    the other endpoint exists already; the traffic selectors today, written down."""
    ipsec = peer.ipsec
    if ipsec is None:
        return []
    heading = ('IPsec (CHANGE.md, "IPsec"): what the new IKE peer and traffic selector meet on this unit.',)
    probes = [Probe(f"list {kind.tmsh} {name}", e.listed()) for kind, name in ipsec.certificates]
    probes.append(Probe("list net ipsec ike-peer remote-address", e.no_ike_peer_for(ipsec.remote)))
    probes.append(
        Probe(
            "list net ipsec traffic-selector source-address destination-address ip-protocol ipsec-policy",
            e.noted(
                f"any traffic selector (other than the built-in default-traffic-selector-interface) whose addresses "
                f"cover {ipsec.local} to {ipsec.remote}: one that does could take EtherIP before the new one [I]: "
                "stop and settle it with the security team before step 2"
            ),
        )
    )
    return [Probe(p.command, p.expect, heading if i == 0 else ()) for i, p in enumerate(probes)]


def _ipsec_verify(peer: PeerContext) -> list[Probe]:
    """The IPsec objects as the change leaves them (every unit: they are synced)."""
    ipsec = peer.ipsec
    if ipsec is None:
        return []
    probes = []
    for obj in (ipsec.policy, ipsec.selector, ipsec.ike_peer):
        pairs = tuple((n, _listed(v)) for n, v in obj.values if n not in obj.kind.secret)
        note = "ip-protocol may print as etherip (IP protocol 97)." if obj is ipsec.selector else ""
        probes.append(
            Probe(f"list {obj.kind.tmsh} {obj.path} {' '.join(n for n, _ in pairs)}", e.values(pairs, note))
        )
    return probes


def _ipsec_sas(peer: PeerContext) -> list[Probe]:
    """After the pings through the tunnel: IKE completed and ESP carries EtherIP (active unit)."""
    ipsec = peer.ipsec
    if ipsec is None:
        return []
    before = (
        "IPsec: the pings through the tunnel made IKE negotiate; the security associations carry EtherIP",
        f"  ({IPSEC_TSG_SA} shows one per direction, each State mature [C]).",
        *(
            (
                "  IKEv1 runs in racoon, outside tmsh: in bash, `racoonctl -ll show-sa isakmp` lists its IKE SA with",
                f"  {ipsec.remote} ({IPSEC_TSG_ISAKMP} [C]).",
            )
            if ipsec.settings.ike_version == "v1"
            else ()
        ),
    )
    probes = [
        Probe(
            f"show net ipsec ipsec-sa traffic-selector {ipsec.selector.path} all-properties",
            e.ipsec_sas(ipsec.selector.path),
            before=before,
        )
    ]
    if ipsec.settings.ike_version == "v2":
        probes.append(Probe(f"show net ipsec ike-sa peer-ip {ipsec.remote}", e.ike_sa(ipsec.remote)))
    return probes


def _listed(value: Value) -> str:
    """A value as `tmsh list` prints it: names without /Common/, a list in braces."""
    if isinstance(value, str):
        return short(value)
    return "{ " + " ".join(short(n) for n in value.names) + " }"


def _host_vlan_probe(ctx: SiteContext, v: VlanView, peer: PeerContext) -> Probe:
    """A VLAN the vCMP host or F5OS gives this guest or tenant: it is there, with the site's tag
    and an MTU that carries the change (CHANGE.md, "Host tasks")."""
    pairs = [("mtu", _mtu_wanted(ctx, v.role, v.mtu if v.role is Role.VM else None))]
    if v.tag:
        pairs.append(("tag", str(v.tag)))
    return Probe(
        f"list net vlan {v.path} {' '.join(k for k, _ in pairs)}",
        e.values(
            tuple(pairs),
            f'The {peer.platform} gets this VLAN from its host; "was not found": the host task is not done\n'
            '  (CHANGE.md, "Host tasks").',
        ),
    )


def _mtu_wanted(ctx: SiteContext, role: Role, stated: int | None) -> str:
    """What a VLAN the change does not create must carry: a WAN VLAN the tunnel's packets plus
    EtherIP's overhead, a VM VLAN what the VMs send (generator/mtu.py)."""
    if stated is not None:
        return str(stated)
    return f"{ctx.mtu.wan_required if role is Role.WAN else ctx.mtu.vm} or more"


def _existing_mtus(ctx: SiteContext, peer: PeerContext) -> list[Probe]:
    """An existing WAN VLAN must carry the tunnel's packets plus EtherIP's 36 bytes; an existing
    VM VLAN what the VMs send (generator/mtu.py)."""
    mtu = ctx.mtu
    probes = []
    if not peer.wan.create:
        probes.append(
            Probe(
                f"list net vlan {peer.wan_vlan_path} mtu",
                e.values(
                    (("mtu", _mtu_wanted(ctx, Role.WAN, peer.wan.mtu)),),
                    f"{'EtherIP adds' if not mtu.esp else 'EtherIP and ESP add'} {mtu.wan_required - mtu.tunnel} bytes to the tunnel's {mtu.tunnel}-byte packets; a smaller MTU\n"
                    "  stops the change: raise it (network and load-balancer teams) or lower vm_mtu in the site file.",
                ),
            )
        )
    if not peer.vm.create:
        probes.append(
            Probe(
                f"list net vlan {peer.vm_vlan_path} mtu",
                e.values(
                    (("mtu", _mtu_wanted(ctx, Role.VM, peer.vm.mtu)),),
                    f"A smaller MTU drops the VMs' {mtu.vm}-byte packets: stop, and write the VMs' real MTU as vm_mtu in\n"
                    "  the site file.",
                ),
            )
        )
    return probes


def _existing_selfs(peer: PeerContext, device: DeviceContext) -> Probe:
    """An existing WAN VLAN: this unit's own WAN self IP and, on a pair, the floating one (a
    unit lists only its own non-floating self IPs); the tunnel endpoint must admit EtherIP."""
    wan = short(peer.wan_vlan_path)
    endpoint = peer.tunnel.local_address
    extra = peer.endpoint_services[1:]  # after 97:0: IPsec's ESP and IKE
    admits = "" if peer.endpoint else e.admits(extra)  # a named endpoint is checked by name below
    entries = [(device.wan_address, wan, short(TG_LOCAL), "" if peer.is_ha else admits)]
    if peer.is_ha and peer.wan_floating_address:
        entries.append((peer.wan_floating_address, wan, short(TG_FLOATING), admits))
    if peer.endpoint:
        note = (
            f"{endpoint} is the tunnel's local address, self IP {peer.endpoint.name} (checked by name next)."
        )
    else:
        note = (
            f"{endpoint} is the tunnel's local address; its allow-service {admits} when it shows {e.admits_forms(extra)}.\n"
            f"If it does not: stop, and add `endpoint_self: {{name: <its name as listed>, allow_service: <its allow-service>}}`\n"
            f"under peers.{peer.name}.wan in the site file and render again: the change then admits {_admitted(peer)} in step 2\n"
            "and rollback puts that allow-service back."
        )
    return Probe("list net self address allow-service traffic-group vlan", e.self_ips(tuple(entries), note))


def _admitted(peer: PeerContext) -> str:
    """What step 2 admits on a named endpoint: 97 (EtherIP), and with IPsec its entries."""
    services = peer.endpoint_services
    return "97" if services == ("97:0",) else " ".join(services)


def _endpoint_probe(peer: PeerContext, after: bool) -> Probe:
    """The named existing endpoint: its lockdown as the site file says it is today (pre-check),
    or as step 2 leaves it (verify)."""
    assert peer.endpoint is not None
    ep = peer.endpoint
    chosen = ep.after if after else ep.current
    service = "{ " + " ".join(chosen) + " }" if ":" in " ".join(chosen) or len(chosen) > 1 else chosen[0]
    if after:
        added = ", ".join(f"{x} ({SERVICE_NAMES.get(x, x)})" for x in ep.after if x not in ep.current)
        undo = next(ds.step.number for ds in peer.devices[0].rollback if ds.step.slug == "tunnel")
        note = (
            f"Step 2 added {added}; rollback step {undo} puts the earlier value back." if ep.changes else ""
        )
    else:
        note = (
            "This is what the site file's endpoint_self says and what rollback puts back; if it differs, stop and\n"
            f"  correct peers.{peer.name}.wan.endpoint_self.allow_service."
            + ("" if ep.changes else " It admits EtherIP already: the change leaves it as it is.")
        )
    return Probe(
        f"list net self {ep.path} address allow-service",
        e.values((("address", ep.address), ("allow-service", service)), note),
    )


def _vlan_probe(v: VlanView) -> Probe:
    pairs = [("interfaces", "{ " + " ".join(f"{n} {{ {m} }}" for n, m in v.interfaces) + " }")]
    if v.mtu:
        pairs.append(("mtu", str(v.mtu)))
    pairs.append(("tag", str(v.tag) if v.tag else "(auto-assigned)"))
    props = " ".join(k for k, _ in pairs)
    return Probe(f"list net vlan {v.path} {props}", e.values(tuple(pairs)))


def verify(ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> tuple[Probe, ...]:
    probes = [Probe(PAGER_OFF, e.no_output(), before=("The pager goes off again (see 00-precheck.tmsh).",))]
    probes += [_vlan_probe(v) for v in peer.vlans]
    for s in device.selfs:
        probes.append(_self_probe(s))
    if peer.endpoint:
        probes.append(_endpoint_probe(peer, after=True))
    tunnel = peer.tunnel
    wanted = tuple((name, short(value)) for name, value in tunnel.props.expected)  # as tmsh lists them
    probes.append(
        Probe(
            f"list net tunnels tunnel {tunnel.path} {' '.join(name for name, _ in wanted)}",
            e.values(wanted, f"The remote address is {tunnel.remote_peer}'s tunnel endpoint."),
        )
    )
    if peer.route:
        probes.append(
            Probe(
                f"list net route {peer.route.path} network gw",
                e.values((("network", peer.route.network), ("gw", peer.route.gateway))),
            )
        )
    probes += _ipsec_verify(peer)
    if device.is_first:
        via = (
            f" through {peer.route.gateway}"
            if peer.route
            else (" through the existing route" if peer.gateway else "")
        )
        probes.append(
            Probe(
                f"run util ping -c 3 -I {tunnel.local_address} {tunnel.remote_address}",
                e.replies(tunnel.remote_address, f" ({tunnel.remote_peer}){via}"),
                before=(
                    f"From the tunnel's own address {tunnel.local_address}: the other side's route back may cover",
                    "  only that endpoint (-I sets the source address; run util ping passes it to ping [I]).",
                ),
            )
        )
        mtu = ctx.mtu
        probes.append(
            Probe(
                f"run util ping -c 3 -M do -s {mtu.wan_ping_payload} -I {tunnel.local_address} {tunnel.remote_address}",
                e.replies(
                    tunnel.remote_address, f" to {mtu.wan_required}-byte packets that may not be fragmented"
                ),
                before=(
                    f"The WAN path carries the tunnel's largest packet ({mtu.tunnel} + {mtu.wan_required - mtu.tunnel} bytes): don't-fragment",
                    f"  (-M do) pings of {mtu.wan_required} bytes (-s {mtu.wan_ping_payload} + 28 bytes of headers) [I: iputils options].",
                ),
            )
        )
    group = peer.vlan_group
    pairs = [
        ("members", "{ " + " ".join(short(m) for m in group.members) + " }"),
        ("mode", group.mode),
        ("bridge-in-standby", "disabled"),
        ("migration-keepalive", "enabled"),
    ]
    if group.proxy_excludes:
        pairs.append(("proxy-excludes", "{ " + " ".join(group.proxy_excludes) + " }"))
    probes.append(
        Probe(
            f"list net vlan-group {group.path} {' '.join(k for k, _ in pairs)}",
            e.values(tuple(pairs)),
        )
    )
    monitor = ctx.monitor
    probes.append(
        Probe(
            f"list ltm monitor virtual-location {monitor.path} pool interval timeout",
            e.values(
                (
                    ("pool", short(monitor.pool_path)),
                    ("interval", str(monitor.interval)),
                    ("timeout", str(monitor.timeout)),
                )
            ),
        )
    )
    pool = ctx.pool
    probes.append(
        Probe(
            f"list ltm pool {pool.path} monitor min-active-members",
            e.values(
                (
                    ("monitor", " and ".join(short(m) for m in pool.monitor_rule)),
                    ("min-active-members", str(pool.min_active_members)),
                )
            ),
        )
    )
    probes.append(Probe(f"show ltm pool {pool.path} members", e.pool_members(monitor.timeout)))
    if device.is_first:
        before = (
            (
                "With IPsec the first pings across the tunnel start IKE and may go unanswered while it",
                "  negotiates: paste the line again before you judge it.",
            )
            if peer.ipsec
            else ()
        )
        for i, address in enumerate(peer.remote_vm_addresses):
            probes.append(
                Probe(
                    f"run util ping -c 3 {address}",
                    e.replies(
                        address, f" in {peer.remote_name}, across the EtherIP tunnel and the VLAN group"
                    ),
                    before=before if i == 0 else (),
                )
            )
        far = peer.remote_vm_addresses[0]
        probes.append(
            Probe(
                f"run util ping -c 3 -M do -s {ctx.mtu.tunnel_ping_payload} {far}",
                e.replies(far, f" to {ctx.mtu.tunnel}-byte packets through the tunnel, not fragmented"),
                before=(
                    f"The VMs' largest packet ({ctx.mtu.tunnel} bytes) crosses the tunnel whole (don't-fragment ping) [I].",
                ),
            )
        )
        probes.append(Probe(f"show net tunnels tunnel {tunnel.path}", e.tunnel_traffic()))
        probes += _ipsec_sas(peer)
    if peer.is_ha:
        probes.append(Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))))
    return tuple(_split_notes(probes))


def _self_probe(s: SelfIpView) -> Probe:
    service = "{ " + " ".join(s.services) + " }" if s.services else s.lockdown
    return Probe(
        f"list net self {s.path} address vlan traffic-group allow-service",
        e.values(
            (
                ("address", s.address),
                ("vlan", short(s.vlan_path)),
                ("traffic-group", short(s.traffic_group)),
                ("allow-service", service),
            )
        ),
    )


def save_probes(peer: PeerContext) -> tuple[Probe, ...]:
    """After `save sys config` on a pair: the device group is in sync (saving changes nothing
    config-sync compares)."""
    if not peer.is_ha:
        return ()
    return (
        Probe(PAGER_OFF, e.no_output()),
        Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))),
    )


def gates(peer: PeerContext, device: DeviceContext, ds: DeviceStep) -> tuple[Probe, ...]:
    """Before a second unit's step that needs what config-sync from the first unit brought (or
    removed): read that object first, and wait while it has not arrived (or gone)."""
    if device.is_first or not peer.is_ha:
        return ()
    first = peer.devices[0].hostname
    needs = _synced_before(peer, ds)
    if not needs:
        return ()
    heading = (f"Sync gate: this step needs what the config-sync from {first} carried here. Read it first.",)
    probes = [
        Probe(PAGER_OFF, e.no_output(), heading),
        Probe("show cm sync-status", e.sync_status("In Sync", str(peer.device_group))),
    ]
    for op in needs:
        expect = e.arrived(first) if ds.phase is Phase.APPLY else e.removed(first)
        probes.append(Probe(f"list {op.kind.tmsh} {op.path}", expect))
    return tuple(probes)


def _synced_before(peer: PeerContext, ds: DeviceStep) -> tuple[Operation, ...]:
    """The synced operations of the first unit's earlier steps that this step's objects refer
    to (apply: a VLAN group needs its tunnel member) or that refer to what it deletes
    (rollback: a floating self IP on the VLAN group or WAN VLAN must be gone first)."""
    first = peer.devices[0]
    earlier = [
        op
        for other in first.plan(ds.phase)
        if other.step.synced and other.step.number < ds.step.number
        for op in other.operations
    ]
    mine = {op.path for op in ds.operations}
    if ds.phase is Phase.APPLY:
        refs = {ref for op in ds.operations for ref in _references(op)}
        return tuple(op for op in earlier if op.verb is Verb.CREATE and op.path in refs)
    return tuple(
        op for op in earlier if op.verb is Verb.DELETE and set(_references_of_deleted(op, peer)) & mine
    )


def _references(op: Operation) -> tuple[str, ...]:
    """The object paths an operation's values name (VLAN group members, a self IP's VLAN)."""
    found = []
    for name, value in op.values:
        if name == "members" and not isinstance(value, str):
            found += list(value.names)
        elif name == "vlan" and isinstance(value, str):
            found.append(value)
    return tuple(found)


def _references_of_deleted(op: Operation, peer: PeerContext) -> tuple[str, ...]:
    """What the object a delete removes referred to, from its create in the apply plan."""
    for device in peer.devices:
        for ds in device.steps:
            for created in ds.operations:
                if created.verb is Verb.CREATE and created.path == op.path:
                    return _references(created)
    return ()
