"""The one bounded reader and the walks without recursion (generator/bounded.py), and the
commands that go through them (issue 18): no FIFO, device or symlink is ever read or followed,
no file is read past its limit, and any depth of nested folders is listed or removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.bounded import ReadRefused, read_file, remove_tree, walk
from generator.output import JOURNAL
from tests.helpers import CASES_DIR, ROOT, etherip

SITE = CASES_DIR / "mixed.yaml"
DEPTH = 1100  # deeper than Python's recursion limit (1000)


def _chain(base: Path, depth: int = DEPTH) -> Path:
    """`base/d/d/.../d`, made without recursion (os.makedirs recurses)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    return base / "/".join(["d"] * depth)


def test_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 1000)
    assert read_file(tmp_path / "f", 1000) == b"x" * 1000
    with pytest.raises(ReadRefused, match="larger than 999 bytes; refused"):
        read_file(tmp_path / "f", 999)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_what_is_not_a_regular_file_is_refused_at_once(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "x"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: a blocking read would wait for ever
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")  # named on the command line: followed, then refused
    else:
        path.mkdir()
    expected = {"fifo": "a FIFO", "dev-zero": "a character device", "folder": "a folder, not a regular file"}
    with pytest.raises(ReadRefused, match=expected[kind]):
        read_file(path, 1 << 20)


def test_no_symlink_is_followed_below_a_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f").write_text("inside")
    (tmp_path / "outside").write_text("outside")
    (tmp_path / "real" / "link").symlink_to(tmp_path / "outside")
    (tmp_path / "real" / "dirlink").symlink_to(tmp_path)
    assert read_file(Path("f"), 100, root=tmp_path / "real") == b"inside"
    with pytest.raises(ReadRefused, match="a symlink; never followed"):
        read_file(Path("link"), 100, root=tmp_path / "real")
    with pytest.raises(ReadRefused, match="never followed"):
        read_file(Path("dirlink/outside"), 100, root=tmp_path / "real")
    with pytest.raises(ReadRefused, match="not a path inside the folder"):
        read_file(Path("../outside"), 100, root=tmp_path / "real")


def test_walk_and_remove_any_depth(tmp_path: Path) -> None:
    deepest = _chain(tmp_path)
    (tmp_path / "f").write_text("x")
    (tmp_path / "l").symlink_to("/")
    os.mkfifo(tmp_path / "p")
    entries = {e.rel: e for e in walk(tmp_path)}
    assert entries["f"].kind == "file" and entries["l"].kind == "symlink"
    assert entries["p"].kind == "other" and entries["p"].detail == "a FIFO"
    leaf = "/".join(["d"] * DEPTH)
    assert entries[leaf].kind == "folder" and entries[leaf].empty
    assert sum(e.kind == "folder" for e in entries.values()) == DEPTH
    remove_tree(tmp_path / "d")
    assert not (tmp_path / "d").exists() and not deepest.exists()
    assert Path("/").exists()  # the symlink was never followed


def _in_a_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` with a timeout, for a read that could hang on a FIFO: a test
    that ran it in its own process could not be stopped (the rest run in this process)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ETHERIP_CACHE_DIR": ""},
        timeout=300,
        check=False,
    )


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    result = etherip("render", str(SITE), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


@pytest.mark.parametrize("where", ["out", "out/vmotion/11.6.5"])
def test_deeply_nested_folders_never_end_in_a_traceback(rendered: Path, where: str) -> None:
    _chain(rendered / where)
    inside = where != "out"
    check = etherip("check", "out", cwd=rendered)
    drift = etherip("render", str(SITE), "--out", "out", "--check", cwd=rendered)
    write = etherip("render", str(SITE), "--out", "out", cwd=rendered)
    for result in (check, drift, write):
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr, result.stderr
    assert check.returncode == (1 if inside else 0), check.stderr[-400:]
    assert drift.returncode == (1 if inside else 0), drift.stdout[-400:]
    assert write.returncode == (3 if inside else 0), write.stderr[-400:]
    if inside:
        assert "render: extra: not part of etherip's render" in check.stderr
        assert drift.stdout.startswith("extra: out/vmotion/11.6.5/d/d/")
        forced = etherip("render", str(SITE), "--out", "out", "--force", cwd=rendered)
        assert forced.returncode == 0, forced.stderr
        assert not (rendered / where / "d").exists()
    else:  # pytest's own clean-up of old temporary folders recurses: leave no chain behind
        remove_tree(rendered / where / "d")


@pytest.mark.parametrize("entry", ["fifo", "dev-zero"])
@pytest.mark.parametrize("name", [JOURNAL, "11.6.5/manifest.json"])
def test_a_special_journal_or_manifest_never_hangs(rendered: Path, entry: str, name: str) -> None:
    path = rendered / "out" / "vmotion" / name
    path.unlink(missing_ok=True)
    if entry == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    check = _in_a_process("check", "out", cwd=rendered)
    write = _in_a_process("render", str(SITE), "--out", "out", cwd=rendered)
    for result in (check, write):
        assert "Traceback" not in result.stderr, result.stderr
    if name == JOURNAL:
        reason = "a FIFO" if entry == "fifo" else "a symlink"
        assert check.returncode == write.returncode == 3
        assert f"journal cannot be read ({reason}" in check.stderr
    else:
        reason = "not a regular file (a FIFO)" if entry == "fifo" else "a symlink"
        assert check.returncode == 1 and f"manifest.json: render: changed: {reason}" in check.stderr
        assert write.returncode == 3 and "(no readable manifest.json: not etherip output)" in write.stderr


def test_check_of_a_template_never_reads_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "x.tmpl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.tmpl"
    zero.symlink_to("/dev/zero")
    for path, reason in ((fifo, "a FIFO"), (zero, "a character device")):
        result = _in_a_process("check", str(path), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert f"{path}:1: error: structure: cannot read: {reason}" in result.stderr


def test_render_check_agrees_with_check_on_every_kind_of_entry(rendered: Path, tmp_path: Path) -> None:
    """An extra empty folder, FIFO or device symlink, and a file swapped for a symlink to a
    file with the same content: `check` rejects all four, and so does `render --check`."""
    folder = rendered / "out" / "vmotion" / "11.6.5"
    (folder / "dc1" / "empty").mkdir()
    os.mkfifo(folder / "pipe")
    (folder / "zero").symlink_to("/dev/zero")
    copy = tmp_path / "same-topology.svg"
    copy.write_bytes((folder / "topology.svg").read_bytes())
    (folder / "topology.svg").unlink()
    (folder / "topology.svg").symlink_to(copy)
    drift = etherip("render", str(SITE), "--out", "out", "--check", cwd=rendered)
    check = etherip("check", "out", cwd=rendered)
    assert drift.returncode == check.returncode == 1
    shown = "out/vmotion/11.6.5"
    assert drift.stdout.splitlines() == [
        f"changed: {shown}/topology.svg (a symlink, which etherip never writes)",
        f"extra: {shown}/dc1/empty/ (an empty folder, which etherip never writes)",
        f"extra: {shown}/pipe (not a regular file (a FIFO))",
        f"extra: {shown}/zero (a symlink, which etherip never writes)",
    ]
    for rel in (
        "dc1/empty: render: extra",
        "pipe: render: extra",
        "zero: render: extra",
        "topology.svg: render: changed",
    ):
        assert f"{shown}/{rel}" in check.stderr, check.stderr


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (MemoryError, "etherip: not enough memory for this input; nothing was changed"),
        (RecursionError, "etherip: input nested too deeply; nothing was changed"),
    ],
)
def test_memory_and_recursion_errors_are_one_message(
    error: type[BaseException], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from generator.cli import app
    from generator.proof.precheck import run

    def fail(*args: object, **kwargs: object) -> None:
        raise error()

    monkeypatch.setattr(run, "run_precheck", fail)
    (tmp_path / "unit.conf").write_text("net vlan /Common/x {\n}\n")
    result = CliRunner().invoke(app, ["precheck", str(SITE), str(tmp_path / "unit.conf")])
    assert result.exit_code == 1
    assert result.stderr == message + "\n"
