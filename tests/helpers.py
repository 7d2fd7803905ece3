"""Shared test helpers: the golden cases, rendering them once, and a real Tcl interpreter."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from generator.model import Site
from generator.render import VersionTree, render_version
from generator.validate import load_site
from generator.versions import (
    ALL_VERSIONS,
    KNOWN_ISSUES,
    VERSION_NOTES,
    BigIpVersion,
    behaviour,
    pinned_versions,
    row_texts,
)

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"
GOLDEN = ROOT / "golden"
CASES = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
# scripts/test.sh samples the long matrices (kill and failure points, concurrent writers, random
# examples); .ci/run sets ETHERIP_FULL_MATRIX=1 and runs every point (CONTRIBUTING.md, Checks).
FULL_MATRIX = os.environ.get("ETHERIP_FULL_MATRIX") == "1"
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Ran:
    """What a command printed and its exit code, as `subprocess.run` reports them."""

    returncode: int
    stdout: str
    stderr: str


def etherip(*args: str, cwd: Path | None = None) -> Ran:
    """Run `etherip ARGS` in this process, in folder `cwd` (default: where the test runs): the
    console command's application (typer's test runner on `generator.cli.app`) without a new
    interpreter per call. An exception the CLI lets through shows on stderr as the traceback a
    real process would print, with exit 1. It is `app`, not the console command's `main`: no
    signal handlers, stdin is empty, and an OSError that escapes is a traceback here where a
    real process says one line with exit 3. Tests of what only a process shows (signals and
    kills, locks held by another process, a closed or full stdout, a read that could hang on a
    FIFO, the import-time interrupt) keep running `python -m generator` with a timeout."""
    from typer.testing import CliRunner

    from generator.cli import app

    before = Path.cwd()
    os.chdir(cwd or before)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(before)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))  # "Traceback (most recent ..."
    return Ran(returncode=result.exit_code, stdout=result.stdout, stderr=stderr)


def sampled(points: Iterable[T], keep: int) -> list[T]:
    """Every point with ETHERIP_FULL_MATRIX=1; else `keep` of them (at least 3), always the same:
    the first two, the last, and the rest evenly spaced between."""
    items = list(points)
    if FULL_MATRIX or len(items) <= keep:
        return items
    last = len(items) - 1
    picks = [0, 1, *(round(i * last / (keep - 2)) for i in range(1, keep - 2)), last]
    return [items[i] for i in sorted(set(picks))]


def scaled(full: int, quick: int) -> int:
    """A count (random examples, concurrent writers): `full` with ETHERIP_FULL_MATRIX=1, else `quick`."""
    return full if FULL_MATRIX else quick


REGEN_HINT = "regenerate with: make golden   (runs: pytest tests/test_golden.py --regen-all; then read git diff golden/)"


@cache
def site(case: str) -> Site:
    return load_site(CASES_DIR / f"{case}.yaml", f"{case}.yaml")


@cache
def tree(case: str, version: BigIpVersion) -> VersionTree:
    return render_version(site(case), version, (CASES_DIR / f"{case}.yaml").read_bytes())


def all_trees() -> list[tuple[str, BigIpVersion, VersionTree]]:
    return [(case, v, tree(case, v)) for case, v in all_pairs()]


def all_pairs() -> list[tuple[str, BigIpVersion]]:
    """(case, version) of every tree, rendered by nobody: what a test parametrizes over, so
    collection renders nothing and each worker renders only the trees its tests use."""
    return [(case, v) for v in ALL_VERSIONS for case in CASES]


def proof_versions() -> tuple[BigIpVersion, ...]:
    """The versions the per-version proofs (replay, check, rollback, Tcl words) run on: every
    one with ETHERIP_FULL_MATRIX=1 (.ci/run); else one per behaviour, the pinned ones, since
    tests/test_versions.py proves every other version renders its pinned one's files but for
    the texts of its row."""
    return ALL_VERSIONS if FULL_MATRIX else pinned_versions()


def differing_most(version: BigIpVersion, cases: Iterable[str], folder: str = "") -> list[str]:
    """`cases` by how much `version`'s output differs from its neighbour's on the golden chain,
    most first (the size of golden/<version>/<folder><case>.diff; read, never rendered)."""

    def size(case: str) -> int:
        diff = GOLDEN / version.value / folder / f"{case}.diff"
        return diff.stat().st_size if diff.is_file() else 0

    return sorted(cases, key=lambda c: (-size(c), c))


def plan_case_differing_most(cases: list[str]) -> str:
    """The plan case whose output differs most across the pinned versions (its golden diffs)."""
    total = {
        case: sum(
            d.stat().st_size
            for v in pinned_versions()
            if (d := GOLDEN / v.value / "plans" / f"{case}.diff").is_file()
        )
        for case in cases
    }
    return min(cases, key=lambda c: (-total[c], c))


def proof_pairs() -> list[tuple[str, BigIpVersion]]:
    """The (case, version) pairs the per-version proofs run on. With ETHERIP_FULL_MATRIX=1
    (.ci/run) every case on every version. Sampled (scripts/test.sh): every case on the golden
    base, and each other pinned version (one per behaviour) on the case whose output differs
    most there (its golden diff); tests/test_versions.py proves every version renders its pinned
    one's files but for its row's texts, and the goldens pin every case on every pinned version."""
    if FULL_MATRIX:
        return [(case, v) for v in ALL_VERSIONS for case in CASES]
    base = golden_base()
    pairs = [(case, base) for case in CASES]
    for version in pinned_versions():
        if version != base:
            pairs += [(case, version) for case in differing_most(version, CASES)[:1]]
    return pairs


def proof_case_versions() -> list[tuple[str, BigIpVersion]]:
    return sorted(proof_pairs(), key=lambda p: (p[0], p[1].value))


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


REVISION = "REVISION"  # stands for the iApp template's content hash in golden names and texts
_SHA256 = re.compile(rb"\b[0-9a-f]{64}\b")
_WRITER_VERSION = re.compile(rb'(\n  "etherip": \{\n    "version": )"[^"]*"')
# The iApp's static Tcl (templates/common/iapp/implementation.tcl, never rendered) is pinned once,
# as golden/implementation.tcl; each .tmpl golden shows a marker line in its place.
IMPLEMENTATION_GOLDEN = "implementation.tcl"
SCHEMA_GOLDEN = "site.schema.json"  # the JSON Schema, as `etherip init` writes it
_IMPLEMENTATION = re.compile(
    rb"\n            implementation \{\n(.*?)\n            \}\n            presentation \{\n", re.DOTALL
)


# The APL is the same for every peer but for its defaults and the names in two texts: pinned once
# as golden/presentation.apl (defaults as <d>, the names as <deployment>/<peer>); each .tmpl golden
# lists its own defaults, field by field, in its place.
PRESENTATION_GOLDEN = "presentation.apl"
_PRESENTATION = re.compile(
    rb"\n            presentation \{\n(.*?)\n            \}\n            role-acl ", re.DOTALL
)
_FIELD = re.compile(r'^\s*(?:string|choice|password|editchoice|multichoice) (\w+) .*?default "([^"]*)"')
_SECTION = re.compile(r"^(?:section|define) (\w+) \{")
_ROW = re.compile(r"^(\s*)row (\w+) \{")


def presentation_shape(tmpl: bytes, deployment: str, peer: str) -> tuple[bytes, list[str]]:
    """The APL section of a template without what is this peer's: (its shape: every default
    `<d>`, the deployment and peer names in the intro texts placeholders; the defaults as
    `section.field = value` lines, in order)."""
    found = _PRESENTATION.search(tmpl)
    assert found, "an iApp template without a presentation section"
    lines, defaults, section, row = [], [], "", ("", "")
    for line in found.group(1).decode().split("\n"):
        head, opened = _SECTION.match(line), _ROW.match(line)
        section = head.group(1) if head else section
        if opened:
            row = (opened.group(1), f"{opened.group(2)}.")
        elif row[1] and line == f"{row[0]}}}":
            row = ("", "")
        field = _FIELD.match(line)
        if field:
            defaults.append(f"{section}.{row[1]}{field.group(1)} = {field.group(2)}")
            line = line.replace(f'default "{field.group(2)}"', 'default "<d>"', 1)
        line = line.replace(f"pre-filled for peer {peer}.", "pre-filled for peer <peer>.")
        line = line.replace(
            f'"etherip {deployment}: EtherIP for vMotion, peer {peer}"',
            '"etherip <deployment>: EtherIP for vMotion, peer <peer>"',
        )
        lines.append(line)
    return ("\n".join(lines) + "\n").encode(), defaults


def _lean_presentation(tmpl: bytes, deployment: str, peer: str) -> bytes:
    found = _PRESENTATION.search(tmpl)
    assert found
    shape, defaults = presentation_shape(tmpl, deployment, peer)
    digest = hashlib.sha256(shape).hexdigest()
    lines = [f"# golden/{PRESENTATION_GOLDEN}, sha256 {digest} (tests/test_golden.py), with these defaults:"]
    lines += [f"#   {d}" for d in defaults]
    return tmpl[: found.start(1)] + "\n".join(lines).encode() + tmpl[found.end(1) :]


def implementation_section(tmpl: bytes) -> bytes:
    """The implementation section of a rendered iApp template, as a text file (final newline)."""
    found = _IMPLEMENTATION.search(tmpl)
    assert found, "an iApp template without an implementation section"
    return found.group(1) + b"\n"


def _lean_template(tmpl: bytes) -> bytes:
    """The template with its implementation section replaced by one line naming the pinned file."""
    found = _IMPLEMENTATION.search(tmpl)
    assert found
    digest = hashlib.sha256(found.group(1) + b"\n").hexdigest()
    marker = f"# golden/{IMPLEMENTATION_GOLDEN}, sha256 {digest} (tests/test_golden.py)".encode()
    return tmpl[: found.start(1)] + marker + tmpl[found.end(1) :]


def golden_view(t: VersionTree, *, recorded: bool = True) -> dict[str, bytes]:
    """What golden/ pins of a tree: every file but the zips, which are checked by what they hold
    (tests/test_golden.py); the iApp template's content hash, in its names and wherever they are
    quoted, replaced by REVISION (checked against the content by tests/test_golden.py); the
    checksums in CHANGE.md and manifest.json replaced by <sha256> (checked against the files by
    tests/test_change_ticket.py), and so is the template set's hash in manifest.json, with the
    etherip version beside it (both checked by tests/test_provenance.py); the iApp template's
    implementation section replaced by one line naming golden/implementation.tcl (which every
    rendered section must equal, tests/test_golden.py). So one changed template changes only the
    goldens it renders."""
    files = {**t.files(), **(recorded_files(t) if recorded else {})}
    names = [
        a.path.rsplit("/", 1)[-1].removesuffix(".tmpl") for a in t.artifacts if a.kind == "iapp-template"
    ]
    renames = [(n, f"{n.rsplit('_', 1)[0]}_{REVISION}") for n in names]
    out = {}
    for rel, content in files.items():
        if rel.endswith(".zip"):
            continue
        if rel.endswith(".tmpl"):
            peer = rel.split("/", 1)[0]
            content = _lean_presentation(_lean_template(content), t.deployment, peer)
        for old, new in renames:
            rel = rel.replace(old, new)
            if rel != "site.yaml":
                content = content.replace(old.encode(), new.encode())
        if rel in ("CHANGE.md", "manifest.json"):
            content = _SHA256.sub(b"<sha256>", content)
        if rel == "manifest.json":
            content = _manifest_table(_WRITER_VERSION.sub(rb'\1"<etherip version>"', content))
        out[rel] = content
    return out


def _manifest_table(content: bytes) -> bytes:
    """manifest.json as golden/ pins it: its header keys, then one line per artifact (path, kind,
    step, peer, device); the JSON layout itself is pinned by tests/test_golden.py
    (test_manifest_is_the_json_of_its_table)."""
    doc = json.loads(content)
    lines = [
        f"deployment {doc['deployment']}",
        f"version {doc['version']}",
        f"etherip {json.dumps(doc['etherip'])}",
    ]
    lines += [
        f"{a['path']} | {a['kind']} | step {a['step']} | peer {a['peer']} | device {a['device']} | {a['sha256']}"
        for a in doc["artifacts"]
    ]
    return ("\n".join(lines) + "\n").encode()


def golden_base() -> BigIpVersion:
    """The pinned version golden/ holds whole; every other pinned version is its diff to this one:
    the plainest behaviour (fewest known issues and printed version notes), the oldest of those,
    so the diffs show what each known issue or note adds."""
    return min(pinned_versions(), key=lambda v: len(behaviour(v)))


def version_diff(base: dict[str, bytes], other: dict[str, bytes], header: str) -> bytes:
    """`other` as a unified diff (no context lines) against `base`, file by file in path order:
    `patch -p1` in a copy of the base case's folder gives `other` back, byte for byte."""
    out = [header]
    for rel in sorted(base.keys() | other.keys()):
        old, new = base.get(rel), other.get(rel)
        if old == new:
            continue
        out += difflib.unified_diff(
            _diff_lines(old),
            _diff_lines(new),
            fromfile="/dev/null" if old is None else f"a/{rel}",
            tofile="/dev/null" if new is None else f"b/{rel}",
            n=0,
        )
    return "".join(out).encode()


def _diff_lines(content: bytes | None) -> list[str]:
    lines = [] if content is None else content.decode().splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _word(value: str) -> re.Pattern[bytes]:
    """A row text where it stands alone: "13.1" not inside 203.0.113.1 or 13.1.0."""
    return re.compile(rb"(?<![\d.])" + re.escape(value.encode()) + rb"(?!\d|\.\d)")


def read_as(view: dict[str, bytes], version: BigIpVersion, other: BigIpVersion) -> dict[str, bytes]:
    """`version`'s files with its row's texts read as `other`'s (release, #TMSH-VERSION, iApp
    floor, support status, procedure source); site.yaml as given. Known-issue and version-note
    texts stay as they are: they are behaviour, and may name releases."""
    mine, theirs = row_texts(version), row_texts(other)
    kept = [i.advice.encode() for i in KNOWN_ISSUES] + [i.title.encode() for i in KNOWN_ISSUES]
    kept += [n.text.encode() for n in VERSION_NOTES]
    whole = [(mine[f].encode(), theirs[f].encode()) for f in ("procedure", "support") if mine[f] != theirs[f]]
    words = sorted(
        {  # a later row's version is also its branch name: the version's reading wins
            mine[f]: theirs[f]
            for f in ("branch", "tmsh_version", "iapp_min", "version")
            if mine[f] != theirs[f]
        }.items(),
        key=lambda kv: len(kv[0]),
        reverse=True,
    )
    out = {}
    for rel, content in view.items():
        if rel != "site.yaml":
            marks = {f"\0{i}\0".encode(): text for i, text in enumerate(kept + [w[0] for w in whole])}
            for mark, text in marks.items():
                content = content.replace(text, mark)
            for old, new in words:
                content = _word(old).sub(new.encode(), content)
            for i, (mark, text) in enumerate(marks.items()):
                content = content.replace(mark, whole[i - len(kept)][1] if i >= len(kept) else text)
        out[rel] = content
    return out


def diff_chain(base: BigIpVersion) -> list[tuple[BigIpVersion, BigIpVersion]]:
    """(pinned version, the version its diff is against), nearest to the base first: a
    version's output differs least from its neighbour's, so each diff holds only its own change."""
    pinned = list(pinned_versions())
    at = pinned.index(base)
    newer = [(pinned[i], pinned[i - 1]) for i in range(at + 1, len(pinned))]
    older = [(pinned[i], pinned[i + 1]) for i in range(at - 1, -1, -1)]
    return newer + older


def golden_files() -> dict[str, bytes]:
    """Every file golden/ holds, by its path under golden/: the base version's views whole
    (golden/<base>/<case>/...), each other pinned version as one diff per case against the pinned
    version next to it on the way from the base (golden/<version>/<case>.diff: 21.1 against 15.1,
    15.1 against the base), and the iApp's static Tcl and APL once (golden/implementation.tcl,
    golden/presentation.apl)."""
    out = static_golden_files()
    for case in CASES:
        out = out | case_golden_files(case)
    for case in PLAN_CASES:
        out = out | plan_case_golden_files(case)
    return out


def golden_file(rel: str) -> bytes | None:
    """One file of golden_files(), rendering only the case it belongs to (None: no case renders
    it). tests/test_golden.py checks each file this way, so a worker renders only its cases."""
    parts = rel.split("/")
    if len(parts) == 1:
        return static_golden_files().get(rel)
    plans = parts[1] == "plans"
    name = parts[2] if plans else parts[1]
    case = name.removesuffix(".diff")
    if plans and case in PLAN_CASES:
        return plan_case_golden_files(case).get(rel)
    if not plans and case in CASES:
        return case_golden_files(case).get(rel)
    return None


@cache
def static_golden_files() -> dict[str, bytes]:
    """The iApp's static Tcl and its APL, pinned once for every case, and the site file's JSON
    Schema as `etherip init` writes it."""
    base = golden_base()
    first = next(a for a in tree(CASES[0], base).artifacts if a.kind == "iapp-template")
    from generator.schema import schema_text

    return {
        SCHEMA_GOLDEN: schema_text().encode(),
        IMPLEMENTATION_GOLDEN: implementation_section(first.content),
        PRESENTATION_GOLDEN: presentation_shape(
            first.content, tree(CASES[0], base).deployment, str(first.peer)
        )[0],
    }


@cache
def case_golden_files(case: str) -> dict[str, bytes]:
    """tests/cases/<case>.yaml's golden files: whole for the base version, a diff for each other."""
    base = golden_base()
    views = {base: golden_view(tree(case, base))}
    out = {f"{base.value}/{case}/{rel}": content for rel, content in views[base].items()}
    for version, against in diff_chain(base):
        views[version] = golden_view(tree(case, version))
        where = (
            f"golden/{against.value}/{case}/" if against == base else f"golden/{against.value}/{case}.diff"
        )
        header = (
            f"# {version.value} renders tests/cases/{case}.yaml as {where} renders it for {against.value},"
            f" its row's texts read as {against.value}'s (tests/test_versions.py checks where they stand),"
            " with these changes (tests/test_golden.py)\n"
        )
        read = read_as(views[version], version, against)
        out[f"{version.value}/{case}.diff"] = version_diff(views[against], read, header)
    return out


PLANS_DIR = ROOT / "tests" / "plans"
PLAN_CASES = sorted(p.name for p in PLANS_DIR.iterdir() if p.is_dir())


@cache
def plan_tree(case: str, version: BigIpVersion) -> VersionTree:
    """The plan package of tests/plans/<case>/ (old.yaml to new.yaml) for one version."""
    from generator.lifecycle.package import build_plan, render_plan

    old, new = (PLANS_DIR / case / "old.yaml").read_bytes(), (PLANS_DIR / case / "new.yaml").read_bytes()
    plan = build_plan(
        load_site(PLANS_DIR / case / "old.yaml"), load_site(PLANS_DIR / case / "new.yaml"), version
    )
    return render_plan(plan, old, new)


def plan_golden_view(case: str, version: BigIpVersion) -> dict[str, bytes]:
    """golden_view of a plan package; OLD's iApp template names (the rollback's) read
    <name>_OLDREVISION, as NEW's read <name>_REVISION."""
    from generator.lifecycle.iapp import template_names
    from generator.lifecycle.package import build_plan

    t = plan_tree(case, version)
    view = golden_view(t, recorded=False)
    plan = build_plan(
        load_site(PLANS_DIR / case / "old.yaml"), load_site(PLANS_DIR / case / "new.yaml"), version
    )
    olds = [template_names(plan, p.name)[0] for p in plan.peers]
    out = {}
    for rel, content in view.items():
        for name in olds:
            if rel not in ("site.yaml", "old-site.yaml"):
                content = content.replace(name.encode(), f"{name.rsplit('_', 1)[0]}_OLDREVISION".encode())
        out[rel] = content
    return out


@cache
def plan_case_golden_files(case: str) -> dict[str, bytes]:
    """golden/<base>/plans/<case>/… whole, and golden/<version>/plans/<case>.diff for the other
    pinned versions (as the render cases)."""
    base = golden_base()
    view = plan_golden_view(case, base)
    out = {f"{base.value}/plans/{case}/{rel}": content for rel, content in view.items()}
    views = {base: view}
    for version, against in diff_chain(base):
        views[version] = plan_golden_view(case, version)
        where = (
            f"golden/{against.value}/plans/{case}/"
            if against == base
            else f"golden/{against.value}/plans/{case}.diff"
        )
        header = (
            f"# {version.value} plans tests/plans/{case}/ as {where} plans it for {against.value}, its row's"
            f" texts read as {against.value}'s, with these changes (tests/test_golden.py)\n"
        )
        read = read_as(views[version], version, against)
        out[f"{version.value}/plans/{case}.diff"] = version_diff(views[against], read, header)
    return out


def manifest(t: VersionTree) -> dict[str, object]:
    data: dict[str, object] = json.loads(t.files()["manifest.json"])
    return data


from generator.proof.tcl import tcl  # noqa: E402,F401  (re-exported for the tests)
