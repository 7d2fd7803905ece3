"""Every command of every generated script is a complete Tcl word list, checked by real Tcl,
and our own splitter (used by the replay model) reads the same words Tcl reads."""

from __future__ import annotations

import pytest

from generator.proof.tmsh.script import split_commands
from generator.proof.tmsh.words import split_words
from generator.versions import BigIpVersion
from tests.helpers import proof_pairs, tcl, tree


def test_a_real_tcl_is_available() -> None:
    assert tcl().kind  # raises with install advice when neither tkinter nor tclsh exists


@pytest.mark.parametrize(("case", "version"), proof_pairs())
def test_commands_are_complete_tcl_word_lists(case: str, version: BigIpVersion) -> None:
    """Every .tmsh file of the case, each command read by real Tcl in one run per case."""
    scripts = {rel: c.decode() for rel, c in tree(case, version).files().items() if rel.endswith(".tmsh")}
    assert scripts, f"{version.value}/{case}: no tmsh scripts"
    named: list[tuple[str, str]] = []
    for rel, text in sorted(scripts.items()):
        commands = [cmd for _, cmd in split_commands(text)]
        assert commands, f"{version.value}/{case}/{rel}: no commands"
        named += [(f"{version.value}/{case}/{rel}", cmd) for cmd in commands]
    results = tcl().words([cmd for _, cmd in named])
    for (name, cmd), (complete, tcl_words) in zip(named, results, strict=True):
        assert complete, f"{name}: Tcl says incomplete: {cmd}"
        assert "\n" not in cmd, f"{name}: one command per line for paste safety: {cmd!r}"
        assert tcl_words == [w.text for w in split_words(cmd)], (
            f"{name}: Tcl and etherip split differently: {cmd}"
        )


@pytest.mark.parametrize(
    "bad",
    [
        "create net vlan /Common/x interfaces add { 1.1 { tagged } tag 5",
        'create net vlan /Common/x description "open',
        "create net vlan /Common/x description {a}b",
    ],
)
def test_tcl_check_catches_broken_commands(bad: str) -> None:
    (complete, words) = tcl().words([bad])[0]
    ours_ok = True
    try:
        split_words(bad)
    except ValueError:
        ours_ok = False
    assert not ours_ok, "our splitter must refuse it too"
    assert not complete or words is None, "real Tcl must reject it as a command or as a list"
