"""etherip benchmark: three figures, each measured in this one run against its own floor.

    .venv/bin/python benchmarks/bench.py            # make bench

(a) cold `etherip render --version all` of the bundled example, median wall time over fresh
    processes, as a ratio to the floor `python -c "import jinja2, ruamel.yaml"` (target <= 2.0);
(b) 200 generated site files, validated and rendered for all five versions in one process,
    as site-versions per second (target >= 100);
(c) cold `etherip check` of one rendered deployment (all five versions), median wall time
    (target < 1 s).
Not a test: nothing here fails the suite. The README records the figures.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.render import render_version  # noqa: E402
from generator.validate import load_site_text  # noqa: E402
from generator.versions import ALL_VERSIONS  # noqa: E402
from tests.sitegen import random_site, to_yaml  # noqa: E402

RUNS = 9


def wall(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def median_wall(argv: list[str], cwd: Path, runs: int = RUNS) -> float:
    wall(argv, cwd)  # warm the file cache once; every measured run is a fresh process
    return statistics.median(wall(argv, cwd) for _ in range(runs))


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="etherip-bench-") as tmp:
        work = Path(tmp)
        floor = median_wall([py, "-c", "import jinja2, ruamel.yaml"], work)
        render = median_wall([py, "-m", "generator", "render", "--version", "all", "--out", "out"], work)
        print(
            f"(a) render --version all: median {render * 1000:.0f} ms; floor (import jinja2, ruamel.yaml) "
            f"{floor * 1000:.0f} ms; ratio {render / floor:.2f}x (target <= 2.0x)"
        )

        rng = random.Random(20261127)
        texts = [to_yaml(random_site(rng)) + "\n" for _ in range(200)]
        started = time.perf_counter()
        for text in texts:
            site = load_site_text(text, "bench.yaml")
            for version in ALL_VERSIONS:
                render_version(site, version, text.encode())
        elapsed = time.perf_counter() - started
        rate = len(texts) * len(ALL_VERSIONS) / elapsed
        print(
            f"(b) 200 generated sites x 5 versions in one process: {elapsed:.2f} s, "
            f"{rate:.0f} site-versions/s (target >= 100)"
        )

        check = median_wall([py, "-m", "generator", "check", "out/vmotion"], work, runs=5)
        print(
            f"(c) check of one rendered deployment (5 versions): median {check * 1000:.0f} ms (target < 1000 ms)"
        )


if __name__ == "__main__":
    main()
