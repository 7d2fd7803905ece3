"""manifest.json names the etherip that wrote it (version and template set), and `etherip
check` of a folder another etherip wrote says so in one line, with the command to re-render."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.versions import BigIpVersion
from tests.helpers import CASES_DIR, ROOT, manifest, tree

runner = CliRunner()


def _template_set() -> str:
    """The hash as documented: every file under templates/, sorted by path; path, size, bytes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "templates").rglob("*"), key=lambda p: p.relative_to(ROOT).as_posix()):
        if path.is_file():
            rel = path.relative_to(ROOT / "templates").as_posix()
            digest.update(rel.encode() + b"\0" + str(path.stat().st_size).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_manifest_names_this_etherip_and_its_templates() -> None:
    written = manifest(tree("mixed", BigIpVersion.V11_6_5))["etherip"]
    assert written == {"version": version("etherip"), "templates": _template_set()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["render", str(CASES_DIR / "mixed.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(
    ("writer", "said"),
    [
        ({"version": "0.0.9", "templates": "0" * 64}, "written by etherip 0.0.9, not by this etherip"),
        (None, "written by an etherip whose manifest does not name itself"),
        ("same version", "with another template set"),
    ],
)
def test_check_of_another_etherips_folder_says_so_once(
    rendered: Path, tmp_path: Path, writer: object, said: str
) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(rendered, out)
    folder = out / "vmotion" / "11.6.5"
    doc = json.loads((folder / "manifest.json").read_text())
    if writer == "same version":
        doc["etherip"]["templates"] = "f" * 64
    elif writer is None:
        del doc["etherip"]
    else:
        doc["etherip"] = writer
    runbook = b"another etherip's runbook\n"  # as that etherip wrote it: its manifest lists its sha256
    for entry in doc["artifacts"]:
        if entry["path"] == "CHANGE.md":
            entry["sha256"] = hashlib.sha256(runbook).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (folder / "CHANGE.md").write_bytes(runbook)
    result = runner.invoke(app, ["check", str(out)])
    assert result.exit_code == 1
    again = f"etherip render {folder / 'site.yaml'} --version 11.6.5 --out {out}"
    (line,) = result.stderr.splitlines()  # one line, not a finding per file
    assert line.startswith(f"{folder}/manifest.json: render: written by ")
    assert said in line
    assert line.endswith(f"not by this etherip {version('etherip')}; re-render it with this one: {again}")
    if writer is None:  # once: the command as told puts this etherip's render in place
        redo = runner.invoke(app, again.split()[1:])
        assert redo.exit_code == 0, redo.output
        assert runner.invoke(app, ["check", str(out)]).exit_code == 0
