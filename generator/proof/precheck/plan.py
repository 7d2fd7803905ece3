"""What the change means for one unit, read from the view-model (`generator.context`).

Object names and paths come from `build_context`; nothing here re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.context import DeviceContext, PeerContext, SiteContext
from generator.model import Site
from generator.proof.precheck.saved import SavedConfig

# stanza kinds whose names share one namespace on the box: VLANs, VLAN groups and tunnels are
# all layer-2 interfaces of the same name space [I]
L2_KINDS = ("net vlan", "net vlan-group", "net tunnels tunnel")


@dataclass(frozen=True)
class Created:
    kind: str  # stanza kind, as in saved.KINDS
    label: str  # for messages: "VLAN", "self IP", ...
    path: str


@dataclass(frozen=True)
class SavedUnit:
    """One device of the site with its saved configuration."""

    model: Site
    site: SiteContext
    peer: PeerContext
    device: DeviceContext
    saved: SavedConfig


def created_objects(unit: SavedUnit) -> list[Created]:
    peer, site = unit.peer, unit.site
    objects = [Created("net vlan", "VLAN", v.path) for v in peer.vlans]
    objects.append(Created("net vlan-group", "VLAN group", peer.vlan_group.path))
    objects.append(Created("net tunnels tunnel", "tunnel", peer.tunnel.path))
    objects.extend(Created("net self", "self IP", s.path) for s in unit.device.selfs)
    if peer.route is not None:
        objects.append(Created("net route", "route", peer.route.path))
    if site.pool.create:
        objects.append(Created("ltm pool", "pool", site.pool.path))
    objects.append(Created("ltm monitor", "monitor", site.monitor.path))
    if peer.ipsec is not None:
        for obj in (peer.ipsec.policy, peer.ipsec.selector, peer.ipsec.ike_peer):
            objects.append(Created(obj.kind.tmsh, obj.label.removeprefix("the "), obj.path))
    return objects


def existing_wan_addresses(unit: SavedUnit) -> list[tuple[str, bool]]:
    """(address with prefix, floating?) of the existing WAN self IPs this unit must hold."""
    peer = unit.model.peers[unit.peer.name]
    if peer.wan.create:
        return []
    out = [(str(peer.devices[unit.device.hostname].wan_self), False)]
    if peer.wan.floating_self is not None:
        out.append((str(peer.wan.floating_self), True))
    return out
