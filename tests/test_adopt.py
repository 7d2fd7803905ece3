"""etherip init SITE --from DEVICE=PATH…: adopting a deployment that exists.

The saved configurations of every golden case's units, written from its expected state (tests/
saved_configs.py: expected-state.conf's stanzas and what existed before), adopt back to a site
file that gives every unit the same objects; a plan from the adopted site to itself is empty, and
`precheck --after` of the adopted site against the same configurations holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.context import build_context
from generator.lifecycle.package import build_plan
from generator.lifecycle.state import shown, unit_states
from generator.model import Site
from generator.validate import load_site
from generator.versions import BigIpVersion
from tests.helpers import CASES, ROOT, site
from tests.saved_configs import saved_files

runner = CliRunner()
PLANS = ROOT / "tests" / "plans"


def _units(tmp_path: Path, files: dict[str, bytes]) -> list[str]:
    args = []
    for host, content in files.items():
        name = hashlib.sha256(host.encode()).hexdigest()[:12]
        (tmp_path / f"{name}.conf").write_bytes(content)
        args.append(f"{host}={tmp_path / f'{name}.conf'}")
    return args


def _adopted(tmp_path: Path, files: dict[str, bytes]) -> tuple[Site, Path, list[str]]:
    units = _units(tmp_path, files)
    target = tmp_path / "adopted.yaml"
    result = runner.invoke(app, ["init", str(target), *(a for u in units for a in ("--from", u))])
    assert result.exit_code == 0, result.output
    return load_site(target), target, units


def _objects(s: Site) -> dict[tuple[str, str], dict[tuple[tuple[str, ...], str], object]]:
    """Every unit's objects, as tmsh lists them (the created ones and what is set on existing ones)."""
    states = unit_states(build_context(s, BigIpVersion.V11_6_5))
    return {
        (peer, u.hostname): {k: shown(dict(o.values), o.kind) for k, o in u.objects.items()}
        for (peer, _), u in states.items()
    }


SOURCES = [(c, "case") for c in CASES] + [("tunnel-rename-ha", "plan"), ("replaced-unit", "plan")]


@pytest.mark.parametrize(("name", "kind"), SOURCES)
def test_adopted_site_gives_every_unit_the_same_objects(name: str, kind: str, tmp_path: Path) -> None:
    original = site(name) if kind == "case" else load_site(PLANS / name / "new.yaml")
    adopted, target, units = _adopted(tmp_path, saved_files(original, BigIpVersion.V11_6_5))
    assert _objects(adopted) == _objects(original)
    assert build_plan(adopted, adopted, BigIpVersion.V11_6_5).empty
    after = runner.invoke(app, ["precheck", str(target), "--after", *units])
    assert after.exit_code == 0, after.stdout


def test_every_guess_is_a_comment_at_its_line(tmp_path: Path) -> None:
    files = saved_files(site("existing-pool"), BigIpVersion.V11_6_5)
    _, target, _ = _adopted(tmp_path, files)
    text = target.read_text()
    assert (
        "restore_monitor: http and tcp_half_open # guessed: its rule today without the Virtual Location monitor"
        in text
    )
    assert (
        "  # restore_min_active_members: what it had before (rollback restores it); not in a saved configuration"
        in text
    )
    assert "# platform: appliance assumed" in text


def test_a_hand_built_deployment_without_etherip_descriptions(tmp_path: Path) -> None:
    """No description says etherip: the VLANs and the pool existed before (create: false), the
    deployment's name comes from the self IP names."""
    files = {
        h: b.replace(b'    description "etherip', b'    comment "x')
        for h, b in saved_files(site("standalone-both"), BigIpVersion.V11_6_5).items()
    }
    adopted, target, _ = _adopted(tmp_path, files)
    assert adopted.deployment == "vmo2"
    assert not adopted.pool.create
    assert all(not p.vm.create and not p.wan.create for p in adopted.peers.values())
    assert "peers:\n  dc1:" in target.read_text()  # the tunnel description named no peer: guessed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (b"profile /Common/etherip", b"profile /Common/gre"),
            "no EtherIP tunnel (profile etherip); etherip adopts a deployment of one tunnel per data center",
        ),
        (
            (b"ltm monitor virtual-location", b"ltm monitor http"),
            "0 Virtual Location monitors; etherip adopts one",
        ),
    ],
)
def test_what_is_not_a_deployment_is_refused(edit: tuple[bytes, bytes], message: str, tmp_path: Path) -> None:
    files = {
        h: b.replace(*edit) for h, b in saved_files(site("standalone-both"), BigIpVersion.V11_6_5).items()
    }
    units = _units(tmp_path, files)
    target = tmp_path / "adopted.yaml"
    result = runner.invoke(app, ["init", str(target), *(a for u in units for a in ("--from", u))])
    assert result.exit_code == 1
    assert message in result.stderr
    assert not target.exists()
    assert "Traceback" not in result.output
