"""The MTU arithmetic of an EtherIP deployment, in one place: what the VMs send, what the tunnel
carries, what each WAN VLAN and the WAN path between the endpoints must carry.

EtherIP (RFC 3378, IP protocol 97) puts the VM segment's Ethernet frame, without its FCS, after
a 2-byte EtherIP header in an IPv4 packet: 20 + 2 + 14 = 36 bytes on top of the VM's IP packet
[C: RFC 3378 header; I: the arithmetic, and that BIG-IP sends the bridged frame untagged; 40
bytes if an 802.1Q tag is carried]. A tunnel's `mtu` 0 means "the MTU of the tunnel's underlying
interface minus the encapsulation overhead" [S: F5's help text, 12.0 REST schema], so with a
1500-byte WAN VLAN a tunnel carries 1464-byte packets, and the VMs' 1500-byte ones do not cross.

Sources of the numbers, all optional in the site file: `vm_mtu` (what the VMs send), each VM
VLAN's `mtu`, `tunnel_mtu` (an explicit tunnel MTU: the VMs must send no more), each WAN VLAN's
`mtu` (created, or for an existing WAN VLAN what it is today). Where the site states none, the
defaults fit: the VMs send 1500 (a VLAN's default MTU [C]), the tunnel carries that, and a WAN
VLAN the change creates gets the MTU that carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model import Site

DEFAULT_MTU = 1500  # net vlan mtu default [C: F5 Ansible bigip_vlan, DO]
IPV4_HEADER = 20
ETHERIP_HEADER = 2  # RFC 3378 [C]
ETHERNET_HEADER = 14  # the inner frame's header; its FCS is not carried [S]
ETHERIP_OVERHEAD = IPV4_HEADER + ETHERIP_HEADER + ETHERNET_HEADER  # 36
ICMP_HEADER = 8
WIRE_HEADER = 14  # a WAN frame's Ethernet header (FCS not counted)
DOT1Q_TAG = 4


@dataclass(frozen=True)
class MtuPlan:
    """Every MTU figure of a deployment, derived once."""

    vm: int  # the largest IP packet the VMs send
    tunnel: int  # the tunnel's mtu on both sides (its largest inner IP packet)
    wan_required: int  # the IP MTU each WAN VLAN and the WAN path must carry
    clamped: bool  # the tunnel carries less than the VMs' VLANs: the VMs must send at most `tunnel`
    stated: bool  # the site states a number the plan rests on (vm_mtu, tunnel_mtu or a VLAN mtu)

    @property
    def wan_frame(self) -> int:
        """The Ethernet frame on a WAN wire for one full packet (FCS not counted)."""
        return self.wan_required + WIRE_HEADER

    @property
    def wan_ping_payload(self) -> int:
        """`ping -s` payload for a packet of wan_required bytes."""
        return self.wan_required - IPV4_HEADER - ICMP_HEADER

    @property
    def tunnel_ping_payload(self) -> int:
        return self.tunnel - IPV4_HEADER - ICMP_HEADER


MAX_VLAN_MTU = 9198  # net vlan mtu range 576-9198 [C: F5 Ansible bigip_vlan, DO]
MIN_TUNNEL_MTU = 576  # the site file's tunnel_mtu bound, and the iApp's pattern for it


def vm_packet(site: Site) -> tuple[int, bool]:
    """The VMs' largest packet, and whether the site states it: vm_mtu; else 1500 (a VLAN's
    default, what a VM sends unless configured otherwise), lowered by a VM VLAN whose mtu is
    smaller (the BIG-IP forwards no more there). A VM VLAN's larger mtu says nothing about what
    the VMs send."""
    if site.vm_mtu is not None:
        return site.vm_mtu, True
    smaller = [p.vm.mtu for p in site.peers.values() if p.vm.mtu is not None and p.vm.mtu < DEFAULT_MTU]
    return (min(smaller), True) if smaller else (DEFAULT_MTU, False)


def plan_mtu(site: Site) -> MtuPlan:
    vm, stated_vm = vm_packet(site)
    if site.tunnel_mtu is not None:
        tunnel = site.tunnel_mtu
    else:
        # An explicit WAN VLAN mtu that cannot carry the VMs' default packets lowers the tunnel
        # (and the VMs must follow); with a stated VM size the rules refuse that instead.
        wans = [p.wan.mtu - ETHERIP_OVERHEAD for p in site.peers.values() if p.wan.mtu is not None]
        tunnel = min([vm, *wans]) if not stated_vm else vm
    return MtuPlan(
        vm=vm,
        tunnel=tunnel,
        wan_required=tunnel + ETHERIP_OVERHEAD,
        clamped=tunnel < vm,
        stated=stated_vm or site.tunnel_mtu is not None,
    )
