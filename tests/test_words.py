"""The words the operator acts on hold on the modelled device (issue 16).

Table-driven over every golden case at every pinned version and over random sites:
- every `# Expect:` of every pre-check, step, save and verify file is read back from the
  rendered text (generator/proof/expects.py) and holds on the replay's model of that unit at
  the moment the line runs (generator/proof/expect_check.py);
- every step title names exactly the kinds of object its file creates, changes or deletes;
- every reference leads somewhere: no "reference §" in any file an operator reads, every
  CHANGE.md section a file points to exists, every Have-ready item a claim relies on is there.
The mutation tests below show each check fails when the words are wrong.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Site
from generator.proof.expect_check import check_expects
from generator.proof.expects import parse_claim, read_lines
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import ReplayError
from generator.proof.tmsh.script import parse_script
from generator.render import render_version
from generator.validate import load_site_text
from generator.versions import BigIpVersion, pinned_versions
from tests.helpers import CASES, scaled, site, tree
from tests.sitegen import random_site, to_yaml

PINNED = [(c, v) for c in CASES for v in pinned_versions()]


def _findings(s: Site, version: BigIpVersion, files: dict[str, bytes]) -> list[str]:
    manifest = json.loads(files["manifest.json"])["artifacts"]
    return [f"{f.path}:{f.line}: {f.message}" for f in check_expects(s, version, files, manifest)]


@pytest.mark.parametrize(("case", "version"), PINNED)
def test_every_expect_holds_on_the_modelled_unit(case: str, version: BigIpVersion) -> None:
    assert _findings(site(case), version, tree(case, version).files()) == []


@settings(max_examples=scaled(40, 20))
@given(st.randoms(use_true_random=False))
def test_every_expect_holds_for_random_sites(rnd: random.Random) -> None:
    text = to_yaml(random_site(rnd)) + "\n"
    s = load_site_text(text, "random.yaml")
    files = render_version(s, s.bigip_version, text.encode()).files()
    assert _findings(s, s.bigip_version, files) == []


# ---- each check can fail --------------------------------------------------------------------

V = BigIpVersion.V11_6_5


def _edited(case: str, file: str, old: str, new: str) -> list[str]:
    files = dict(tree(case, V).files())
    text = files[file].decode()
    assert old in text, old
    files[file] = text.replace(old, new, 1).encode()
    return _findings(site(case), V, files)


def test_a_unit_never_expects_the_other_units_self_ip() -> None:
    """The issue-16 bug: unit A's pre-check expected unit B's non-floating WAN self IP."""
    file = "main/f5-main-1/00-precheck.tmsh"
    old = "address 203.0.113.101/25 (vlan external, traffic-group traffic-group-local-only)"
    new = old + "; address 203.0.113.102/25 (vlan external, traffic-group traffic-group-local-only)"
    found = _edited("existing-pool", file, old, new)
    assert any(file in f and "does not hold" in f for f in found), found


@pytest.mark.parametrize(
    ("case", "file", "old", "new"),
    [
        ("existing-pool", "main/f5-main-2/00-precheck.tmsh", "Failover standby", "Failover active"),
        ("existing-pool", "main/f5-main-1/00-precheck.tmsh", "hostname f5-main-1.", "hostname f5-main-2."),
        (
            "existing-pool",
            "main/f5-main-1/00-precheck.tmsh",
            "min-active-members 2.",
            "min-active-members 1.",
        ),
        (
            "ha-both",
            "east/lb-east-01.example.net/06-verify.tmsh",
            "allow-service default.",
            "allow-service none.",
        ),
        ("ha-both", "east/lb-east-01.example.net/06-verify.tmsh", "tag 310.", "tag 311."),
        (
            "ha-both",
            "east/lb-east-01.example.net/06-verify.tmsh",
            "members { vmotion_vlan eip_west }",
            "members { vmotion_vlan }",
        ),
        (
            "ha-both",
            "east/lb-east-01.example.net/06-verify.tmsh",
            "run util ping -c 3 -I 192.0.2.10 ",
            "run util ping -c 3 ",
        ),
        (
            "ha-both",
            "east/lb-east-02.example.net/03-vlan-group.tmsh",
            'listed (not "was not found"): it arrives',
            '"was not found": config-sync from lb-east-01.example.net removed it. It arrives',
        ),
        ("mixed", "dc2/bigip-dc2/00-precheck.tmsh", "Version 11.6.5 ", "Version 11.6.4 "),
    ],
)
def test_a_wrong_expect_is_found(case: str, file: str, old: str, new: str) -> None:
    found = _edited(case, file, old, new)
    assert any(file in f for f in found), found


def test_a_read_only_line_without_expect_is_found() -> None:
    file = "east/lb-east-01.example.net/06-verify.tmsh"
    found = _edited("ha-both", file, "# Expect: Status In Sync", "# Status In Sync")
    assert any("without an Expect" in f for f in found), found


def test_an_expect_this_reader_does_not_know_is_found() -> None:
    file = "east/lb-east-01.example.net/06-verify.tmsh"
    found = _edited("ha-both", file, "# Expect: Status In Sync (device group dg_east).", "# Expect: all good")
    assert any(file in f for f in found), found


def test_service_entries_match_in_every_print_form() -> None:
    """tmsh may print allow-service entries by name: the same claim holds either way."""
    file = "east/lb-east-01.example.net/06-verify.tmsh"
    assert (
        _edited("ha-both", file, "{ tcp:4353 udp:1026 97:0 }", "{ tcp:f5-iquery udp:cap etherip:any }") == []
    )
    assert _edited("ha-both", file, "{ tcp:4353 udp:1026 97:0 }", "{ tcp:4353 udp:1026 }") != []


def test_claims_read_back() -> None:
    claim = parse_claim(("Expect: address 10.0.0.2/24, vlan g, allow-service { tcp:443 97:0 }.", "  (note)"))
    assert claim.kind == "values"
    assert claim.values == (("address", "10.0.0.2/24"), ("vlan", "g"), ("allow-service", "{ tcp:443 97:0 }"))
    gate = parse_claim(('Expect: listed (not "was not found"): it arrives by config-sync from a.', "  wait"))
    assert (gate.kind, gate.args) == ("arrived", ("a",))


# ---- titles name what the file touches --------------------------------------------------------

# The words a title uses for each object kind (longest first: "VLAN group" before "VLAN").
TITLE_WORDS = (
    ("VLAN group", ("net", "vlan-group")),
    ("VLAN", ("net", "vlan")),
    ("self IP", ("net", "self")),
    ("EtherIP tunnel", ("net", "tunnels", "tunnel")),
    ("route", ("net", "route")),
    ("Virtual Location monitor", ("ltm", "monitor", "virtual-location")),
    ("pool", ("ltm", "pool")),
    ("IPsec policy", ("net", "ipsec", "ipsec-policy")),
    ("IPsec traffic selector", ("net", "ipsec", "traffic-selector")),
    ("IKE peer", ("net", "ipsec", "ike-peer")),
)
_TITLE = re.compile(r"^# (?:Rollback step|Step) \d+ of \d+: (.+)\.$", re.MULTILINE)


def _named_kinds(title: str) -> set[tuple[str, ...]]:
    found, rest = set(), title
    for word, kind in TITLE_WORDS:
        if word in rest:
            found.add(kind)
            rest = rest.replace(word, "")
    return found


@pytest.mark.parametrize(("case", "version"), PINNED)
def test_titles_name_exactly_what_each_file_touches(case: str, version: BigIpVersion) -> None:
    for path, data in tree(case, version).files().items():
        if not path.endswith(".tmsh"):
            continue
        text = data.decode()
        m = _TITLE.search(text)
        if m is None or "save the configuration" in m.group(1):
            continue
        touched = {c.kind for c in parse_script(text) if c.verb in ("create", "modify", "delete")}
        assert _named_kinds(m.group(1)) == touched, (path, m.group(1))
        if not site(case).peers[path.split("/")[0]].is_ha:
            assert "floating" not in m.group(1), (path, m.group(1))


# ---- references lead somewhere --------------------------------------------------------------

_POINTER = re.compile(
    r'CHANGE\.md,? \(?"([^"]+)"(?: and "([^"]+)")?|see "([^"]+)" in CHANGE\.md|CHANGE\.md\'s "([^"]+)"'
)


@pytest.mark.parametrize(("case", "version"), PINNED)
def test_every_reference_resolves(case: str, version: BigIpVersion) -> None:
    files = tree(case, version).files()
    change = files["CHANGE.md"].decode()
    headings = {line.lstrip("#").strip() for line in change.splitlines() if line.startswith("#")}
    for path, data in files.items():
        if path.endswith((".zip", ".svg")):
            continue
        text = data.decode()
        assert "reference §" not in text and "reference doubt" not in text, path
        for m in _POINTER.finditer(text):
            for section in (g for g in m.groups() if g):
                assert any(section in h for h in headings), (path, section)
    if "(Have ready)" in change:
        have_ready = change.split("## Have ready", 1)[1].split("\n## ", 1)[0]
        assert "free in its subnet" in have_ready, (
            "the risk table relies on a Have-ready item about free addresses"
        )


def test_read_lines_pairs_each_command_with_its_expect() -> None:
    text = "# heading\n# Expect: no output.\nmodify cli preference pager disabled display-threshold 0\nlist net vlan /Common/x\n"
    lines = read_lines(text)
    assert [(r.line, r.claim.kind if r.claim else None) for r in lines] == [(3, "no-output"), (4, None)]


# ---- one rollback story ----------------------------------------------------------------------

_STOP = re.compile(
    r"^\| (\S+) \| `([^`]+)` \| (`([^`]+)`|none: nothing was applied there) \| (.+) \|$", re.MULTILINE
)


def _back_at_start(s: Site, files: dict[str, bytes], row: tuple[str, ...]) -> bool:
    from generator.proof.tmsh.replay import runbook_order, starting_cluster

    peer, failed, _, start, skip = row
    artifacts = json.loads(files["manifest.json"])["artifacts"]
    cluster = starting_cluster(s, peer)
    begin = {h: dict(d.objects) for h, d in cluster.devices.items()}
    for art in runbook_order(s, peer, artifacts, "tmsh-apply"):
        if art["path"] == failed:
            break
        cluster.run(
            str(art["device"]),
            parse_step(str(art["path"]), files[str(art["path"])].decode()),
            str(art["path"]),
        )
    skipped = set() if skip == "—" else set(skip.split(", "))
    back = runbook_order(s, peer, artifacts, "tmsh-rollback")
    paths = [str(a["path"]) for a in back]
    try:
        for art in back[paths.index(start) :] if start else []:
            if art["path"] not in skipped:
                cluster.run(
                    str(art["device"]),
                    parse_step(str(art["path"]), files[str(art["path"])].decode()),
                    str(art["path"]),
                )
    except ReplayError:
        return False
    return {h: d.objects for h, d in cluster.devices.items()} == begin and (
        not start or cluster.unsaved() == []
    )


@pytest.mark.parametrize(("case", "version"), PINNED)
def test_the_rollback_table_brings_every_stopped_change_back(case: str, version: BigIpVersion) -> None:
    """For each apply file that could fail, CHANGE.md names the first rollback file and the files
    to skip: replaying what ran before the failure, then the rollback from there (skips skipped),
    gives every unit back exactly its starting objects, saved."""
    files = tree(case, version).files()
    rows = _STOP.findall(files["CHANGE.md"].decode())
    artifacts = json.loads(files["manifest.json"])["artifacts"]
    assert len(rows) == sum(1 for a in artifacts if a["kind"] in ("tmsh-apply", "shell-apply"))
    for row in rows:
        assert _back_at_start(site(case), files, row), row


def test_a_wrong_first_rollback_file_is_found() -> None:
    files = tree("ha-both", V).files()
    rows = _STOP.findall(files["CHANGE.md"].decode())
    peer, failed, _, start, skip = next(r for r in rows if r[3].endswith("rollback/02-vlan-group.tmsh"))
    later = start.replace("02-vlan-group", "03-tunnel")
    assert not _back_at_start(site("ha-both"), files, (peer, failed, "", later, skip))
    assert not _back_at_start(site("ha-both"), files, (peer, failed, "", start, "—")), "a skip is needed"
