"""Rendered output is pinned for one version per distinct behaviour (generator.versions
pinned_versions): the oldest whole, golden/<version>/<case>/<peer>/<device>/<file>, with the
commands each iApp records when run offline (<peer>/iapp-recorded/<device>.<stage>.tmsh); each
other one as what differs from it, golden/<version>/<case>.diff. Zips are checked by the files
they hold, the iApp template's hashed name and the checksums by what they are computed from,
its static implementation section by golden/implementation.tcl (tests/helpers.py golden_view);
the other versions by tests/test_versions.py.

Regenerate with `make golden` (pytest tests/test_golden.py --regen-all), then read the diff.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pytest_regressions.common import check_text_files
from pytest_regressions.file_regression import FileRegressionFixture

from generator.artifacts import ArtifactKind
from generator.iapp.bundle import ZIP_DATE, template_name
from generator.versions import BigIpVersion
from tests.helpers import (
    GOLDEN,
    IMPLEMENTATION_GOLDEN,
    PRESENTATION_GOLDEN,
    REGEN_HINT,
    all_pairs,
    golden_file,
    golden_files,
    implementation_section,
    presentation_shape,
    tree,
)


def _on_disk() -> set[str]:
    return {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per golden file. Checking, the files golden/ holds, each rendered when its test
    runs (a worker renders only its cases; test_no_orphan_or_missing_goldens finds a file no
    golden holds yet). Regenerating (--regen-all, --force-regen), every file the cases render."""
    if "rel" in metafunc.fixturenames:
        options = metafunc.config.option
        regenerating = getattr(options, "regen_all", False) or getattr(options, "force_regen", False)
        metafunc.parametrize("rel", sorted(golden_files() if regenerating else _on_disk()))


def check_exact(obtained: Path, expected: Path) -> None:
    """A readable line diff first, then a byte-for-byte comparison (CRLF, final newline)."""
    check_text_files(obtained, expected, encoding="utf-8")
    if obtained.read_bytes() != expected.read_bytes():
        raise AssertionError(
            f"{expected}: same lines, different bytes (line endings or final newline); {REGEN_HINT}"
        )


def test_golden(rel: str, file_regression: FileRegressionFixture) -> None:
    rendered = golden_file(rel)
    assert rendered is not None, f"golden/{rel}: no case renders this file (delete it)"
    stem, dot, ext = rel.rpartition(".")
    file_regression.check(
        rendered.decode("utf-8"),
        basename=stem,
        extension=f"{dot}{ext}",
        newline="\n",
        check_fn=check_exact,
    )


def test_no_orphan_or_missing_goldens() -> None:
    on_disk, rendered = _on_disk(), set(golden_files())
    orphans = sorted(on_disk - rendered)
    missing = sorted(rendered - on_disk)
    assert not orphans, f"golden files no case renders (delete them): {orphans}"
    assert not missing, f"rendered files without a golden: {missing}; {REGEN_HINT}"


@pytest.mark.parametrize(("case", "version"), all_pairs())
def test_zips_hold_the_files_beside_them(case: str, version: BigIpVersion) -> None:
    """Each iApp zip holds exactly its folder's template, deploy.tmsh and IMPORT.md, byte for
    byte, stored with a fixed date and mode: so it needs no golden of its own."""
    files = tree(case, version).files()
    zips = sorted(p for p in files if p.endswith(".zip"))
    assert len(zips) == 2
    for rel in zips:
        folder, _, name = rel.rpartition("/")
        with zipfile.ZipFile(io.BytesIO(files[rel])) as zf:
            infos = zf.infolist()
            members = {i.filename: zf.read(i) for i in infos}
        beside = {
            p.rpartition("/")[2]: c
            for p, c in files.items()
            if p.startswith(f"{folder}/") and not p.endswith(".zip")
        }
        assert members == beside
        assert f"{name.removesuffix('.zip')}.tmpl" in members
        assert [i.filename for i in infos] == sorted(members)
        for info in infos:
            assert (info.date_time, info.compress_type, info.external_attr >> 16) == (
                ZIP_DATE,
                zipfile.ZIP_STORED,
                0o644,
            )


@pytest.mark.parametrize(("case", "version"), all_pairs())
def test_manifest_is_the_json_of_its_table(case: str, version: BigIpVersion) -> None:
    """golden/ pins manifest.json as a table (tests/helpers.py); the file itself is exactly that
    table written as JSON: two-space indent, keys in this order, a final newline."""
    content = tree(case, version).files()["manifest.json"]
    doc = json.loads(content)
    assert list(doc) == ["deployment", "version", "etherip", "artifacts"]
    assert all(list(a) == ["path", "peer", "device", "kind", "step", "sha256"] for a in doc["artifacts"])
    assert content == (json.dumps(doc, indent=2) + "\n").encode()
    assert [a["path"] for a in doc["artifacts"]] == sorted(a["path"] for a in doc["artifacts"])


@pytest.mark.parametrize(("case", "version"), all_pairs())
def test_presentation_is_the_pinned_apl(case: str, version: BigIpVersion) -> None:
    """The .tmpl goldens list their defaults in place of the APL: every rendered template's
    presentation section is golden/presentation.apl with its own defaults and names, byte for
    byte (so an APL change shows once, and a default wherever it changes)."""
    pinned = (GOLDEN / PRESENTATION_GOLDEN).read_bytes()
    t = tree(case, version)
    templates = [a for a in t.artifacts if a.kind == ArtifactKind.IAPP_TEMPLATE]
    assert len(templates) == 2
    for art in templates:
        shape, defaults = presentation_shape(art.content, t.deployment, str(art.peer))
        assert shape == pinned, f"{art.path}; {REGEN_HINT}"
        assert len(defaults) == pinned.count(b'default "<d>"')


@pytest.mark.parametrize(("case", "version"), all_pairs())
def test_template_name_is_its_content_hash(case: str, version: BigIpVersion) -> None:
    """The hash the goldens show as REVISION: recomputed here from the template's sections."""
    t = tree(case, version)
    for art in t.artifacts:
        if art.kind != ArtifactKind.IAPP_TEMPLATE:
            continue
        text = art.content.decode()
        help_text, rest = text.split("            html-help {\n", 1)[1].split(
            "\n            }\n            implementation {\n", 1
        )
        implementation, rest = rest.split("\n            }\n            presentation {\n", 1)
        presentation = rest.split("\n            }\n            role-acl none", 1)[0]
        name = art.path.rsplit("/", 1)[-1].removesuffix(".tmpl")
        assert name == template_name(
            t.deployment, str(art.peer), f"{help_text}\n{implementation}\n{presentation}"
        )
        assert f"sys application template /Common/{name} {{" in text


@pytest.mark.parametrize(("case", "version"), all_pairs())
def test_implementation_is_the_pinned_tcl(case: str, version: BigIpVersion) -> None:
    """The .tmpl goldens show a marker line for the static Tcl: every rendered template's
    implementation section is golden/implementation.tcl, byte for byte."""
    pinned = (GOLDEN / IMPLEMENTATION_GOLDEN).read_bytes()
    templates = [a for a in tree(case, version).artifacts if a.kind == ArtifactKind.IAPP_TEMPLATE]
    assert len(templates) == 2
    for art in templates:
        assert implementation_section(art.content) == pinned, f"{art.path}; {REGEN_HINT}"
