"""etherip pre-check at scale: large saved configurations, each figure against one floor.

    .venv/bin/python benchmarks/precheck_scale.py              # 10, 50 and 100 MB (make bench-precheck)
    .venv/bin/python benchmarks/precheck_scale.py --sizes 10 --runs 5

For each size a realistic single saved configuration (`save sys config file`: bigip_base.conf
and bigip.conf in one file) is generated: VLANs, self IPs, routes, monitors with quoted send
strings, pools with members, virtual servers with quoted descriptions, data groups, and iRules
with every brace and quote shape (braces in strings and comments, escaped braces, `}` and
`} else {` at column 0, lines that say `ltm rule ... {`, brace-free comment headers at column 0).
Then, alternately, in fresh processes:

- the floor: `python -c` reading the file and one regex pass over it (every column-0 header
  line), the least any reader of the file must do;
- `etherip precheck tests/cases/mixed.yaml bigip-dc2=FILE`: the whole command (start, site,
  read, split, parse, checks, report).

Printed per size: median wall time (and CPU time) and peak memory (max RSS of the process) of
each, the memory beyond a baseline run (the precheck of a 20 kB file) as a factor of the file's
size, and the median per-pair time ratio. Targets (issue 18): 100 MB in <= 3 s and <= 400 MiB.
On a machine shared with other jobs the wall times move with their load; the CPU time less.
Not a test: nothing here fails the suite; the README records the figures.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "cases" / "mixed.yaml"
FLOOR = (
    "import re, sys\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "print(len(re.findall(rb'^[a-z][^\\n]*\\{[ \\t]*$', data, re.M)))\n"
)
MB = 1_000_000

IRULE = r"""ltm rule /Common/irule_{n} {{
# ----------------------------------------------------------------------------
# iRule {n}: redirects, a header check and a data-group lookup. See ltm rule docs.
# Do not edit this header: ltm rule /Common/irule_{n} is generated {{ by hand }}
# ----------------------------------------------------------------------------
when RULE_INIT {{
    set static::debug_{n} 0
    set static::open "\{{"
}}
when HTTP_REQUEST {{
    # a comment with a brace {{ that closes }} on the same line, and "a quote
    if {{ [HTTP::host] eq "old{n}.example.com" }} {{
        HTTP::redirect "https://new{n}.example.com[HTTP::uri]"
    }} elseif {{ [string match "*\{{*" [HTTP::uri]] }} {{
        log local0. "escaped brace in the URI: ltm rule /Common/x {{ [HTTP::uri] }}"
    }}
    switch -glob [HTTP::path] {{
        "/api/*" {{ pool /Common/pool_{n} }}
        default {{ set x "{{\"quoted\"}}" }}
    }}
}}
when HTTP_RESPONSE {{
    if {{ [HTTP::status] == 500 }} {{ HTTP::respond 503 content "<html>{{down}}</html>" }}
}}
}}
"""


def _pool(n: int, rng: random.Random) -> str:
    members = "".join(
        f"        /Common/10.{n % 250}.{k}.{rng.randrange(1, 254)}:{80 + k} {{\n"
        f"            address 10.{n % 250}.{k}.{rng.randrange(1, 254)}\n"
        f"            session monitor-enabled\n            state up\n        }}\n"
        for k in range(rng.randrange(2, 6))
    )
    return (
        f"ltm pool /Common/pool_{n} {{\n    load-balancing-mode least-connections-member\n"
        f"    members {{\n{members}    }}\n    monitor /Common/http_{n % 500} and /Common/tcp\n}}\n"
    )


def _virtual(n: int) -> str:
    """Most descriptions are plain; one in twenty has an escaped quote and a brace in it."""
    if n % 20 == 0:
        description = f'"app {n} \\"rack 5\\" {{ owner: team-{n % 40}; see ltm rule irule_{n} {{"'
    else:
        description = f'"app {n} web tier, owner team-{n % 40}"'
    return (
        f"ltm virtual /Common/vs_{n} {{\n"
        f"    description {description}\n"
        f"    destination /Common/192.0.{n % 250}.{n % 200 + 1}:443\n    ip-protocol tcp\n"
        f"    mask 255.255.255.255\n    pool /Common/pool_{n}\n"
        f"    profiles {{\n        /Common/http {{ }}\n        /Common/tcp {{ }}\n    }}\n"
        f"    rules {{\n        /Common/irule_{n % 2000}\n    }}\n    source 0.0.0.0/0\n"
        f"    source-address-translation {{\n        type automap\n    }}\n    translate-address enabled\n"
        f"    translate-port enabled\n}}\n"
    )


def _monitor(n: int) -> str:
    return (
        f"ltm monitor http /Common/http_{n} {{\n    defaults-from /Common/http\n    destination *:*\n"
        f'    interval 5\n    recv "200 OK"\n'
        f'    send "GET /health/{n} HTTP/1.1\\r\\nHost: app{n}\\r\\nConnection: close\\r\\n\\r\\n"\n'
        f"    time-until-up 0\n    timeout 16\n}}\n"
    )


def _data_group(n: int) -> str:
    records = "".join(
        f'        /path/{n}/{k} {{\n            data "{"{pool_" if k == 7 else "pool_"}{k}"\n        }}\n'
        for k in range(8)
    )
    return (
        f"ltm data-group internal /Common/dg_{n} {{\n    records {{\n{records}    }}\n    type string\n}}\n"
    )


def _network(n: int) -> str:
    return (
        f"net vlan /Common/vlan_{n} {{\n    if-index {96 + n}\n    interfaces {{\n"
        f"        1.{n % 8 + 4} {{\n            tagged\n        }}\n    }}\n    tag {10 + n}\n}}\n"
        f"net self /Common/self_{n} {{\n    address 172.{16 + n // 250}.{n % 250}.1/24\n"
        f"    allow-service {{\n        default\n    }}\n"
        f"    traffic-group /Common/traffic-group-local-only\n    vlan /Common/vlan_{n}\n}}\n"
        f"net route /Common/route_{n} {{\n    gw 172.{16 + n // 250}.{n % 250}.254\n"
        f"    network 10.{200 + n % 50}.{n % 250}.0/24\n}}\n"
    )


def generate(path: Path, size: int, seed: int = 18) -> None:
    """A saved configuration of about `size` bytes (written in one pass, never held whole)."""
    rng = random.Random(seed)
    head = (
        "#TMSH-VERSION: 11.6.5\n\n"
        "sys global-settings {\n    hostname bigip-dc2\n}\n"
        "net interface 1.1 { }\nnet interface 1.2 { }\nnet interface 1.3 { }\n"
    )
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(head)
        n = 0
        while written < size:
            chunk = _pool(n, rng) + _virtual(n) + (_monitor(n % 500) if n < 500 else "")
            if n % 8 == 0:
                chunk += IRULE.format(n=n)
            if n % 20 == 0:
                chunk += _data_group(n)
            if n < 4000:
                chunk += _network(n)
            fh.write(chunk)
            written += len(chunk)
            n += 1


def _measure(argv: list[str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak RSS (bytes) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _precheck(path: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "precheck", str(SITE), f"bigip-dc2={path}"]


def figures(path: Path, runs: int) -> dict[str, float]:
    """Medians over `runs` pairs (floor, then precheck, alternately), peaks as the maximum."""
    floor_argv = [sys.executable, "-c", FLOOR, str(path)]
    _measure(floor_argv)  # warm the file cache, unmeasured
    _measure(_precheck(path))
    rows: dict[str, list[float]] = {
        k: [] for k in ("floor_s", "ours_s", "ours_cpu", "ratio", "floor_rss", "rss")
    }
    for _ in range(runs):
        f_time, _, f_rss = _measure(floor_argv)
        o_time, o_cpu, o_rss = _measure(_precheck(path))
        for key, value in (
            ("floor_s", f_time),
            ("ours_s", o_time),
            ("ours_cpu", o_cpu),
            ("ratio", o_time / f_time),
            ("floor_rss", f_rss),
            ("rss", o_rss),
        ):
            rows[key].append(value)
    out = {k: statistics.median(v) for k, v in rows.items()}
    out["floor_rss"], out["rss"] = max(rows["floor_rss"]), max(rows["rss"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100], help="MB (default 10 50 100)")
    parser.add_argument("--runs", type=int, default=5, help="pairs per size (default 5)")
    args = parser.parse_args()
    print(f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}, {platform.system()}")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "bigip-small.conf"
        generate(small, 20_000)
        base = [_measure(_precheck(small)) for _ in range(args.runs)]
        base_s, base_rss = statistics.median(b[0] for b in base), max(b[2] for b in base)
        print(
            f"baseline (precheck of a 20 kB file: start, imports, site): {base_s:.2f} s, peak {base_rss / 2**20:.0f} MiB"
        )
        for size in args.sizes:
            path = Path(tmp) / f"bigip-{size}mb.conf"
            generate(path, size * MB)
            got = figures(path, args.runs)
            bytes_ = path.stat().st_size
            beyond = (got["rss"] - base_rss) / bytes_
            print(
                f"{bytes_ / MB:6.1f} MB: precheck {got['ours_s']:.2f} s (CPU {got['ours_cpu']:.2f} s), "
                f"peak {got['rss'] / 2**20:.0f} MiB ({beyond:.2f}x the file beyond the baseline); "
                f"floor (one regex pass) {got['floor_s']:.2f} s, peak {got['floor_rss'] / 2**20:.0f} MiB; "
                f"ratio {got['ratio']:.1f}x the floor"
            )
            path.unlink()


if __name__ == "__main__":
    main()
