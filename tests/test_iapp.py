"""The iApp bundle and `etherip check`: the check passes on every golden case, and each of its
checks catches the deliberately broken variant aimed at it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.iapp.bundle import implementation_text
from generator.iapp.flow import COMPLETE, REMOVED, STAGES
from generator.limits import IAPP_CHOICES, IAPP_NAMES, IAPP_NUMBERS
from generator.proof.check import Report, check_folder, prove_render
from generator.proof.iapp.harness import Case, run_cases
from generator.proof.iapp.hostile import HOSTILE_ANSWERS
from generator.validate import load_site_text
from generator.versions import ALL_VERSIONS, BigIpVersion
from tests.helpers import proof_case_versions, site, tree

# A case's versions in one test, so the proofs that do not depend on the version string are
# made once per case (check's memo) in whichever worker runs it.
CASE_VERSIONS: dict[str, list[BigIpVersion]] = {}
for _case, _version in proof_case_versions():
    CASE_VERSIONS.setdefault(_case, []).append(_version)


@pytest.mark.parametrize("case", sorted(CASE_VERSIONS))
def test_check_passes_on_every_golden_case(case: str, subtests: pytest.Subtests) -> None:
    for version in CASE_VERSIONS[case]:
        with subtests.test(version=version.value):  # each version reported on its own
            _check_passes(case, version)


def _check_passes(case: str, version: BigIpVersion) -> None:
    t = tree(case, version)
    report = check_folder(t.files(), f"{case}/{version.value}")
    assert report.findings == [], version.value
    devices = {a.device for a in t.artifacts if a.kind == "tmsh-precheck"}
    s = site(case)
    # a pair runs every stage; a standalone device creates in stage complete and rolls back
    # through stage removed (its rollback needs no network stage: nothing else waits on it)
    assert set(report.recorded) == {
        f"{peer}/{next(iter(p.devices))}/{stage}"
        for peer, p in s.peers.items()
        for stage in (STAGES if p.is_ha else (COMPLETE, REMOVED))
    }, f"{version.value}: every stage the flows use ran on every first device"
    fields_sent = {peer: 0 for peer in {a.peer for a in t.artifacts if a.kind == "iapp-template"}}
    assert report.cases_run >= len(devices) + len(fields_sent) * 20 * len(HOSTILE_ANSWERS), version.value


def _files(case: str = "mixed") -> dict[str, bytes]:
    return dict(tree(case, BigIpVersion.V11_6_5).files())


def _edit_case_tmpl(case: str, peer: str, edits: list[tuple[str, str]]) -> Callable[[], dict[str, bytes]]:
    def make() -> dict[str, bytes]:
        files = _files(case)
        for old, new in edits:
            files = _edit(files, _tmpl_path(files, peer), old, new)
        return files

    return make


def _tmpl_path(files: dict[str, bytes], peer: str) -> str:
    return next(p for p in files if p.startswith(f"{peer}/iapp/") and p.endswith(".tmpl"))


def _edit(files: dict[str, bytes], path: str, old: str, new: str, count: int = 1) -> dict[str, bytes]:
    text = files[path].decode()
    assert old in text, f"{old!r} not in {path}"
    files[path] = text.replace(old, new, count).encode()
    return files


def _edit_tmpl(old: str, new: str, peer: str = "dc2", count: int = 1) -> Callable[[], dict[str, bytes]]:
    def make() -> dict[str, bytes]:
        files = _files()
        return _edit(files, _tmpl_path(files, peer), old, new, count)

    return make


def _edit_file(path: str, old: str, new: str) -> Callable[[], dict[str, bytes]]:
    return lambda: _edit(_files(), path, old, new)


BROKEN: dict[str, tuple[Callable[[], dict[str, bytes]], str, str]] = {
    # name: (make the broken output, the check that must catch it, a phrase of its finding)
    "rollback leaves the route": (
        _edit_file(
            "dc2/bigip-dc2/rollback/03-tunnel.tmsh", "delete net route /Common/vmotion_wan_route\n", ""
        ),
        "rollback",
        "/Common/vmotion_wan_route",
    ),
    "port lockdown drops EtherIP": (
        _edit_file(
            "dc2/bigip-dc2/01-local-network.tmsh",
            "allow-service replace-all-with { 97:0 }",
            "allow-service none",
        ),
        "tunnel",
        "drops IP protocol 97",
    ),
    "edited after rendering": (
        _edit_file("dc2/iapp/IMPORT.md", "## Apply", "## Deploy"),
        "manifest",
        "sha256 differs",
    ),
    "two templates in one file": (
        _edit_tmpl(
            "cli admin-partitions {", "sys application template /Common/x { }\ncli admin-partitions {"
        ),
        "structure",
        "exactly one",
    ),
    "checksum set": (_edit_tmpl("tmpl-checksum none", "tmpl-checksum 1234"), "structure", "tmpl-checksum"),
    "unknown attribute": (
        _edit_tmpl("signing-key none", "signing-key none\n    partition Common"),
        "structure",
        "unknown key",
    ),
    "unpaired escaped brace": (
        _edit_tmpl('append out "$name \\{ $mode \\} "', 'append out "$name \\{ \\{ $mode \\} "'),
        "braces",
        "escaped braces",
    ),
    "stray brace in a comment": (
        _edit_tmpl("# Show a rejected answer", "# Show a rejected answer }"),
        "structure",
        "unexpected '}'",
    ),
    "double underscore in a field name": (
        _edit_tmpl("string vm_self required", "string vm__self required"),
        "apl",
        "'__'",
    ),
    "missing text entry": (
        _edit_tmpl('    site.vm_subnet "VM subnet"', '    site.vm_subnetx "VM subnet"'),
        "apl",
        "no entry in the text table",
    ),
    "unknown validator": (
        _edit_tmpl('validator "IpAddress"', 'validator "IPv4"'),
        "apl",
        "unknown validator",
    ),
    "unknown display size": (_edit_tmpl('display "xlarge"', 'display "huge"'), "apl", "unknown display size"),
    "default outside its choices": (
        _edit_tmpl('choice pair display "small" default "no"', 'choice pair display "small" default "maybe"'),
        "apl",
        "not one of its choices",
    ),
    "default fails its validator": (
        _edit_tmpl(
            'validator "NonNegativeNumber" default "5"', 'validator "NonNegativeNumber" default "five"'
        ),
        "apl",
        "fails its validator",
    ),
    "field the implementation never reads": (
        _edit_tmpl(
            '    string name required display "medium" default "vm_vgrp"\n',
            '    string name required display "medium" default "vm_vgrp"\n    string spare display "small"\n',
        ),
        "apl",
        "never read",
    ),
    "a limited field the implementation never reads (its limits table names it)": (
        _edit_tmpl("set tunnel_mtu [etherip_number tunnel__mtu]", "set tunnel_mtu 1500"),
        "apl",
        "tunnel__mtu is never read",
    ),
    "implementation reads an undefined field": (
        _edit_tmpl("etherip_optional_number wan__mtu", "etherip_optional_number wan__mtux"),
        "apl",
        "does not define",
    ),
    "Tcl 8.5 command": (
        _edit_tmpl(
            "set dep [etherip_name site__deployment]",
            "lassign {a b} x y\nset dep [etherip_name site__deployment]",
        ),
        "tcl84",
        "8.5+ command",
    ),
    "else at line start": (
        _edit_tmpl(
            "    } else {\n        etherip_create_vlan_group",
            "    }\n    else {\n        etherip_create_vlan_group",
        ),
        "tcl84",
        "else/elseif at the start",
    ),
    "unguarded read of a hidden field": (
        _edit_tmpl(
            "set dep [etherip_name site__deployment]",
            "set dep [etherip_name site__deployment]\nset second $::devices__second__hostname",
        ),
        "run",
        "no such variable",
    ),
    "unescaped tmsh braces": (
        _edit_tmpl(
            "members add \\{ /Common/$vm_vlan /Common/$tunnel \\}",
            "members add [list /Common/$vm_vlan /Common/$tunnel]",
        ),
        "flow",
        "failed, nothing changed",
    ),
    "runs on the second unit": (
        _edit_case_tmpl(
            "mixed",
            "dc1",
            [
                ("if {$ha && [string equal $me $second_host]} {", "if {0} {"),
                ("if {![string equal $me $first_host]} {", "if {0} {"),
            ],
        ),
        "second-unit",
        "ran on the second unit",
    ),
    "existing pool's rule not restored before the monitor goes": (
        _edit_case_tmpl(
            "existing-pool",
            "main",
            [("    etherip_restore_existing_pool\n", ""), ("        etherip_restore_existing_pool\n", "")],
        ),
        "flow",
        "still referred to by /Common/erp_pool",
    ),
    "existing endpoint's lockdown not given back on rollback": (
        _edit_case_tmpl("existing-wan-pair", "prod", [("    etherip_restore_endpoint\n", "")]),
        "compare",
        "uplink_float",
    ),
    "existing endpoint not admitting EtherIP": (
        _edit_case_tmpl(
            "existing-wan-pair",
            "prod",
            [('tmsh::modify "net self /Common/$endpoint_name allow-service $endpoint_after"', "")],
        ),
        "compare",
        "uplink_float",
    ),
    "different property": (_edit_tmpl("mode translucent", "mode transparent"), "compare", "transparent"),
    "object the scripts do not create": (
        _edit_tmpl(
            'tmsh::modify "ltm pool /Common/$pool monitor $rule"',
            'tmsh::create "net vlan /Common/extra tag 99"\ntmsh::modify "ltm pool /Common/$pool monitor $rule"',
        ),
        "compare",
        "/Common/extra",
    ),
    "weak name check": (
        _edit_tmpl('{^[A-Za-z][A-Za-z0-9_.-]*$} "a BIG-IP object name', '{.*} "a BIG-IP object name'),
        "hostile",
        "not refused",
    ),
    "deploy answers differ from the GUI": (
        _edit_file("dc2/iapp/deploy.tmsh", "{ value 10.10.10.4/24 }", "{ value 10.10.10.5/24 }"),
        "deploy",
        "devices__first__vm_self",
    ),
    "tmsh command not a word list": (
        _edit_file("dc2/bigip-dc2/01-local-network.tmsh", "{ tagged } }", "{ tagged }"),
        "tcl-words",
        "not complete",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_check_catches_its_broken_variant(name: str) -> None:
    """Each proof, run on a render broken for it (as if etherip had rendered it so), catches it."""
    make, check, phrase = BROKEN[name]
    files = make()
    report = Report()
    prove_render(load_site_text(files["site.yaml"].decode(), "site.yaml"), files, "broken", report)
    mine = [f for f in report.findings if f.check == check]
    assert mine, f"{check} did not catch it; findings: {[str(f) for f in report.findings][:5]}"
    assert any(phrase in f.message for f in mine), [f.message for f in mine]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_check_finds_each_broken_variant_in_a_folder(name: str) -> None:
    """In a folder, the same edit is first of all not etherip's render of its site.yaml."""
    report: Report = check_folder(BROKEN[name][0](), "broken")
    assert [f.check for f in report.findings] == ["render"], [str(f) for f in report.findings]
    assert report.findings[0].message.startswith("changed: ")


def test_a_proof_is_made_once_per_input_and_still_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two version folders of one behaviour differ only in what the replay, the flows and the
    iApp runs never read (comments, texts, the template's name): those proofs are made once and
    their findings land under each folder's own path; a change in anything they read, in
    another folder of the same deployment, is proved again and caught."""
    from generator.proof import check

    monkeypatch.setattr(check, "_PROVED", {})
    made = {"replay": 0, "runs": 0}
    for name, key in (("_tmsh_final_states", "replay"), ("_check_runs", "runs")):
        real = getattr(check, name)

        def counted(*args: object, _real: Callable[..., object] = real, _key: str = key) -> object:
            made[_key] += 1
            return _real(*args)

        monkeypatch.setattr(check, name, counted)
    s = site("mixed")

    def prove(files: dict[str, bytes], where: str) -> list[str]:
        report = Report()
        prove_render(s, files, where, report)
        return [str(f) for f in report.findings]

    newest, older = ALL_VERSIONS[-1], ALL_VERSIONS[-2]
    assert prove(tree("mixed", newest).files(), "one") == []
    assert made == {"replay": 1, "runs": len(s.peers)}
    assert prove(tree("mixed", older).files(), "two") == []
    assert made == {"replay": 1, "runs": len(s.peers)}, "nothing they read differs: not proved again"
    broken = _edit(
        dict(tree("mixed", older).files()),
        "dc2/bigip-dc2/rollback/03-tunnel.tmsh",
        "delete net route /Common/vmotion_wan_route\n",
        "",
    )
    first, again = prove(broken, "three"), prove(broken, "four")
    assert made["replay"] == 2
    assert "three/dc2/bigip-dc2: rollback: not back at its starting state: /Common/vmotion_wan_route" in first
    assert again == [f.replace("three", "four") for f in first], "the same findings, under its own path"


def test_every_check_has_a_broken_variant() -> None:
    checks = {check for _, check, _ in BROKEN.values()}
    assert checks == {
        "manifest",
        "structure",
        "braces",
        "apl",
        "tcl84",
        "run",
        "compare",
        "hostile",
        "deploy",
        "tcl-words",
        "flow",
        "second-unit",
        "rollback",
        "tunnel",
    }


def test_hostile_answers_in_every_field_are_refused_before_any_tmsh_call() -> None:
    from generator.proof.check import gui_answers
    from generator.proof.iapp.apl import parse_apl
    from generator.proof.iapp.tmpl import parse_template

    files = _files("ha-both")
    tmpl = parse_template(files[_tmpl_path(files, "east")].decode())
    answers = gui_answers(parse_apl(tmpl.sections["presentation"]))
    cases = [
        Case(f"{var}={label}", "lb-east-01.example.net", {**answers, var: value})
        for var in answers
        for label, value in HOSTILE_ANSWERS
    ]
    outcomes = run_cases(tmpl.sections["implementation"], cases)
    assert len(outcomes) == len(answers) * len(HOSTILE_ANSWERS) >= 30 * 12
    for outcome in outcomes:
        assert not outcome.ok and outcome.recorded == (), outcome.case.name
        assert re.match(r"etherip: \S", outcome.message), outcome.message[:80]


def test_child_interpreter_behaves_like_tcl_84() -> None:
    impl = 'set r {}\nforeach probe {{dict create a b} {lassign {1 2} x y} {lmap x {1} {set x}} {incr never_set}} {\n  if {![catch $probe]} { lappend r $probe }\n}\nif {[llength $r]} { error "8.5 still works: $r" }\n'
    (outcome,) = run_cases(impl, [Case("probe", "h", {})])
    assert outcome.ok, outcome.message


def test_zip_holds_the_bundle_and_is_stable() -> None:
    files = _files()
    name = _tmpl_path(files, "dc1").removesuffix(".tmpl")
    with zipfile.ZipFile(io.BytesIO(files[f"{name}.zip"])) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    stem = name.split("/")[-1]
    assert members == {
        f"{stem}.tmpl": files[f"{name}.tmpl"],
        "deploy.tmsh": files["dc1/iapp/deploy.tmsh"],
        "IMPORT.md": files["dc1/iapp/IMPORT.md"],
    }
    assert files[f"{name}.zip"] == tree("mixed", BigIpVersion.V11_6_5).files()[f"{name}.zip"]


def test_template_name_changes_with_content() -> None:
    a = _tmpl_path(_files("mixed"), "dc1").split("/")[-1]
    b = _tmpl_path(dict(tree("mixed", BigIpVersion.V11_6_1).files()), "dc1").split("/")[-1]
    c = _tmpl_path(_files("ha-both"), "east").split("/")[-1]
    assert a == b, "the same site and template give the same name in every version"
    assert re.fullmatch(r"etherip_vmotion_dc1_[0-9a-f]{8}\.tmpl", a)
    assert not c.startswith("etherip_vmotion_dc1_")


def test_cli_check(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["render", "--version", "all", "--out", str(tmp_path)]).exit_code == 0
    ok = runner.invoke(app, ["check", str(tmp_path)])
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.count(": ok;") == len(ALL_VERSIONS)
    target = tmp_path / "vmotion" / "11.6.2" / "dc2" / "bigip-dc2" / "03-vlan-group.tmsh"
    target.write_text(
        target.read_text().replace("migration-keepalive enabled", "migration-keepalive disabled")
    )
    bad = runner.invoke(app, ["check", str(tmp_path)])
    assert bad.exit_code == 1
    assert (
        f"{tmp_path / 'vmotion' / '11.6.2'}/dc2/bigip-dc2/03-vlan-group.tmsh: render: changed: differs"
        in bad.stderr
    )
    assert bad.stdout.count(": ok;") == len(ALL_VERSIONS) - 1 and "11.6.2: 1 finding(s)" in bad.stdout
    empty = runner.invoke(app, ["check", str(tmp_path / "nothing")])
    assert empty.exit_code == 1 and "no rendered output" in empty.stderr


def test_iapp_accepts_every_answer_a_valid_site_produces(tmp_path: Path) -> None:
    """The iApp's own defaults must pass its checks for any valid site: many pool members (a
    long answer), numeric-looking hostnames (Tcl `==` would compare them as numbers: 100 and
    1e2 are equal), and a 253-character hostname."""
    from generator.load import parse_site
    from generator.render import render_version
    from generator.validate import validate_source

    long_host = ".".join(["h" * 63, "i" * 63, "j" * 63, "k" * 61])
    members = ", ".join(f"10.10.10.{i}:8080" for i in range(100, 160))
    text = (
        (Path(__file__).parent / "cases" / "mixed.yaml")
        .read_text()
        .replace("members: [10.10.10.21:80, 10.10.10.22:80]", f"members: [{members}]")
        .replace("bigip-dc1-a:", '"100":')
        .replace("bigip-dc1-b:", '"1e2":')
        .replace("bigip-dc2:", f"{long_host}:")
    )
    source = text.encode()
    s = validate_source(parse_site(source, "many.yaml"))
    assert len(s.pool.members) == 60 and len(long_host) == 253
    report = check_folder(render_version(s, BigIpVersion.V11_6_5, source).files(), "many")
    assert [str(f) for f in report.findings] == []


# ---- the iApp's limits are the model's ----------------------------------------------------------


def _answers_with(var: str) -> tuple[dict[str, str], str]:
    """A golden case's iApp answers (first peer that has it non-empty) and its first hostname."""
    from generator.context import build_context
    from generator.iapp.bundle import answers

    for case in ("mixed", "existing-pool", "ipsec-cert", "ipsec-psk", "existing-wan-pair", "jumbo-gateway"):
        ctx = build_context(site(case), BigIpVersion.V11_6_5)
        for peer in ctx.peers:
            given = answers(ctx, peer) | {"deploy__stage": COMPLETE}
            if given.get(var):
                return given, peer.devices[0].hostname
    raise AssertionError(f"no golden case answers {var}")


@pytest.mark.parametrize("var", sorted(IAPP_NUMBERS))
def test_the_iapp_takes_each_number_range_from_the_model(var: str) -> None:
    """On the box, the implementation refuses a number one past the model's bound with the
    model's range in its message, and accepts the bound itself (generator/limits.py)."""
    low, high = IAPP_NUMBERS[var]
    given, host = _answers_with(var)
    if var == "monitor__timeout":  # the timeout must also be greater than the interval
        given = given | {"monitor__interval": "1"}
    values = [low, high, high + 1] + ([low - 1] if low > 0 else [])
    cases = [Case(f"{var}={v}", host, given | {var: str(v)}) for v in values]
    results = run_cases(implementation_text(), cases)
    for outcome, value in zip(results, values, strict=True):
        if low <= value <= high:  # not refused for this answer, whatever else a bound upsets
            assert not outcome.message.startswith(f"etherip: {var}:"), outcome.message
        else:
            assert not outcome.ok
            assert outcome.message == f"etherip: {var}: {value} is outside {low}-{high}", outcome.message


@pytest.mark.parametrize("var", sorted(IAPP_NAMES))
def test_the_iapp_takes_each_name_length_from_the_model(var: str) -> None:
    longest = IAPP_NAMES[var]
    given, host = _answers_with(var)
    cases = [Case(f"{var}={n}", host, given | {var: "n" * n}) for n in (longest, longest + 1)]
    fits, too_long = run_cases(implementation_text(), cases)
    assert "is longer than" not in fits.message, fits.message
    assert not too_long.ok
    assert too_long.message == f"etherip: {var}: '{'n' * (longest + 1)}' is longer than {longest} characters"


@pytest.mark.parametrize("var", sorted(IAPP_CHOICES))
def test_the_iapp_takes_each_choice_list_from_the_model(var: str) -> None:
    choices = IAPP_CHOICES[var]
    given, host = _answers_with(var)
    values = [*choices, "bogus"]
    results = run_cases(implementation_text(), [Case(f"{var}={v}", host, given | {var: v}) for v in values])
    for outcome, value in zip(results, values, strict=True):
        refused = f"etherip: {var}: '{value}' is not one of {' '.join(choices)}"
        assert (outcome.message == refused) == (value == "bogus"), outcome.message
