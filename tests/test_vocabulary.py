"""The BIG-IP vocabulary (generator/bigip.py) is what the output says: every create command
writes its kind's properties in the vocabulary's order, synced steps create synced objects
only, and the copies that must stay outside Python (the iApp Tcl) agree with it."""

from __future__ import annotations

import re

import pytest

from generator import bigip
from generator.context import props
from generator.proof.tmsh.replay import is_synced
from generator.proof.tmsh.script import KINDS, Command, parse_script
from generator.versions import BigIpVersion
from tests.helpers import CASES, ROOT, tree

VERSION = BigIpVersion.V11_6_5


def _commands(case: str, kind: str) -> list[tuple[str, list[Command]]]:
    """(file, parsed commands) of every rendered tmsh file of one artifact kind."""
    t = tree(case, VERSION)
    return [(a.path, parse_script(a.content.decode())) for a in t.artifacts if a.kind == kind]


def test_reserved_words_of_the_iapp_equal_the_vocabulary() -> None:
    tcl = (ROOT / "templates" / "common" / "iapp" / "implementation.tcl").read_text()
    match = re.search(r"lsearch -exact \{([a-z -]+)\} \[string tolower \$value\]", tcl)
    assert match, "implementation.tcl: the reserved-word check moved; update this test"
    assert set(match.group(1).split()) == bigip.RESERVED_WORDS


def test_the_tmsh_reader_knows_exactly_the_vocabulary_kinds() -> None:
    assert {k.words: k.all_properties for k in bigip.CONFIG_KINDS} == KINDS
    assert len({k.words for k in bigip.CONFIG_KINDS}) == len(bigip.CONFIG_KINDS)


@pytest.mark.parametrize("case", CASES)
def test_create_commands_follow_the_vocabulary_order(case: str) -> None:
    seen = set()
    for path, commands in _commands(case, "tmsh-apply"):
        for cmd in commands:
            if cmd.verb != "create":
                continue
            kind = bigip.BY_WORDS[cmd.kind]
            written = [p for p in cmd.props if p != "description"]
            order = [p for p in kind.properties if p in cmd.props and p != "description"]
            assert written == order, f"{path}:{cmd.line}: {kind.tmsh} properties out of vocabulary order"
            seen.add(cmd.kind)
    assert bigip.TUNNEL.words in seen


@pytest.mark.parametrize("case", CASES)
def test_synced_steps_create_synced_objects_only(case: str) -> None:
    """steps.py's `synced` flag and the vocabulary's scope agree, object by object."""
    t = tree(case, VERSION)
    for art in t.artifacts:
        if art.kind != "tmsh-apply" or art.step is None:
            continue
        synced_step = art.path.rsplit("/", 1)[-1].split("-", 1)[1] in ("tunnel.tmsh", "pool-monitor.tmsh")
        for cmd in parse_script(art.content.decode()):
            if cmd.verb != "create":
                continue
            group = cmd.props.get("traffic-group")
            props: dict[str, object] = {"traffic-group": group} if isinstance(group, str) else {}
            assert is_synced((cmd.kind, cmd.name), props) == synced_step, f"{art.path}:{cmd.line}"


def test_scope_of_every_kind() -> None:
    assert bigip.is_synced(bigip.SELF_IP.words, bigip.TG_FLOATING)
    assert not bigip.is_synced(bigip.SELF_IP.words, None)
    assert not bigip.is_synced(bigip.SELF_IP.words, bigip.TG_LOCAL)
    assert [k.tmsh for k in bigip.CONFIG_KINDS if bigip.is_synced(k.words, None)] == [
        "net tunnels tunnel",
        "net route",
        "ltm pool",
        "ltm monitor virtual-location",
        "net ipsec ipsec-policy",  # not in F5's list of what config-sync leaves out [S]
        "net ipsec traffic-selector",
        "net ipsec ike-peer",
    ]
    assert not bigip.is_synced(("ltm", "monitor", "existing"), None)


def test_view_model_props_take_only_vocabulary_properties_in_its_order() -> None:
    made = props(
        bigip.TUNNEL, {"description": '"x"', "profile": bigip.ETHERIP_PROFILE, "local-address": None}
    )
    assert made.items == (("profile", bigip.ETHERIP_PROFILE), ("description", '"x"'))
    assert made.stanza == (("description", '"x"'), ("profile", bigip.ETHERIP_PROFILE))
    assert made.expected == (("profile", bigip.ETHERIP_PROFILE),)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        props(bigip.TUNNEL, {"no-such-property": "1"})
