"""Layout of the topology picture: plain shapes with coordinates, for a dumb SVG template.

Two data-center panels with the routed WAN between them; in each panel, the devices with
their self IPs, the WAN VLAN with the tunnel endpoint, the VLAN group bridging the VM VLAN
and the tunnel, and the VM VLAN. Below: the VM subnet and the pool with every member.

Text is measured with DejaVu Sans metrics (`generator.textmetrics`). Every text lies inside
its container: long texts wrap at spaces (a word wider than its line after dots, dashes,
underscores and the like), and a text that still needs more lines than its place allows is
shortened with "…", its whole text kept in the SVG <title>. Boxes grow downwards to hold
their text, and the sections of the two panels stay level, so the tunnel runs straight.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from generator.context import PeerContext, Role, SiteContext
from generator.textmetrics import ascent, descent, text_width

MARGIN, PANEL_W, MIDDLE_W, PAD, GAP = 20, 460, 180, 6, 10
WIDTH = 2 * MARGIN + 2 * PANEL_W + MIDDLE_W + 2 * GAP
FONTS = {"title": (16, True), "label": (13, False), "small": (11, False)}  # css: (px, bold)
ELLIPSIS = "…"
Item = tuple[str, str, int]  # text, css, most lines


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int
    css: str

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass(frozen=True)
class Text:
    """One text, on one or more lines; `box` is its measured extent, `within` its container."""

    x: int
    lines: tuple[tuple[int, str], ...]  # (baseline y, text) per line
    css: str
    anchor: str
    full: str  # the whole text, for <title>, when wrapped or shortened; else ""
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    within: Rect


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

    @property
    def frame(self) -> Rect:
        return Rect(0, 0, self.width, self.height, "picture")


@lru_cache(maxsize=8192)
def measure(text: str, css: str) -> float:
    size, bold = FONTS[css]
    return text_width(text, size, bold=bold)


@lru_cache(maxsize=16)
def line_height(css: str) -> int:
    return round(FONTS[css][0] * 1.25)


@lru_cache(maxsize=4096)
def wrap(text: str, css: str, width: float, max_lines: int | None) -> tuple[tuple[str, ...], bool]:
    """Lines of at most `width` pixels. Breaks at spaces; a word wider than a line breaks
    after its dots, dashes, underscores, slashes, colons and commas, and a part wider still
    is cut. More lines than `max_lines`: the last one kept ends in "…"; True when shortened."""
    lines: list[str] = []
    current = ""
    for word in re.split(r"(?<= )", text):
        if measure((current + word).rstrip(), css) <= width:
            current += word
            continue
        if current:
            lines.append(current.rstrip())
            current = ""
        for part in _parts(word, css, width):
            if measure((current + part).rstrip(), css) <= width:
                current += part
            else:
                lines.append(current.rstrip())
                current = part
    if current.strip() or not lines:
        lines.append(current.rstrip())
    if max_lines is None or len(lines) <= max_lines:
        return tuple(lines), False
    kept = lines[:max_lines]
    last = kept[-1]
    while last and measure(last.rstrip() + ELLIPSIS, css) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return tuple(kept), True


def _parts(word: str, css: str, width: float) -> list[str]:
    """`word` in pieces that each fit in `width`: split after punctuation, then cut."""
    if measure(word.rstrip(), css) <= width:
        return [word]
    parts: list[str] = []
    for piece in (p for p in re.split(r"(?<=[.\-_/:,])", word) if p):
        while measure(piece.rstrip(), css) > width:
            cut = _fit(piece, css, width)
            parts.append(piece[:cut])
            piece = piece[cut:]
        parts.append(piece)
    return parts


def _fit(piece: str, css: str, width: float) -> int:
    """How many leading characters of `piece` fit in `width` (at least one)."""
    n = 1
    while n < len(piece) and measure(piece[: n + 1], css) <= width:
        n += 1
    return n


@lru_cache(maxsize=256)
def block_height(lines: int, css: str) -> int:
    size = FONTS[css][0]
    return math.ceil(ascent(size) + (lines - 1) * line_height(css) + descent(size))


@lru_cache(maxsize=16)
def _extent(css: str) -> tuple[float, float]:
    """Ascent and descent of a text style, in pixels."""
    size = FONTS[css][0]
    return ascent(size), descent(size)


@dataclass
class Canvas:
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def text(
        self,
        text: str,
        css: str,
        within: Rect,
        top: int,
        *,
        x: int | None = None,
        width: int | None = None,
        max_lines: int | None = 3,
    ) -> int:
        """Place `text`, centred on `x` (default: the container's centre) with its top at
        `top`, wrapped to `width` (default: the container's inside). Returns its height."""
        width = width if width is not None else within.w - 2 * PAD
        x = x if x is not None else within.x + within.w // 2
        lines, shortened = wrap(text, css, width, max_lines)
        up, down = _extent(css)
        first = top + math.ceil(up)
        placed = tuple((first + i * line_height(css), line) for i, line in enumerate(lines))
        widest = max(measure(line, css) for line in lines)
        bottom = placed[-1][0] + down
        full = text if (shortened or len(lines) > 1) else ""
        box = (x - widest / 2, float(top), x + widest / 2, bottom)
        self.texts.append(Text(x, placed, css, "middle", full, box, within))
        return block_height(len(lines), css)

    def stack(
        self, items: list[Item], box: Rect, top: int, *, within: Rect | None = None, width: int | None = None
    ) -> None:
        """Texts one below the other, centred in `box`."""
        y = top
        for text, css, most in items:
            y += self.text(text, css, within or box, y, x=box.x + box.w // 2, width=width, max_lines=most) + 2


def stack_height(items: list[Item], width: int) -> int:
    return sum(block_height(len(wrap(t, css, width, most)[0]), css) + 2 for t, css, most in items) - 2


def layout(ctx: SiteContext) -> Picture:
    canvas = Canvas()
    frame = Rect(0, 0, WIDTH, 1 << 20, "picture")  # the height is known at the end
    inside = WIDTH - 2 * MARGIN
    title = f"etherip {ctx.deployment}: BIG-IP {ctx.version}"
    a, b = ctx.peers
    y = 10
    y += canvas.text(title, "title", frame, y, width=inside) + 4
    protected = "" if ctx.ipsec is None else ", protected by IPsec"
    subtitle = (
        f"EtherIP tunnel {a.tunnel.local_address} ({a.name}) ⇄ {b.tunnel.local_address} ({b.name}){protected}"
    )
    y += canvas.text(subtitle, "label", frame, y, width=inside) + 10
    panels = [
        _Panel(peer, MARGIN + i * (PANEL_W + MIDDLE_W + 2 * GAP), i == 1) for i, peer in enumerate(ctx.peers)
    ]
    rows = _Rows.measure(panels, stack_height(_middle_texts(ctx), MIDDLE_W - 2 * PAD) + 2 * PAD)
    bottom = max(panel.draw(canvas, y, rows) for panel in panels)
    _middle(canvas, ctx, panels, y, rows)
    y = bottom + 12
    y += canvas.text(f"VM subnet {ctx.vm_subnet} stretched across both data centers", "label", frame, y) + 4
    count = len(ctx.pool.members)
    pool = (
        f"pool {ctx.pool.name} ({count} member{'s' if count != 1 else ''}): "
        + ", ".join(name for name, _ in ctx.pool.members)
        if ctx.pool.members
        else f"pool {ctx.pool.name} (existing; members unchanged)"
    )
    y += canvas.text(pool, "small", frame, y, width=inside, max_lines=None) + 2
    monitor = f"monitor rule after the change: {' and '.join(ctx.pool.monitor_rule)}"
    y += canvas.text(monitor, "small", frame, y, width=inside) + 12
    picture = Rect(0, 0, WIDTH, y, "picture")
    texts = tuple(
        t if t.within is not frame else Text(t.x, t.lines, t.css, t.anchor, t.full, t.box, picture)
        for t in canvas.texts
    )
    return Picture(WIDTH, y, title, tuple(canvas.rects), texts, tuple(canvas.lines))


@dataclass(frozen=True)
class _Rows:
    """Heights of the panel sections: the larger of the two panels, so both stay level."""

    head: int
    devices: int
    wan: int
    group_title: int
    inner: int
    group_foot: int
    vms: int

    @staticmethod
    def measure(panels: list[_Panel], middle: int) -> _Rows:
        head, devices, wan, *rest = (max(column) for column in zip(*(p.sizes() for p in panels), strict=True))
        return _Rows(head, devices, max(wan, middle - devices - GAP), *rest)


@dataclass(frozen=True)
class _Panel:
    peer: PeerContext
    x0: int
    mirror: bool

    @property
    def device_w(self) -> int:
        n = len(self.peer.devices)
        return (PANEL_W - 20 - (n - 1) * GAP) // n

    @property
    def inner_w(self) -> int:
        return (PANEL_W - 20 - 3 * GAP) // 2

    def head_texts(self) -> list[Item]:
        kind = f"HA pair, device group {self.peer.device_group}" if self.peer.is_ha else "standalone device"
        return [(self.peer.name, "title", 2), (kind, "label", 2)]

    def device_texts(self, index: int) -> list[Item]:
        device = self.peer.devices[index]
        wan = device.wan_self.address if device.wan_self else _existing_wan(self.peer, index)
        return [
            (device.hostname, "label", 6),
            (f"WAN self {wan}", "small", 2),
            (f"VM self {device.vm_self.address}", "small", 2),
        ]

    def wan_texts(self) -> list[Item]:
        peer = self.peer
        vlan = peer.created_vlan(Role.WAN)
        label = (
            f"WAN VLAN {vlan.name} (tag {vlan.tag})" if vlan else f"WAN VLAN {peer.wan_vlan_path} (existing)"
        )
        endpoint = "floating " if peer.is_ha else ""
        return [(label, "label", 2), (f"tunnel endpoint: {endpoint}self IP {peer.endpoint_self}", "small", 2)]

    def group_title(self) -> str:
        return f"VLAN group {self.peer.vlan_group.name} (migration-keepalive)"

    def vm_vlan_text(self) -> str:
        vlan = self.peer.created_vlan(Role.VM)
        return (
            f"VM VLAN {vlan.name} (tag {vlan.tag})"
            if vlan
            else f"VM VLAN {self.peer.vm_vlan_path} (existing)"
        )

    def tunnel_texts(self) -> list[Item]:
        tunnel = self.peer.tunnel
        return [(f"tunnel {tunnel.name}", "small", 2), (f"to {tunnel.remote_address}", "small", 1)]

    def foot_texts(self) -> list[Item]:
        floating = self.peer.vm_floating
        text = f"floating VM self {floating.address}" if floating else "no floating self IP"
        return [(text, "small", 2), ("bridged to the other data center", "small", 2)]

    def vms_text(self) -> str:
        return f"VMs on {self.peer.vm_vlan_path}"

    def sizes(self) -> tuple[int, ...]:
        inside, wide, inner = PANEL_W - 2 * PAD, PANEL_W - 20 - 2 * PAD, self.inner_w - 2 * PAD
        devices = max(
            stack_height(self.device_texts(i), self.device_w - 2 * PAD) for i in range(len(self.peer.devices))
        )
        return (
            stack_height(self.head_texts(), inside) + 2 * PAD,
            devices + 2 * PAD,
            stack_height(self.wan_texts(), wide) + 2 * PAD,
            stack_height([(self.group_title(), "label", 2)], wide) + PAD,
            max(
                stack_height([(self.vm_vlan_text(), "small", 3)], inner),
                stack_height(self.tunnel_texts(), inner),
            )
            + 2 * PAD,
            stack_height(self.foot_texts(), inner) + 2 * PAD,
            stack_height([(self.vms_text(), "label", 2)], inside) + 30,
        )

    def draw(self, canvas: Canvas, top: int, rows: _Rows) -> int:
        """Draw the panel with its top at `top`; returns its bottom."""
        x0 = self.x0
        sections = rows.head + rows.devices + rows.wan + rows.group_title + rows.inner + rows.group_foot
        panel = Rect(x0, top, PANEL_W, sections + rows.vms + 3 * GAP, "panel")
        canvas.rects.append(panel)
        canvas.stack(self.head_texts(), panel, top + PAD)
        y = top + rows.head
        for i in range(len(self.peer.devices)):
            box = Rect(x0 + 10 + i * (self.device_w + GAP), y, self.device_w, rows.devices, "device")
            canvas.rects.append(box)
            canvas.stack(self.device_texts(i), box, y + PAD)
        y += rows.devices + GAP
        wan = Rect(x0 + 10, y, PANEL_W - 20, rows.wan, "wan")
        canvas.rects.append(wan)
        canvas.stack(self.wan_texts(), wan, y + PAD)
        y += rows.wan + GAP
        group = Rect(x0 + 10, y, PANEL_W - 20, rows.group_title + rows.inner + rows.group_foot + GAP, "group")
        canvas.rects.append(group)
        canvas.text(self.group_title(), "label", group, y + PAD, max_lines=2)
        y += rows.group_title
        vm_box = Rect(self.vm_x, y, self.inner_w, rows.inner, "vlan")
        tunnel_box = Rect(self.tunnel_x, y, self.inner_w, rows.inner, "tunnelbox")
        canvas.rects += [vm_box, tunnel_box]
        canvas.text(self.vm_vlan_text(), "small", vm_box, y + PAD)
        canvas.stack(self.tunnel_texts(), tunnel_box, y + PAD)
        y += rows.inner
        foot = Rect(self.tunnel_x, y, self.inner_w, rows.group_foot, "foot")  # a place, not drawn
        canvas.stack(self.foot_texts(), foot, y + PAD, within=group, width=self.inner_w - 2 * PAD)
        y = group.bottom
        link_x = self.vm_x + self.inner_w // 2
        canvas.lines.append(Line(link_x, vm_box.bottom, link_x, y + 24, "vmlink"))
        canvas.text(self.vms_text(), "label", panel, y + 28, max_lines=2)
        return panel.bottom

    @property
    def vm_x(self) -> int:
        left, right = self.x0 + 10 + GAP, self.x0 + 10 + 2 * GAP + self.inner_w
        return right if self.mirror else left

    @property
    def tunnel_x(self) -> int:
        left, right = self.x0 + 10 + GAP, self.x0 + 10 + 2 * GAP + self.inner_w
        return left if self.mirror else right

    def tunnel_y(self, top: int, rows: _Rows) -> int:
        return top + rows.head + rows.devices + rows.wan + rows.group_title + 2 * GAP + rows.inner // 2

    def tunnel_edge(self) -> int:
        """Where the tunnel line leaves this panel's tunnel box towards the middle."""
        return self.tunnel_x if self.mirror else self.tunnel_x + self.inner_w


def _middle(canvas: Canvas, ctx: SiteContext, panels: list[_Panel], top: int, rows: _Rows) -> None:
    """Between the panels: the routed WAN with each side's gateway, and the tunnel across it."""
    a, b = panels
    x = MARGIN + PANEL_W + GAP
    wan_top = top + rows.head  # level with the devices and the WAN VLANs
    box = Rect(x, wan_top, MIDDLE_W, rows.devices + GAP + rows.wan, "wan")
    canvas.rects.append(box)
    canvas.stack(_middle_texts(ctx), box, wan_top + PAD)
    y_tunnel = a.tunnel_y(top, rows)
    canvas.lines.append(Line(a.tunnel_edge(), y_tunnel, b.tunnel_edge(), y_tunnel, "tunnel"))
    band = Rect(x, y_tunnel - 24, MIDDLE_W, 48, "band")  # a place, not drawn
    if ctx.ipsec is None:
        canvas.text("EtherIP tunnel", "small", band, y_tunnel - 20)
        canvas.text("IP protocol 97", "small", band, y_tunnel + 6)
    else:  # protected: ESP carries the EtherIP packets
        canvas.text("EtherIP in IPsec ESP", "small", band, y_tunnel - 20)
        canvas.text(f"IKE {ctx.ipsec.ike_version}, {ctx.ipsec.mode} mode", "small", band, y_tunnel + 6)


def _middle_texts(ctx: SiteContext) -> list[Item]:
    items: list[Item] = [("WAN", "label", 1)]
    for p in ctx.peers:
        items += [(f"{p.name}:", "small", 2), (_gateway_text(p), "small", 2)]
    return items


def _gateway_text(peer: PeerContext) -> str:
    """How this side reaches the other endpoint: its WAN gateway, routing that exists, or on-link."""
    if peer.gateway == "existing":
        return "routed: existing"
    if peer.gateway is None:
        return "on-link (same subnet)"
    return f"gateway {peer.gateway}" + (f", route to {peer.route.network}" if peer.route else "")


def _existing_wan(peer: PeerContext, index: int) -> str:
    return peer.existing_wan_addresses[index] if index < len(peer.existing_wan_addresses) else "existing"
