"""A model of BIG-IP devices to replay parsed tmsh commands on.

Each device holds its objects as {(kind, path): properties}. Replaying a command checks what
a real unit would refuse: creating an object that exists, changing or deleting one that does
not, referring to an object that does not exist (yet), deleting an object still referred to,
a config-sync from a device outside the group or one that would bring objects whose
references the receiving unit lacks. Transactions apply at submit, all or nothing.
Config-sync copies the synced objects (tunnels, pools, monitors, floating self IPs) to the
other units of the device group, as the project reference (bigip-11.6-etherip.md §3) describes [I].
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from generator import bigip
from generator.model import Peer, Site
from generator.proof.tmsh.script import Command, ListValue, Value

Key = tuple[tuple[str, ...], str]
PropMap = dict[str, object]  # one replayed object's properties (views.Props is what the generator writes)

VLAN = bigip.VLAN.words
VLAN_GROUP = bigip.VLAN_GROUP.words
SELF = bigip.SELF_IP.words
TUNNEL = bigip.TUNNEL.words
ROUTE = bigip.ROUTE.words
POOL = bigip.POOL.words
MONITOR = bigip.MONITOR.words
OTHER_MONITOR = ("ltm", "monitor", "existing")  # a monitor the site names but etherip does not manage
SERVICE = bigip.SERVICE.words  # an iApp service (generator/proof/tmsh/iapp_service.py)
IPSEC_POLICY = bigip.IPSEC_POLICY.words
SELECTOR = bigip.TRAFFIC_SELECTOR.words
IKE_PEER = bigip.IKE_PEER.words
SSL_CERT = bigip.SSL_CERT.words
SSL_KEY = bigip.SSL_KEY.words
# A pre-shared key typed on the unit in the key step (generator/proof/tmsh/keystep.py): the
# model never holds a key, only that one was typed there.
TYPED_KEY = "typed-on-the-unit"
TG_LOCAL = bigip.TG_LOCAL

BUILTIN_TRAFFIC_GROUPS = bigip.TRAFFIC_GROUPS
BUILTIN_PROFILES = bigip.BUILTIN_PROFILES
BUILTIN_MONITORS = frozenset(bigip.path(m) for m in bigip.BUILTIN_MONITORS - {"none"})


# EtherIP is IP protocol 97 (RFC 3378); these allow-service entries admit it (protocol:0, as
# F5 writes protocols without ports; by name or number) [I: no source shows protocol 97 itself].
ADMITS_ETHERIP = frozenset({"97:0", "97:any", "etherip:0", "etherip:any"})
UNKNOWN = "unknown"  # the allow-service of a self IP that existed before the change: not in the site file


class ReplayError(ValueError):
    pass


def is_synced(key: Key, props: PropMap) -> bool:
    """Config-sync scope from the vocabulary (generator/bigip.py): per kind, and for a self IP
    per traffic group."""
    group = props.get("traffic-group")
    return bigip.is_synced(key[0], group if isinstance(group, str) else None)


@dataclass
class ReplayedUnit:
    """One modelled BIG-IP unit: its configuration objects, its open transaction, whether it has
    unsaved changes (the model.Device it stands for is the site file's view of the same unit)."""

    hostname: str
    group: str | None = None
    objects: dict[Key, PropMap] = field(default_factory=dict)
    pending: list[Command] | None = None
    unsaved: bool = False

    def get(self, kind: tuple[str, ...], name: str) -> PropMap | None:
        return self.objects.get((kind, name))

    def has_any(self, kinds: Iterable[tuple[str, ...]], name: str) -> bool:
        return any((k, name) in self.objects for k in kinds)

    def self_addresses(self) -> set[str]:
        return {str(IPv4Interface(str(p["address"])).ip) for (k, _), p in self.objects.items() if k == SELF}

    def connected(self) -> list[IPv4Interface]:
        """The self IPs of this device: each one makes its subnet directly connected."""
        return [IPv4Interface(str(p["address"])) for (k, _), p in self.objects.items() if k == SELF]

    def on_link(self, address: IPv4Address) -> bool:
        """A neighbour on a directly connected subnet (never this device's own address)."""
        own = {iface.ip for iface in self.connected()}
        return address not in own and any(address in iface.network for iface in self.connected())

    def next_hop(self, address: IPv4Address) -> IPv4Address | None:
        """Where this device sends a packet for `address`: itself if on-link, else the gateway of
        the most specific route that covers it (longest prefix), else None (unreachable)."""
        if self.on_link(address):
            return address
        best: tuple[int, IPv4Address] | None = None
        for (k, _), p in self.objects.items():
            if k == ROUTE and address in IPv4Network(str(p["network"])):
                prefix = IPv4Network(str(p["network"])).prefixlen
                if best is None or prefix > best[0]:
                    best = (prefix, IPv4Address(str(p["gw"])))
        return None if best is None else best[1]

    def self_admitting(self, address: str) -> PropMap | None:
        return next(
            (
                p
                for (k, _), p in self.objects.items()
                if k == SELF and str(IPv4Interface(str(p["address"])).ip) == address
            ),
            None,
        )


def _normalise(value: Value) -> object:
    if value == ("none",):  # a pool monitor rule of none
        return ()
    if isinstance(value, ListValue):
        return {item: body for item, body in value.items}
    return value


def _merge(old: PropMap, props: dict[str, Value]) -> PropMap:
    new = copy.deepcopy(old)
    for key, value in props.items():
        if isinstance(value, ListValue) and value.op != "replace-all-with":
            current = dict(new.get(key) or {})  # type: ignore[call-overload]
            for item, body in value.items:
                if value.op == "add":
                    current[item] = body
                elif item not in current:
                    raise ReplayError(f"{key}: cannot delete {item!r}: not a member")
                else:
                    del current[item]
            new[key] = current
        else:
            new[key] = _normalise(value)
    return new


def references(key: Key, props: PropMap) -> Iterator[tuple[tuple[tuple[str, ...], ...], str]]:
    """(kinds any of which may satisfy the reference, path) for every object `props` names."""
    kind = key[0]
    if kind == SELF:
        yield (VLAN, VLAN_GROUP, TUNNEL), str(props["vlan"])
    elif kind == VLAN_GROUP:
        for member in props.get("members") or {}:  # type: ignore[attr-defined]
            yield (VLAN, TUNNEL), str(member)
    elif kind == MONITOR:
        yield (POOL,), str(props["pool"])
    elif kind == POOL:
        for monitor in props.get("monitor") or ():  # type: ignore[attr-defined]
            if monitor not in BUILTIN_MONITORS:
                yield (MONITOR, OTHER_MONITOR), str(monitor)
    else:
        yield from _ipsec_references(kind, props)


def _ipsec_references(
    kind: tuple[str, ...], props: PropMap
) -> Iterator[tuple[tuple[tuple[str, ...], ...], str]]:
    """A selector names its policy; an IKE peer its selectors (IKEv2) and certificate files."""
    if kind == SELECTOR and "ipsec-policy" in props:
        yield (IPSEC_POLICY,), str(props["ipsec-policy"])
    elif kind == IKE_PEER:
        for selector in props.get("traffic-selector") or {}:  # type: ignore[attr-defined]
            yield (SELECTOR,), str(selector)
        for prop, cert_kind in (
            ("my-cert-file", SSL_CERT),
            ("my-cert-key-file", SSL_KEY),
            ("ca-cert-file", SSL_CERT),
        ):
            if prop in props:
                yield (cert_kind,), str(props[prop])


def _check_builtin_refs(device: ReplayedUnit, key: Key, props: PropMap) -> None:
    kind = key[0]
    if kind == SELF and props.get("traffic-group", TG_LOCAL) not in BUILTIN_TRAFFIC_GROUPS:
        raise ReplayError(f"{key[1]}: unknown traffic group {props['traffic-group']}")
    if kind == TUNNEL:
        if props.get("profile") not in BUILTIN_PROFILES:
            raise ReplayError(f"{key[1]}: profile must be /Common/etherip, got {props.get('profile')}")
        if str(props.get("local-address")) not in device.self_addresses():
            raise ReplayError(
                f"{key[1]}: local-address {props.get('local-address')} is not a self IP of {device.hostname}"
            )
    if kind == MONITOR and props.get("defaults-from") != "/Common/virtual_location":
        raise ReplayError(f"{key[1]}: defaults-from must be /Common/virtual_location")
    if kind == SELECTOR and "ipsec-policy" not in props:
        # it would fall back to /Common/default-ipsec-policy (transport mode, other algorithms) [S]
        raise ReplayError(f"{key[1]}: no ipsec-policy: the selector would use the built-in default policy")
    if kind == IKE_PEER:
        _check_ike_peer(key[1], props)
    if kind == ROUTE and not device.on_link(IPv4Address(str(props.get("gw")))):
        raise ReplayError(
            f"{key[1]}: gateway {props.get('gw')} is not a neighbour on a directly connected network of {device.hostname}"
        )


def _check_ike_peer(name: str, props: PropMap) -> None:
    """A unit refuses an IKE peer authenticated by a pre-shared key without one (F5's own test:
    "Preshared key value cannot be empty" [S]); a key written in a file is refused here too."""
    key = props.get("preshared-key")
    if props.get("phase1-auth-method") == "pre-shared-key" and not key:
        raise ReplayError(f"{name}: phase1-auth-method pre-shared-key without a preshared-key")
    if key is not None and key != TYPED_KEY:
        raise ReplayError(
            f"{name}: a pre-shared key written in the file (only one typed on the unit is allowed)"
        )


def _check_refs(device: ReplayedUnit, key: Key, props: PropMap) -> None:
    for kinds, name in references(key, props):
        if not device.has_any(kinds, name):
            raise ReplayError(f"{key[1]} refers to {name}, which does not exist on {device.hostname}")
    _check_builtin_refs(device, key, props)


def _referrers(device: ReplayedUnit, target: Key) -> list[str]:
    return [
        k[1]
        for k, p in device.objects.items()
        if k != target and any(target[0] in kinds and name == target[1] for kinds, name in references(k, p))
    ]


def apply_config(device: ReplayedUnit, cmd: Command) -> None:
    key = cmd.key
    exists = key in device.objects
    if cmd.verb == "create":
        if exists:
            raise ReplayError(f"create {key[1]}: already exists on {device.hostname}")
        props = _merge({}, cmd.props)
    elif not exists:
        raise ReplayError(f"{cmd.verb} {key[1]}: does not exist on {device.hostname}")
    elif cmd.verb == "delete":
        users = _referrers(device, key)
        if users:
            raise ReplayError(f"delete {key[1]}: still referred to by {', '.join(sorted(users))}")
        del device.objects[key]
        device.unsaved = True
        return
    else:
        props = _merge(device.objects[key], cmd.props)
    _check_refs(device, key, props)
    device.objects[key] = props
    device.unsaved = True


@dataclass
class Cluster:
    """The devices of one peer (a standalone device, or an HA pair and its device group)."""

    devices: dict[str, ReplayedUnit]

    def run(self, hostname: str, commands: Iterable[Command], source: str = "") -> None:
        device = self.devices[hostname]
        for cmd in commands:
            try:
                self._run_one(device, cmd)
            except ReplayError as exc:
                raise ReplayError(f"{source}:{cmd.line}: {exc}") from None
        if device.pending is not None:
            raise ReplayError(f"{source}: cli transaction opened but never submitted")

    def _run_one(self, device: ReplayedUnit, cmd: Command) -> None:
        if cmd.verb == "begin":
            if device.pending is not None:
                raise ReplayError("cli transaction already open")
            device.pending = []
        elif cmd.verb == "submit":
            self._submit(device)
        elif cmd.verb in ("create", "modify", "delete"):
            if device.pending is not None:
                device.pending.append(cmd)
            else:
                apply_config(device, cmd)
        elif cmd.verb == "sync":
            self._sync(device, cmd.target)
        elif cmd.verb == "save":
            self._outside_transaction(device, "save sys config")
            device.unsaved = False

    @staticmethod
    def _submit(device: ReplayedUnit) -> None:
        if device.pending is None:
            raise ReplayError("submit without create cli transaction")
        pending, device.pending = device.pending, None
        snapshot = copy.deepcopy(device.objects)
        for queued in pending:
            try:
                apply_config(device, queued)
            except ReplayError as exc:
                device.objects = snapshot  # all or nothing
                raise ReplayError(f"transaction rolled back (command at line {queued.line}): {exc}") from None

    @staticmethod
    def _outside_transaction(device: ReplayedUnit, what: str) -> None:
        if device.pending is not None:
            raise ReplayError(f"{what} inside a cli transaction")

    def _sync(self, source: ReplayedUnit, group: str) -> None:
        self._outside_transaction(source, "run cm config-sync")
        if source.group != group:
            raise ReplayError(f"{source.hostname} is not in device group {group}")
        synced = {k: copy.deepcopy(p) for k, p in source.objects.items() if is_synced(k, p)}
        for peer in self.devices.values():
            if peer is source or peer.group != group:
                continue
            local = {k: p for k, p in peer.objects.items() if not is_synced(k, p)}
            peer.objects = {**local, **copy.deepcopy(synced)}
            for key, props in synced.items():
                try:
                    _check_refs(peer, key, props)
                except ReplayError as exc:
                    raise ReplayError(f"config-sync to {peer.hostname} would fail: {exc}") from None
            peer.unsaved = True

    def unsaved(self) -> list[str]:
        return [h for h, d in self.devices.items() if d.unsaved]


def starting_cluster(site: Site, peer_name: str) -> Cluster:
    """The devices of one peer before the change: only what the site marks as existing."""
    peer = site.peers[peer_name]
    devices: dict[str, ReplayedUnit] = {}
    for index, (host, dev) in enumerate(peer.devices.items()):
        objects: dict[Key, PropMap] = {}
        for vlan in (peer.wan, peer.vm):
            if not vlan.create:  # its MTU as the site file says it is today, or not known
                objects[(VLAN, bigip.path(vlan.vlan))] = {"mtu": str(vlan.mtu) if vlan.mtu else UNKNOWN}
            elif peer.is_guest:  # the vCMP host or F5OS made it, with the tag the site gives
                objects[(VLAN, bigip.path(vlan.vlan))] = {
                    "mtu": str(vlan.mtu) if vlan.mtu else UNKNOWN,
                    "tag": str(vlan.tag) if vlan.tag else UNKNOWN,
                }
        if not peer.wan.create:
            wan = bigip.path(peer.wan.vlan)
            # The endpoint the site names (wan.endpoint_self) has its name and lockdown; any
            # other existing self IP is only known by its address.
            named = peer.wan.endpoint_self
            endpoint_name = bigip.path(named.name) if named else None
            endpoint_lock = _lockdown(tuple(named.allow_service)) if named else UNKNOWN
            floating = peer.wan.floating_self is not None
            own = (endpoint_name if not floating and endpoint_name else None) or bigip.path(
                f"existing_wan_self_{index}"
            )
            objects[(SELF, own)] = {
                "address": str(dev.wan_self),
                "vlan": wan,
                "traffic-group": TG_LOCAL,
                "allow-service": UNKNOWN if floating else endpoint_lock,
            }
            if floating:
                objects[(SELF, endpoint_name or bigip.path("existing_wan_float"))] = {
                    "address": str(peer.wan.floating_self),
                    "vlan": wan,
                    "traffic-group": bigip.TG_FLOATING,
                    "allow-service": endpoint_lock,
                }
        # Monitors the site names (the existing pool's rule, also_monitor) exist on the unit.
        site_monitors = [
            *(site.pool.restore_monitor or ()),
            *([site.pool.also_monitor] if site.pool.also_monitor else []),
        ]
        for monitor in dict.fromkeys(bigip.path(m) for m in site_monitors):
            if monitor not in BUILTIN_MONITORS:
                objects[(OTHER_MONITOR, monitor)] = {}
        if not site.pool.create:
            rule = tuple(bigip.path(m) for m in site.pool.restore_monitor or ())
            objects[(POOL, bigip.path(site.pool.name))] = {
                "monitor": rule,
                "min-active-members": str(site.pool.restore_min_active_members or 0),
            }
        objects |= _certificates(peer)
        devices[host] = ReplayedUnit(host, peer.device_group, objects)
    return Cluster(devices)


def _certificates(peer: Peer) -> dict[Key, PropMap]:
    """The certificate, key and CA an IKE peer names: on the units before the change (the
    pre-check lists them)."""
    certificate = peer.ipsec_certificate
    if certificate is None:
        return {}
    return {
        (SSL_CERT, bigip.path(certificate.cert)): {},
        (SSL_KEY, bigip.path(certificate.key)): {},
        (SSL_CERT, bigip.path(certificate.ca)): {},
    }


def _lockdown(entries: tuple[str, ...]) -> object:
    """allow-service as the model holds it: a keyword, or the entries as a dict (list values)."""
    if len(entries) == 1 and ":" not in entries[0]:
        return entries[0]
    return dict.fromkeys(entries)


def runbook_order(
    site: Site, peer_name: str, artifacts: Iterable[dict[str, object]], kind: str = "tmsh-apply"
) -> list[dict[str, object]]:
    """One peer's scripts of one kind (apply or rollback) in runbook order: step, then device."""
    hosts = list(site.peers[peer_name].devices)
    kinds = {kind, "shell-apply"} if kind == "tmsh-apply" else {kind}  # the IPsec key step is an apply step
    mine = [a for a in artifacts if a["peer"] == peer_name and a["kind"] in kinds]
    return sorted(mine, key=lambda a: (int(str(a["step"])), hosts.index(str(a["device"]))))


def admits_etherip(props: PropMap) -> bool | None:
    """Whether port lockdown of a self IP lets EtherIP in; None when it is not known."""
    services = props.get("allow-service", "none")
    if services == UNKNOWN:
        return None
    if services == "all":
        return True
    if isinstance(services, dict):
        return "all" in services or bool(ADMITS_ETHERIP & set(services))
    return False  # none, default: default lists no protocol 97 (K17333 [S])


def tunnel_problems(site: Site, clusters: dict[str, Cluster]) -> Iterator[str]:
    """Why the EtherIP tunnel would not come up between the peers' final states, if it would not.

    On every unit: the tunnel's local address is a self IP of that unit whose port lockdown admits
    protocol 97; its remote address is the other peer's local address, and the other peer's
    tunnel points back; the remote address is on-link, or a route covers it through an on-link
    gateway, or the site file says a route exists (gateway: existing; the pre-check shows it).
    """
    tunnels = {
        name: {h: _the_tunnel(d) for h, d in cluster.devices.items()} for name, cluster in clusters.items()
    }
    for name, cluster in clusters.items():
        remote_name, _ = site.remote(name)
        remote_locals = {str(t["local-address"]) for t in tunnels[remote_name].values() if t}
        for host, device in cluster.devices.items():
            tunnel = tunnels[name][host]
            if tunnel is None:
                yield f"{name}/{host}: no EtherIP tunnel"
                continue
            local, remote = str(tunnel["local-address"]), str(tunnel["remote-address"])
            endpoint = device.self_admitting(local)
            if endpoint is None:
                yield f"{name}/{host}: tunnel local-address {local} is not a self IP here"
            elif admits_etherip(endpoint) is False:
                yield f"{name}/{host}: port lockdown of self IP {local} ({endpoint.get('allow-service')}) drops IP protocol 97"
            if remote not in remote_locals:
                yield f"{name}/{host}: tunnel remote-address {remote} is not {remote_name}'s tunnel endpoint ({', '.join(sorted(remote_locals)) or 'none'})"
            if site.peers[name].wan.gateway == "existing":
                continue
            hop = device.next_hop(IPv4Address(remote))
            if hop is None or not device.on_link(hop):
                yield f"{name}/{host}: no route to the other endpoint {remote}"
    yield from ipsec_problems(site, clusters)


# Properties both ends of an IKE negotiation must agree on (the IKE peer's phase-1 and the
# policy's phase-2 settings); the key itself is typed, the same on both sides [I].
_IKE_AGREE = (
    "version",
    "phase1-auth-method",
    "phase1-encrypt-algorithm",
    "phase1-hash-algorithm",
    "phase1-perfect-forward-secrecy",
    "prf",
    "mode",
    "nat-traversal",
)
_ESP_AGREE = (
    "protocol",
    "mode",
    "ike-phase2-encrypt-algorithm",
    "ike-phase2-auth-algorithm",
    "ike-phase2-perfect-forward-secrecy",
)
ESP_ENTRIES = frozenset({"50:0", "50:any", "esp:0", "esp:any"})
IKE_ENTRIES = frozenset({"udp:500", "udp:isakmp"})
NAT_T_ENTRIES = frozenset({"udp:4500", "udp:ipsec-nat-t"})


Protection = tuple[PropMap, PropMap | None, PropMap | None]  # selector, its policy, the IKE peer
SELECTOR_NAME = "(name)"  # the selector's path, beside its properties in a Protection
End = tuple[str, str, Protection | None]  # local, remote, protection (None: EtherIP in clear)


def _protection(device: ReplayedUnit, local: str, remote: str) -> Protection | None:
    """The traffic selector that takes EtherIP from `local` to `remote` on this unit (protocol 97
    or all, source and destination covering the endpoints), its policy and the IKE peer for
    `remote`; None when EtherIP leaves in clear."""
    for (kind, name), props in device.objects.items():
        if kind != SELECTOR:
            continue
        protocol = str(props.get("ip-protocol", "255"))
        if protocol not in ("97", "255", "etherip"):
            continue
        source, destination = str(props.get("source-address")), str(props.get("destination-address"))
        if IPv4Address(local) in IPv4Network(source) and IPv4Address(remote) in IPv4Network(destination):
            policy = device.get(IPSEC_POLICY, str(props.get("ipsec-policy")))
            peer = next(
                (
                    p
                    for (k, _), p in device.objects.items()
                    if k == IKE_PEER and str(p.get("remote-address")) == remote
                ),
                None,
            )
            return {**props, SELECTOR_NAME: name}, policy, peer
    return None


def _ends(clusters: dict[str, Cluster]) -> dict[str, dict[str, End]]:
    ends: dict[str, dict[str, End]] = {}
    for name, cluster in clusters.items():
        ends[name] = {}
        for host, device in cluster.devices.items():
            tunnel = _the_tunnel(device)
            if tunnel is not None:
                local, remote = str(tunnel["local-address"]), str(tunnel["remote-address"])
                ends[name][host] = (local, remote, _protection(device, local, remote))
    return ends


def ipsec_problems(site: Site, clusters: dict[str, Cluster]) -> Iterator[str]:
    """Why IPsec would stop EtherIP between the peers' states: one side protects it and the other
    does not, the two sides' selectors, policies or IKE peers do not mirror each other, or an
    endpoint's port lockdown drops ESP or IKE."""
    ends = _ends(clusters)
    for name, units in ends.items():
        remote_name, _ = site.remote(name)
        others = [v[2] for v in ends.get(remote_name, {}).values()]
        for host, (local, remote, mine) in units.items():
            yield from _end_problems(
                f"{name}/{host}", remote_name, clusters[name].devices[host], (local, remote, mine), others
            )


def _end_problems(
    where: str, remote_name: str, device: ReplayedUnit, end: End, others: list[Protection | None]
) -> Iterator[str]:
    local, remote, mine = end
    protected = [o for o in others if o is not None]
    if mine is None:
        if protected:
            yield f"{where}: sends EtherIP in clear while {remote_name} protects it with IPsec"
        return
    selector, policy, peer = mine
    if not protected:
        yield f"{where}: protects EtherIP with IPsec while {remote_name} sends it in clear"
    elif policy is None:
        yield f"{where}: the traffic selector's ipsec-policy does not exist"
    elif peer is None:
        yield f"{where}: no IKE peer with remote-address {remote}: IKE cannot start"
    else:
        yield from _lockdown_problems(where, device, local, peer)
        yield from _weak(where, selector, policy, peer)
        if policy.get("mode") == "tunnel" and (
            str(policy.get("tunnel-local-address")) != local
            or str(policy.get("tunnel-remote-address")) != remote
        ):
            yield f"{where}: the IPsec policy's tunnel addresses are not the tunnel's endpoints {local} -> {remote}"
        for other in protected:
            if other[1] is not None and other[2] is not None:
                yield from _mismatch(
                    where, remote_name, (selector, policy, peer), (other[0], other[1], other[2]), local
                )


def _weak(where: str, selector: PropMap, policy: PropMap, peer: PropMap) -> Iterator[str]:
    """What would let EtherIP through unprotected or stop IKE on one side alone: a policy that
    does not encrypt (AH, null), an IKEv2 peer that does not name the selector."""
    if policy.get("protocol", "esp") != "esp" or policy.get("ike-phase2-encrypt-algorithm") == "null":
        yield f"{where}: the IPsec policy does not encrypt EtherIP (protocol {policy.get('protocol')}, {policy.get('ike-phase2-encrypt-algorithm')})"
    versions = peer.get("version")
    named = peer.get("traffic-selector")
    if (
        isinstance(versions, dict)
        and "v2" in versions
        and not (isinstance(named, dict) and selector[SELECTOR_NAME] in named)
    ):
        yield f"{where}: the IKEv2 peer does not name the traffic selector that takes EtherIP"


def _ids(where: str, remote_name: str, peer: PropMap, their_peer: PropMap, local: str) -> Iterator[str]:
    """Each side's IKE identity is the one the other expects (by type; by value for addresses)."""
    if peer.get("my-id-type") != their_peer.get("peers-id-type"):
        yield f"{where}: this side's IKE id type {peer.get('my-id-type')} is not the one {remote_name} expects"
    if peer.get("my-id-type") == "address" and str(their_peer.get("peers-id-value")) != str(
        peer.get("my-id-value")
    ):
        yield f"{where}: {remote_name}'s IKE peer expects id {their_peer.get('peers-id-value')}, this side says {peer.get('my-id-value')}"
    if peer.get("my-id-type") == "address" and str(peer.get("my-id-value")) != local:
        yield f"{where}: this side's IKE id {peer.get('my-id-value')} is not its endpoint {local}"


def _mismatch(
    where: str,
    remote_name: str,
    mine: tuple[PropMap, PropMap, PropMap],
    theirs: tuple[PropMap, PropMap, PropMap],
    local: str,
) -> Iterator[str]:
    selector, policy, peer = mine
    their_selector, their_policy, their_peer = theirs
    if (str(selector.get("source-address")), str(selector.get("destination-address"))) != (
        str(their_selector.get("destination-address")),
        str(their_selector.get("source-address")),
    ):
        yield f"{where}: the traffic selectors of the two sides do not mirror each other"
    for prop, default in (("ip-protocol", "255"), ("direction", "both")):
        if str(selector.get(prop, default)) != str(their_selector.get(prop, default)):
            yield f"{where}: traffic selector {prop} differs from {remote_name}'s"
    for prop in _ESP_AGREE:
        if policy.get(prop) != their_policy.get(prop):
            yield f"{where}: IPsec policy {prop} differs from {remote_name}'s ({policy.get(prop)} / {their_policy.get(prop)})"
    for prop in _IKE_AGREE:
        if peer.get(prop) != their_peer.get(prop):
            yield f"{where}: IKE peer {prop} differs from {remote_name}'s ({peer.get(prop)} / {their_peer.get(prop)})"
    if peer.get("phase1-auth-method") == "pre-shared-key" and (
        peer.get("preshared-key") != TYPED_KEY or their_peer.get("preshared-key") != TYPED_KEY
    ):
        yield f"{where}: the pre-shared key is not set on both sides"
    yield from _ids(where, remote_name, peer, their_peer, local)


def _lockdown_problems(where: str, device: ReplayedUnit, local: str, peer: PropMap) -> Iterator[str]:
    endpoint = device.self_admitting(local)
    if endpoint is None:
        return  # tunnel_problems reports it
    services = endpoint.get("allow-service", "none")
    if services == UNKNOWN or services == "all":
        return
    entries = set(services) if isinstance(services, dict) else set()
    if "all" in entries:
        return
    if not entries & ESP_ENTRIES:
        yield f"{where}: port lockdown of self IP {local} drops ESP (IP protocol 50)"
    if not entries & IKE_ENTRIES:
        yield f"{where}: port lockdown of self IP {local} drops IKE (UDP 500)"
    if peer.get("nat-traversal") in ("on", "force") and not entries & NAT_T_ENTRIES:
        yield f"{where}: port lockdown of self IP {local} drops NAT traversal (UDP 4500)"


def _the_tunnel(device: ReplayedUnit) -> PropMap | None:
    return next((p for (k, _), p in device.objects.items() if k == TUNNEL), None)
