"""Shared test helpers: the golden cases, rendering them once, and a real Tcl interpreter."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from generator.model import Site
from generator.render import VersionTree, render_version
from generator.validate import load_site
from generator.versions import ALL_VERSIONS, BigIpVersion, pinned_versions

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"
GOLDEN = ROOT / "golden"
CASES = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
REGEN_HINT = "regenerate with: make golden   (runs: pytest tests/test_golden.py --regen-all; then read git diff golden/)"


@cache
def site(case: str) -> Site:
    return load_site(CASES_DIR / f"{case}.yaml", f"{case}.yaml")


@cache
def tree(case: str, version: BigIpVersion) -> VersionTree:
    return render_version(site(case), version, (CASES_DIR / f"{case}.yaml").read_bytes())


def all_trees() -> list[tuple[str, BigIpVersion, VersionTree]]:
    return [(case, v, tree(case, v)) for v in ALL_VERSIONS for case in CASES]


def _file_stem(hostname: str) -> str:
    """A hostname as a golden file name: file systems allow 255 bytes, hostnames 253 characters
    (and pytest-regressions adds ".obtained"); long ones keep 200 characters and a digest."""
    if len(hostname) <= 200:
        return hostname
    return f"{hostname[:200]}-{hashlib.sha256(hostname.encode()).hexdigest()[:12]}"


def recorded_files(t: VersionTree) -> dict[str, bytes]:
    """The tmsh lines each peer's iApp records per run of its flow (device and stage), as
    golden text files <peer>/iapp-recorded/<device>.<stage>.tmsh."""
    from generator.iapp.flow import STAGE_VARIABLE, stage_runs
    from generator.load import parse_site
    from generator.proof.check import gui_answers
    from generator.proof.iapp.apl import parse_apl
    from generator.proof.iapp.harness import Case, run_cases
    from generator.proof.iapp.tmpl import parse_template
    from generator.validate import validate_source

    the_site = validate_source(parse_site(t.files()["site.yaml"], "site.yaml"))
    out = {}
    for art in t.artifacts:
        if art.kind != "iapp-template":
            continue
        tmpl = parse_template(art.content.decode())
        answers = gui_answers(parse_apl(tmpl.sections["presentation"]))
        cases = [
            Case(f"{h}.{stage}", h, {**answers, STAGE_VARIABLE: stage})
            for h, stage in stage_runs(the_site, str(art.peer))
        ]
        for outcome in run_cases(tmpl.sections["implementation"], cases):
            assert outcome.ok, outcome.message
            host = outcome.case.hostname
            stem = _file_stem(host) + outcome.case.name[len(host) :]  # <device>.<stage>
            out[f"{art.peer}/iapp-recorded/{stem}.tmsh"] = "".join(
                f"{line}\n" for line in outcome.recorded
            ).encode()
    return out


def pinned_trees() -> list[tuple[str, BigIpVersion, VersionTree]]:
    """The trees golden/ pins: one version per distinct behaviour (generator.versions)."""
    return [(case, v, tree(case, v)) for v in pinned_versions() for case in CASES]


REVISION = "REVISION"  # stands for the iApp template's content hash in golden names and texts
_SHA256 = re.compile(rb"\b[0-9a-f]{64}\b")


def golden_view(t: VersionTree, *, recorded: bool = True) -> dict[str, bytes]:
    """What golden/ pins of a tree: every file but the zips, which are checked by what they hold
    (tests/test_golden.py); the iApp template's content hash, in its names and wherever they are
    quoted, replaced by REVISION (checked against the content by tests/test_golden.py); the
    checksums in CHANGE.md and manifest.json replaced by <sha256> (checked against the files by
    tests/test_change_ticket.py). So one changed template changes only the goldens it renders."""
    files = {**t.files(), **(recorded_files(t) if recorded else {})}
    names = [
        a.path.rsplit("/", 1)[-1].removesuffix(".tmpl") for a in t.artifacts if a.kind == "iapp-template"
    ]
    renames = [(n, f"{n.rsplit('_', 1)[0]}_{REVISION}") for n in names]
    out = {}
    for rel, content in files.items():
        if rel.endswith(".zip"):
            continue
        for old, new in renames:
            rel = rel.replace(old, new)
            if rel != "site.yaml":
                content = content.replace(old.encode(), new.encode())
        if rel in ("CHANGE.md", "manifest.json"):
            content = _SHA256.sub(b"<sha256>", content)
        out[rel] = content
    return out


def manifest(t: VersionTree) -> dict[str, object]:
    data: dict[str, object] = json.loads(t.files()["manifest.json"])
    return data


from generator.proof.tcl import tcl  # noqa: E402,F401  (re-exported for the tests)
