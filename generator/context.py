"""The view-model: every derivation between the site model and the templates lives here.

Templates and the iApp answers receive plain, frozen views (generator/views.py): object paths,
properties in the vocabulary's order, mirrored tunnel addresses, the step plan for each device,
the version row's texts and known-issue notes. They never see a version to compare, a raw YAML
mapping or an address to compute.
"""

from __future__ import annotations

from dataclasses import replace

from generator import bigip, probes
from generator.bigip import ETHERIP_PROFILE, TG_FLOATING, TG_LOCAL, VLOC_PARENT, path, quoted
from generator.citations import REST_HELP
from generator.expects import Probe, service_forms
from generator.ipsec import (
    CERT_METHOD,
    DIRECTION,
    ETHERIP_PROTOCOL,
    MAIN_MODE,
    PSK_METHOD,
    PSK_VARIABLE,
    IpsecSettings,
    resolve,
)
from generator.model import Peer, Site, Vlan
from generator.mtu import DEFAULT_MTU, MtuPlan, plan_mtu
from generator.operations import Value, entries
from generator.scalars import is_physical_interface
from generator.step_operations import StepObjects, step_operations
from generator.steps import WORDS, Phase, Step, applies, plan, step_file_name
from generator.versions import BigIpVersion, Doc, Precheck, known_issues, notes_for, release
from generator.views import (
    DeviceContext,
    DeviceStep,
    EndpointView,
    IpsecObject,
    IpsecView,
    MonitorView,
    PeerContext,
    PoolView,
    Props,
    Role,
    RouteView,
    SelfIpView,
    SiteContext,
    TunnelView,
    VlanGroupView,
    VlanView,
    props,
)

__all__ = [
    "DeviceContext",
    "DeviceStep",
    "MonitorView",
    "PeerContext",
    "PoolView",
    "Props",
    "Role",
    "RouteView",
    "SelfIpView",
    "SiteContext",
    "TunnelView",
    "VlanGroupView",
    "VlanView",
    "build_context",
    "props",
]

VLAN_GROUP_MODE = bigip.VLAN_GROUP.defaults["mode"]  # stated explicitly so the output never depends on it
# Port lockdown entry that admits EtherIP (IP protocol 97, no ports) on the tunnel's local self IP.
# Protocols without ports are written protocol:0 (F5's Ansible example `gre:0 igmp:0` [C]) and
# may be numbers (`replace-all-with { 50:0 udp:500 }` in F5ChannelSE/f5-azure-afm [S]); no source
# shows 97 itself, so the form is [I]. Whether 11.6 needs it at all is open (project reference bigip-11.6-etherip.md §8, doubt 4).
ETHERIP_SERVICE = "97:0"
MIN_ACTIVE_MEMBERS = 1  # priority-group activation, so the Virtual Location monitor's preference counts [I]


def build_context(site: Site, version: BigIpVersion) -> SiteContext:
    pool = site.pool
    mon = pool.monitor
    monitor_values = {
        "defaults-from": VLOC_PARENT,
        "pool": path(pool.name),
        "interval": str(mon.interval),
        "timeout": str(mon.timeout),
    }
    monitor = MonitorView(
        name=mon.name,
        path=path(mon.name),
        parent=VLOC_PARENT,
        pool_path=path(pool.name),
        interval=mon.interval,
        timeout=mon.timeout,
        props=props(bigip.MONITOR, monitor_values),
    )
    kept = () if pool.create else tuple(pool.restore_monitor or ())  # an existing pool keeps its checks
    extra = (pool.also_monitor,) if pool.also_monitor else ()
    rule = (monitor.path, *dict.fromkeys(path(m) for m in kept + extra))
    restore = tuple(path(m) for m in pool.restore_monitor or ()) or ("none",)
    members = tuple((f"{a}:{p}", str(a)) for a, p in pool.members)
    restore_min = None if pool.create else (pool.restore_min_active_members or 0)
    pool_view = PoolView(
        name=pool.name,
        path=path(pool.name),
        create=pool.create,
        members=members,
        monitor_rule=rule,
        restore_rule=restore,
        min_active_members=MIN_ACTIVE_MEMBERS,
        restore_min_active_members=restore_min,
        restore_monitors=tuple(pool.restore_monitor or ()),
        also_monitor=pool.also_monitor or "",
    )
    ipsec = resolve(site, version)
    mtu = plan_mtu(site, ipsec)
    peers = tuple(_peer_context(site, name, version, pool_view, monitor, mtu, ipsec) for name in site.peers)
    row = release(version)
    ctx = SiteContext(
        deployment=site.deployment,
        version=version.value,
        branch=row.branch,
        tmsh_version=row.tmsh_version,
        iapp_version_min=row.iapp_min,
        iapp_version_max=row.iapp_max,
        support=row.support_text,
        procedure=row.procedure,
        version_notes=notes_for(version, Doc.CHANGE),
        iapp_notes=notes_for(version, Doc.IMPORT),
        vm_subnet=str(site.vm_subnet),
        pool=pool_view,
        monitor=monitor,
        peers=peers,
        step_count=len(plan(Phase.APPLY, key_step=ipsec is not None and ipsec.psk)),
        pager_back=probes.pager_back(),
        mtu=mtu,
        ipsec=ipsec,
        return_path=site.return_path,
        shared_gateways=tuple(str(a) for a in site.shared_gateways),
    )
    return replace(ctx, peers=tuple(_with_probes(ctx, p) for p in ctx.peers))


def _with_probes(ctx: SiteContext, peer: PeerContext) -> PeerContext:
    """Each device's read-only lines, computed once its peer's steps are known."""
    devices = []
    for device in peer.devices:
        steps = {
            phase: tuple(
                replace(ds, checks=_step_checks(peer, device, ds), closing=_closing(ctx, device, ds))
                for ds in device.plan(phase)
            )
            for phase in Phase
        }
        devices.append(
            replace(
                device,
                steps=steps[Phase.APPLY],
                rollback=steps[Phase.ROLLBACK],
                precheck=probes.precheck(ctx, peer, device),
                verify=probes.verify(ctx, peer, device),
                expected=probes.expected_objects(peer, device),
            )
        )
    return replace(peer, devices=tuple(devices))


def _closing(ctx: SiteContext, device: DeviceContext, ds: DeviceStep) -> tuple[str, ...]:
    """The last file a device runs on the way back (its rollback save) says how to put the tmsh
    pager preference back; on the way forward the verify file does."""
    last = device.rollback[-1] if device.rollback else None
    return ctx.pager_back if last is not None and ds.filename == last.filename else ()


def _step_checks(peer: PeerContext, device: DeviceContext, ds: DeviceStep) -> tuple[Probe, ...]:
    if ds.step.shell:
        return ()
    return probes.save_probes(peer) if not ds.step.transaction else probes.gates(peer, device, ds)


def _known_issues(peer: Peer, version: BigIpVersion) -> tuple[tuple[str, ...], frozenset[Precheck]]:
    """The note lines of the known issues that hit this peer's created VLANs, and the checks
    they add to the pre-check."""
    lines: list[str] = []
    checks: set[Precheck] = set()
    created = [path(v.vlan) for v in (peer.vm, peer.wan) if v.create and not peer.is_guest]
    for issue in known_issues(version):
        hits = issue.affects.hits(created)
        if not hits:
            continue
        lines.append(f"Known issue {issue.ident} on {version.value}: {issue.title}.")
        lines.append(f"Affected names here: {', '.join(hits)}.")
        lines.append(issue.advice)
        checks |= issue.prechecks
    return tuple(lines), frozenset(checks)


def _allow_service(vlan: Vlan, role: Role) -> tuple[str, ...]:
    return tuple(vlan.allow_service or role.default_lockdown)


def _lockdown(vlan: Vlan, role: Role, needed: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """(keyword, entries): `none`/`default`/`all`, or "" and the protocol:port entries.

    The tunnel's local self IP also admits what the tunnel needs (`needed`: EtherIP, and with
    IPsec ESP and IKE), whatever the site asks."""
    chosen = admitting(_allow_service(vlan, role), needed)
    if len(chosen) == 1 and ":" not in chosen[0]:
        return chosen[0], ()
    return "", chosen


def endpoint_services(ipsec: IpsecSettings | None) -> tuple[str, ...]:
    """What the tunnel's local self IP must admit: EtherIP, and with IPsec ESP and IKE."""
    return (ETHERIP_SERVICE, *(ipsec.services if ipsec else ()))


def _self_ip(
    name: str, address: str, vlan_path: str, floating: bool, lockdown: tuple[str, tuple[str, ...]]
) -> SelfIpView:
    return SelfIpView(
        name=name,
        path=path(name),
        address=address,
        vlan_path=vlan_path,
        traffic_group=TG_FLOATING if floating else TG_LOCAL,
        floating=floating,
        lockdown=lockdown[0],
        services=lockdown[1],
    )


def _tunnel(site: Site, peer: Peer, remote_name: str, remote: Peer, mtu: MtuPlan) -> TunnelView:
    values = {
        "profile": ETHERIP_PROFILE,
        "local-address": str(peer.endpoint),
        "remote-address": str(remote.endpoint),
        "mtu": str(mtu.tunnel),
        "description": quoted(f"etherip {site.deployment} to {remote_name}"),
    }
    return TunnelView(
        name=peer.tunnel,
        path=path(peer.tunnel),
        profile=ETHERIP_PROFILE,
        local_address=str(peer.endpoint),
        remote_address=str(remote.endpoint),
        remote_peer=remote_name,
        props=props(bigip.TUNNEL, values),
    )


def _peer_context(
    site: Site,
    name: str,
    version: BigIpVersion,
    pool: PoolView,
    monitor: MonitorView,
    mtu: MtuPlan,
    ipsec: IpsecSettings | None,
) -> PeerContext:
    peer = site.peers[name]
    remote_name, remote = site.remote(name)
    prefix = site.deployment
    wan_path, vm_path = path(peer.wan.vlan), path(peer.vm.vlan)
    group_path, tunnel_path = path(peer.vlan_group), path(peer.tunnel)
    wan_lock, vm_lock = _lockdown(peer.wan, Role.WAN), _lockdown(peer.vm, Role.VM)
    needed = endpoint_services(ipsec)
    endpoint_lock = _lockdown(peer.wan, Role.WAN, needed)
    hostnames = tuple(peer.devices)
    wan_floating = vm_floating = None
    if peer.wan.floating_self is not None and peer.wan.create:
        wan_floating = _self_ip(
            f"{prefix}_wan_float", str(peer.wan.floating_self), wan_path, True, endpoint_lock
        )
    if peer.vm.floating_self is not None:
        vm_floating = _self_ip(f"{prefix}_vm_float", str(peer.vm.floating_self), group_path, True, vm_lock)
    floating = tuple(f for f in (wan_floating, vm_floating) if f is not None)
    wan_view, vm_view = _vlan_view(peer.wan, Role.WAN, mtu), _vlan_view(peer.vm, Role.VM, mtu)
    # On a vCMP guest or F5OS tenant the host creates the VLANs the site marks create: true.
    wanted = tuple(v for v in (vm_view, wan_view) if v.create)
    created_vlans = () if peer.is_guest else wanted
    route = _route(prefix, peer, remote)
    tunnel = _tunnel(site, peer, remote_name, remote, mtu)
    endpoint = _endpoint(peer, needed)
    ipsec_view = _ipsec(site, peer, remote_name, remote, ipsec)
    vlan_group = VlanGroupView(
        name=peer.vlan_group,
        path=group_path,
        members=(vm_path, tunnel_path),
        mode=VLAN_GROUP_MODE,
        proxy_excludes=tuple(str(a) for a in site.shared_gateways),
    )
    selves: dict[str, tuple[SelfIpView | None, SelfIpView]] = {}
    objects: dict[str, StepObjects] = {}
    for index, (host, device) in enumerate(peer.devices.items()):
        suffix = ("_a", "_b")[index] if peer.is_ha else ""
        # Without a floating WAN self IP (standalone), the device's own is the tunnel endpoint.
        lock = wan_lock if peer.wan.floating_self is not None else endpoint_lock
        wan_self = (
            _self_ip(f"{prefix}_wan_self{suffix}", str(device.wan_self), wan_path, False, lock)
            if peer.wan.create
            else None
        )
        vm_self = _self_ip(f"{prefix}_vm_self{suffix}", str(device.vm_self), group_path, False, vm_lock)
        selves[host] = (wan_self, vm_self)
        objects[host] = StepObjects(
            deployment=prefix,
            vlans=created_vlans,
            wan_self=wan_self,
            vm_self=vm_self,
            wan_floating=wan_floating,
            vm_floating=vm_floating,
            route=route,
            tunnel=tunnel,
            endpoint=endpoint,
            vlan_group=vlan_group,
            pool=pool,
            monitor=monitor,
            ipsec=ipsec_view,
        )
    key_step = ipsec_view is not None and ipsec_view.key_step
    plans = {
        phase: {
            h: tuple(
                s
                for s in plan(phase, key_step=key_step)
                if applies(
                    s, first_device=i == 0, has_operations=bool(step_operations(phase, s.slug, objects[h]))
                )
            )
            for i, h in enumerate(hostnames)
        }
        for phase in Phase
    }
    devices = []
    for index, (host, device) in enumerate(peer.devices.items()):
        wan_self, vm_self = selves[host]
        steps = {
            phase: tuple(
                _device_step(s, phase, plans[phase], wan_self, objects[host], key_step)
                for s in plans[phase][host]
            )
            for phase in Phase
        }
        others = tuple(h for h in hostnames if h != host)
        selfs = tuple(x for x in (wan_self, vm_self) if x is not None) + floating
        devices.append(
            DeviceContext(
                hostname=host,
                index=index,
                other_hostnames=others,
                wan_address=str(device.wan_self),
                wan_self=wan_self,
                vm_self=vm_self,
                steps=steps[Phase.APPLY],
                rollback=steps[Phase.ROLLBACK],
                selfs=selfs,
            )
        )
    notes, prechecks = _known_issues(peer, version)
    used = tuple(
        dict.fromkeys(
            n for v in (peer.wan, peer.vm) if v.create and not peer.is_guest for n in v.interfaces or {}
        )
    )
    existing_wan: tuple[str, ...] = ()
    if not peer.wan.create:
        addresses = [str(d.wan_self) for d in peer.devices.values()]
        if peer.wan.floating_self is not None:
            addresses.append(str(peer.wan.floating_self))
        existing_wan = tuple(addresses)
    return PeerContext(
        name=name,
        remote_name=remote_name,
        is_ha=peer.is_ha,
        device_group=peer.device_group,
        hostnames=hostnames,
        wan=wan_view,
        vm=vm_view,
        vlans=created_vlans,
        host_vlans=wanted if peer.is_guest else (),
        platform=peer.platform,
        existing_vlans=tuple(path(v.vlan) for v in (peer.wan, peer.vm) if not v.create),
        wan_vlan_path=wan_path,
        vm_vlan_path=vm_path,
        wan_floating=wan_floating,
        vm_floating=vm_floating,
        wan_floating_address=None if peer.wan.floating_self is None else str(peer.wan.floating_self),
        existing_wan_addresses=existing_wan,
        endpoint_self=str(peer.wan.floating_self or next(iter(peer.devices.values())).wan_self),
        endpoint=endpoint,
        endpoint_services=needed,
        gateway=None if peer.wan.gateway is None else str(peer.wan.gateway),
        route=route,
        tunnel=tunnel,
        vlan_group=vlan_group,
        ipsec=ipsec_view,
        devices=tuple(devices),
        notes=notes,
        check_backplane_mtu=Precheck.BACKPLANE_MTU_KEY in prechecks,
        remote_vm_addresses=_remote_vm_addresses(remote),
        interfaces=tuple(n for n in used if is_physical_interface(n)),
        trunks=tuple(n for n in used if not is_physical_interface(n)),
    )


def admitting(chosen: tuple[str, ...], needed: tuple[str, ...]) -> tuple[str, ...]:
    """A port lockdown that admits each of `needed`: `all` stays as it is; an entry already
    there in any of its printed forms (97:0 = etherip:any) is kept; each missing one is added
    (to `default` or the entries; `none` is dropped once something is added)."""
    if "all" in chosen or not needed:
        return chosen
    missing = tuple(n for n in needed if not set(service_forms(n)) & set(chosen))
    if not missing:
        return chosen
    return (*(c for c in chosen if c != "none"), *missing)


def _endpoint(peer: Peer, needed: tuple[str, ...]) -> EndpointView | None:
    named = peer.wan.endpoint_self
    if named is None:
        return None
    return EndpointView(
        name=named.name,
        path=path(named.name),
        address=str(peer.wan.floating_self or next(iter(peer.devices.values())).wan_self),
        current=tuple(named.allow_service),
        after=admitting(tuple(named.allow_service), needed),
    )


def _ipsec(
    site: Site, peer: Peer, remote_name: str, remote: Peer, ipsec: IpsecSettings | None
) -> IpsecView | None:
    """The IPsec objects of one peer: a policy (ESP between the endpoints), a traffic selector
    for EtherIP from this endpoint to the other (F5: the same source and destination addresses
    as the EtherIP tunnel [C]), and the IKE peer at the other endpoint."""
    if ipsec is None:
        return None
    prefix = site.deployment
    local, far = str(peer.endpoint), str(remote.endpoint)
    names = {k: f"{prefix}_{k}" for k in ("ipsec", "ts", "ike")}
    tunnel_mode = ipsec.mode == "tunnel"
    policy_values: dict[str, Value | None] = {
        "protocol": "esp",
        "mode": ipsec.mode,
        "tunnel-local-address": local if tunnel_mode else None,
        "tunnel-remote-address": far if tunnel_mode else None,
        "ike-phase2-encrypt-algorithm": ipsec.phase2_encrypt,
        "ike-phase2-auth-algorithm": ipsec.phase2_auth,
        "ike-phase2-perfect-forward-secrecy": ipsec.pfs,
        "ike-phase2-lifetime": str(ipsec.phase2_lifetime),
    }
    selector_values: dict[str, Value | None] = {
        "source-address": f"{local}/32",
        "destination-address": f"{far}/32",
        "ip-protocol": str(ETHERIP_PROTOCOL),
        "direction": DIRECTION,
        "ipsec-policy": path(names["ipsec"]),
    }
    cert = peer.ipsec_certificate
    v2 = ipsec.ike_version == "v2"
    peer_values: dict[str, Value | None] = {
        "remote-address": far,
        "version": entries("replace-all-with", (ipsec.ike_version,)) if ipsec.writes_version else None,
        "mode": None if v2 else MAIN_MODE,
        "phase1-auth-method": PSK_METHOD if ipsec.psk else CERT_METHOD,
        "phase1-encrypt-algorithm": ipsec.phase1_encrypt,
        "phase1-hash-algorithm": ipsec.phase1_hash,
        "phase1-perfect-forward-secrecy": ipsec.dh_group,
        "prf": ipsec.phase1_hash if v2 else None,
        "lifetime": str(ipsec.phase1_lifetime),
        # With a key, each side names itself and the other by address; with certificates, by
        # the certificate's subject (asn1dn), verified against the CA [S: F5 Ansible, 12.0 schema].
        "my-id-type": "address" if ipsec.psk else "asn1dn",
        "my-id-value": local if ipsec.psk else None,
        "peers-id-type": "address" if ipsec.psk else "asn1dn",
        "peers-id-value": far if ipsec.psk else None,
        "my-cert-file": path(cert.cert) if cert else None,
        "my-cert-key-file": path(cert.key) if cert else None,
        "ca-cert-file": path(cert.ca) if cert else None,
        "verify-cert": "true" if cert else None,
        "nat-traversal": ipsec.nat_traversal,
        "traffic-selector": entries("replace-all-with", (path(names["ts"]),)) if v2 else None,
        "preshared-key": PSK_VARIABLE if ipsec.psk else None,
    }

    def obj(kind: bigip.Kind, key: str, values: dict[str, Value | None], label: str) -> IpsecObject:
        kept = tuple((n, v) for n in kind.properties if (v := values.get(n)) is not None)
        return IpsecObject(kind=kind, name=names[key], path=path(names[key]), values=kept, label=label)

    certificates: tuple[tuple[bigip.Kind, str], ...] = ()
    if cert:
        certificates = (
            (bigip.SSL_CERT, path(cert.cert)),
            (bigip.SSL_KEY, path(cert.key)),
            (bigip.SSL_CERT, path(cert.ca)),
        )
    return IpsecView(
        settings=ipsec,
        local=local,
        remote=far,
        remote_peer=remote_name,
        policy=obj(bigip.IPSEC_POLICY, "ipsec", policy_values, "the IPsec policy"),
        selector=obj(bigip.TRAFFIC_SELECTOR, "ts", selector_values, "the IPsec traffic selector"),
        ike_peer=obj(bigip.IKE_PEER, "ike", peer_values, f"the IKE peer {remote_name}"),
        certificates=certificates,
    )


def _remote_vm_addresses(remote: Peer) -> tuple[str, ...]:
    """What answers across the tunnel from the other data center: its first (active) unit's VM
    self IP and, on a pair, the floating one; a standby unit does not bridge (bridge-in-standby
    disabled), so whether its own VM self IP answers across the tunnel is not known [I]."""
    first = next(iter(remote.devices.values()))
    floating = () if remote.vm.floating_self is None else (str(remote.vm.floating_self.ip),)
    return (str(first.vm_self.ip), *floating)


def _route(prefix: str, peer: Peer, remote: Peer) -> RouteView | None:
    if peer.wan.gateway is None or isinstance(peer.wan.gateway, str):
        return None
    name = f"{prefix}_wan_route"
    network, gateway = f"{remote.endpoint}/32", str(peer.wan.gateway)
    description = quoted(f"etherip {prefix} to the other tunnel endpoint")
    values = {"network": network, "gw": gateway, "description": description}
    return RouteView(
        name=name, path=path(name), network=network, gateway=gateway, props=props(bigip.ROUTE, values)
    )


def _vlan_view(vlan: Vlan, role: Role, mtu: MtuPlan) -> VlanView:
    interfaces = tuple((vlan.interfaces or {}).items())  # file order
    return VlanView(
        name=vlan.vlan,
        path=path(vlan.vlan),
        tag=vlan.tag,
        interfaces=interfaces,
        mtu=_vlan_mtu(vlan, role, mtu),
        role=role,
        create=vlan.create,
        allow_service=_allow_service(vlan, role),
    )


def _vlan_mtu(vlan: Vlan, role: Role, mtu: MtuPlan) -> int | None:
    """A created WAN VLAN carries the tunnel's packets plus EtherIP's overhead; a created VM VLAN
    carries what the VMs send (left at the default 1500 where that is what they send). An existing
    VLAN's mtu is what the site file says it is today (None: not stated)."""
    if vlan.mtu is not None or not vlan.create:
        return vlan.mtu
    if role is Role.WAN:
        return mtu.wan_required
    return mtu.vm if mtu.vm > DEFAULT_MTU else None


def _ipsec_inferred(ipsec: IpsecView | None, step: Step, phase: Phase) -> tuple[str, ...]:
    """What the IPsec objects of an apply step rest on (CHANGE.md, "IPsec")."""
    if ipsec is None or phase is not Phase.APPLY or step.slug != "tunnel":
        return ()
    lines: tuple[str, ...] = (
        (
            "The traffic selector has the tunnel's source and destination addresses, as F5's chapter 'Securing EtherIP "
            "Tunnel Traffic with IPsec' says [C]; that it takes only IP protocol 97, the ESP mode, the algorithms and "
            "lifetimes are this change's choice [I] (CHANGE.md, IPsec)."
        ),
        (
            "The IPsec objects are config-synced like other /Common objects: F5's list of what config-sync leaves out "
            "does not name them [S]; creating the policy, the selector and the tunnel in one transaction is [I]."
        ),
    )
    if not ipsec.settings.writes_version:
        lines += (
            (
                "No F5 reference for the IPsec objects on this release line was found: their property names and values "
                f"are those of {REST_HELP} (IKEv1, `version` left at its default v1) [I]."
            ),
        )
    return lines


def _device_step(
    step: Step,
    phase: Phase,
    plans: dict[str, tuple[Step, ...]],
    wan_self: SelfIpView | None,
    objects: StepObjects,
    key_step: bool,
) -> DeviceStep:
    before = []
    for earlier in plan(phase, key_step=key_step)[: step.number - 1]:
        hosts = tuple(h for h, steps in plans.items() if earlier in steps)
        if hosts:
            undoes = f", undoes step {earlier.undoes}" if earlier.undoes else ""
            before.append(
                f"{WORDS[phase].step_prefix}step {earlier.number} ({earlier.slug}{undoes}) on {', '.join(hosts)}"
            )
    words = WORDS[phase]
    creates_endpoint = wan_self is not None and ETHERIP_SERVICE in wan_self.services
    pair = len(plans) == 2
    inferred = (
        (step.inferred_pair if pair else ())
        + step.inferred
        + (step.inferred_for_endpoint if creates_endpoint else ())
        + _ipsec_inferred(objects.ipsec, step, phase)
    )
    return DeviceStep(
        step=step,
        phase=phase,
        words=words,
        filename=step_file_name(step, phase),
        before=tuple(before),
        inferred=inferred,
        operations=step_operations(phase, step.slug, objects),
    )
