"""Versions are data: every version has a row; golden/ pins one version per behaviour, and
every other version renders the same files but for the texts of its row (a test, not a copy).
Versions of different behaviour differ only by the lines their known issues add."""

from __future__ import annotations

import re

import pytest

from generator.context import build_context
from generator.versions import (
    ALL_VERSIONS,
    CAPABILITIES,
    KNOWN_ISSUES,
    RELEASES,
    BigIpVersion,
    Feature,
    behaviour,
    known_issues,
    pinned_for,
    pinned_versions,
    row_texts,
    supports,
)
from tests.helpers import CASES, GOLDEN, ROOT, golden_view, site, tree


def test_every_version_has_a_row_and_pinned_goldens_per_behaviour() -> None:
    assert set(CAPABILITIES) == set(RELEASES) == set(ALL_VERSIONS)
    assert [v.value for v in ALL_VERSIONS] == ["11.6.1", "11.6.2", "11.6.3", "11.6.4", "11.6.5"]
    assert pinned_versions() == (BigIpVersion.V11_6_2, BigIpVersion.V11_6_5)
    assert {behaviour(v) for v in pinned_versions()} == {behaviour(v) for v in ALL_VERSIONS}
    on_disk = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert on_disk == {v.value for v in pinned_versions()}, "golden/ holds exactly the pinned versions"
    assert all(supports(v, Feature.ETHERIP_TUNNEL_PROFILE) for v in ALL_VERSIONS)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("version", [v for v in ALL_VERSIONS if v not in pinned_versions()])
def test_unpinned_version_renders_its_pinned_output_but_for_its_row(case: str, version: BigIpVersion) -> None:
    """The proof that replaces golden/<unpinned version>/: the same files, byte for byte, once
    the texts of the version's row (version, #TMSH-VERSION, iApp bounds) read as the pinned row's."""
    pinned = pinned_for(version)
    mine, theirs = row_texts(version), row_texts(pinned)
    expected = golden_view(tree(case, pinned), recorded=False)
    obtained = golden_view(tree(case, version), recorded=False)
    assert set(obtained) == set(expected)
    for rel, content in obtained.items():
        if rel != "site.yaml":  # the input, as given
            content = _issue_texts_hidden(content)
            for field, value in mine.items():
                if value != theirs[field]:
                    content = content.replace(value.encode(), theirs[field].encode())
        wanted = expected[rel] if rel == "site.yaml" else _issue_texts_hidden(expected[rel])
        assert content == wanted, f"{version.value} {rel} differs from {pinned.value} beyond its row"


def _issue_texts_hidden(content: bytes) -> bytes:
    """Known-issue texts are data of their own (they may name releases, 11.6.1 HF1...)."""
    for issue in KNOWN_ISSUES:
        for text in (issue.advice, issue.title):
            content = content.replace(text.encode(), f"<{issue.ident}>".encode())
    return content


def test_known_issue_applies_by_what_it_affects() -> None:
    """Bug 470715 hits VLAN paths of 16+ characters with /Common/ on 11.6.1/11.6.2, nothing else."""
    (issue,) = known_issues(BigIpVersion.V11_6_1)
    assert issue.affects.hits(["/Common/abcdefgh", "/Common/abcdefg"]) == ("/Common/abcdefgh",)
    for case in CASES:
        for version in ALL_VERSIONS:
            for peer in build_context(site(case), version).peers:
                created = [v.path for v in peer.vlans]
                hit = bool(known_issues(version)) and any(len(p) >= 16 for p in created)
                assert peer.check_backplane_mtu == hit, (case, version.value, peer.name)
                assert bool(peer.notes) == hit


def test_known_issues_name_supported_versions_and_sources() -> None:
    for issue in KNOWN_ISSUES:
        assert issue.versions <= set(ALL_VERSIONS)
        assert issue.prechecks
        assert issue.source
    assert [i.ident for i in known_issues(BigIpVersion.V11_6_1)] == ["Bug 470715"]
    assert known_issues(BigIpVersion.V11_6_5) == ()


def _strip_version(text: str, version: str) -> str:
    return text.replace(version, "<version>")


@pytest.mark.parametrize("case", CASES)
def test_versions_differ_only_where_named_or_known_issue(case: str) -> None:
    base = {
        k: _strip_version(v.decode(), "11.6.5")
        for k, v in tree(case, BigIpVersion.V11_6_5).files().items()
        if not k.endswith(".zip")
    }
    for v in ALL_VERSIONS:
        files = tree(case, v).files()
        assert {k for k in files if not k.endswith(".zip")} == set(base)
        for rel, content in files.items():
            if rel == "manifest.json" or rel.endswith(".zip"):
                continue  # checksums and archives follow the file contents, checked one by one
            if rel == "site.yaml":
                assert content == tree(case, BigIpVersion.V11_6_5).files()[rel]  # the input, as given
                continue
            text = _strip_version(content.decode(), v.value)
            if not known_issues(v) and rel != "CHANGE.md":
                assert text == base[rel], f"{v.value} {rel} differs beyond the version string"
            else:
                assert _kept(text) == _kept(base[rel]), f"{v.value} {rel}"


def _kept(text: str) -> list[str]:
    return [line for line in text.splitlines() if not _is_known_issue_line(line)]


def _is_known_issue_line(line: str) -> bool:
    """Lines a known issue adds (Bug 470715 on 11.6.1/11.6.2), and checksum rows of the runbook."""
    markers = (
        "Known issue ",
        "Affected names here: ",
        "F5 lists ",
        "vlan.backplane.mtu",
        "(value 1640 by default)",
    )
    return any(m in line for m in markers) or bool(re.fullmatch(r"\| `[^`]+` \| `[0-9a-f]{64}` \|", line))


def test_templates_never_compare_versions() -> None:
    for template in (ROOT / "templates").rglob("*.j2"):
        text = template.read_text()
        assert not re.search(r"11\.6\.\d", text), f"{template}: version literal in a template"
        assert not re.search(r"version\s*(==|!=|<=|>=|<(?!<)|>(?!>))", text), (
            f"{template}: version comparison"
        )


def test_no_version_literal_outside_the_version_table() -> None:
    """Version texts come from generator/versions.py; elsewhere only comments may name one."""
    pattern = re.compile(r"(?<![\d.])1[1-9]\.\d+\.\d+(?!\.\d)")  # not IPv4 addresses
    for source in sorted((ROOT / "generator").rglob("*.py")):
        if source.name == "versions.py":
            continue
        for number, line in enumerate(source.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not pattern.search(code), f"{source.relative_to(ROOT)}:{number}: {line.strip()}"
    for template in sorted((ROOT / "templates").rglob("*.j2")):
        assert not re.search(r"\b11\.6\b", template.read_text()), (
            f"{template}: name the release as site.branch"
        )
