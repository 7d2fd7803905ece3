"""Versions are data: every version has a capability row and goldens, and versions that do
not differ produce output that differs only where the version is named."""

from __future__ import annotations

import re

import pytest

from generator.versions import ALL_VERSIONS, CAPABILITIES, KNOWN_ISSUES, BigIpVersion, known_issues
from tests.helpers import CASES, GOLDEN, ROOT, tree


def test_every_version_has_a_capability_row_and_goldens() -> None:
    assert set(CAPABILITIES) == set(ALL_VERSIONS)
    assert [v.value for v in ALL_VERSIONS] == ["11.6.1", "11.6.2", "11.6.3", "11.6.4", "11.6.5"]
    for v in ALL_VERSIONS:
        assert (GOLDEN / v.value).is_dir(), f"golden/{v.value}/ is missing"


def test_known_issues_name_supported_versions_and_sources() -> None:
    for issue in KNOWN_ISSUES:
        assert issue.versions <= set(ALL_VERSIONS)
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
