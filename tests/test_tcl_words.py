"""Every command of every generated script is a complete Tcl word list, checked by real Tcl,
and our own splitter (used by the replay model) reads the same words Tcl reads."""

from __future__ import annotations

import pytest

from generator.proof.tmsh.script import split_commands
from generator.proof.tmsh.words import split_words
from tests.helpers import proof_trees, tcl

SCRIPTS = [
    (f"{v.value}/{case}/{rel}", content.decode())
    for case, v, t in proof_trees()
    for rel, content in t.files().items()
    if rel.endswith(".tmsh")
]


def test_a_real_tcl_is_available() -> None:
    assert tcl().kind  # raises with install advice when neither tkinter nor tclsh exists


@pytest.mark.parametrize(("name", "text"), SCRIPTS, ids=[n for n, _ in SCRIPTS])
def test_commands_are_complete_tcl_word_lists(name: str, text: str) -> None:
    commands = [cmd for _, cmd in split_commands(text)]
    assert commands, f"{name}: no commands"
    for cmd, (complete, tcl_words) in zip(commands, tcl().words(commands), strict=True):
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
