"""Renders never damage or delete what they did not write, and no command ends in a traceback
(issue 9, items 3-9): one writer at a time, every version or none, interrupts and SIGKILL at
each rename, foreign files, leftovers, umask, unwritable stdout, and the message fixes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from generator.artifacts import VersionTree
from generator.cli import app
from generator.errors import OutputError
from generator.output import JOURNAL, STAGED_MARKER, deployment_lock, read_tree, write_trees
from generator.render import render_version
from generator.validate import load_site_text
from generator.versions import ALL_VERSIONS
from tests.helpers import CASES_DIR, ROOT, etherip, sampled, scaled

runner = CliRunner()
OLD_SITE = (CASES_DIR / "mixed.yaml").read_text()
NEW_SITE = OLD_SITE.replace("10.10.10.21:80", "10.10.10.23:80")
# Steps of a swap: the journal's rename, then per version an exchange and a rename (Linux), or
# an exchange attempt and two renames (the fallback where RENAME_EXCHANGE is unavailable).
STEPS = {"exchange": 1 + 2 * len(ALL_VERSIONS), "rename": 1 + 3 * len(ALL_VERSIONS)}
POINTS = [(mode, n) for mode, steps in STEPS.items() for n in sampled(range(1, steps + 1), 4)]
TIMEOUT = 180


def _trees(text: str) -> list[VersionTree]:
    site = load_site_text(text, "site.yaml")
    return [render_version(site, v, text.encode()) for v in ALL_VERSIONS]


OLD, NEW = _trees(OLD_SITE), _trees(NEW_SITE)


def _state(out: Path) -> list[str]:
    """Each version folder as 'old', 'new' or what else it is; and the hidden leftovers."""
    folder = out / "vmotion"
    states = []
    for old, new in zip(OLD, NEW, strict=True):
        target = folder / old.version.value
        files = read_tree(target) if target.is_dir() else None
        if files is not None and STAGED_MARKER in files:
            # a swap that has not committed: the marker says so, and recovery rolls it back
            files = {k: v for k, v in files.items() if k != STAGED_MARKER}
        states.append(
            "old" if files == old.files() else "new" if files == new.files() else f"damaged {target}"
        )
    hidden = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    return states + hidden


ALL_OLD = ["old"] * len(ALL_VERSIONS)
ALL_NEW = ["new"] * len(ALL_VERSIONS)


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD_SITE)
    new.write_text(NEW_SITE)
    out = tmp_path / "out"
    write_trees(out, OLD)
    assert _state(out) == ALL_OLD
    return old, new, out


def _cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], text=True, timeout=TIMEOUT, check=False, **streams
    )


def _child(body: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process after `body` (which may patch generator.output)."""
    script = f"import os, sys, signal, time\nsys.path.insert(0, {str(ROOT)!r})\n{textwrap.dedent(body)}\n"
    script += f"sys.argv = ['etherip', *{list(args)!r}]\nfrom generator.cli import main\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _signal_at_step(signum: int, number: int, mode: str = "exchange") -> str:
    """Child prologue: send `signum` to itself just before the swap's step `number`."""
    return f"""
    from generator import output
    assert output.HAS_EXCHANGE, "this Linux has renameat2"
    real_rename, real_exchange, calls = output.MOVES.rename, output.MOVES.exchange, [0]
    if {mode!r} == "rename":
        real_exchange = lambda a, b: False
    def step():
        calls[0] += 1
        if calls[0] == {number}:
            os.kill(os.getpid(), {int(signum)})
    def rename(a, b):
        step()
        return real_rename(a, b)
    def exchange(a, b):
        step()
        return real_exchange(a, b)
    output.MOVES.rename, output.MOVES.exchange = rename, exchange
    """


def _fail_at_step(monkeypatch: pytest.MonkeyPatch, mode: str, number: int, error: BaseException) -> None:
    from generator import output

    real_rename, real_exchange, calls = output.MOVES.rename, output.MOVES.exchange, [0]
    if mode == "rename":  # a system that cannot swap two folders in one step

        def real_exchange(a: Path, b: Path) -> bool:
            return False

    def step() -> None:
        calls[0] += 1
        if calls[0] == number:
            raise error

    def rename(a: Any, b: Any) -> None:
        step()
        real_rename(a, b)

    def exchange(a: Path, b: Path) -> bool:
        step()
        return real_exchange(a, b)

    monkeypatch.setattr(output.MOVES, "rename", rename)
    monkeypatch.setattr(output.MOVES, "exchange", exchange)


# One writer at a time (item 3 of the issue: concurrent renders damaged the live output).


def test_a_held_lock_refuses_a_second_render(sites: tuple[Path, Path, Path]) -> None:
    _, new, out = sites
    with deployment_lock(out / "vmotion"):
        result = _cli("render", str(new), "--version", "all", "--out", str(out))
    assert result.returncode == 3
    assert "another etherip command is using it (a render writing, or a check reading)" in result.stderr
    assert _state(out) == ALL_OLD


def test_concurrent_renders_never_damage_a_version_folder(sites: tuple[Path, Path, Path]) -> None:
    old, new, out = sites
    argv = [sys.executable, "-m", "generator", "render"]
    procs = [
        subprocess.Popen(
            [*argv, str(new if i % 2 else old), "--version", "all", "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(scaled(20, 8))
    ]
    codes = []
    for proc in procs:
        _, err = proc.communicate(timeout=TIMEOUT)
        codes.append(proc.returncode)
        assert proc.returncode in (0, 3), err
        assert "Traceback" not in err
        if proc.returncode == 3:
            assert "another etherip command is using it" in err
    assert 0 in codes
    assert _state(out) in (ALL_OLD, ALL_NEW)


# All or nothing (items 4 and 5).


@pytest.mark.parametrize(("mode", "number"), POINTS)
def test_a_failed_step_changes_nothing(
    sites: tuple[Path, Path, Path], mode: str, number: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 5: whichever rename fails, exit 3 means no version folder was replaced."""
    _, _, out = sites
    _fail_at_step(monkeypatch, mode, number, OSError(13, "Permission denied", "x"))
    with pytest.raises(OutputError, match="nothing was changed"):
        write_trees(out, NEW)
    monkeypatch.undo()
    assert _state(out) == ALL_OLD


@pytest.mark.parametrize(("mode", "number"), POINTS)
def test_an_exception_at_any_step_changes_nothing(
    sites: tuple[Path, Path, Path], mode: str, number: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, out = sites
    _fail_at_step(monkeypatch, mode, number, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_trees(out, NEW)
    monkeypatch.undo()
    assert _state(out) == ALL_OLD


@pytest.mark.parametrize(
    ("signum", "number", "mode"),
    [
        (signal.SIGINT, 1, "exchange"),
        (signal.SIGINT, 4, "exchange"),
        (signal.SIGTERM, 3, "rename"),
        (signal.SIGHUP, STEPS["exchange"], "exchange"),
    ],
)
def test_a_signal_during_the_swap_rolls_back(
    sites: tuple[Path, Path, Path], signum: int, number: int, mode: str
) -> None:
    _, new, out = sites
    result = _child(
        _signal_at_step(signum, number, mode), "render", str(new), "--version", "all", "--out", str(out)
    )
    assert result.returncode == 128 + signum, result.stderr
    assert result.stderr == f"etherip: interrupted ({signal.Signals(signum).name}); nothing was changed\n"
    assert _state(out) == ALL_OLD


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_writing_leaves_the_old_output(sites: tuple[Path, Path, Path], signum: int) -> None:
    """A real signal from outside (Ctrl-C) while the new folders are being written."""
    _, new, out = sites
    body = """
    from generator import output
    real = output._write_files
    def slow(root, files):
        real(root, files)
        print("writing", flush=True)
        time.sleep(60)
    output._write_files = slow
    """
    script = f"import os, sys, signal, time\nsys.path.insert(0, {str(ROOT)!r})\n{textwrap.dedent(body)}\n"
    script += f"sys.argv = ['etherip', 'render', {str(new)!r}, '--version', 'all', '--out', {str(out)!r}]\n"
    script += "from generator.cli import main\nmain()\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 128 + signum
    assert err == f"etherip: interrupted ({signal.Signals(signum).name}); nothing was changed\n"
    assert _state(out) == ALL_OLD  # and no hidden staging folder is left


@pytest.mark.parametrize("number", sampled(range(1, STEPS["exchange"] + 1), 4))
def test_sigkill_at_any_step_never_leaves_a_folder_missing(
    sites: tuple[Path, Path, Path], number: int
) -> None:
    """With RENAME_EXCHANGE every version folder is complete, old or new, even right after a
    SIGKILL; the next check rolls the swap back and finds the previous output."""
    _, new, out = sites
    killed = _child(
        _signal_at_step(signal.SIGKILL, number), "render", str(new), "--version", "all", "--out", str(out)
    )
    assert killed.returncode == -signal.SIGKILL
    assert all(state in ("old", "new") for state in _state(out)[: len(ALL_VERSIONS)]), _state(out)
    assert (out / "vmotion" / JOURNAL).exists() == (number > 1)
    checked = runner.invoke(app, ["check", str(out)])  # in this process: its proofs are memoized
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout.count(": ok;") == len(ALL_VERSIONS)
    assert _state(out) == ALL_OLD


def test_sigkill_between_two_renames_is_recovered_by_the_next_render(sites: tuple[Path, Path, Path]) -> None:
    """Where RENAME_EXCHANGE is unavailable, a SIGKILL between the two renames leaves one
    folder missing until the next command rolls back."""
    _, new, out = sites
    killed = _child(
        _signal_at_step(signal.SIGKILL, 4, "rename"),
        "render",
        str(new),
        "--version",
        "all",
        "--out",
        str(out),
    )
    assert killed.returncode == -signal.SIGKILL
    assert not (out / "vmotion" / "11.6.1").exists(), "killed between moving 11.6.1 aside and the new one in"
    result = etherip("render", str(new), "--version", "all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert _state(out) == ALL_NEW


# Never delete what etherip did not write (item 6), leftovers and modes (item 9).


def test_a_notes_file_in_a_version_folder_is_never_deleted(sites: tuple[Path, Path, Path]) -> None:
    _, new, out = sites
    notes = out / "vmotion" / "11.6.4" / "dc1" / "my notes.txt"
    notes.write_text("mine")
    result = etherip("render", str(new), "--version", "all", "--out", str(out))
    assert result.returncode == 3
    assert "11.6.4: holds files etherip did not write" in result.stderr
    assert "  dc1/my notes.txt\n" in result.stderr
    assert notes.read_text() == "mine"
    notes.unlink()
    assert _state(out) == ALL_OLD
    notes.write_text("mine")
    forced = etherip("render", str(new), "--version", "all", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _state(out) == ALL_NEW


def test_a_folder_that_never_was_etherip_output_is_never_deleted(tmp_path: Path) -> None:
    mine = tmp_path / "out" / "vmotion" / "11.6.5"
    mine.mkdir(parents=True)
    (mine / "plan.txt").write_text("mine")
    result = runner.invoke(app, ["render", "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert "(no readable manifest.json: not etherip output)" in result.stderr
    assert "  plan.txt" in result.stderr
    assert (mine / "plan.txt").read_text() == "mine"


def test_leftovers_are_cleaned_and_symlinks_never_followed(
    sites: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, new, out = sites
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep").write_text("keep")
    folder = out / "vmotion"
    (folder / ".11.6.5.old-etherip-abc").symlink_to(outside)
    (folder / ".11.6.2.new-etherip-def").write_text("half")
    (folder / ".11.6.3.new-etherip-ghi").mkdir()
    result = etherip("render", str(new), "--version", "all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert _state(out) == ALL_NEW
    assert (outside / "keep").read_text() == "keep"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_version_folders_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "render", "--out", str(tmp_path)],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=lambda: os.umask(umask),  # a fixed umask for the child only
    )
    assert result.returncode == 0
    assert (tmp_path / "vmotion" / "11.6.5").stat().st_mode & 0o777 == mode


# No traceback anywhere (item 7).


@pytest.mark.parametrize(
    "args", [["versions"], ["schema"], ["validate", str(CASES_DIR / "mixed.yaml")], ["--help"]]
)
def test_stdout_that_cannot_be_written_exits_3(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = _cli(*args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 3
    assert result.stderr.endswith("cannot write to standard output: No space left on device\n")
    assert result.stderr.count("\n") == 1, result.stderr


def test_closed_stdout_exits_3(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(CASES_DIR / "mixed.yaml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=lambda: os.close(1),  # the child starts with stdout closed
    )
    assert result.returncode == 3
    assert result.stderr == "cannot write to standard output: it is closed\n"


def test_full_stderr_still_gives_the_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("deployment: [")
    with open("/dev/full", "w") as full:
        result = _cli("validate", str(bad), stdout=full, stderr=full)
    assert result.returncode == 1


# Messages (item 8).


def _validate(tmp_path: Path, text: str | bytes, name: str = "site.yaml") -> Any:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return runner.invoke(app, ["validate", str(path)])


def test_column_counts_characters_after_multibyte_text(tmp_path: Path) -> None:
    result = _validate(tmp_path, "deployment: vmé€x".encode() + b"\xff\n")  # 17 characters, 20 bytes
    assert result.exit_code == 1
    assert f"{tmp_path / 'site.yaml'}:1:18: not UTF-8 text" in result.stderr


def test_brackets_in_comments_are_not_nesting(tmp_path: Path) -> None:
    result = _validate(
        tmp_path, "# {{{{{{{{{{{{{{{{{{[[[[[[[[[[[[[[\n" + OLD_SITE.replace("\n", "  # {[{[{[\n")
    )
    assert result.exit_code == 0, result.output


def test_a_five_thousand_digit_number_gets_our_message(tmp_path: Path) -> None:
    result = _validate(tmp_path, OLD_SITE.replace("tag: 300", "tag: " + "9" * 5000))
    assert result.exit_code == 1
    assert "a number of 5000 digits is far above any value a site file takes" in result.stderr
    assert "int_max_str_digits" not in result.stderr


def test_null_version_says_what_was_found(tmp_path: Path) -> None:
    result = _validate(tmp_path, OLD_SITE.replace("bigip_version: 11.6.5", "bigip_version: null"))
    assert result.exit_code == 1
    assert "bigip_version: missing value: write one of 11.6.1" in result.stderr
    assert "this value" not in result.stderr


@pytest.mark.parametrize("command", ["validate", "render"])
def test_unreadable_site_file_is_located_with_exit_1(tmp_path: Path, command: str) -> None:
    for path, message in [
        (tmp_path, "cannot read file: Is a directory"),
        (Path("/dev/zero"), "file is larger than 262144 bytes; not a site file"),
        (tmp_path / "nothing.yaml", "cannot read file: No such file or directory"),
    ]:
        result = (
            etherip(command, str(path), "--out", str(tmp_path / "o"))
            if command == "render"
            else etherip(command, str(path))
        )
        assert result.returncode == 1
        assert result.stderr == f"{path}:1:1: {message}\n"


def test_fifo_without_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "site.yaml"
    os.mkfifo(fifo)
    result = _cli("validate", str(fifo))  # a process: a hang here ends in TimeoutExpired
    assert result.returncode == 1
    assert "empty file" in result.stderr


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    result = _validate(tmp_path, "deployment: [", name="a\nb\x1b[31m.yaml")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "a\\nb\\x1b[31m.yaml:1:14: YAML syntax" in result.stderr


def test_init_write_failure_exits_3_and_leaves_no_site_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "site.yaml"))

    monkeypatch.setattr(os, "link", full)  # the site file is created whole by a link
    result = runner.invoke(app, ["init", str(tmp_path / "site.yaml")])
    monkeypatch.undo()
    assert result.exit_code == 3
    assert (
        result.stderr
        == f"{tmp_path / 'site.yaml'}: cannot write: No space left on device; no site file was written\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etherip.schema.json"]


def test_a_forged_journal_never_moves_anything_else(sites: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, new, out = sites
    victim = tmp_path / "victim"
    victim.mkdir()
    ino = victim.stat().st_ino
    entries = [
        {"version": "11.6.5", "new": "../../victim", "old": ".11.6.5.old-etherip-x", "had": True, "ino": ino}
    ]
    (out / "vmotion" / JOURNAL).write_text(json.dumps({"entries": entries}))
    result = etherip("render", str(new), "--version", "all", "--out", str(out))
    assert result.returncode == 3
    assert "journal cannot be read" in result.stderr
    assert victim.is_dir()
    (out / "vmotion" / JOURNAL).unlink()
    assert _state(out) == ALL_OLD


def test_a_reader_waits_for_the_writer_and_a_render_does_not(tmp_path: Path) -> None:
    import threading

    folder = tmp_path / "vmotion"
    holder = deployment_lock(folder)
    holder.__enter__()
    with pytest.raises(OutputError, match="another etherip command is using it"), deployment_lock(folder):
        pass  # a second render: refused at once
    releaser = threading.Timer(0.3, holder.__exit__, (None, None, None))
    releaser.start()
    with deployment_lock(folder, create=False, shared=True, wait=60):  # a check: waits, then reads
        pass
    releaser.join()


def test_render_to_a_full_or_closed_stdout_says_what_was_written(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = _cli("render", "--out", str(tmp_path / "a"), stdout=full)
    assert result.returncode == 3
    assert (
        result.stderr
        == f"cannot write to standard output: No space left on device; the output under {tmp_path / 'a'} was written\n"
    )
    closed = subprocess.run(
        [sys.executable, "-m", "generator", "render", "--out", str(tmp_path / "b")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert closed.returncode == 3
    assert closed.stderr == "cannot write to standard output: it is closed; nothing was written\n"
    assert not (tmp_path / "b").exists()


def test_ctrl_c_while_the_cli_is_still_importing() -> None:
    """The console command takes the signals over before its slow imports (typer, pydantic)."""
    script = f"""
import importlib.abc, os, signal, sys
sys.path.insert(0, {str(ROOT)!r})
class SignalOnTyper(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "typer":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, SignalOnTyper())
sys.argv = ["etherip", "versions"]
from generator.__main__ import main
main()
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode == 130
    assert result.stderr == "etherip: interrupted (SIGINT); nothing was changed\n"
    assert result.stdout == ""
