"""The topology picture fits any valid site: geometry of the layout, not pixels.

Every text's measured box lies inside its container and inside the picture, no two texts
overlap, shortened texts keep their whole text in <title>, and the font metrics the layout
measures with are the ones fontTools reads from DejaVu Sans (tests/fonts/).
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from itertools import combinations, pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.context import build_context
from generator.textmetrics import COVERED, dump, extract, text_width
from generator.topology import Picture, Rect, Text, layout, wrap
from generator.validate import load_site_text
from generator.versions import BigIpVersion
from tests.helpers import CASES, ROOT, site, tree
from tests.sitegen import random_site, to_yaml

SVG = "{http://www.w3.org/2000/svg}"


def _inside(box: tuple[float, float, float, float], rect: Rect) -> bool:
    x0, y0, x1, y1 = box
    return rect.x <= x0 and x1 <= rect.right and rect.y <= y0 and y1 <= rect.bottom


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_fits(pic: Picture) -> None:
    frame = pic.frame
    for r in pic.rects:
        assert _inside((r.x, r.y, r.right, r.bottom), frame), f"{r} leaves the picture"
    for t in pic.texts:
        assert _inside(t.box, t.within), f"{t.lines} leaves its container {t.within}"
        assert _inside(t.box, frame), f"{t.lines} leaves the picture"
    for a, b in combinations(pic.texts, 2):
        assert not _overlap(a.box, b.box), f"{a.lines} overlaps {b.lines}"


def _text_of(t: Text) -> str:
    return t.full or t.lines[0][1]


def test_font_metrics_are_dejavu_sans_read_by_fonttools() -> None:
    packaged = (ROOT / "generator" / "font_metrics.json").read_text(encoding="utf-8")
    assert packaged == dump(extract(ROOT / "tests" / "fonts")), (
        "generator/font_metrics.json is stale: python -m generator.textmetrics tests/fonts > generator/font_metrics.json"
    )


def test_text_width_adds_advances_and_kerning() -> None:
    from fontTools.ttLib import TTFont

    with TTFont(str(ROOT / "tests" / "fonts" / "DejaVuSans.ttf")) as font:
        cmap, hmtx = font.getBestCmap(), font["hmtx"].metrics
        kern = font["kern"].kernTables[0].kernTable
    text = "AVAT bigip-dc1-a.corp 10.10.10.21:80"
    units = sum(hmtx[cmap[ord(c)]][0] for c in text)
    units += sum(kern.get((cmap[ord(a)], cmap[ord(b)]), 0) for a, b in pairwise(text))
    assert text_width(text, 2048) == pytest.approx(units)
    assert text_width("W" * 10, 13, bold=True) > text_width("W" * 10, 13)
    assert "⇄" in COVERED and text_width("\u4e00", 10) > 0  # outside the table: the widest glyph


@pytest.mark.parametrize("width", [40, 120, 300])
def test_wrap_keeps_every_character_and_each_line_fits(width: int) -> None:
    text = "pool vm_pool: " + ", ".join(f"10.10.{i}.{i}:80" for i in range(30)) + " bigip-" + "x" * 80
    lines, shortened = wrap(text, "small", width, None)
    assert not shortened
    assert all(text_width(line, 11) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    cut, shortened = wrap(text, "small", width, 2)
    assert shortened and len(cut) == 2 and cut[-1].endswith("…")


@pytest.mark.parametrize("case", CASES)
def test_every_case_fits(case: str) -> None:
    assert_fits(layout(build_context(site(case), BigIpVersion.V11_6_5)))


def test_longest_names_fit_and_keep_their_whole_text() -> None:
    s = site("longest-names")
    pic = layout(build_context(s, BigIpVersion.V11_6_5))
    assert_fits(pic)
    assert len(s.pool.members) >= 40
    assert max(len(h) for p in s.peers.values() for h in p.devices) == 253
    shortened = [t for t in pic.texts if t.lines[-1][1].endswith("…")]
    assert shortened, "253-character hostnames cannot fit a device box unshortened"
    for t in shortened:
        assert t.full and not t.full.endswith("…")
    pool_text = next(t for t in pic.texts if _text_of(t).startswith("pool "))
    assert len(pool_text.lines) > 3, "the members wrap over lines"
    assert not pool_text.lines[-1][1].endswith("…"), "every pool member is shown"
    svg = ET.fromstring(tree("longest-names", BigIpVersion.V11_6_5).files()["topology.svg"])
    titles = {el.text for el in svg.iter(f"{SVG}title")}
    for p in s.peers.values():
        assert set(p.devices) <= titles, "each shortened hostname keeps its whole name in <title>"
    assert int(svg.get("height") or 0) == pic.height and int(svg.get("width") or 0) == pic.width


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("mixed", ["routed: existing", "gateway 203.0.113.1, route to 198.51.100.10/32"]),
        ("standalone-both", ["gateway 100.64.1.1", "gateway 100.64.2.1"]),
    ],
)
def test_wan_routing_shown_between_the_panels(case: str, expected: list[str]) -> None:
    pic = layout(build_context(site(case), BigIpVersion.V11_6_5))
    wan = next(
        r for r in pic.rects if r.css == "wan" and r.x > pic.width // 3 and r.right < 2 * pic.width // 3
    )
    inside = [_text_of(t) for t in pic.texts if t.within == wan]
    names = list(site(case).peers)
    assert inside[0] == "WAN"
    assert inside[1::2] == [f"{n}:" for n in names]
    assert [t.split(",")[0] if case != "mixed" else t for t in inside[2::2]] == expected


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example, HealthCheck.data_too_large],
)
@given(st.randoms(use_true_random=False))
def test_random_valid_site_fits(rnd: random.Random) -> None:
    s = load_site_text(to_yaml(random_site(rnd)) + "\n", "random.yaml")
    assert_fits(layout(build_context(s, BigIpVersion.V11_6_1)))
