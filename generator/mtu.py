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
    from generator.ipsec import IpsecSettings
    from generator.model import Site

DEFAULT_MTU = 1500  # net vlan mtu default [C: F5 Ansible bigip_vlan, DO]
IPV4_HEADER = 20
ETHERIP_HEADER = 2  # RFC 3378 [C]
ETHERNET_HEADER = 14  # the inner frame's header; its FCS is not carried [S]
ETHERIP_OVERHEAD = IPV4_HEADER + ETHERIP_HEADER + ETHERNET_HEADER  # 36
ICMP_HEADER = 8
WIRE_HEADER = 14  # a WAN frame's Ethernet header (FCS not counted)
DOT1Q_TAG = 4


# ESP (RFC 4303): SPI 4 + sequence number 4 before the payload; after it padding to the cipher's
# block (the payload plus the 2-byte pad length and next header), then the integrity check value.
ESP_HEADER = 8
ESP_TRAILER = 2
NAT_T_UDP = 8  # RFC 3948: ESP in UDP 4500 behind NAT
# Per cipher: (IV bytes, block bytes). AES-CBC IV 16, block 16 (RFC 3602); AES-GCM IV 8, padding
# to 4 (RFC 4106) [C]; that BIG-IP's ICV length for GCM is 16 is [I].
ESP_CIPHERS = {"aes128": (16, 16), "aes256": (16, 16), "aes-gcm128": (8, 4), "aes-gcm256": (8, 4)}
# Per integrity algorithm: ICV bytes. HMAC-SHA1-96 12 (RFC 2404), HMAC-SHA-256-128 16 and
# HMAC-SHA-512-256 32 (RFC 4868); AES-GCM's own 16 (RFC 4106) [C].
ESP_ICV = {"sha1": 12, "sha256": 16, "sha512": 32, "aes-gcm128": 16, "aes-gcm256": 16}


def wan_packet(tunnel: int, ipsec: IpsecSettings | None) -> int:
    """The IP packet on the WAN for one tunnel packet of `tunnel` bytes: EtherIP's 36 bytes on
    top, and with IPsec ESP's (tunnel mode: the whole EtherIP packet inside a new IPv4 header;
    transport mode: EtherIP's payload inside ESP under EtherIP's own IPv4 header)."""
    etherip = tunnel + ETHERIP_OVERHEAD
    if ipsec is None:
        return etherip
    iv, block = ESP_CIPHERS[ipsec.phase2_encrypt]
    payload = etherip if ipsec.mode == "tunnel" else etherip - IPV4_HEADER
    padded = -(-(payload + ESP_TRAILER) // block) * block
    nat = NAT_T_UDP if ipsec.nat_traversal != "off" else 0
    return IPV4_HEADER + nat + ESP_HEADER + iv + padded + ESP_ICV[ipsec.phase2_auth]


def largest_tunnel(wan: int, ipsec: IpsecSettings | None) -> int:
    """The largest tunnel packet whose WAN packet fits in `wan` bytes."""
    tunnel = wan - ETHERIP_OVERHEAD
    while tunnel > 0 and wan_packet(tunnel, ipsec) > wan:
        tunnel -= 1
    return tunnel


@dataclass(frozen=True)
class MtuPlan:
    """Every MTU figure of a deployment, derived once."""

    vm: int  # the largest IP packet the VMs send
    tunnel: int  # the tunnel's mtu on both sides (its largest inner IP packet)
    wan_required: int  # the IP MTU each WAN VLAN and the WAN path must carry
    clamped: bool  # the tunnel carries less than the VMs' VLANs: the VMs must send at most `tunnel`
    stated: bool  # the site states a number the plan rests on (vm_mtu, tunnel_mtu or a VLAN mtu)
    esp: int = 0  # of wan_required - tunnel, the bytes ESP adds (0 without IPsec)

    @property
    def overhead(self) -> int:
        """What the WAN carries on top of one full tunnel packet: EtherIP's 36, and ESP's."""
        return self.wan_required - self.tunnel

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


MIN_VLAN_MTU, MAX_VLAN_MTU = 576, 9198  # net vlan mtu range 576-9198 [C: F5 Ansible bigip_vlan, DO]
MIN_TUNNEL_MTU = 576  # the smallest mtu etherip writes on a tunnel (0 or 576-9198 [S: 12.0 schema])


def vm_packet(site: Site) -> tuple[int, bool]:
    """The VMs' largest packet, and whether the site states it: vm_mtu; else 1500 (a VLAN's
    default, what a VM sends unless configured otherwise), lowered by a VM VLAN whose mtu is
    smaller (the BIG-IP forwards no more there). A VM VLAN's larger mtu says nothing about what
    the VMs send."""
    if site.vm_mtu is not None:
        return site.vm_mtu, True
    smaller = [p.vm.mtu for p in site.peers.values() if p.vm.mtu is not None and p.vm.mtu < DEFAULT_MTU]
    return (min(smaller), True) if smaller else (DEFAULT_MTU, False)


def plan_mtu(site: Site, ipsec: IpsecSettings | None = None) -> MtuPlan:
    vm, stated_vm = vm_packet(site)
    if site.tunnel_mtu is not None:
        tunnel = site.tunnel_mtu
    else:
        # An explicit WAN VLAN mtu that cannot carry the VMs' default packets lowers the tunnel
        # (and the VMs must follow); with a stated VM size the rules refuse that instead.
        wans = [largest_tunnel(p.wan.mtu, ipsec) for p in site.peers.values() if p.wan.mtu is not None]
        tunnel = min([vm, *wans]) if not stated_vm else vm
    wan = wan_packet(tunnel, ipsec)
    return MtuPlan(
        vm=vm,
        tunnel=tunnel,
        wan_required=wan,
        clamped=tunnel < vm,
        stated=stated_vm or site.tunnel_mtu is not None,
        esp=wan - tunnel - ETHERIP_OVERHEAD,
    )
