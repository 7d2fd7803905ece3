"""The command line: exit codes, messages, and the commands besides render."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.resources import example_site
from generator.versions import (
    ALL_VERSIONS,
    KNOWN_ISSUES,
    RELEASES,
    SUPPORTED,
    BigIpVersion,
    known_issues,
    version_notes,
)
from tests.helpers import CASES_DIR, ROOT, etherip, tree

runner = CliRunner()


def test_render_default_is_the_bundled_example(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "vmotion" / "11.6.5" / "manifest.json").exists()
    assert not (tmp_path / "vmotion" / "11.6.4").exists()
    count = len(tree("mixed", BigIpVersion.V11_6_5).artifacts)
    assert f"{count} files for BIG-IP 11.6.5" in result.stdout


def test_example_is_the_issue_site_file() -> None:
    assert example_site().read_bytes() == (CASES_DIR / "mixed.yaml").read_bytes()


def test_render_all_versions(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", str(CASES_DIR / "ha-both.yaml"), "--version", "all", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "vmotion").iterdir()) == sorted(v.value for v in ALL_VERSIONS)
    for version in ALL_VERSIONS:
        tmpl = next((tmp_path / "vmotion" / version.value / "east" / "iapp").glob("*.tmpl")).read_text()
        assert tmpl.startswith(f"#TMSH-VERSION: {RELEASES[version].tmsh_version}\n")
        assert f"requires-bigip-version-min {RELEASES[version].iapp_min}\n" in tmpl


@pytest.mark.parametrize(
    "args", [["render", "--version", "12.1.0"], ["render", "--version", "11.6"], ["frobnicate"], ["validate"]]
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path)] if args[0] == "render" else args)
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_validate_ok_and_missing_file(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", str(CASES_DIR / "mixed.yaml")])
    assert ok.exit_code == 0 and "valid" in ok.stdout
    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert missing.stderr == f"{tmp_path / 'nope.yaml'}:1:1: cannot read file: No such file or directory\n"


def test_init_writes_example_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "site.yaml"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0
    header = (
        b"# yaml-language-server: $schema=./etherip.schema.json\n"
        + f"# bigip_version takes one of: {SUPPORTED} (etherip versions)\n".encode()
    )
    assert target.read_bytes() == header + example_site().read_bytes()
    assert json.loads((tmp_path / "etherip.schema.json").read_text())["title"] == "etherip site file"
    target.write_text("mine")
    second = runner.invoke(app, ["init", str(target)])
    assert second.exit_code == 1
    assert "never overwrites" in second.stderr
    assert target.read_text() == "mine"


def test_second_init_reuses_identical_schema_and_refreshes_a_stale_one(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "first.yaml")]).exit_code == 0
    schema = tmp_path / "etherip.schema.json"
    fresh = schema.read_bytes()
    again = runner.invoke(app, ["init", str(tmp_path / "second.yaml")])
    assert again.exit_code == 0, again.output
    assert "identical; reused" in again.stdout
    assert (tmp_path / "second.yaml").read_bytes() == (tmp_path / "first.yaml").read_bytes()
    schema.write_text("{}\n")
    third = runner.invoke(app, ["init", str(tmp_path / "third.yaml")])
    assert third.exit_code == 0, third.output
    assert "refreshed" in third.stdout
    assert schema.read_bytes() == fresh
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "etherip.schema.json",
        "first.yaml",
        "second.yaml",
        "third.yaml",
    ], "no staging files left behind"


def test_init_create_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def broken_link(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "link", broken_link)
    result = runner.invoke(app, ["init", str(tmp_path / "site.yaml")])
    assert result.exit_code == 3  # output could not be written (issue 9)
    assert "No space left on device" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etherip.schema.json"]


def test_version_option_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"etherip {version('etherip')}\n"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("zsh", "#compdef etherip"),
        ("bash", "complete -o default -F _etherip_completion etherip"),
        ("fish", "complete --command etherip"),
        ("powershell", "Register-ArgumentCompleter"),
    ],
)
def test_completion_script_for_a_named_shell(shell: str, marker: str) -> None:
    """The README's way to print the script for a shell by name (typer's completion variable)."""
    result = runner.invoke(app, [], env={"_ETHERIP_COMPLETE": f"source_{shell}"}, prog_name="etherip")
    assert result.exit_code == 0, result.output
    assert marker in result.stdout


def test_completion_options_for_the_current_shell() -> None:
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    readme = (ROOT / "README.md").read_text()
    assert "`etherip --install-completion`" in readme and "_ETHERIP_COMPLETE=source_zsh etherip" in readme


@pytest.mark.parametrize(
    "command", [[], ["render"], ["validate"], ["check"], ["init"], ["versions"], ["plan"], ["precheck"]]
)
def test_help_shows_no_python_type_labels(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    for label in ("<bool>", "<list[", "<path>", "<str>"):
        assert label not in result.stdout


def test_versions_lists_what_each_release_differs_by() -> None:
    result = runner.invoke(app, ["versions"])
    assert "apabilit" not in result.stdout, "no feature table: every release has what etherip emits"
    for v in ALL_VERSIONS:
        assert f"{v.value}  known issues: {len(known_issues(v))}" in result.stdout
        assert f"    #TMSH-VERSION {RELEASES[v].tmsh_version};" in result.stdout


def test_versions_lists_all_and_known_issue() -> None:
    result = runner.invoke(app, ["versions"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert listed == [v.value for v in BigIpVersion]
    blocks = dict(zip(listed, re.split(r"\n(?=\d)", result.stdout), strict=True))
    for v in ALL_VERSIONS:
        assert f"    support: {RELEASES[v].support_text}\n" in blocks[v.value]
        for issue in known_issues(v):
            assert f"    {issue.ident}: {issue.title}\n" in blocks[v.value]
        for note in version_notes(v):
            assert f"    note {note.ident} (" in blocks[v.value]
        named = {i.ident for i in KNOWN_ISSUES} - {i.ident for i in known_issues(v)}
        assert not any(f"    {ident}: " in blocks[v.value] for ident in named)


def test_unwritable_output_exits_3(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["render", "--out", str(blocker)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"cannot write output under {blocker}")
    assert "Traceback" not in result.output


def test_render_check_reports_drift_exactly(tmp_path: Path) -> None:
    site_file = str(CASES_DIR / "mixed.yaml")
    args = ["render", site_file, "--version", "all", "--out", str(tmp_path)]
    nothing = runner.invoke(app, [*args, "--check"])
    assert nothing.exit_code == 1
    assert nothing.stdout.splitlines() == [
        f"{tmp_path / 'vmotion'}: no rendered output for vmotion here; run etherip render {site_file} --out {tmp_path}"
    ]
    assert not any(tmp_path.iterdir()), "--check never writes"
    (tmp_path / "vmotion").mkdir()  # the deployment folder, with no version folder in it
    missing = runner.invoke(app, [*args, "--check"])
    assert missing.exit_code == 1
    assert len(missing.stdout.splitlines()) == len(BigIpVersion) * len(
        tree("mixed", BigIpVersion.V11_6_5).files()
    )
    (tmp_path / "vmotion").rmdir()
    assert runner.invoke(app, args).exit_code == 0
    clean = runner.invoke(app, [*args, "--check"])
    assert clean.exit_code == 0, clean.stdout
    root = tmp_path / "vmotion" / "11.6.3"
    (root / "dc2" / "bigip-dc2" / "02-tunnel.tmsh").write_text("edited by hand\n")
    (root / "dc1" / "bigip-dc1-b" / "06-verify.tmsh").unlink()
    (root / "dc1" / "notes.txt").write_text("extra")
    drift = runner.invoke(app, [*args, "--check"])
    assert drift.exit_code == 1
    assert drift.stdout.splitlines() == [
        f"missing: {root / 'dc1/bigip-dc1-b/06-verify.tmsh'}",
        f"changed: {root / 'dc2/bigip-dc2/02-tunnel.tmsh'}",
        f"extra: {root / 'dc1/notes.txt'}",
    ]


def test_render_check_without_version_covers_every_folder_on_disk(tmp_path: Path) -> None:
    site_file = str(CASES_DIR / "mixed.yaml")
    out = ["--out", str(tmp_path)]
    assert runner.invoke(app, ["render", site_file, "--version", "11.6.1", *out]).exit_code == 0
    stale = runner.invoke(app, ["render", site_file, "--check", *out])
    assert stale.exit_code == 1, "the default version 11.6.5 is missing"
    assert all(
        line.startswith(f"missing: {tmp_path / 'vmotion' / '11.6.5'}") for line in stale.stdout.splitlines()
    )
    assert runner.invoke(app, ["render", site_file, *out]).exit_code == 0
    clean = runner.invoke(app, ["render", site_file, "--check", *out])
    assert clean.exit_code == 0, clean.stdout
    assert "11.6.1, 11.6.5 up to date" in clean.stdout
    edited = tmp_path / "vmotion" / "11.6.1" / "CHANGE.md"
    edited.write_text("edited\n")
    (tmp_path / "vmotion" / "old-copy").mkdir()
    drift = runner.invoke(app, ["render", site_file, "--check", *out])
    assert drift.exit_code == 1
    assert drift.stdout.splitlines() == [f"extra: {tmp_path / 'vmotion' / 'old-copy'}/", f"changed: {edited}"]


def test_example_script_installs_only_what_rendering_needs() -> None:
    from tests.helpers import ROOT

    example = (ROOT / "scripts" / "render-example.sh").read_text()
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text()
    assert "sh scripts/bootstrap.sh --runtime" in example
    runtime = bootstrap.split('if [ "${1:-}" = "--runtime" ]; then', 1)[1].split("fi", 1)[0]
    assert "pip install --quiet -e .\n" in runtime and "[test]" not in runtime and "exit 0" in runtime


def test_readme_says_how_to_run_etherip_after_the_two_commands() -> None:
    from tests.helpers import ROOT

    readme = (ROOT / "README.md").read_text()
    for needed in (".venv/bin/etherip", ". .venv/bin/activate", "pipx install .", "uv tool install ."):
        assert needed in readme


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"_ETHERIP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "etherip va"}, '"validate"'),
        ({"_ETHERIP_COMPLETE": "complete_bash", "COMP_WORDS": "etherip re", "COMP_CWORD": "1"}, "render"),
    ],
)
def test_installed_completion_answers(env: dict[str, str], expected: str) -> None:
    result = runner.invoke(app, [], env=env, prog_name="etherip")
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


@pytest.mark.parametrize("command", (["validate"], ["render", "--check"], ["precheck"]))
def test_readability_is_judged_by_etherip_not_by_the_usage_parser(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreadable site file must give FILE:1:1 and exit 1, never the usage box and exit 2.
    The usage parser would decide that from os.access; here os.access says no (as it does for
    a non-root user and a mode-000 file) and etherip must still read the file itself."""
    import os

    site = str(CASES_DIR / "mixed.yaml")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, *a, **k: False if str(p) == site else real_access(p, mode)
    )
    extra = ["bigip-dc2=/nonexistent"] if command == ["precheck"] else []
    result = CliRunner().invoke(app, [*command, site, *extra])
    assert "not readable" not in result.output
    assert result.exit_code != 2 or command == ["precheck"], result.output


def test_the_in_process_runner_shows_what_a_real_process_would(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """tests/helpers.py `etherip` (the CLI in the test's process) reports an exception the CLI
    lets through as a traceback with exit 1, as `python -m generator` would, and runs in the
    folder it is given: the tests that use it instead of a child process lose nothing."""
    from generator import render

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    ran = etherip("render", "--out", "here", cwd=tmp_path)
    assert ran.returncode == 0 and (tmp_path / "here").is_dir(), ran.stderr
    monkeypatch.setattr(render, "render_version", broken)
    failed = etherip("render", "--out", "there", cwd=tmp_path)
    assert failed.returncode == 1
    assert "Traceback (most recent call last):" in failed.stderr and "RuntimeError: a bug" in failed.stderr
