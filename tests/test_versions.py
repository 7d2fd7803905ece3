"""Versions are data: every version has a row; golden/ pins one version per behaviour, and
every other version renders the same files but for the texts of its row (a test, not a copy).
Versions of different behaviour differ only by the lines their known issues add."""

from __future__ import annotations

import ast
import re

import pytest

from generator.context import build_context
from generator.versions import (
    ALL_VERSIONS,
    KNOWN_ISSUES,
    RELEASES,
    VERSION_NOTES,
    BigIpVersion,
    behaviour,
    known_issues,
    pinned_for,
    pinned_versions,
    row_texts,
)
from tests.helpers import CASES, GOLDEN, ROOT, golden_view, site, tree


def test_every_version_has_a_row_and_pinned_goldens_per_behaviour() -> None:
    assert set(RELEASES) == set(ALL_VERSIONS)
    assert list(ALL_VERSIONS) == sorted(ALL_VERSIONS, key=lambda v: _number(v.value)), (
        "table order is release order"
    )
    for v in ALL_VERSIONS:  # the newest release of each behaviour is pinned, and only those
        newest = [w for w in ALL_VERSIONS if behaviour(w) == behaviour(v)][-1]
        assert pinned_for(v) == newest and (v in pinned_versions()) == (v == newest)
    on_disk = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert on_disk == {v.value for v in pinned_versions()}, "golden/ holds exactly the pinned versions"


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
    swap = {mine[f].encode(): theirs[f].encode() for f in mine if mine[f] != theirs[f]}
    words = sorted(swap, key=len, reverse=True)  # one pass, longest first: nothing is replaced twice
    pattern = re.compile(rb"(?<![\d.])(" + rb"|".join(map(re.escape, words)) + rb")(?!\d|\.\d)")
    # the procedure is a row text that names the documents' own releases ("14.1.0 to 17.0.0"):
    # hidden whole, so a release number inside it is never swapped
    procedure = {mine["procedure"].encode(): b"<procedure>", theirs["procedure"].encode(): b"<procedure>"}
    for rel, content in obtained.items():
        if rel != "site.yaml":  # the input, as given
            hidden = _hidden(_issue_texts_hidden(content), procedure)
            content = pattern.sub(lambda m: swap[m.group(1)], hidden)
        wanted = (
            expected[rel] if rel == "site.yaml" else _hidden(_issue_texts_hidden(expected[rel]), procedure)
        )
        assert content == wanted, f"{version.value} {rel} differs from {pinned.value} beyond its row"


def _hidden(content: bytes, texts: dict[bytes, bytes]) -> bytes:
    for text, placeholder in texts.items():
        content = content.replace(text, placeholder)
    return content


def _as_word(value: str) -> re.Pattern[bytes]:
    """A row text where it stands alone: "13.1" not inside 203.0.113.1 or 13.1.0."""
    return re.compile(rb"(?<![\d.])" + re.escape(value.encode()) + rb"(?!\d|\.\d)")


def _any_word(values: list[str]) -> re.Pattern[bytes]:
    """Any of `values` where it stands alone (as `_as_word`), the one found in group 1."""
    either = b"|".join(re.escape(v.encode()) for v in values)
    return re.compile(rb"(?<![\d.])(" + either + rb")(?!\d|\.\d)")


def _issue_texts_hidden(content: bytes) -> bytes:
    """Known-issue and version-note texts are data of their own (they may name releases,
    11.6.1 HF1, TMOS 13.1 and later...)."""
    for issue in KNOWN_ISSUES:
        for text in (issue.advice, issue.title):
            content = content.replace(text.encode(), f"<{issue.ident}>".encode())
    for note in VERSION_NOTES:
        content = content.replace(note.text.encode(), f"<note {note.ident}>".encode())
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


def _row_texts_hidden(content: str, version: BigIpVersion) -> str:
    """The texts of the version's row as placeholders: the release (version, branch, #TMSH-VERSION,
    iApp floor) as <release>, the support status as <support>; iapp_max is the same in every row."""
    texts = row_texts(version)
    assert texts.pop("iapp_max") == "none"
    support, procedure = texts.pop("support"), texts.pop("procedure")
    content = _issue_texts_hidden(content.encode()).decode()
    content = content.replace(support, "<support>").replace(procedure, "<procedure>")
    for value in sorted(set(texts.values()), key=len, reverse=True):
        content = _as_word(value).sub(b"<release>", content.encode()).decode()
    return content


# Sites with IPsec differ by what each release's IPsec takes, on purpose (tests/test_ipsec.py).
@pytest.mark.parametrize("case", [c for c in CASES if site(c).ipsec is None])
def test_versions_differ_only_where_named_or_known_issue(case: str) -> None:
    """Across behaviours, only the row's texts, the lines a known issue adds and the version
    notes (with their headings) differ; the rest of every file is 11.6.5's. A site with IPsec
    also differs by what the release's IPsec takes (tests/test_ipsec.py pins those lines)."""
    reference = BigIpVersion.V11_6_5
    base_tree = tree(case, reference).files()
    base = {
        _rev(k): _row_texts_hidden(v.decode(), reference)
        for k, v in base_tree.items()
        if not k.endswith(".zip")
    }
    for v in ALL_VERSIONS:
        files = {_rev(k): c for k, c in tree(case, v).files().items()}
        assert {k for k in files if not k.endswith(".zip")} == set(base)
        for rel, content in files.items():
            if rel == "manifest.json" or rel.endswith(".zip"):
                continue  # checksums and archives follow the file contents, checked one by one
            if rel == "site.yaml":
                assert content == base_tree[rel]  # the input, as given
                continue
            text = _row_texts_hidden(content.decode(), v)
            text, wanted = _rev(text), _rev(base[rel])
            noted = any(n.shown_in for n in VERSION_NOTES if v in n.versions)
            if not known_issues(v) and not noted and rel != "CHANGE.md":
                assert text == wanted, f"{v.value} {rel} differs beyond its row's texts"
            else:
                assert _kept(text) == _kept(wanted), f"{v.value} {rel}"


def _rev(text: str) -> str:
    """iApp template names end in their content hash, which the branch's texts change."""
    return re.sub(r"(etherip_\w+)_[0-9a-f]{8}\b", r"\1_<rev>", text)


def _kept(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not _is_known_issue_line(line)]


def _is_known_issue_line(line: str) -> bool:
    """Lines a known issue adds (Bug 470715 on 11.6.1/11.6.2), version notes and their heading,
    iApp template names (content hashes), and checksum rows of the runbook."""
    markers = (
        "Known issue ",
        "Affected names here: ",
        "F5 lists ",
        "vlan.backplane.mtu",
        "(value 1640 by default)",
        "<note ",
        ": iApps and FAST",
        *(f"<{issue.ident}>" for issue in KNOWN_ISSUES),
    )
    return any(m in line for m in markers) or bool(re.fullmatch(r"\| `[^`]+` \| `[0-9a-f]{64}` \|", line))


def test_no_bug_470715_check_from_12_0_on() -> None:
    """Bug 470715 is fixed from 12.0.0 (F5 bug tracker ID470715 [C]): no later row lists it, and
    no file rendered for a later row checks vlan.backplane.mtu or names the bug."""
    later = [v for v in ALL_VERSIONS if RELEASES[v].branch != "11.6"]
    assert later and all(known_issues(v) == () for v in later)
    for case in CASES:
        for v in later:
            for rel, content in tree(case, v).files().items():
                if not rel.endswith(".zip") and rel != "site.yaml":  # the input's comments may name it
                    assert b"backplane" not in content and b"470715" not in content, (case, v.value, rel)
    assert any(
        b"vlan.backplane.mtu" in c for c in tree("longest-names", BigIpVersion.V11_6_1).files().values()
    )


def _number(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_no_file_asks_for_a_version_above_its_own(version: BigIpVersion) -> None:
    """The iApp floor and every #TMSH-VERSION line are at most the release the folder is for."""
    own = _number(version.value)
    own = own + (0,) * (3 - len(own))
    for case in ("mixed", "ha-both"):
        for rel, content in tree(case, version).files().items():
            if rel.endswith(".zip"):
                continue
            text = content.decode()
            found = re.findall(r"#TMSH-VERSION: (\S+)|requires-bigip-version-min (\S+)", text)
            for header, floor in found:
                assert _number(header or floor) <= own, (case, version.value, rel, header or floor)
            if rel.endswith(".tmpl"):
                assert "requires-bigip-version-min" in text and "#TMSH-VERSION" in text


def test_versions_rows_cite_sources_and_support() -> None:
    for v in ALL_VERSIONS:
        row = RELEASES[v]
        assert row.procedure and re.search(r"\[[CSI]\]", row.procedure), v
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row.support_ends), v
    supported = [v for v in ALL_VERSIONS if RELEASES[v].support.value == "supported"]
    assert supported and supported == list(ALL_VERSIONS[-len(supported) :]), (
        "the newest releases are the supported ones"
    )
    for note in VERSION_NOTES:
        assert note.versions <= set(ALL_VERSIONS) and note.source and re.search(r"\[[CSI]", note.source)


def test_import_guide_names_fast_from_13_1_on() -> None:
    for v in ALL_VERSIONS:
        guide = tree("mixed", v).files()["dc1/iapp/IMPORT.md"].decode()
        change = tree("mixed", v).files()["CHANGE.md"].decode()
        later = RELEASES[v].branch != "11.6"
        assert ("successor of iApp" in guide) == later, v
        assert ("successor of iApp" in change) == later, v
        assert ("F5OS" in change) == later, v
        assert f"- Support: {RELEASES[v].support_text}." in change


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
        if source.name in ("versions.py", "citations.py"):  # the table; cited documents' titles
            continue
        for number, line in enumerate(source.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not pattern.search(code), f"{source.relative_to(ROOT)}:{number}: {line.strip()}"
    branch = re.compile(r"(?<![\w.-])1[1-9]\.\d(?![\w.-])")  # "11.6", not bigip-11.6-etherip.md
    for source in sorted((ROOT / "generator").rglob("*.py")):
        if source.name in ("versions.py", "citations.py"):
            continue
        tree_ = ast.parse(source.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree_)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree_):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert not branch.search(node.value), (
                    f"{source.relative_to(ROOT)}:{node.lineno}: {node.value[:80]}"
                )
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.is_dir():
            continue
        assert not re.search(r"(?<![\w.-])(1[1-9]|2\d)\.\d+(?![\w-])", template.read_text()), (
            f"{template}: name the release as site.branch"
        )


@pytest.mark.parametrize("case", CASES)
def test_no_file_names_another_release(case: str) -> None:
    """Where a release's output names a release, it names its own: the golden diffs read every
    row text of a pinned release as its neighbour's (tests/helpers.py read_as), so a stray
    text of another row must be caught here. Cited documents, known issues and version notes
    name releases of their own and are left out."""
    from generator import citations

    cited = [v.encode() for k, v in vars(citations).items() if k.isupper() and isinstance(v, str)]
    cited += [i.advice.encode() for i in KNOWN_ISSUES] + [i.title.encode() for i in KNOWN_ISSUES]
    cited += [n.text.encode() for n in VERSION_NOTES]
    for version in ALL_VERSIONS:
        own = row_texts(version)
        others = {
            row_texts(other)[f]
            for other in ALL_VERSIONS
            for f in ("version", "branch", "tmsh_version", "iapp_min")
            if row_texts(other)[f]
            not in (own["version"], own["branch"], own["tmsh_version"], own["iapp_min"])
        }
        if not others:  # a table of one row: nothing another row could say
            continue
        # one search per file for every other row's text, the longest first where two start alike
        any_other = _any_word(sorted(others, key=len, reverse=True))
        for rel, content in golden_view(tree(case, version), recorded=False).items():
            if rel == "site.yaml":  # the input, as given
                continue
            for text in (*cited, own["procedure"].encode(), own["support"].encode()):
                content = content.replace(text, b"")
            found = any_other.search(content)
            assert found is None, (
                f"{version.value} {rel} names {found[1].decode()}: {content[max(0, found.start() - 60) : found.end() + 20]!r}"
            )
