"""CHANGE.md's "Traffic" section: what the connections need besides the objects, for this site.

The objects can all exist and still drop the connections this change is for: a moved VM's
replies taking the other data center's gateway, a failover, a second bridge, a pool without a
health check. Each paragraph says what this site does about it and what rests on an inference.
Sources are named where they are used; [I] marks what follows from routing or bridging rather
than from an F5 text.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.bigip import path
from generator.citations import (
    IPSEC_CHAPTER,
    IPSEC_MIRRORING_BUG,
    IPSEC_OBJECTS,
    IPSEC_TSG,
    MIRRORING,
    REST_HELP,
)
from generator.views import SiteContext


@dataclass(frozen=True)
class Paragraphs:
    heading: str
    lines: tuple[str, ...]  # paragraphs, and list items ("- …")

    @property
    def text(self) -> str:
        """Markdown: a blank line between paragraphs, list items one under the other."""
        out = ""
        for i, line in enumerate(self.lines):
            if i:
                out += "\n" if line.startswith("- ") else "\n\n"
            out += line
        return out


def traffic_sections(ctx: SiteContext) -> tuple[Paragraphs, ...]:
    sections = [_return_path(ctx), _failover(ctx), _health(ctx), _one_bridge(ctx)]
    if any(not p.vm.create for p in ctx.peers):
        sections.append(_vm_vlan_selfs(ctx))
    sections.append(_tunnel_defaults())
    if ctx.ipsec is not None:
        sections.append(_ipsec(ctx))
    return tuple(sections)


def _ipsec(ctx: SiteContext) -> Paragraphs:
    """What IPsec adds, where each value comes from, and what a failover does to it."""
    s = ctx.ipsec
    assert s is not None
    a, b = ctx.peers
    pairs = [p for p in ctx.peers if p.is_ha]
    key = (
        "a pre-shared key, typed on each data center's first unit in the key step (`bash`, asked twice, never "
        "shown); no file of this change holds it"
        if s.psk
        else "certificates already on the units (`ipsec_certificate` per data center; the pre-check lists them), "
        "each side's subject checked against the CA named"
    )
    lines = [
        (
            f"EtherIP between {a.tunnel.local_address} and {b.tunnel.local_address} is protected by IPsec ESP: on each "
            "side a traffic selector for IP protocol 97 from this endpoint /32 to the other, its IPsec policy, and an IKE "
            f"peer at the other endpoint. F5's chapter ({IPSEC_CHAPTER}) adds a traffic selector on each side "
            "with the same source and destination addresses as the EtherIP tunnel [C]; its other values were not "
            "found, so each value below is this change's choice [I], written explicitly (no BIG-IP default is relied on; "
            f"property names from {IPSEC_OBJECTS} [S]). Restricting the selector to protocol 97 is [I]."
        ),
        f"- IKE {s.ike_version}"
        + (" (main mode)" if s.ike_version == "v1" else "")
        + f"; authentication: {key}.",
        f"- Phase 1: {s.phase1_encrypt}, {s.phase1_hash}, Diffie-Hellman {s.dh_group}, lifetime {s.phase1_lifetime} minutes.",
        f"- Phase 2 (ESP, {s.mode} mode): {s.phase2_encrypt}"
        + ("" if s.gcm else f" with {s.phase2_auth}")
        + f", perfect forward secrecy {s.pfs}, lifetime {s.phase2_lifetime} minutes.",
        (
            f"- NAT traversal {s.nat_traversal}; the tunnel endpoints admit {', '.join(s.services)} besides 97:0, and the "
            "firewalls between the data centers pass them both ways (Roles)."
        ),
        (
            "Both data centers must hold the same values: an IKE mismatch (key, algorithms, version, addresses) stops "
            "the tunnel, and while only one side has its traffic selector, EtherIP between the sites breaks (one side "
            "sends ESP, the other expects clear EtherIP) [I]. Apply and roll back both data centers in the same window, "
            "with the files of one version folder: the defaults depend on the release (IKEv2 where it mirrors SAs), so "
            "data centers on different releases take the older one's folder or write `ike_version` in the site file."
        ),
    ]
    if not s.psk:
        lines.append(
            "Certificates: each side accepts any certificate the CA it names has signed as the other data center "
            "(the peer's identity is not pinned to one subject) [I]: use a CA that signs only these two certificates."
        )
    if pairs:
        names = ", ".join(p.name for p in pairs)
        if s.ike_version == "v2" and s.mirrored:
            lines.append(
                f"Failover ({names}): F5 mirrors IKEv2 security associations to the standby unit on this release, "
                f"with connection mirroring set up between the units ({IPSEC_MIRRORING_BUG} [C]; {IPSEC_TSG} [C]); "
                "without mirroring, the new active unit negotiates again and the tunnel carries nothing until it has. "
                "This change does not check the units' mirroring addresses: the load-balancer team confirms them."
            )
        else:
            lines.append(
                f"Failover ({names}): F5: only IKEv2 tunnels support HA failover, and security associations are "
                f"mirrored for IKEv2 only ({IPSEC_TSG} [C]; {IPSEC_MIRRORING_BUG} [C]). Here the new "
                "active unit negotiates IKE again after a failover, and the tunnel carries nothing until it has (dead "
                "peer detection finds the lost peer after about 30 seconds, F5's default dpd-delay [S]) [I]: a vMotion "
                "during a failover loses its connections."
            )
    return Paragraphs("IPsec", tuple(lines))


def _gateways(ctx: SiteContext) -> str:
    found = []
    for p in ctx.peers:
        address = p.vm_floating.address if p.vm_floating else p.devices[0].vm_self.address
        found.append(f"{p.name}: {address.split('/')[0]}")
    return "; ".join(found)


def _return_path(ctx: SiteContext) -> Paragraphs:
    pool = ctx.pool.path
    lines = [
        (
            "Replies from a VM that vMotion moved to the other data center must come back through the BIG-IP that "
            "holds the connection. Two ways do that: every virtual server that uses the pool translates the source "
            "address (`source-address-translation { type automap }` or a SNAT pool; F5's ltm virtual property [C]), "
            "so the VM answers the BIG-IP's own address, which the stretched VM subnet reaches through the tunnel; or "
            "the VMs' default gateway is the BIG-IP's floating VM self IP on the VLAN group, so replies go to it across "
            "the bridge. Otherwise a moved VM answers through the other data center's local gateway and the connection "
            "is lost. F5's EtherIP chapter has no task for this; it follows from routing [I]."
        ),
    ]
    if ctx.return_path == "snat":
        lines.append(
            f"This site: `return_path: snat`. The pre-check stops on a virtual server whose pool is `{pool}` without "
            "source address translation."
        )
    elif ctx.return_path == "bigip_gateway":
        lines.append(
            "This site: `return_path: bigip_gateway`. The virtualization team confirms before the window that every "
            f"VM's default gateway is the BIG-IP's VM self IP of its data center ({_gateways(ctx)}) (Have ready)."
        )
    else:
        lines.append(
            "This site does not say which (`return_path` in the site file: `snat` or `bigip_gateway`). The "
            "pre-check lists the virtual servers with their source address translation; the change lead confirms "
            "one of the two ways before go/no-go 1 (Have ready)."
        )
    return Paragraphs("Return path", tuple(lines))


def _failover(ctx: SiteContext) -> Paragraphs:
    if not any(p.is_ha for p in ctx.peers):
        return Paragraphs(
            "Failover during a vMotion",
            (
                "Both data centers run a standalone unit: there is no failover; a reboot of either drops every connection.",
            ),
        )
    return Paragraphs(
        "Failover during a vMotion",
        (
            (
                "A failover of a pair while a VM is moving, or afterwards, drops the connections this change protects "
                "unless connection mirroring is enabled on the virtual server (`mirror enabled`): "
                f"{MIRRORING} [C], a mirrored connection "
                "goes on on the next-active unit [S]. VLAN failsafe (F5 K13297 'Overview of VLAN failsafe' [C]) on the "
                "VM VLAN could fail a unit over once every VM has moved away and the local VLAN falls quiet [I]."
            ),
            (
                "This change sets neither. The pre-check lists each virtual server's `mirror`; do not fail over during "
                "the window."
            ),
        ),
    )


def _health(ctx: SiteContext) -> Paragraphs:
    pool = ctx.pool
    kept = [m for m in (*pool.restore_monitors, *((pool.also_monitor,) if pool.also_monitor else ())) if m]
    checks = ", ".join(f"`{path(m)}`" for m in dict.fromkeys(kept)) or "none"
    return Paragraphs(
        "Health monitors",
        (
            (
                'The Virtual Location monitor determines "whether each member is local or remote, adjusting the pool '
                'member priority to give local members a higher priority than remote members" (F5 iControl reference, '
                "LocalLB::Monitor template types [C]); it does not check that a member serves. The pool's rule keeps "
                f"these health monitors beside it: {checks}; the pre-check confirms each exists on the unit. Persistence "
                "can still send a client to a member that moved away [S]."
            ),
        ),
    )


def _one_bridge(ctx: SiteContext) -> Paragraphs:
    lines = [
        (
            "The VLAN group bridges the VM VLAN across the WAN. If the VM VLAN is already stretched between the data "
            "centers (OTV, VXLAN, VPLS, NSX L2VPN, another EtherIP tunnel), this second bridge makes a loop: the "
            "network team confirms it is not (Have ready), and the pre-check stops if the VM VLAN is already a member "
            "of a VLAN group on the unit. The VLAN group is left with bridge-multicast and bridge-traffic at their "
            "defaults (disabled [S]), so no spanning-tree frames cross the tunnel and nothing would stop such a loop [I]."
        ),
    ]
    if ctx.shared_gateways:
        lines.append(
            "Both data centers answer the gateway address "
            + ", ".join(f"`{a}`" for a in ctx.shared_gateways)
            + f" on the VM subnet (`shared_gateways` in the site file): step {ctx.step_number('vlan-group')} puts it on the VLAN group's proxy "
            "exclusion list (`proxy-excludes`), the addresses proxy ARP ignores (F5 iControl VLAN group reference "
            "[C]), so the BIG-IP does not answer ARP for it across the bridge and each side keeps its own gateway [I]."
        )
    else:
        lines.append(
            "If both data centers answer the same gateway address on the VM subnet (an FHRP or anycast gateway), "
            f"name it in `shared_gateways` in the site file and render again: step {ctx.step_number('vlan-group')} then puts it on the VLAN "
            "group's proxy exclusion list (F5 iControl VLAN group reference [C]). The network team confirms which "
            "applies (Have ready)."
        )
    return Paragraphs("One bridge only", tuple(lines))


def _vm_vlan_selfs(ctx: SiteContext) -> Paragraphs:
    names = ", ".join(f"`{p.vm_vlan_path}` ({p.name})" for p in ctx.peers if not p.vm.create)
    return Paragraphs(
        "Self IPs on an existing VM VLAN",
        (
            (
                f"The VM VLAN exists: {names}. Its own self IPs stay on it; this change puts its VM self IPs on the VLAN "
                f"group. A self IP in the VM subnet `{ctx.vm_subnet}` on the VLAN as well as on the VLAN group puts one "
                "subnet on two objects [I]: the pre-check stops if it finds one, and moving it (often the servers' "
                "gateway) to the VLAN group is a change of its own."
            ),
        ),
    )


def _tunnel_defaults() -> Paragraphs:
    return Paragraphs(
        "Tunnel settings left at their defaults",
        (
            (
                "The tunnel sets `profile`, `local-address`, `remote-address` and `mtu`. It leaves these at their "
                "defaults, each for a reason:"
            ),
            (
                "- `traffic-group`: not set; the tunnel is config-synced because its local address is a floating self IP "
                "and `sys db iptunnel.configsync` is `enable` (the pre-check reads it) [S]. F5's Ansible module says it "
                "cannot be changed after the tunnel exists [C]; its presence on the oldest releases etherip supports "
                "is not confirmed, so it is never written [I]."
            ),
            (
                "- `use-pmtu`: enabled by default; with an explicit `mtu` the tunnel uses the smaller of the path MTU and "
                f"`mtu` ({REST_HELP} [S])."
            ),
            "- `tos`: `preserve`, the inner packet's ToS is copied to the outer one [S].",
            "- `auto-lasthop`: `default`, the global setting [S].",
            "- `mode`: `bidirectional` [S].",
        ),
    )
