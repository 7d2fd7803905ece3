"""The wheel ships every template, and an installed wheel renders from another directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.output import read_tree
from generator.versions import ALL_VERSIONS
from tests.helpers import ROOT, tree


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("etherip-*.whl")
    return built


def _tracked_templates() -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "templates"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    files = {line for line in out.splitlines() if line}
    if not files:  # not a git checkout (an sdist): every file under templates/
        files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    return {f.removeprefix("templates/") for f in files}


def test_wheel_contains_exactly_the_templates(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    shipped = {n.removeprefix("generator/templates/") for n in names if n.startswith("generator/templates/")}
    assert shipped == _tracked_templates()
    assert "generator/example_site.yaml" in names
    assert not any(n.startswith(("tests/", "golden/", "out/")) for n in names)


def test_installed_wheel_renders_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import generator, generator.resources as r; print(generator.__file__); print(r.templates_root())",
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(target)) for line in probe), probe  # the wheel, not the checkout
    subprocess.run(
        [sys.executable, "-m", "generator", "render", "--version", "all"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    written = sorted(p.relative_to(work).as_posix() for p in (work / "out").rglob("manifest.json"))
    assert written == sorted(f"out/vmotion/{v.value}/manifest.json" for v in ALL_VERSIONS)
    for version in ALL_VERSIONS:  # the wheel install renders byte for byte what the editable checkout does
        assert read_tree(work / "out" / "vmotion" / version.value) == tree("mixed", version).files(), version
