"""etherip benchmark: every figure measured in this one run, each against the same floor.

    .venv/bin/python benchmarks/bench.py            # make bench
    .venv/bin/python benchmarks/bench.py --runs 15  # more pairs

The floor is the designed stack doing the least a render can do (issue 21): benchmarks/floor.py,
a typer command that reads the site file with ruamel.yaml and renders one Jinja template to a
file, run with this interpreter on the same site file. Each cold figure is measured pair by pair
(a floor process, then the command, alternately), so load on a shared machine hits both halves
of a pair alike; the figure is the median of the per-pair ratios.

(a) cold `etherip render` of one version (the site's bigip_version)  target <= 1.2x the floor
(b) cold `etherip render --version all` (every version of the table)  target <= 2.0x the floor
(c) cold `etherip check` of a deployment of every version            target <= 0.5 s, ratio stated
(d) 200 generated site files, validated and rendered for every version in one process,
    as site-versions per second (target >= 100).

(b) and (c) run where the output already is (a render of the same site again, a check of it),
as a user runs them; (b0), for comparison and with no target, renders into an empty folder.

"Cold" is a fresh process. The template bytecode cache (generator/templating.py) is part of
the design, so it is warmed by one unmeasured run first, like the file cache; `--no-cache`
measures without it. Python's own bytecode is too: etherip runs from compiled modules (into a
cache folder of the run, PYTHONPYCACHEPREFIX), as after `pip install`, which compiles them, and
as the floor's libraries do; PYTHONDONTWRITEBYTECODE=1 in the environment would otherwise make
every run compile etherip's modules from source (about 0.1 s). Not a test: nothing here fails
the suite. The README records the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.render import render_version  # noqa: E402
from generator.validate import load_site_text  # noqa: E402
from generator.versions import ALL_VERSIONS  # noqa: E402
from tests.sitegen import random_site, to_yaml  # noqa: E402

SITE = ROOT / "generator" / "example_site.yaml"  # what etherip renders without a SITE argument


def wall(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def floor_argv() -> list[str]:
    return [sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(SITE), "--out", "floor"]


def paired(
    argv: list[str] | Callable[[int], list[str]], cwd: Path, env: dict[str, str], runs: int
) -> tuple[float, float, float]:
    """(median ratio of the pairs, median command time, median floor time). `argv` may be a
    function of the pair's number (a fresh output folder per run)."""
    command = argv if callable(argv) else (lambda _n: argv)
    floor_cmd = floor_argv()
    wall(floor_cmd, cwd, env)  # warm the file cache (and the template cache) once, unmeasured
    wall(command(-1), cwd, env)
    ratios, times, floors = [], [], []
    for n in range(runs):
        floor = wall(floor_cmd, cwd, env)
        took = wall(command(n), cwd, env)
        ratios.append(took / floor)
        times.append(took)
        floors.append(floor)
    return statistics.median(ratios), statistics.median(times), statistics.median(floors)


def line(label: str, result: tuple[float, float, float], target: str) -> str:
    ratio, took, floor = result
    return (
        f"{label}: median ratio {ratio:.2f}x ({target}); median {took * 1000:.0f} ms, "
        f"floor median {floor * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="pairs per cold figure (default 11)")
    parser.add_argument("--no-cache", action="store_true", help="render without the template cache")
    args = parser.parse_args()
    py = sys.executable
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}; Python {platform.python_version()}"
    )
    print(f"floor: {' '.join(floor_argv())}; {args.runs} pairs per figure")
    every = len(ALL_VERSIONS)
    with tempfile.TemporaryDirectory(prefix="etherip-bench-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(work / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["ETHERIP_CACHE_DIR"] = "" if args.no_cache else str(work / "cache")
        render_one = [py, "-m", "generator", "render", "--out", "one"]
        print(
            line("(a) cold render of one version", paired(render_one, work, env, args.runs), "target <= 1.2x")
        )
        fresh = [py, "-m", "generator", "render", "--version", "all", "--out"]
        print(
            line(
                f"(b0) cold render --version all ({every} versions) into an empty folder",
                paired(lambda n: [*fresh, f"fresh{n}"], work, env, max(3, args.runs // 2)),
                "no target",
            )
        )
        render_all = [*fresh, "out"]
        print(
            line(
                f"(b) cold render --version all ({every} versions)",
                paired(render_all, work, env, args.runs),
                "target <= 2.0x",
            )
        )
        check = [py, "-m", "generator", "check", "out/vmotion"]
        result = paired(check, work, env, max(3, args.runs // 2))
        print(line(f"(c) cold check of a deployment of {every} versions", result, "target <= 500 ms"))

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
        f"(d) 200 generated sites x {len(ALL_VERSIONS)} versions in one process: {elapsed:.2f} s, {rate:.0f} site-versions/s (target >= 100)"
    )


if __name__ == "__main__":
    main()
