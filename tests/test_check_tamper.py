"""`etherip check` proves a folder is exactly etherip's render of its site.yaml (issue 9, items
1, 2, 7 and 9): tampered output with a re-sealed manifest is caught, damaged folders give
findings and never a traceback, and nothing read from the folder is ever run."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.output import JOURNAL, STAGED_MARKER, read_tree
from generator.versions import ALL_VERSIONS, BigIpVersion
from tests.helpers import CASES_DIR, FULL_MATRIX

runner = CliRunner()
VERSION = "11.6.3"
# The versions the output folder holds: every one with ETHERIP_FULL_MATRIX=1 (.ci/run), else the
# ones these tests name (each check proves every folder; tests/test_versions.py proves them alike).
IN_OUT = ALL_VERSIONS if FULL_MATRIX else (BigIpVersion.V11_6_2, BigIpVersion(VERSION), BigIpVersion.V11_6_5)


@pytest.fixture(scope="module")
def rendered_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example rendered once for this module; each test damages its own copy."""
    where = tmp_path_factory.mktemp("rendered") / "out"
    for version in ["all"] if IN_OUT == ALL_VERSIONS else [v.value for v in IN_OUT]:
        result = runner.invoke(app, ["render", "--version", version, "--out", str(where)])
        assert result.exit_code == 0, result.output
    return where


@pytest.fixture
def out(rendered_once: Path, tmp_path: Path) -> Path:
    shutil.copytree(rendered_once, tmp_path / "out", symlinks=True)
    return tmp_path / "out"


def _folder(out: Path) -> Path:
    return out / "vmotion" / VERSION


def _reseal(folder: Path, kinds: dict[str, str] | None = None) -> None:
    """Recompute manifest.json for what the folder now holds, as a careful tamperer would."""
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["artifacts"]}
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    fresh = []
    for rel in files:
        if rel == "manifest.json":
            continue
        entry = entries.get(rel) or {
            "path": rel,
            "peer": None,
            "device": None,
            "kind": (kinds or {}).get(rel, "notes"),
            "step": None,
        }
        entry["sha256"] = hashlib.sha256((folder / rel).read_bytes()).hexdigest()
        fresh.append(entry)
    manifest["artifacts"] = fresh
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def _append(rel: str, text: str) -> Callable[[Path], str]:
    def tamper(folder: Path) -> str:
        with open(folder / rel, "a", encoding="utf-8") as fh:
            fh.write(text)
        return rel

    return tamper


def _replace(rel: str, old: str, new: str) -> Callable[[Path], str]:
    def tamper(folder: Path) -> str:
        text = (folder / rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        (folder / rel).write_text(text.replace(old, new), encoding="utf-8")
        return rel

    return tamper


def _empty(rel: str) -> Callable[[Path], str]:
    def tamper(folder: Path) -> str:
        (folder / rel).write_text("")
        return rel

    return tamper


def _zip_deletes_all_vlans(folder: Path) -> str:
    (bundle,) = (folder / "dc1" / "iapp").glob("*.zip")
    with zipfile.ZipFile(bundle) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            if name.endswith(".tmpl"):
                assert b"implementation {" in data
                data = data.replace(
                    b"implementation {", b'implementation {\n    tmsh::delete "net vlan all"', 1
                )
            zf.writestr(name, data)
    bundle.write_bytes(buf.getvalue())
    return bundle.relative_to(folder).as_posix()


def _notes(folder: Path) -> str:
    (folder / "dc1" / "notes.txt").write_text("run this too: delete net vlan all\n")
    return "dc1/notes.txt"


DEVICE = "dc1/bigip-dc1-a"
TAMPERED: dict[str, Callable[[Path], str]] = {
    "rollback also deletes the existing WAN VLAN": _append(
        f"{DEVICE}/rollback/05-save.tmsh", "delete net vlan /Common/external\n"
    ),
    "apply script runs bash": _replace(
        f"{DEVICE}/02-tunnel.tmsh",
        "submit cli transaction",
        'submit cli transaction\nrun util bash -c "rm -rf /config/*"',
    ),
    "destructive line in pre-check": _append(f"{DEVICE}/00-precheck.tmsh", "delete ltm pool all\n"),
    "destructive line in verify": _append(f"{DEVICE}/06-verify.tmsh", "delete net self all\n"),
    "emptied rollback": _empty(f"{DEVICE}/rollback/01-pool-monitor.tmsh"),
    "rewritten CHANGE.md": _replace("CHANGE.md", "rollback", "no rollback needed"),
    "zip whose .tmpl deletes all VLANs": _zip_deletes_all_vlans,
    "site.yaml that no longer matches": lambda f: (
        _replace("site.yaml", "10.10.10.21:80", "10.10.10.23:80")(f),
        f"{DEVICE}/04-pool-monitor.tmsh",  # the scripts are not its render any more
    )[1],
    "extra file under an unknown kind": _notes,
}


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_resealed_tampering_is_caught(out: Path, name: str) -> None:
    folder = _folder(out)
    rel = TAMPERED[name](folder)
    _reseal(folder)
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1, result.output
    assert f"{folder}/{rel}: render: " in result.stderr, result.stderr
    assert f"{folder}/manifest.json: render: changed" in result.stderr  # re-sealing is itself a change
    assert result.stdout.count(": ok;") == len(IN_OUT) - 1, "the other version folders still pass"


def test_site_yaml_that_no_longer_validates(out: Path) -> None:
    folder = _folder(out)
    _replace("site.yaml", "tag: 300", "tag: 5000")(folder)
    _reseal(folder)
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1
    assert f"{folder}/site.yaml: site: {folder}/site.yaml:" in result.stderr
    assert "above the maximum 4094" in result.stderr


def test_site_yaml_of_another_deployment(out: Path) -> None:
    folder = _folder(out)
    _replace("site.yaml", "deployment: vmotion", "deployment: other")(folder)
    _reseal(folder)
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1
    assert "site.yaml names deployment 'other', but the folder 'vmotion'" in result.stderr


def test_folder_named_after_another_version(out: Path) -> None:
    """The folder's name is the version it claims; its content is 11.6.3's."""
    folder = _folder(out)
    moved = folder.parent / "11.6.5"
    os.rename(moved, folder.parent / "spare")
    os.rename(folder, moved)
    result = runner.invoke(app, ["check", str(moved)])
    assert result.exit_code == 1
    assert "names version 11.6.3, but the folder is 11.6.5" in result.stderr
    assert f"{moved}/CHANGE.md: render: changed" in result.stderr


def test_a_copy_outside_the_layout_is_checked_by_its_manifest_version(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ticket-4711"
    os.rename(_folder(out), copy)
    result = runner.invoke(app, ["check", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"{copy}: ok;" in result.stdout


def test_check_never_runs_code_from_the_folder(out: Path, tmp_path: Path) -> None:
    """A template that would create a file when run: check reports it and nothing runs it."""
    marker = tmp_path / "ran"
    folder = _folder(out)
    (tmpl,) = (folder / "dc2" / "iapp").glob("*.tmpl")
    text = tmpl.read_text()
    evil = f"implementation {{\n    close [open {marker} w]\n    exec touch {marker}\n    file mkdir {marker}"
    tmpl.write_text(text.replace("implementation {", evil, 1))
    _reseal(folder)
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1
    assert f"{tmpl}: render: changed" in result.stderr
    assert not marker.exists()


# Damaged folders: findings, exit 1, never a traceback (item 7).


def _manifest_edit(edit: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        doc = json.loads((folder / "manifest.json").read_text())
        edit(doc)
        (folder / "manifest.json").write_text(json.dumps(doc))

    return damage


def _entry(key: str, value: object, index: int = 3) -> Callable[[dict[str, object]], None]:
    def edit(doc: dict[str, object]) -> None:
        entries = doc["artifacts"]
        assert isinstance(entries, list)
        entries[index][key] = value

    return edit


def _drop(key: str) -> Callable[[dict[str, object]], None]:
    def edit(doc: dict[str, object]) -> None:
        entries = doc["artifacts"]
        assert isinstance(entries, list)
        del entries[3][key]

    return edit


def _unlink_tmpl(folder: Path) -> None:
    for tmpl in folder.rglob("*.tmpl"):
        tmpl.unlink()


def _fifo_instead_of_file(folder: Path) -> None:
    target = folder / "CHANGE.md"
    target.unlink()
    os.mkfifo(target)  # reading it would block forever


DAMAGED: dict[str, tuple[Callable[[Path], None], str]] = {
    "deleted .tmpl": (_unlink_tmpl, "missing: etherip renders this file"),
    "non-UTF-8 tmsh script": (
        lambda f: (f / DEVICE / "06-verify.tmsh").write_bytes(b"\xff\xfe show net vlan\n"),
        "changed: differs",
    ),
    "non-UTF-8 site.yaml": (
        lambda f: (f / "site.yaml").write_bytes(b"deployment: vm\xe9\n"),
        "not UTF-8 text",
    ),
    "artifacts not a list": (
        _manifest_edit(lambda d: d.update(artifacts="x")),
        "manifest.json: render: changed",
    ),
    "entry without sha256": (_manifest_edit(_drop("sha256")), "manifest.json: render: changed"),
    "entry without path": (_manifest_edit(_drop("path")), "manifest.json: render: changed"),
    "non-numeric step": (_manifest_edit(_entry("step", "two")), "manifest.json: render: changed"),
    "unknown device": (_manifest_edit(_entry("device", "ghost")), "manifest.json: render: changed"),
    "unknown peer": (_manifest_edit(_entry("peer", "dc9")), "manifest.json: render: changed"),
    "path outside the folder": (
        _manifest_edit(_entry("path", "../../../etc/passwd")),
        "manifest.json: render: changed",
    ),
    "manifest not JSON": (
        lambda f: (f / "manifest.json").write_bytes(b"\x00{not json"),
        "manifest.json: render: changed",
    ),
    "symlink to a huge file": (
        lambda f: ((f / "topology.svg").unlink(), (f / "topology.svg").symlink_to("/dev/zero")),
        "topology.svg: render: changed: a symlink",
    ),
    "FIFO instead of a file": (_fifo_instead_of_file, "CHANGE.md: render: changed: not a regular file"),
    "directory instead of a file": (
        lambda f: (
            (f / "topology.svg").unlink(),
            (f / "topology.svg").mkdir(),
            (f / "topology.svg" / "x").write_text(""),
        ),
        "topology.svg/x: render: extra",
    ),
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_folder_gives_findings_not_a_traceback(out: Path, name: str) -> None:
    """In this process (the command's error boundary is what is tested: any exception but the
    exit it raises would be a traceback); a FIFO in a real process, which a hang cannot stop."""
    damage, phrase = DAMAGED[name]
    damage(_folder(out))
    if name == "FIFO instead of a file":
        proc = subprocess.run(
            [sys.executable, "-m", "generator", "check", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    else:
        result = runner.invoke(app, ["check", str(out)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert phrase in stderr, stderr
    assert stdout.count(": ok;") == len(IN_OUT) - 1


def test_control_characters_in_paths_are_escaped(out: Path) -> None:
    folder = _folder(out)
    (folder / "dc1" / "a\x1b[2K\nfake: ok").write_text("x")
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1
    assert f"{folder}/dc1/a\\x1b[2K\\nfake: ok: render: extra" in result.stderr
    assert "\x1b" not in result.output


# Leftovers (item 9).


def test_check_ignores_staging_leftovers_and_recovers_a_journal(out: Path) -> None:
    deployment = out / "vmotion"
    junk = deployment / ".11.6.5.new-etherip-abc123"
    junk.mkdir()
    (junk / "manifest.json").write_text("{}")
    (deployment / ".11.6.4.old-etherip-zz").symlink_to("/nonexistent")
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok;") == len(IN_OUT)
    assert sorted(p.name for p in deployment.iterdir()) == sorted(v.value for v in IN_OUT)


def test_check_finishes_an_interrupted_swap(out: Path) -> None:
    """A render SIGKILLed between its two renames left a journal and no 11.6.2 folder: the
    next check rolls the swap back first and finds the previous output complete."""
    deployment = out / "vmotion"
    os.rename(deployment / "11.6.2", deployment / ".11.6.2.old-etherip-k")
    (deployment / ".11.6.2.new-etherip-k").mkdir()
    (deployment / ".11.6.2.new-etherip-k" / "half.tmsh").write_text("create")
    (deployment / ".11.6.2.new-etherip-k" / STAGED_MARKER).write_text(".11.6.2.new-etherip-k")
    ino = (deployment / ".11.6.2.new-etherip-k").stat().st_ino
    entries = [
        {
            "version": "11.6.2",
            "new": ".11.6.2.new-etherip-k",
            "old": ".11.6.2.old-etherip-k",
            "had": True,
            "ino": ino,
            "token": ".11.6.2.new-etherip-k",
        }
    ]
    (deployment / JOURNAL).write_text(json.dumps({"entries": entries}))
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok;") == len(IN_OUT)
    assert sorted(p.name for p in deployment.iterdir()) == sorted(v.value for v in IN_OUT)


def test_check_of_the_golden_case_files_is_clean(tmp_path: Path) -> None:
    site = CASES_DIR / "ha-both.yaml"
    assert runner.invoke(app, ["render", str(site), "--out", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_a_forged_journal_never_deletes_a_version_folder(out: Path) -> None:
    """A journal naming the real 11.6.5 folder's inode as a new render (had: false) must not make
    etherip remove it: only a folder holding the staging marker with the journal's token is ours."""
    deployment = out / "vmotion"
    before = read_tree(deployment / "11.6.5")
    ino = (deployment / "11.6.5").stat().st_ino
    entries = [
        {
            "version": "11.6.5",
            "new": ".11.6.5.new-etherip-f",
            "old": ".11.6.5.old-etherip-f",
            "had": False,
            "ino": ino,
            "token": "x",
        }
    ]
    (deployment / JOURNAL).write_text(json.dumps({"entries": entries}))
    result = runner.invoke(app, ["check", str(out)])
    assert read_tree(deployment / "11.6.5") == before
    assert result.stdout.count(": ok;") == len(IN_OUT), result.output


def test_a_users_hidden_folder_is_never_taken_for_staging(out: Path) -> None:
    deployment = out / "vmotion"
    backup = deployment / ".11.6.5.old-mybackup"
    backup.mkdir()
    (backup / "notes.txt").write_text("mine")
    assert runner.invoke(app, ["check", str(out)]).exit_code == 0
    assert (backup / "notes.txt").read_text() == "mine"


def test_an_extra_empty_folder_is_a_finding(out: Path) -> None:
    """render refuses a version folder holding an empty folder it did not write; check agrees."""
    folder = _folder(out)
    (folder / "dc1" / "later").mkdir()
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1, result.output
    assert f"{folder}/dc1/later: render: " in result.stderr, result.stderr
