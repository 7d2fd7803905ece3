"""CHANGE.md is what a change advisory board approves: impact and risk, duration and window,
roles per data center, what to have ready, go/no-go points, the vMotion test, rollback trigger."""

from __future__ import annotations

import re

import pytest

from generator.changeboard import GATE_MIN, STEP_MIN, build_board
from generator.context import build_context
from generator.runbook import build_runbook
from generator.versions import BigIpVersion
from tests.helpers import CASES, site, tree

SECTIONS = (
    "## Impact and risk",
    "## Duration and window",
    "## Roles",
    "## Have ready",
    "## Before the change window",
    "## Order of work",
    "### 5. vMotion test",
    "## Rollback",
)


def _change(case: str) -> str:
    return tree(case, BigIpVersion.V11_6_5).files()["CHANGE.md"].decode()


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    rest = text[start + len(heading) :]
    level = heading.split(" ")[0]
    ends = [m.start() for m in re.finditer(rf"^#{{2,{len(level)}}} ", rest, re.MULTILINE)]
    return rest[: ends[0]] if ends else rest


@pytest.mark.parametrize("case", CASES)
def test_change_has_every_board_section_in_order(case: str) -> None:
    text = _change(case)
    positions = [text.index(h) for h in SECTIONS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("case", CASES)
def test_duration_total_and_window(case: str) -> None:
    s = site(case)
    ctx = build_context(s, BigIpVersion.V11_6_5)
    runbook = build_runbook(ctx)
    board = build_board(ctx, runbook)
    files_run = len(runbook.prechecks) + len(runbook.apply) + len(runbook.verify)
    assert sum(d.runs for d in board.durations) == files_run + 3 + 1  # three gates and the vMotion test
    assert board.total_min == sum(d.minutes for d in board.durations)
    assert board.rollback_min == sum(STEP_MIN[r.slug] for r in runbook.rollback)
    assert board.window_min >= board.total_min + board.rollback_min and board.window_min % 30 == 0
    table = _section(_change(case), "## Duration and window")
    assert f"| **total** | | **{board.total_min}** |" in table
    hours, minutes = divmod(board.window_min, 60)
    assert f"**{hours} h {minutes:02d} min**" in table
    assert sum(1 for d in board.durations if d.what.startswith("go/no-go")) * GATE_MIN == 3 * GATE_MIN


@pytest.mark.parametrize("case", CASES)
def test_roles_per_data_center_and_team(case: str) -> None:
    s = site(case)
    roles = _section(_change(case), "## Roles")
    a, b = s.peers
    assert f"| team | {a} | {b} |" in roles
    for team in ("load balancer (BIG-IP)", "network / firewall", "virtualization (VMware)", "change lead"):
        assert f"| {team}" in roles
    for peer in s.peers.values():
        for host in peer.devices:
            assert host in roles


@pytest.mark.parametrize("case", CASES)
def test_have_ready_names_console_ucs_credentials_vm_and_other_team(case: str) -> None:
    s = site(case)
    ready = _section(_change(case), "## Have ready")
    items = [line for line in ready.splitlines() if line.startswith("- [ ] ")]
    assert len(items) >= 5
    joined = " ".join(items)
    for needed in (
        "Console or out-of-band",
        f"{s.deployment}-pre-change.ucs",
        "Credentials",
        "test VM",
        "other data center's team",
    ):
        assert needed in joined
    for peer in s.peers.values():
        assert all(host in joined for host in peer.devices)


@pytest.mark.parametrize("case", CASES)
def test_one_page_per_data_center_with_a_go_no_go_between(case: str) -> None:
    s = site(case)
    text = _change(case)
    order = _section(text, "## Order of work")
    names = list(s.peers)
    for i, name in enumerate(names):
        page = _section(order, f"### {i + 2}. Apply in {name}")
        rows = [line for line in page.splitlines() if line.startswith("| ") and line[2].isdigit()]
        assert rows and all(f"| {name} |" in row for row in rows), (
            "a page holds its own data center's rows only"
        )
        assert "Go/no-go" in page
        others = [n for n in names if n != name]
        if i == 0:
            assert f"roll back {name} only" in page and f"{others[0]} is untouched" in page
    gates = re.findall(r"\*\*Go/no-go (\d+), after", text)
    assert gates == ["1", "2", "3", "4"]
    assert text.count('<div style="page-break-before: always"></div>') == 2


@pytest.mark.parametrize("case", CASES)
def test_vmotion_test_says_what_to_run_and_expect(case: str) -> None:
    s = site(case)
    test = _section(_change(case), "### 5. vMotion test")
    first = next(iter(s.peers.values()))
    assert "long-lived connection" in test
    assert "show sys connection ss-server-addr" in test
    assert f"show net tunnels tunnel /Common/{first.tunnel} all-properties" in test
    assert f"show ltm pool /Common/{s.pool.name} members" in test
    assert re.search(r"vMotion the test VM to \S+", test)
    assert "Expect:" in test and "no reset" in test


@pytest.mark.parametrize("case", CASES)
def test_rollback_trigger_is_stated_first(case: str) -> None:
    rollback = _section(_change(case), "## Rollback")
    assert rollback.lstrip().startswith("**Rollback trigger.**")
    assert "vMotion test drops its connection" in rollback


def test_impact_names_the_existing_pool_and_its_virtual_servers() -> None:
    impact = _section(_change("existing-pool"), "## Impact and risk")
    assert "Existing pool" in impact and "every virtual server that uses it" in impact
    assert "| what could go wrong | blast radius | what limits it |" in impact


def test_standalone_rows_never_mention_a_pair() -> None:
    text = _change("standalone-both")
    rows = [line for line in text.splitlines() if line.startswith("| ") and ".tmsh`" in line]
    assert rows
    assert not [row for row in rows if "pair" in row or "In Sync" in row or "config-sync" in row]
    ha = _change("ha-both")
    assert "config-sync returns with no error" in ha and "the floating VM self IP" in ha
