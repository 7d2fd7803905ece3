"""The pre-check's saved-configuration reader (issue 18): stanzas split by the format's own
rules, in one linear pass, and their properties read faithfully.

iRule bodies are checked against real Tcl: the body the splitter gives an iRule must be one
complete Tcl braced word, and no shorter text ending at a `}` line at column 0 may be, so
the splitter ends the rule exactly where Tcl's brace rule does, for every brace and quote shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.proof.precheck.properties import PropertyError, parse_body
from generator.proof.precheck.report import CONFLICT, ERROR, NOTE
from generator.proof.precheck.run import UnitInput, run_precheck
from generator.proof.precheck.saved import monitor_rule, names, parse_saved, vlan_interfaces, vlan_tag
from generator.proof.precheck.sources import SavedFile, SavedSource, normalise
from generator.proof.precheck.stanzas import StanzaError, split
from generator.proof.tcl import tcl
from tests.helpers import site
from tests.precheck.configs import clean, dc2_base, dc2_user

WANTED = [("net", "vlan"), ("ltm", "pool"), ("cm", "device-group"), ("sys", "db"), ("sys", "global-settings")]
AFTER = "net vlan /Common/after {\n    tag 300\n}\n"

# Bodies of iRules, one per shape; each is complete Tcl (checked below) and holds lines that
# would be stanzas if the body were read as configuration.
IRULE_SHAPES = {
    "when blocks closed at column 0": "when HTTP_REQUEST {\n    log local0. hi\n}\nwhen HTTP_RESPONSE {\n}\n",
    "a brace in a string, closed in another": 'when X {\n    log "{"\n}\nwhen Y {\n    log "}"\n}\n',
    "a brace in a comment": "when X {\n    # a comment opens {\n}\n# and this one closes }\n",
    "escaped braces": 'when X {\n    set a "\\{"\n    set b \\}\n}\n',
    "escaped backslash before a brace": "when X {\n    set a \\\\{\n}\n    set b \\\\}\n",
    "} else { at column 0": "when X {\n    if { 1 } {\n    log a\n} else {\n    log b\n}\n}\n",
    "a line saying ltm rule, its brace closed later": (
        "when X {\n    log 1\n}\nltm rule /Common/fake {\n    log 2\n}\n"
    ),
    "a stanza-like block inside": "net vlan /Common/injected {\n    tag 200\n}\nwhen X { }\n",
    "an unbalanced quote": 'when X {\n    # don\'t "quote\n    log "a {\n}\n}"\n',
    "a backslash-newline": "when X {\n    log a \\\n        b\n}\n",
    "brace-free lines at column 0": "".join(f"# header line {n} of the rule\n" for n in range(2000))
    + "when X { }\n",
    "a string spanning lines": 'when X {\n    set a "line one {\n}\nline three"\n}\n',
}


def _one_word(body: str) -> bool:
    """Whether real Tcl reads `x {BODY}` as two words, the second exactly BODY."""
    complete, words = tcl().words(["x {" + body + "}"])[0]
    return complete and words == ["x", body]


def _stanzas(text: str, wanted: list[tuple[str, str]] | None = None) -> list[tuple[str, int, str]]:
    data = normalise(text.encode(), "t")
    found = split(data, WANTED if wanted is None else wanted)
    return [(" ".join(s.words), s.line, data[s.start : s.end].decode()) for s in found.stanzas]


@pytest.mark.parametrize("kind", ["ltm rule", "gtm rule", "pem irule", "cli script"])
@pytest.mark.parametrize("shape", sorted(IRULE_SHAPES))
def test_an_irule_ends_where_tcl_says(shape: str, kind: str) -> None:
    body = IRULE_SHAPES[shape]
    assert _one_word("\n" + body)  # the shape is a valid iRule body for Tcl
    header = f"{kind} /Common/rule_1 {{\n"
    text = "#TMSH-VERSION: 11.6.5\n" + header + body + "}\n" + AFTER
    wanted = [*WANTED, tuple(kind.split())]
    found = _stanzas(text, wanted)  # type: ignore[arg-type]
    assert [(name, line) for name, line, _ in found] == [
        (f"{kind} /Common/rule_1", 2),
        ("net vlan /Common/after", 2 + header.count("\n") + body.count("\n") + 1),
    ]
    rule_body = found[0][2]
    assert rule_body == "\n" + body
    lines = rule_body.split("\n")  # and no shorter text ending before a `}` line at column 0 is
    for k, line in enumerate(lines):
        if line == "}" and k < len(lines) - 1:
            assert not _one_word("\n".join(lines[:k]) + "\n"), (shape, k)


def test_irule_text_is_never_configuration() -> None:
    body = "".join(IRULE_SHAPES[s] for s in sorted(IRULE_SHAPES))
    text = "ltm rule /Common/all {\n" + body + "}\n" + AFTER
    assert [name for name, _, _ in _stanzas(text)] == ["net vlan /Common/after"]


@pytest.mark.parametrize(
    ("description", "reads_as"),
    [
        ('"see ltm rule /Common/r {"', "see ltm rule /Common/r {"),
        ('"5\\" rack"', '5" rack'),
        ('"a } b"', "a } b"),
        ('"{ unbalanced"', "{ unbalanced"),
        (
            '"spans\n}\nnet vlan /Common/fake {\n    tag 300\n}\nlines"',
            "spans\n}\nnet vlan /Common/fake {\n    tag 300\n}\nlines",
        ),
        ('"ends with a backslash \\\\"', "ends with a backslash \\"),
        ("plain-word", "plain-word"),
        ('mid"word', 'mid"word'),
    ],
)
def test_quoted_strings_in_property_values(description: str, reads_as: str) -> None:
    text = f"net vlan /Common/vm {{\n    description {description}\n    tag 200\n}}\n{AFTER}"
    config = _config(text)
    vlan = config.get("net vlan", "/Common/vm")
    assert vlan is not None and vlan_tag(vlan.body) == 200
    from generator.proof.precheck.saved import unquote

    assert unquote(vlan.body["description"]) == reads_as
    assert sorted(config.of("net vlan")) == ["/Common/after", "/Common/vm"]


def _config(text: str, name: str = "bigip_base.conf") -> object:
    data = normalise(text.encode(), name)
    source = SavedSource(name, "file", (SavedFile(name, "full", data),), ())
    return parse_saved(source)


@pytest.mark.parametrize(
    ("ending", "bom"),
    [("\n", False), ("\r\n", False), ("\r", False), ("\r\n", True), ("\r", True), ("\n", True)],
    ids=["lf", "crlf", "cr", "bom-crlf", "bom-cr", "bom-lf"],
)
def test_line_endings_and_bom(ending: str, bom: bool, tmp_path: Path) -> None:
    """CRLF, CR-only and a UTF-8 byte order mark read like LF: the version line is found, the
    hostname is the hostname, lines are counted right (no finding for a clean unit)."""
    folder = tmp_path / "dc2"
    folder.mkdir()
    for name, text in (("bigip_base.conf", dc2_base()), ("bigip.conf", dc2_user())):
        data = text.replace("\n", ending).encode()
        (folder / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    model = site("mixed")
    report = run_precheck(model, model.bigip_version, [UnitInput(None, folder, str(folder))], "mixed.yaml")
    assert [f for f in report.findings if f.device == "bigip-dc2"] == []


def test_duplicate_stanzas_are_a_note() -> None:
    text = "net vlan /Common/x {\n    tag 10\n}\nnet vlan /Common/y {\n    tag 11\n}\nnet vlan /Common/x {\n    tag 12\n}\n"
    config = _config(text)
    vlan = config.get("net vlan", "/Common/x")
    assert vlan is not None and vlan_tag(vlan.body) == 12
    assert [(d.what, str(d.where), d.reason) for d in config.duplicates] == [
        (
            "net vlan /Common/x",
            "bigip_base.conf:7",
            "saved twice (also at bigip_base.conf:1); the later one is read",
        )
    ]


def _unit_findings(
    tmp_path: Path, base: str, user: str, host: str = "bigip-dc2", case: str = "mixed"
) -> list[tuple[str, str]]:
    folder = tmp_path / host
    folder.mkdir()
    (folder / "bigip_base.conf").write_text(base)
    (folder / "bigip.conf").write_text(user)
    model = site(case)
    report = run_precheck(model, model.bigip_version, [UnitInput(host, folder, str(folder))], f"{case}.yaml")
    return [(f.kind, f.severity) for f in report.findings if f.device == host]


HARD_IRULE = "ltm rule /Common/hard {\n" + "".join(IRULE_SHAPES[s] for s in sorted(IRULE_SHAPES)) + "}\n"


def test_a_real_tag_collision_after_hard_irules_and_descriptions_is_reported(tmp_path: Path) -> None:
    """Tag 200 (the change's VM VLAN in dc2) is used by a VLAN saved after an iRule of every
    shape and a description that says `ltm rule`: reported; the injected VLAN is not read."""
    base = dc2_base().replace(
        "net vlan /Common/internal {",
        'net vlan /Common/taken {\n    description "moved from ltm rule /Common/x { to here"\n    tag 200\n}\n'
        "net vlan /Common/internal {",
    )
    user = dc2_user() + HARD_IRULE
    assert _unit_findings(tmp_path, base, user) == [("tag", CONFLICT)]


def test_existing_pool_and_device_group_forms_give_no_false_finding(tmp_path: Path) -> None:
    """One-line `devices { /Common/a { } /Common/b { } }`, `monitor min 1 of { ... }` and a
    members block of the multi-line form are read as what they say."""
    unit = clean("bigip-dc1-a")
    base = unit.base.replace(
        "cm device-group /Common/dg_dc1 {\n    devices {\n        /Common/bigip-dc1-a { }\n        /Common/bigip-dc1-b { }\n    }",
        "cm device-group /Common/dg_dc1 {\n    devices { /Common/bigip-dc1-a { } /Common/bigip-dc1-b { } }",
    )
    assert base != unit.base
    assert _unit_findings(tmp_path, base, unit.user, host="bigip-dc1-a") == []


def test_pool_and_group_shapes() -> None:
    body = parse_body(
        "\n    devices { /Common/a { } /Common/b { } }\n    monitor min 1 of { /Common/http /Common/tcp }\n"
        "    members {\n        /Common/10.0.0.1:80 {\n            address 10.0.0.1\n        }\n    }\n"
    )
    assert names(body["devices"]) == ("/Common/a", "/Common/b")
    rule = monitor_rule(body)
    assert (rule.quorum, sorted(rule.monitors)) == (1, ["/Common/http", "/Common/tcp"])
    multi = parse_body("\n    monitor min 2 of {\n        /Common/http\n        /Common/tcp\n    }\n")
    assert monitor_rule(multi).quorum == 2 and len(monitor_rule(multi).monitors) == 2
    interfaces = parse_body(
        "\n    interfaces {\n        1.1 { }\n        1.2 {\n            tagged\n        }\n        1.3 { untagged }\n    }\n"
    )
    assert vlan_interfaces(interfaces) == {"1.1": False, "1.2": True, "1.3": False}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("\n    a {\n", "never closed"),
        ("\n    a }\n", "closes more than was opened"),
        ("\n" + "    k {\n" * 70 + "    }\n" * 70, "nested deeper than 64"),
        (" a b c ", "more than one property"),
    ],
)
def test_property_errors(text: str, error: str) -> None:
    with pytest.raises(PropertyError, match=error):
        parse_body(text, one_line=text.startswith(" a"))


def test_deep_body_is_a_note_not_a_crash() -> None:
    text = "net vlan /Common/deep {\n" + "    k {\n" * 70 + "    }\n" * 70 + "}\n"
    config = _config(text)
    vlan = config.get("net vlan", "/Common/deep")
    assert vlan is not None and not vlan.readable and "nested deeper" in str(vlan.problem)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("net vlan /Common/a {\n    tag 1\n", 1, "never closed"),
        ("#x\nltm rule /Common/r {\nwhen X {\n}\n", 2, "never closed"),
        ("net vlan /Common/a { } }\n", 1, "closes more than was opened"),
    ],
)
def test_a_stanza_that_never_closes_is_located(text: str, line: int, message: str) -> None:
    with pytest.raises(StanzaError, match=message) as caught:
        split(text.encode(), WANTED)
    assert caught.value.line == line


def test_lines_outside_stanzas_are_a_note() -> None:
    text = "#TMSH-VERSION: 11.6.5\n" + "".join(f"loose line {n}\n" for n in range(20000)) + AFTER
    config = _config(text)
    assert [u.where.line for u in config.unread] == [2]
    assert "and 19995 more outside any stanza" in config.unread[0].reason
    assert config.versions[0].version == "11.6.5"
    assert list(config.of("net vlan")) == ["/Common/after"]


def test_script_holders_end_where_tcl_braces_balance() -> None:
    """An iApp template's Tcl may hold a quote the property rule would misread."""
    template = (
        "sys application template /Common/t {\n    actions {\n        definition {\n"
        '            implementation {\nset a [string map {" " _} $x]\n}\n'
        "            presentation {\nsection s { string f }\n}\n        }\n    }\n}\n"
    )
    assert [name for name, _, _ in _stanzas(template + AFTER)] == ["net vlan /Common/after"]


def test_an_unreadable_unit_is_one_error(tmp_path: Path) -> None:
    rows = _unit_findings(tmp_path, dc2_base(), dc2_user() + "ltm rule /Common/open {\nwhen X {\n}\n")
    assert rows == [("unreadable", ERROR)]


def test_notes_do_not_fail_the_unit(tmp_path: Path) -> None:
    base = dc2_base() + "net vlan /Common/internal {\n    tag 4093\n}\n"
    assert _unit_findings(tmp_path, base, dc2_user()) == [("duplicate", NOTE)]
