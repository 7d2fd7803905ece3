"""etherip precheck: each conflict kind planted once in a clean saved configuration, found in
all three input forms (UCS archive, folder, single file) at the right file and line; clean
units report nothing; units are matched by DEVICE= or by hostname."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from generator.proof.precheck.report import CONFLICT, ERROR, NOTE, PrecheckReport
from generator.proof.precheck.run import UnitInput, run_precheck
from generator.versions import BigIpVersion
from tests.helpers import site
from tests.precheck import configs
from tests.precheck.configs import FORMS, Unit, clean, write_form

MIXED_HOSTS = ("bigip-dc1-a", "bigip-dc1-b", "bigip-dc2")


def _check(case: str, units: list[tuple[str | None, Path, str]]) -> PrecheckReport:
    model = site(case)
    inputs = [UnitInput(device, path, display) for device, path, display in units]
    return run_precheck(model, model.bigip_version, inputs, f"{case}.yaml")


def _written_line(text: str, header: str) -> int:
    """The line of `header` in the text as written (computed here, independently of the tool)."""
    return text.split("\n").index(header) + 1


@pytest.mark.parametrize("form", FORMS)
def test_clean_units_report_nothing(form: str, tmp_path: Path) -> None:
    units = []
    for host in MIXED_HOSTS:
        path, _, _ = write_form(clean(host), form, tmp_path, host)
        units.append((None, path, str(path)))
    report = _check("mixed", units)
    assert report.findings == []
    assert not report.failed
    assert [u.device for u in report.units] == list(MIXED_HOSTS)


def test_clean_existing_pool_unit_reports_nothing(tmp_path: Path) -> None:
    path, _, _ = write_form(Unit(configs.legacy_base(), configs.legacy_user()), "ucs", tmp_path, "main1")
    report = _check("existing-pool", [(None, path, str(path))])
    assert [f for f in report.findings if f.device == "f5-main-1"] == []
    assert {(f.device, f.severity) for f in report.findings} == {("f5-main-2", NOTE), ("f5-dr", NOTE)}


def _add(where: str, text: str) -> Callable[[Unit], Unit]:
    def edit(unit: Unit) -> Unit:
        return replace(unit, **{where: getattr(unit, where) + text})

    return edit


def _sub(where: str, old: str, new: str) -> Callable[[Unit], Unit]:
    def edit(unit: Unit) -> Unit:
        text = getattr(unit, where)
        assert old in text, old
        return replace(unit, **{where: text.replace(old, new, 1)})

    return edit


@dataclass(frozen=True)
class Plant:
    """One planted conflict: an edit of a clean unit, and the exact findings it must give."""

    ident: str
    case: str
    host: str
    edit: Callable[[Unit], Unit]
    findings: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, objects) of every finding, in order; () = none
    at: tuple[str, str] | None  # (base|user, header line) the first finding cites, if any
    unit: Callable[[str], Unit] = clean


def _legacy(host: str) -> Unit:
    assert host == "f5-main-1"
    return Unit(configs.legacy_base(), configs.legacy_user())


VM_VLAN = "net vlan /Common/vm_vlan {"
PLANTS = [
    Plant(
        "exists-vlan",
        "mixed",
        "bigip-dc1-a",
        _add(
            "base",
            VM_VLAN
            + "\n    interfaces {\n        1.4 {\n            tagged\n        }\n    }\n    tag 210\n}\n",
        ),
        (("exists", ("/Common/vm_vlan",)),),
        ("base", VM_VLAN),
    ),
    Plant(
        "exists-vlan-group",
        "mixed",
        "bigip-dc1-b",
        _add("base", "net vlan-group /Common/vm_vgrp {\n    members {\n        /Common/internal\n    }\n}\n"),
        (("exists", ("/Common/vm_vgrp",)),),
        ("base", "net vlan-group /Common/vm_vgrp {"),
    ),
    Plant(
        "name-taken-by-other-l2-kind",
        "mixed",
        "bigip-dc2",
        _add(
            "base",
            "net vlan /Common/eip_dc1 {\n    interfaces {\n        1.3 {\n            tagged\n        }\n    }\n    tag 77\n}\n",
        ),
        (("exists", ("/Common/eip_dc1",)),),
        ("base", "net vlan /Common/eip_dc1 {"),
    ),
    Plant(
        "exists-tunnel",
        "mixed",
        "bigip-dc1-a",
        _add(
            "base",
            "net tunnels tunnel /Common/eip_dc2 {\n    local-address 198.51.100.10\n"
            "    profile /Common/etherip\n    remote-address 203.0.113.20\n}\n",
        ),
        (("exists", ("/Common/eip_dc2",)),),
        ("base", "net tunnels tunnel /Common/eip_dc2 {"),
    ),
    Plant(
        "exists-self-ip",
        "mixed",
        "bigip-dc1-a",
        _add(
            "base",
            "net self vmotion_vm_self_a {\n    address 10.99.0.5/24\n"
            "    traffic-group /Common/traffic-group-local-only\n    vlan /Common/internal\n}\n",
        ),
        (("exists", ("/Common/vmotion_vm_self_a",)),),
        ("base", "net self vmotion_vm_self_a {"),
    ),
    Plant(
        "exists-pool",
        "mixed",
        "bigip-dc2",
        _add("user", "ltm pool /Common/vm_pool {\n    monitor /Common/http\n}\n"),
        (("exists", ("/Common/vm_pool",)),),
        ("user", "ltm pool /Common/vm_pool {"),
    ),
    Plant(
        "exists-monitor-of-another-type",
        "mixed",
        "bigip-dc2",
        _add(
            "user",
            'ltm monitor http /Common/vm_vloc {\n    defaults-from /Common/http\n    send "GET /"\n}\n',
        ),
        (("exists", ("/Common/vm_vloc",)),),
        ("user", "ltm monitor http /Common/vm_vloc {"),
    ),
    Plant(
        "missing-existing-vlan",
        "mixed",
        "bigip-dc1-b",
        _sub("base", "net vlan /Common/external {\n", "net vlan /Common/outside {\n"),
        (("missing", ("/Common/external",)),),
        None,
    ),
    Plant(
        "missing-existing-wan-self",
        "mixed",
        "bigip-dc1-a",
        _sub("base", "    address 198.51.100.11/24\n", "    address 198.51.100.41/24\n"),
        (("missing", ("198.51.100.11/24",)),),
        None,
    ),
    Plant(
        "existing-floating-endpoint-not-floating",
        "mixed",
        "bigip-dc1-a",
        _sub(
            "base",
            "    traffic-group /Common/traffic-group-1\n    vlan /Common/external",
            "    traffic-group /Common/traffic-group-local-only\n    vlan /Common/external",
        ),
        (("missing", ("198.51.100.10/24", "/Common/self_ext_float")),),
        ("base", "net self /Common/self_ext_float {"),
    ),
    Plant(
        "missing-existing-pool",
        "existing-pool",
        "f5-main-1",
        _sub("user", "ltm pool /Common/erp_pool {", "ltm pool /Common/erp_pool_old {"),
        (("missing", ("/Common/erp_pool",)),),
        None,
        _legacy,
    ),
    Plant(
        "pool-rule-differs",
        "existing-pool",
        "f5-main-1",
        _sub("user", "    monitor /Common/http and /Common/tcp_half_open\n", "    monitor /Common/http\n"),
        (("pool-rule", ("/Common/erp_pool",)),),
        ("user", "ltm pool /Common/erp_pool {"),
        _legacy,
    ),
    Plant(
        "pool-rule-min-of",
        "existing-pool",
        "f5-main-1",
        _sub(
            "user",
            "    monitor /Common/http and /Common/tcp_half_open\n",
            "    monitor min 1 of { /Common/http /Common/tcp_half_open }\n",
        ),
        (("pool-rule", ("/Common/erp_pool",)),),
        ("user", "ltm pool /Common/erp_pool {"),
        _legacy,
    ),
    Plant(
        "pool-rule-same-monitors-other-order",
        "existing-pool",
        "f5-main-1",
        _sub(
            "user",
            "    monitor /Common/http and /Common/tcp_half_open\n",
            '    monitor /Common/tcp_half_open and /Common/http\n    description "order is no change"\n',
        ),
        (),
        None,
        _legacy,
    ),
    Plant(
        "pool-min-active-differs",
        "existing-pool",
        "f5-main-1",
        _sub("user", "    min-active-members 2\n", ""),
        (("pool-min-active", ("/Common/erp_pool",)),),
        ("user", "ltm pool /Common/erp_pool {"),
        _legacy,
    ),
    Plant(
        "exists-route",
        "mixed",
        "bigip-dc2",
        _add(
            "user",
            "net route /Common/vmotion_wan_route {\n    gw 203.0.113.1\n    network 198.51.100.10/32\n}\n",
        ),
        (("exists", ("/Common/vmotion_wan_route",)),),
        ("user", "net route /Common/vmotion_wan_route {"),
    ),
    Plant(
        "route-destination-taken",
        "mixed",
        "bigip-dc2",
        _add("user", "net route /Common/to_dc1 {\n    gw 203.0.113.254\n    network 198.51.100.10%0/32\n}\n"),
        (("route", ("/Common/vmotion_wan_route", "/Common/to_dc1")),),
        ("user", "net route /Common/to_dc1 {"),
    ),
    Plant(
        "gateway-existing-but-no-route",
        "mixed",
        "bigip-dc1-b",
        _sub("user", "    network default\n", "    network 10.50.0.0/16\n"),
        (("route", ("203.0.113.20",)),),
        None,
    ),
    Plant(
        "tag-in-use",
        "mixed",
        "bigip-dc2",
        _add(
            "base",
            "net vlan /Common/old_wan {\n    interfaces {\n        1.3 {\n            tagged\n        }\n    }\n    tag 300\n}\n",
        ),
        (("tag", ("/Common/wan", "/Common/old_wan")),),
        ("base", "net vlan /Common/old_wan {"),
    ),
    Plant(
        "untagged-elsewhere",
        "mixed",
        "bigip-dc2",
        _sub("base", "        1.3 { }\n", "        1.1 {\n            untagged\n        }\n"),
        (("untagged", ("1.1", "/Common/wan", "/Common/internal")),),
        ("base", "net vlan /Common/internal {"),
    ),
    Plant(
        "no-such-interface",
        "mixed",
        "bigip-dc2",
        _sub("base", "net interface 1.2 {", "net interface 1.5 {"),
        (("no-interface", ("1.2", "/Common/vm_vlan")),),
        None,
    ),
    Plant(
        "address-taken",
        "mixed",
        "bigip-dc2",
        _add(
            "base",
            "net self /Common/old_self {\n    address 10.10.10.4/24\n"
            "    traffic-group /Common/traffic-group-local-only\n    vlan /Common/internal\n}\n",
        ),
        (("address", ("/Common/vmotion_vm_self", "/Common/old_self")),),
        ("base", "net self /Common/old_self {"),
    ),
    Plant(
        "subnet-overlaps-other-vlan",
        "mixed",
        "bigip-dc2",
        _add(
            "base",
            "net self /Common/old_vm {\n    address 10.10.10.200%0/25\n    allow-service {\n        default\n    }\n"
            "    traffic-group /Common/traffic-group-local-only\n    vlan /Common/internal\n}\n",
        ),
        (("overlap", ("/Common/vmotion_vm_self", "/Common/old_vm")),),
        ("base", "net self /Common/old_vm {"),
    ),
    Plant(
        "overlap-on-the-bridged-vm-vlan",
        "existing-pool",
        "f5-main-1",
        _add(
            "base",
            "net self /Common/erp_self {\n    address 10.30.30.10/24\n"
            "    traffic-group /Common/traffic-group-local-only\n    vlan /Common/erp\n}\n",
        ),
        (
            ("overlap", ("/Common/legacy_vm_self_a", "/Common/erp_self")),
            ("overlap", ("/Common/legacy_vm_float", "/Common/erp_self")),
        ),
        ("base", "net self /Common/erp_self {"),
        _legacy,
    ),
    Plant(
        "hostname-differs",
        "mixed",
        "bigip-dc1-a",
        _sub(
            "base",
            "    hostname bigip-dc1-a\n    mgmt-dhcp",
            "    hostname bigip-dc1-a.example.net\n    mgmt-dhcp",
        ),
        (("hostname", ("bigip-dc1-a",)),),
        ("base", "sys global-settings {"),
    ),
    Plant(
        "device-group-absent",
        "mixed",
        "bigip-dc1-b",
        _sub("base", "cm device-group /Common/dg_dc1 {", "cm device-group /Common/dg_old {"),
        (("device-group", ("/Common/dg_dc1",)),),
        None,
    ),
    Plant(
        "not-in-device-group",
        "mixed",
        "bigip-dc1-b",
        _sub(
            "base",
            "    devices {\n        /Common/bigip-dc1-a { }\n        /Common/bigip-dc1-b { }\n    }\n    network-failover",
            "    devices {\n        /Common/bigip-dc1-a { }\n    }\n    network-failover",
        ),
        (("device-group", ("/Common/dg_dc1", "/Common/bigip-dc1-b")),),
        ("base", "cm device-group /Common/dg_dc1 {"),
    ),
    Plant(
        "iptunnel-configsync-disabled",
        "mixed",
        "bigip-dc1-a",
        _sub(
            "base",
            'sys db iptunnel.configsync {\n    value "enable"',
            'sys db iptunnel.configsync {\n    value "disable"',
        ),
        (("configsync", ("iptunnel.configsync",)),),
        ("base", "sys db iptunnel.configsync {"),
    ),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: p.ident)
def test_each_planted_conflict_is_found_and_located(plant: Plant, form: str, tmp_path: Path) -> None:
    unit = plant.edit(plant.unit(plant.host))
    path, base_name, user_name = write_form(unit, form, tmp_path, plant.host)
    report = _check(plant.case, [(None, path, str(path))])
    mine = [f for f in report.findings if f.device == plant.host]
    assert [(f.kind, f.objects) for f in mine] == list(plant.findings), "\n".join(map(str, mine))
    assert all(f.severity == CONFLICT for f in mine)
    assert report.failed == bool(plant.findings)
    if plant.at is None:  # found by absence: the finding names the files that were searched
        assert all(f.where.startswith("searched ") and str(path) in f.where for f in mine), [
            f.where for f in mine
        ]
        return
    which, header = plant.at
    shown = base_name if which == "base" else user_name
    text = Path(path).read_text() if form == "file" else (unit.base if which == "base" else unit.user)
    if form == "folder":
        text = Path(shown).read_text()
    assert mine[0].where == f"{shown}:{_written_line(text, header)}"


@pytest.mark.parametrize("form", FORMS)
def test_version_differs_in_each_file(form: str, tmp_path: Path) -> None:
    path, base_name, user_name = write_form(clean("bigip-dc2", version="11.6.4"), form, tmp_path, "dc2")
    report = _check("mixed", [(None, path, str(path))])
    mine = [f for f in report.findings if f.device == "bigip-dc2"]
    wheres = [f"{base_name}:1"] if form == "file" else [f"{base_name}:1", f"{user_name}:1"]
    assert [(f.kind, f.objects, f.where) for f in mine] == [("version", ("11.6.4",), w) for w in wheres]
    assert "the change targets 11.6.5" in mine[0].message


def test_hotfix_version_counts_as_its_release(tmp_path: Path) -> None:
    path, _, _ = write_form(clean("bigip-dc2", version="11.6.5.1"), "ucs", tmp_path, "dc2")
    assert [f for f in _check("mixed", [(None, path, str(path))]).findings if f.device == "bigip-dc2"] == []


def test_bridged_vlan_overlap_says_what_to_do(tmp_path: Path) -> None:
    unit = Unit(configs.legacy_base(), configs.legacy_user())
    unit = replace(
        unit,
        base=unit.base + "net self /Common/erp_self {\n    address 10.30.30.10/24\n    vlan /Common/erp\n}\n",
    )
    path, _, _ = write_form(unit, "ucs", tmp_path, "m1")
    (first, *_) = [
        f for f in _check("existing-pool", [(None, path, str(path))]).findings if f.kind == "overlap"
    ]
    assert first.message.endswith(
        "which the change bridges into /Common/erp_bridge: move that self IP to the group [I]"
    )


def test_version_option_compares_with_the_chosen_version(tmp_path: Path) -> None:
    path, _, _ = write_form(clean("bigip-dc2", version="11.6.4"), "ucs", tmp_path, "dc2")
    model = site("mixed")
    report = run_precheck(model, BigIpVersion.V11_6_4, [UnitInput(None, path, str(path))], "mixed.yaml")
    assert [f for f in report.findings if f.device == "bigip-dc2"] == []


def test_one_line_stanza_is_found_and_its_body_reported_unread(tmp_path: Path) -> None:
    unit = _add("base", "net vlan /Common/vm_vlan { interfaces { 1.2 { tagged } } tag 200 }\n")(
        clean("bigip-dc2")
    )
    path, base_name, _ = write_form(unit, "folder", tmp_path, "dc2")
    mine = [f for f in _check("mixed", [(None, path, str(path))]).findings if f.device == "bigip-dc2"]
    line = _written_line(unit.base, "net vlan /Common/vm_vlan { interfaces { 1.2 { tagged } } tag 200 }")
    assert [(f.kind, f.severity, f.where) for f in mine] == [
        ("exists", CONFLICT, f"{base_name}:{line}"),
        ("not-read", NOTE, f"{base_name}:{line}"),
    ]


def test_found_by_short_hostname_then_reported(tmp_path: Path) -> None:
    unit = _sub("base", "    hostname bigip-dc2\n}", "    hostname bigip-dc2.example.net\n}")(
        clean("bigip-dc2")
    )
    unit = _sub("base", "    hostname bigip-dc2\n", "    hostname bigip-dc2.example.net\n")(unit)
    path, _, _ = write_form(unit, "ucs", tmp_path, "dc2")
    mine = [f for f in _check("mixed", [(None, path, str(path))]).findings if f.device == "bigip-dc2"]
    assert [(f.kind, f.message) for f in mine] == [
        ("hostname", "saved hostname is bigip-dc2.example.net, not bigip-dc2")
    ]


def test_device_named_explicitly_overrides_hostname(tmp_path: Path) -> None:
    path, _, _ = write_form(clean("bigip-dc1-b"), "ucs", tmp_path, "b")
    report = _check("mixed", [("bigip-dc1-a", path, str(path))])
    mine = [f for f in report.findings if f.device == "bigip-dc1-a"]
    assert ("hostname", ("bigip-dc1-a",)) in [(f.kind, f.objects) for f in mine]
    assert ("missing", ("198.51.100.11/24",)) in [
        (f.kind, f.objects) for f in mine
    ]  # b holds .12, not a's .11


def test_unknown_duplicate_and_missing_units(tmp_path: Path) -> None:
    stranger = _sub("base", "    hostname bigip-dc2\n}", "    hostname lb-elsewhere\n}")(clean("bigip-dc2"))
    stranger = _sub("base", "    hostname bigip-dc2\n", "    hostname lb-elsewhere\n")(stranger)
    s_path, _, _ = write_form(stranger, "ucs", tmp_path, "stranger")
    a_path, _, _ = write_form(clean("bigip-dc1-a"), "ucs", tmp_path, "a")
    a_again, _, _ = write_form(clean("bigip-dc1-a"), "folder", tmp_path, "a-again")
    report = _check(
        "mixed",
        [
            (None, s_path, str(s_path)),
            (None, a_path, str(a_path)),
            (None, a_again, str(a_again)),
            ("nosuch", a_path, "x"),
        ],
    )
    rows = [(f.device, f.kind, f.severity) for f in report.findings]
    assert rows == [
        ("bigip-dc1-b", "not-checked", NOTE),
        ("bigip-dc2", "not-checked", NOTE),
        (str(s_path), "unknown-unit", ERROR),
        ("bigip-dc1-a", "duplicate-unit", ERROR),
        ("nosuch", "unknown-unit", ERROR),
    ]
    assert report.failed


def test_a_site_unit_without_configuration_is_a_note_not_a_failure(tmp_path: Path) -> None:
    path, _, _ = write_form(clean("bigip-dc2"), "ucs", tmp_path, "dc2")
    report = _check("mixed", [(None, path, str(path))])
    assert {f.device for f in report.findings} == {"bigip-dc1-a", "bigip-dc1-b"}
    assert {f.severity for f in report.findings} == {NOTE}
    assert not report.failed


def test_only_one_file_given_skips_absence_checks(tmp_path: Path) -> None:
    folder = tmp_path / "dc1a"
    folder.mkdir()
    (folder / "bigip.conf").write_text(
        configs.dc1_user() + "ltm pool /Common/vm_pool {\n    monitor /Common/http\n}\n"
    )
    report = _check("mixed", [("bigip-dc1-a", folder, str(folder))])
    mine = [(f.kind, f.severity, f.objects) for f in report.findings if f.device == "bigip-dc1-a"]
    assert mine == [
        ("exists", CONFLICT, ("/Common/vm_pool",)),
        ("not-checked", NOTE, ("bigip_base.conf",)),
    ]


def test_expected_state_of_the_change_reports_every_created_object(tmp_path: Path) -> None:
    """The rendered expected-state.conf is the unit after the change: every object the change
    creates must be reported as existing, by the names the view-model gives it."""
    from generator.context import build_context
    from tests.helpers import tree

    model = site("mixed")
    files = tree("mixed", BigIpVersion.V11_6_5).files()
    ctx = build_context(model, BigIpVersion.V11_6_5)
    for peer in ctx.peers:
        for device in peer.devices:
            conf = tmp_path / f"{device.hostname}.conf"
            conf.write_bytes(files[f"{peer.name}/{device.hostname}/expected-state.conf"])
            report = _check("mixed", [(device.hostname, conf, str(conf))])
            found = {
                f.objects[0] for f in report.findings if f.kind == "exists" and f.device == device.hostname
            }
            created = {v.path for v in peer.vlans} | {s.path for s in device.selfs}
            created |= {peer.vlan_group.path, peer.tunnel.path, ctx.pool.path, ctx.monitor.path}
            created |= {peer.route.path} if peer.route else set()
            assert found == created


def test_trunks_and_interfaces_are_told_apart(tmp_path: Path) -> None:
    conf = tmp_path / "west.scf"
    conf.write_text(
        "#TMSH-VERSION: 11.6.5\n\nnet interface 1.1 {\n    media-active 10000T-FD\n}\n"
        "net trunk /Common/trunk_vm {\n    interfaces {\n        1.1\n    }\n}\n"
        "sys global-settings {\n    hostname lb-west-01.example.net\n}\n"
    )
    report = _check("ha-both", [(None, conf, str(conf))])
    rows = [(f.kind, f.message) for f in report.findings if f.kind == "no-interface"]
    assert rows == [("no-interface", "no trunk trunk_wan (named for VLAN /Common/wan_west)")]


def test_one_line_stanza_with_one_pair_is_read(tmp_path: Path) -> None:
    old = 'sys db iptunnel.configsync {\n    value "enable"\n}\n'
    one_line = 'sys db iptunnel.configsync { value "disable" }\n'
    unit = _sub("base", old, one_line)(clean("bigip-dc1-a"))
    unit = _sub(
        "base",
        "sys global-settings {\n    gui-setup disabled\n    hostname bigip-dc1-a\n    mgmt-dhcp disabled\n}",
        "sys global-settings { hostname bigip-dc1-a }",
    )(unit)
    path, base_name, _ = write_form(unit, "file", tmp_path, "a")
    mine = [f for f in _check("mixed", [(None, path, str(path))]).findings if f.device == "bigip-dc1-a"]
    line = _written_line(Path(path).read_text(), one_line.rstrip("\n"))
    assert [(f.kind, f.where) for f in mine] == [("configsync", f"{base_name}:{line}")]


def test_each_part_keeps_its_own_absence_checks(tmp_path: Path) -> None:
    """Only bigip_base.conf: a missing VLAN is still found, a missing pool is not looked for;
    a renamed single file with only ltm stanzas: the other way round."""
    base = _sub("base", "net vlan /Common/erp {", "net vlan /Common/erp_old {")(_legacy("f5-main-1")).base
    folder = tmp_path / "m1"
    folder.mkdir()
    (folder / "bigip_base.conf").write_text(base)
    rows = [
        (f.kind, f.objects)
        for f in _check("existing-pool", [(None, folder, str(folder))]).findings
        if f.device == "f5-main-1"
    ]
    assert rows == [("missing", ("/Common/erp",)), ("not-checked", ("bigip.conf",))]

    user = _sub("user", "ltm pool /Common/erp_pool {", "ltm pool /Common/other {")(_legacy("f5-main-1")).user
    renamed = tmp_path / "m1-ltm.txt"
    renamed.write_text(user)
    report = _check("existing-pool", [("f5-main-1", renamed, str(renamed))])
    rows = [(f.kind, f.objects) for f in report.findings if f.device == "f5-main-1"]
    assert rows == [("missing", ("/Common/erp_pool",)), ("not-checked", ("bigip_base.conf",))]


_TENANT_BASE = """#TMSH-VERSION: 11.6.5

net vlan /Tenant/tenant_vm {
    interfaces {
        1.3 { }
    }
    tag 200
}
net self /Tenant/tenant_self {
    address 10.10.10.4/24
    traffic-group /Common/traffic-group-local-only
    vlan /Tenant/tenant_vm
}
"""


@pytest.mark.parametrize("form", ("ucs", "folder"))
def test_other_partitions_are_read(form: str, tmp_path: Path) -> None:
    """A UCS keeps other administrative partitions in config/partitions/<P>/: their VLANs and
    self IPs take tags and addresses too. An empty partition file (header only) is normal."""
    unit = clean("bigip-dc2")
    if form == "ucs":
        path = tmp_path / "dc2.ucs"
        path.write_bytes(
            configs.ucs_bytes(
                [
                    ("config/bigip_base.conf", unit.base.encode()),
                    ("config/bigip.conf", unit.user.encode()),
                    ("config/partitions/Empty/bigip.conf", b"#TMSH-VERSION: 11.6.5\n\n"),
                    ("config/partitions/Tenant/bigip_base.conf", _TENANT_BASE.encode()),
                ]
            )
        )
    else:
        path = tmp_path / "dc2"
        (path / "config" / "partitions" / "Tenant").mkdir(parents=True)
        (path / "config" / "partitions" / "Empty").mkdir()
        (path / "config" / "bigip_base.conf").write_text(unit.base)
        (path / "config" / "bigip.conf").write_text(unit.user)
        (path / "config" / "partitions" / "Empty" / "bigip.conf").write_text("#TMSH-VERSION: 11.6.5\n\n")
        (path / "config" / "partitions" / "Tenant" / "bigip_base.conf").write_text(_TENANT_BASE)
    report = _check("mixed", [(None, path, str(path))])
    mine = [f for f in report.findings if f.device == "bigip-dc2"]
    kinds = {f.kind for f in mine}
    assert {"tag", "address"} <= kinds, "\n".join(map(str, mine))
    assert all("partitions/Tenant/bigip_base.conf" in f.where for f in mine if f.kind in ("tag", "address"))


def test_control_characters_from_a_saved_config_are_escaped(tmp_path: Path) -> None:
    unit = clean("bigip-dc2")
    hostile = unit.base.replace("hostname bigip-dc2", 'hostname "bigip-dc2\x1b]0;pwned\x07"')
    assert hostile != unit.base
    path, _, _ = write_form(Unit(hostile, unit.user), "folder", tmp_path, "dc2")
    report = _check("mixed", [("bigip-dc2", path, str(path))])
    text = "\n".join(str(f) for f in report.findings)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b" in text
