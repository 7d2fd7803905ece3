"""Defaults a user expects (issue 16): a render never silently replaces a step file edited
after etherip wrote it, render --check says in one line when there is no output to compare,
and a site file names its BIG-IP version."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import CASES_DIR, etherip

SITE = CASES_DIR / "mixed.yaml"


def test_a_render_refuses_to_replace_an_edited_file(tmp_path: Path) -> None:
    assert etherip("render", str(SITE), cwd=tmp_path).returncode == 0
    edited = tmp_path / "out" / "vmotion" / "11.6.5" / "dc1" / "bigip-dc1-a" / "02-tunnel.tmsh"
    mine = edited.read_text() + "# my note\n"
    edited.write_text(mine)
    again = etherip("render", str(SITE), cwd=tmp_path)
    assert again.returncode == 3, again.stderr
    assert "edited after etherip wrote them" in again.stderr
    assert "  dc1/bigip-dc1-a/02-tunnel.tmsh" in again.stderr.splitlines()
    assert edited.read_text() == mine, "nothing was changed"
    forced = etherip("render", str(SITE), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "# my note" not in edited.read_text()


def test_an_unchanged_folder_renders_again(tmp_path: Path) -> None:
    assert etherip("render", str(SITE), cwd=tmp_path).returncode == 0
    assert etherip("render", str(SITE), cwd=tmp_path).returncode == 0


def test_render_check_without_output_says_so_in_one_line(tmp_path: Path) -> None:
    result = etherip("render", str(SITE), "--check", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and "no rendered output for vmotion here" in lines[0], result.stdout
    assert "missing:" not in result.stdout


def test_a_site_without_a_version_is_refused_with_the_line_to_add(tmp_path: Path) -> None:
    text = "\n".join(line for line in SITE.read_text().splitlines() if not line.startswith("bigip_version:"))
    site = tmp_path / "site.yaml"
    site.write_text(text + "\n")
    result = etherip("validate", str(site), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "bigip_version: missing required key 'bigip_version': add the line `bigip_version: <version>`"
        in result.stderr
    )
    from generator.versions import SUPPORTED

    assert SUPPORTED in result.stderr
