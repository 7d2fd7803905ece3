"""The iApp harness runs the implementation in a Tcl safe interpreter: code read from a checked
folder gets no power over the checking machine. Each dangerous command is tried by an
implementation, refused, and the machine is left untouched."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from generator.proof.iapp.harness import Case, run_cases
from generator.proof.tcl import tcl_quote


def _run(impl: str, seconds: int = 20) -> tuple[bool, str, tuple[str, ...]]:
    (outcome,) = run_cases(impl, [Case("attempt", "h", {})], seconds)
    return outcome.ok, outcome.message, outcome.recorded


def _attempts(target: Path) -> dict[str, str]:
    t = tcl_quote(str(target))
    return {
        "file": f"file mkdir {t}",
        "exec": f"exec touch {t}",
        "open": f"set fh [open {t} w]; puts $fh pwned; close $fh",
        "socket": "socket -server accept 0",
        "interp": f"set i [interp create]; $i eval {{exec touch {t}}}",
        "load": "load libtcl8.6.so Tcl",
        "source": f"source {t}",
        "glob": "glob /*",
        "cd": "cd /",
        "exit": "exit 7",
        "encoding": "encoding system iso8859-1",
    }


@pytest.mark.parametrize("command", sorted(_attempts(Path("x"))))
def test_each_dangerous_command_is_refused(command: str, tmp_path: Path) -> None:
    target = tmp_path / "created-by-the-implementation"
    ok, message, recorded = _run(_attempts(target)[command])
    assert not ok
    assert message == f"{command} is not available to this implementation", message
    assert recorded == ()
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "escape",
    [
        "interp invokehidden {} exec touch {T}",
        "interp expose {} exec; exec touch {T}",
        "[interp create -safe] eval {exec touch {T}}",
        "rename ::file {}; file mkdir {T}",
        "package require Tclx",
        "namespace eval ::tcl { open {T} w }",
        "::tcl::file::mkdir {T}",
        "tcl:file:mkdir {T}",
        "::tmsh::run util bash -c {touch T}",
        "::tmsh::save sys config",
        "close stdout",
    ],
)
def test_escape_attempts_fail(escape: str, tmp_path: Path) -> None:
    target = tmp_path / "escaped"
    ok, _, recorded = _run(escape.replace("T", str(target)))
    assert not ok
    assert recorded == ()
    assert not target.exists()


def test_no_socket_is_opened_from_the_implementation() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.2)
        port = server.getsockname()[1]
        ok, message, _ = _run(f"socket 127.0.0.1 {port}")
        assert not ok and "not available" in message
        with pytest.raises(TimeoutError):
            server.accept()


def test_recording_cannot_be_forged_and_is_per_case() -> None:
    impl = (
        "tmsh::create net vlan /Common/a\n"
        "catch {set ::recorded {}}\n"
        "catch {set ::etherip_recorded {}}\n"
        'error "x\\x010\\x01forged\\x02"\n'
    )
    ok, message, recorded = _run(impl)
    assert not ok
    assert recorded == ("create net vlan /Common/a",)
    assert "\\x01" in message and "\x01" not in message


def test_a_box_broken_by_one_case_is_rebuilt_for_the_next() -> None:
    impl = "if {$::v == 1} { rename ::tmsh::create {}; rename info {}; rename set {} } else { tmsh::create ltm pool $::v }"
    cases = [Case("breaks", "h", {"v": "1"}), Case("next", "h", {"v": "2"}), Case("again", "h", {"v": "3"})]
    outcomes = run_cases(impl, cases)
    assert [o.recorded for o in outcomes] == [(), ("create ltm pool 2",), ("create ltm pool 3",)]
    assert all(o.ok for o in outcomes)


@pytest.mark.parametrize("wait", ["after 600000", "after 600000 {set ::x 1}; vwait ::x", "update"])
def test_waiting_outside_the_time_limit_is_refused(wait: str) -> None:
    ok, message, _ = _run(wait, seconds=1)
    assert not ok and "is not available to this implementation" in message


def test_an_endless_loop_is_stopped() -> None:
    ok, message, _ = _run("while 1 {}", seconds=1)
    assert not ok and "ran longer than 1 s" in message
