"""Text width from real font metrics: DejaVu Sans, regular and bold.

The topology picture names DejaVu Sans as its first font. Its advance widths, kerning pairs,
ascent and descent are read from the TrueType files with fontTools once, by
`python -m generator.textmetrics FONT_DIR` (`make font-metrics`), and kept in
generator/font_metrics.json, so rendering needs neither fontTools nor the font files and
reads the table once per process. tests/test_topology.py re-reads the fonts bundled in
tests/fonts/ and fails if the table differs.

Helvetica and Arial, the fallbacks the picture names next, are narrower than DejaVu Sans,
so text that fits when measured here also fits in them. A character outside the table is
measured as the widest glyph of the table.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
METRICS_FILE = "font_metrics.json"
# Printable ASCII, Latin-1, and the few symbols the picture itself writes.
COVERED = "".join(chr(c) for c in (*range(0x20, 0x7F), *range(0xA0, 0x100))) + "⇄→…"


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("generator") / METRICS_FILE).read_text(encoding="utf-8"))
    for face in data["faces"].values():
        face["fallback"] = max(face["advance"].values())
    return data


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in pixels of `text` set in DejaVu Sans at `size` pixels, kerning included."""
    face = _table()["faces"]["bold" if bold else "regular"]
    advance: dict[str, int] = face["advance"]
    kern: dict[str, int] = face["kern"]
    fallback: int = face["fallback"]
    units = sum(advance.get(ch, fallback) for ch in text)
    units += sum(kern.get(text[i : i + 2], 0) for i in range(len(text) - 1))
    return float(units * size / _table()["units_per_em"])


def ascent(size: float) -> float:
    """Height above the baseline of the tallest glyph line, in pixels."""
    return float(_table()["ascent"] * size / _table()["units_per_em"])


def descent(size: float) -> float:
    """Depth below the baseline, in pixels (positive)."""
    return float(_table()["descent"] * size / _table()["units_per_em"])


def extract(font_dir: Path) -> dict[str, Any]:
    """The metrics table, read from the TrueType files in `font_dir` with fontTools."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    faces: dict[str, Any] = {}
    head: dict[str, int] = {}
    for face, filename in FONT_FILES.items():
        with TTFont(str(font_dir / filename), lazy=True) as font:
            faces[face] = _face(font)
            if face == "regular":
                head = {
                    "units_per_em": int(font["head"].unitsPerEm),
                    "ascent": int(font["hhea"].ascent),
                    "descent": -int(font["hhea"].descent),
                }
    return {"font": "DejaVu Sans", **head, "faces": faces}


def _face(font: Any) -> dict[str, Any]:
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    glyph = {ch: cmap[ord(ch)] for ch in COVERED if ord(ch) in cmap}
    by_name = {name: ch for ch, name in glyph.items()}
    pairs: dict[str, int] = {}
    for table in font["kern"].kernTables if "kern" in font else ():
        for (left, right), value in sorted(table.kernTable.items()):
            if left in by_name and right in by_name and value:
                pairs[by_name[left] + by_name[right]] = int(value)
    return {
        "advance": {ch: int(metrics[name][0]) for ch, name in sorted(glyph.items())},
        "kern": dict(sorted(pairs.items())),
    }


def dump(table: dict[str, Any]) -> str:
    return json.dumps(table, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":  # regenerate: python -m generator.textmetrics tests/fonts
    sys.stdout.write(dump(extract(Path(sys.argv[1]))))
