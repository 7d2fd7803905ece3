"""Layout of the topology picture: plain shapes with coordinates, for a dumb SVG template.

Two data-center panels side by side; in each, the devices with their self IPs, the WAN VLAN
with the tunnel endpoint, the VLAN group bridging the VM VLAN and the tunnel, and the VM
subnet with the pool members. The tunnel joins the two panels.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.context import PeerContext, SiteContext

WIDTH, PANEL_W, MARGIN = 1000, 460, 20


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int
    css: str


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    text: str
    css: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    css: str


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    title: str
    rects: tuple[Rect, ...]
    texts: tuple[Text, ...]
    lines: tuple[Line, ...]


def layout(ctx: SiteContext) -> Picture:
    rects: list[Rect] = []
    texts: list[Text] = []
    lines: list[Line] = []
    members = ", ".join(name for name, _ in ctx.pool.members) or "(existing pool)"
    height = 560
    for i, peer in enumerate(ctx.peers):
        x0 = MARGIN + i * (PANEL_W + 2 * MARGIN)
        _panel(peer, x0, height, mirror=i == 1, rects=rects, texts=texts, lines=lines)
    y_tunnel = 300
    lines.append(
        Line(MARGIN + PANEL_W - 10, y_tunnel, MARGIN + PANEL_W + 2 * MARGIN + 10, y_tunnel, "tunnel")
    )
    a, b = ctx.peers
    texts.append(Text(WIDTH // 2, y_tunnel - 8, "EtherIP", "small"))
    texts.append(Text(WIDTH // 2, y_tunnel + 16, "proto 97", "small"))
    texts.append(
        Text(
            WIDTH // 2,
            44,
            f"EtherIP tunnel {a.tunnel.local_address} ({a.name}) ⇄ {b.tunnel.local_address} ({b.name})",
            "label",
        )
    )
    texts.append(
        Text(
            WIDTH // 2, height - 40, f"VM subnet {ctx.vm_subnet} stretched across both data centers", "label"
        )
    )
    texts.append(
        Text(
            WIDTH // 2,
            height - 20,
            f"pool {ctx.pool.name}: {members}; monitor {' and '.join(ctx.pool.monitor_rule)}",
            "small",
        )
    )
    title = f"etherip {ctx.deployment}: BIG-IP {ctx.version}"
    texts.insert(0, Text(WIDTH // 2, 22, title, "title"))
    return Picture(WIDTH, height, title, tuple(rects), tuple(texts), tuple(lines))


def _panel(
    peer: PeerContext,
    x0: int,
    height: int,
    *,
    mirror: bool,
    rects: list[Rect],
    texts: list[Text],
    lines: list[Line],
) -> None:
    cx = x0 + PANEL_W // 2
    rects.append(Rect(x0, 60, PANEL_W, height - 120, "panel"))
    kind = f"HA pair, device group {peer.device_group}" if peer.is_ha else "standalone"
    texts.append(Text(cx, 82, f"{peer.name} ({kind})", "title"))
    width = (PANEL_W - 30) // len(peer.devices)
    for j, device in enumerate(peer.devices):
        dx = x0 + 10 + j * (width + 10)
        rects.append(Rect(dx, 95, width - 10 if len(peer.devices) > 1 else width, 70, "device"))
        mid = dx + (width - 10) // 2 if len(peer.devices) > 1 else dx + width // 2
        texts.append(Text(mid, 115, device.hostname, "label"))
        wan = device.wan_self.address if device.wan_self else _existing_wan(peer, j)
        texts.append(Text(mid, 135, f"WAN self {wan}", "small"))
        texts.append(Text(mid, 153, f"VM self {device.vm_self.address}", "small"))
    wan_vlan = peer.created_vlan("WAN")
    wan_label = (
        f"WAN VLAN {wan_vlan.name} (tag {wan_vlan.tag})"
        if wan_vlan
        else f"WAN VLAN {peer.wan_vlan_path} (existing)"
    )
    rects.append(Rect(x0 + 10, 185, PANEL_W - 20, 40, "wan"))
    texts.append(Text(cx, 203, wan_label, "label"))
    endpoint = "floating " if peer.is_ha else ""
    texts.append(Text(cx, 219, f"tunnel endpoint: {endpoint}self IP {peer.endpoint_self}", "small"))
    rects.append(Rect(x0 + 10, 245, PANEL_W - 20, 150, "group"))
    texts.append(Text(cx, 263, f"VLAN group {peer.vlan_group.name} (migration-keepalive)", "label"))
    vm_vlan = peer.created_vlan("VM")
    vm_label = (
        f"VM VLAN {vm_vlan.name} (tag {vm_vlan.tag})"
        if vm_vlan
        else f"VM VLAN {peer.vm_vlan_path} (existing)"
    )
    inner = (PANEL_W - 50) // 2
    vx, tx = (x0 + 30 + inner, x0 + 20) if mirror else (x0 + 20, x0 + 30 + inner)
    rects.append(Rect(vx, 275, inner, 50, "vlan"))
    texts.append(Text(vx + inner // 2, 305, vm_label, "small"))
    rects.append(Rect(tx, 275, inner, 50, "tunnelbox"))
    texts.append(Text(tx + inner // 2, 297, f"tunnel {peer.tunnel.name}", "small"))
    texts.append(Text(tx + inner // 2, 313, f"to {peer.tunnel.remote_address}", "small"))
    floating = f"floating VM self {peer.vm_floating.address}" if peer.vm_floating else "no floating self IP"
    texts.append(Text(tx + inner // 2, 350, floating, "small"))
    texts.append(Text(tx + inner // 2, 368, "bridged to the other", "small"))
    texts.append(Text(tx + inner // 2, 384, "data center", "small"))
    lines.append(Line(vx + inner // 2, 325, vx + inner // 2, 420, "vmlink"))
    texts.append(Text(vx + inner // 2, 435, f"VMs on {peer.vm_vlan_path}", "label"))


def _existing_wan(peer: PeerContext, index: int) -> str:
    return peer.existing_wan_addresses[index] if index < len(peer.existing_wan_addresses) else "existing"
