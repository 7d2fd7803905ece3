"""`etherip check`: prove that a rendered folder is exactly etherip's render of its site.yaml,
and prove that render offline, without a BIG-IP.

It never runs, sources or parses as code anything read from the checked folder: the folder's
site.yaml is validated and rendered again in memory, the folder is compared with that render
byte for byte, and every proof below runs on etherip's own in-memory render.

For every version folder (a folder with a manifest.json; hidden folders, where renders stage
their work, are skipped):
  render: site.yaml validates and names the folder's deployment; the version is the folder's
     name (or the manifest's); every file of the folder, manifest.json included, is exactly
     etherip's render: each missing, changed or extra file is a finding;
  and on etherip's own render of it:
  0. the manifest lists exactly the files there, with their sha256;
  7. every tmsh command of every script is a complete Tcl word list (real Tcl);
  8. every `# Expect:` holds on the modelled unit at the moment its line runs (expect_check.py);
  and for each peer's iApp (`_check_iapp`):
  1. the .tmpl's outer structure and brace hygiene (real Tcl `info complete` per section);
  2. the APL lint, and the APL/implementation variable cross-check;
  3. no Tcl 8.5+ construct in the implementation;
  4. the implementation runs, once per stage the iApp flow uses (generator/iapp/flow.py), with
     the answers a GUI sends (hidden optional fields not sent), in a Tcl child interpreter with
     recording tmsh stubs, and refuses to run on the second unit of a pair; deploy.tmsh gives
     the same answers;
  5. the iApp flow of IMPORT.md, the recorded runs interleaved with the second unit's tmsh
     step files and the config-syncs on the cluster model (generator/proof/tmsh/iapp_service.py),
     leaves each device exactly as the tmsh scripts do, and its rollback flow returns each
     device to where it started;
  6. every hostile answer, in every field, stops the implementation with its own error before
     the first tmsh call.

Proved once per exact input: the version folders of a deployment differ in a few strings (the
version in headers, Expect lines and texts, the iApp template's name and floor), and most proofs
never read those. Each proof is memoised on everything it reads (`_once`): the site, the
manifest's entries, each tmsh script as its commands (comments dropped: the replay, the flows
and the word lists never read a comment), each template section's text, the GUI's answers. A
version folder whose input differs in any of these is proved again, so every proof can still
fail; one whose input is the same gets the same findings, with its own path in them. What reads
the version itself (the manifest, the Expect lines, each template's whole text) runs per folder.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from collections.abc import Callable, Hashable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from generator.bounded import walk
from generator.errors import GeneratorError, printable
from generator.folder import Folder, compare
from generator.iapp.bundle import service_name
from generator.iapp.flow import STAGE_VARIABLE, apply_flow, rollback_flow, stage_runs
from generator.load import MAX_SITE_BYTES, parse_site
from generator.model import Site
from generator.output import MAX_MANIFEST_BYTES, deployment_lock, needs_recovery, recover
from generator.proof.expect_check import check_expects
from generator.proof.iapp import apl as apl_mod
from generator.proof.iapp.conditions import evaluate
from generator.proof.iapp.harness import Case, run_cases
from generator.proof.iapp.hostile import HOSTILE_ANSWERS
from generator.proof.iapp.tcl84 import scan
from generator.proof.iapp.tmpl import TmplError, brace_policy, brace_problems, parse_template, tcl_words
from generator.proof.plan_check import check_plan_folder, is_plan
from generator.proof.provenance import written_by_another
from generator.proof.tcl import tcl
from generator.proof.tmsh.iapp_service import FlowRunner, service_key
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import (
    SERVICE,
    Cluster,
    Key,
    PropMap,
    ReplayedUnit,
    ReplayError,
    runbook_order,
    starting_cluster,
    tunnel_problems,
)
from generator.proof.tmsh.script import ScriptError, parse_script, split_commands
from generator.render import render_version
from generator.templating import compiled_from_source
from generator.validate import validate_source
from generator.versions import BigIpVersion

LOCK_WAIT = 30.0  # seconds a check waits for a render of the same deployment to finish
_KINDS: dict[str, type | tuple[type, ...]] = {
    "path": str,
    "sha256": str,
    "kind": str,
    "peer": (str, type(None)),
    "device": (str, type(None)),
}


@dataclass(frozen=True)
class Finding:
    path: str
    check: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.path}: {self.check}: {self.message}")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    recorded: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "<peer>/<host>" -> commands
    cases_run: int = 0

    def add(self, path: str, check: str, message: str) -> None:
        self.findings.append(Finding(path, check, message))


def check_tree(root: Path) -> list[tuple[Path, Report]]:
    """Check every version folder under `root` (or `root` itself). First, under each
    deployment folder's lock, finish what an interrupted render left there; then read each
    deployment folder under a shared lock, so no render swaps it meanwhile."""
    for folder in {root, root.parent, *_folders(root)}:
        if needs_recovery(folder):
            with deployment_lock(folder, create=False, wait=LOCK_WAIT):
                recover(folder)
    folders = sorted(f for f in _folders(root) if os.path.lexists(f / "manifest.json"))
    if not folders:
        raise GeneratorError(f"{root}: no rendered output here (no manifest.json); run etherip render first")
    with ExitStack() as stack:
        for deployment in sorted({f.parent for f in folders}):
            stack.enter_context(deployment_lock(deployment, create=False, shared=True, wait=LOCK_WAIT))
        return [(f, check_folder(Folder.on_disk(f), str(f), layout=(f.parent.name, f.name))) for f in folders]


def _folders(root: Path) -> Iterator[Path]:
    """`root` and every folder below it, symlinks not followed, hidden folders skipped; no
    recursion, so any depth of nesting is walked."""
    if not root.is_dir():
        return
    yield root
    for entry in walk(root, prune=lambda name: name.startswith(".")):
        if entry.kind == "folder":
            yield root / entry.rel


def check_folder(
    folder: Folder | dict[str, bytes], where: str, layout: tuple[str, str] | None = None
) -> Report:
    """Prove one version folder: it is etherip's render of its site.yaml, and that render
    passes every proof. `layout` is (deployment folder name, version folder name) on disk."""
    if isinstance(folder, dict):
        folder = Folder.of(folder)
    report = Report()
    if is_plan(folder):  # a plan package (etherip plan): generator/proof/plan_check.py
        check_plan_folder(folder, where, layout, report)
        return report
    site_bytes = folder.read("site.yaml", MAX_SITE_BYTES)
    if isinstance(site_bytes, str):
        report.add(
            f"{where}/site.yaml",
            "site",
            f"{site_bytes}: the check needs the site file the output was rendered from",
        )
        return report
    site = _load_site(site_bytes, where, report)
    if site is None:
        return report
    version = _folder_version(site, folder, where, layout, report)
    if version is None:
        return report
    if written_by_another(folder.read("manifest.json", MAX_MANIFEST_BYTES), where, version, report):
        return report
    with compiled_from_source():  # never from the bytecode cache `render` fills (templating.py)
        tree = render_version(site, version, site_bytes)
    mine = tree.files()
    _compare(folder, mine, where, report)
    prove_render(site, mine, where, report)
    return report


def _load_site(data: bytes, where: str, report: Report) -> Site | None:
    if data in _VALID_SITES:  # the same site.yaml in every version folder of a deployment
        return _VALID_SITES[data]
    try:
        site = validate_source(parse_site(data, f"{where}/site.yaml"))
    except GeneratorError as exc:
        for line in exc.lines():
            report.add(f"{where}/site.yaml", "site", line)
        return None
    if len(_VALID_SITES) > 64:
        _VALID_SITES.clear()
    _VALID_SITES[data] = site
    return site


_VALID_SITES: dict[bytes, Site] = {}


def _folder_version(
    site: Site, folder: Folder, where: str, layout: tuple[str, str] | None, report: Report
) -> BigIpVersion | None:
    """The version this folder is a render for: its name, else the one its manifest names.
    Any disagreement with the site file or between the two is a finding."""
    claimed: dict[str, object] = {}
    raw = folder.read("manifest.json", MAX_MANIFEST_BYTES)
    if isinstance(raw, bytes):
        try:
            doc = json.loads(raw)
            claimed = doc if isinstance(doc, dict) else {}
        except ValueError:
            pass
    named = _as_version(layout[1]) if layout else None
    from_manifest = _as_version(claimed.get("version"))
    version = named or from_manifest
    if version is None:
        report.add(
            where,
            "render",
            "cannot tell the version: the folder is not named after one and manifest.json names none",
        )
        return None
    if named and from_manifest and named != from_manifest:
        report.add(
            f"{where}/manifest.json",
            "render",
            f"names version {from_manifest.value}, but the folder is {named.value}",
        )
    deployments = {"manifest.json": claimed.get("deployment")}
    if named and layout:
        deployments["the folder"] = layout[0]
    for source, name in deployments.items():
        if name is not None and name != site.deployment:
            report.add(
                where, "render", f"site.yaml names deployment {site.deployment!r}, but {source} {name!r}"
            )
    return version


def _as_version(value: object) -> BigIpVersion | None:
    try:
        return BigIpVersion(value) if isinstance(value, str) else None
    except ValueError:
        return None


_SAYS = {
    "missing": "missing: etherip renders this file from site.yaml",
    "extra": "extra: not part of etherip's render of site.yaml",
    "changed": "changed: differs from etherip's render of site.yaml (edited after rendering?)",
}


def _compare(folder: Folder, mine: dict[str, bytes], where: str, report: Report) -> None:
    """Every file of the folder is etherip's render of its site.yaml, byte for byte."""
    for diff in compare(folder, mine):
        message = _SAYS[diff.kind]
        if diff.detail:
            message = (
                f"{diff.kind}: {diff.detail}" if diff.kind == "changed" else f"{message} ({diff.detail})"
            )
        report.add(f"{where}/{diff.rel}", "render", message)


def prove_render(site: Site, files: dict[str, bytes], where: str, report: Report) -> None:
    """The offline proofs, on a render held in memory (etherip's own, never the folder's)."""
    manifest = _check_manifest(files, where, report)
    scripts = _scripts(files)
    _check_words(scripts, where, report)
    if manifest is None:
        return
    _check_read_only(files, manifest, where, report)
    replayed = [e for e in manifest if e["kind"] in _REPLAYED_KINDS]
    replay = _Input(
        key=(
            "replay",
            site.model_dump_json(),
            tuple(tuple(str(e.get(k)) for k in ("path", "kind", "peer", "device", "step")) for e in replayed),
            tuple(scripts.get(str(e["path"])) for e in replayed),
            # the IPsec key steps (bash, read by generator/proof/tmsh/keystep.py), whole
            tuple(sorted((p, c) for p, c in files.items() if p.endswith(".sh"))),
        ),
        scripts=scripts,
    )
    tmsh_state = _once(
        replay.key, where, report, lambda r: _tmsh_final_states(site, files, manifest, WHERE, r)
    )
    _check_expects(site, files, manifest, where, report)
    for entry in manifest:
        if entry["kind"] == "iapp-template":
            _check_iapp(
                site, files, str(entry["path"]), str(entry["peer"]), tmsh_state, where, report, replay
            )


_REPLAYED_KINDS = ("tmsh-apply", "shell-apply", "tmsh-rollback")  # what the replay reads (runbook_order)


@dataclass(frozen=True)
class _Input:
    """The tmsh replay's input, as a memo key (`key`: the site model with every field, the
    manifest entries of the apply and rollback scripts, and those scripts as their commands),
    and every script as its commands (`_scripts`), for the keys of the proofs built on it."""

    key: Hashable
    scripts: dict[str, tuple[tuple[int, str], ...] | _Unreadable]


WHERE = "\x00where\x00"  # a memoised proof's findings name this instead of the folder
T = TypeVar("T")
_PROVED: dict[Hashable, tuple[Report, object]] = {}
_PROVED_LIMIT = 512


def _once(key: Hashable, where: str, report: Report, prove: Callable[[Report], T]) -> T:
    """`prove`'s result for the exact input `key` names (all that `prove` reads), made once per
    process: run with WHERE for the folder's path, its findings, iApp runs and recorded stages
    are added to `report` with `where` in place of WHERE."""
    made = _PROVED.get(key)
    if made is None:
        scratch = Report()
        value: object = prove(scratch)
        if len(_PROVED) >= _PROVED_LIMIT:
            _PROVED.clear()
        made = _PROVED[key] = (scratch, value)
    scratch, value = made
    for f in scratch.findings:
        report.add(f.path.replace(WHERE, where), f.check, f.message.replace(WHERE, where))
    report.cases_run += scratch.cases_run
    report.recorded.update(scratch.recorded)
    return cast(T, value)


def _known(key: Hashable, compute: Callable[[], T]) -> T:
    """A pure function's value for the exact input `key` names, computed once per process."""
    made = _PROVED.get(key)
    if made is None:
        if len(_PROVED) >= _PROVED_LIMIT:
            _PROVED.clear()
        made = _PROVED[key] = (Report(), compute())
    return cast(T, made[1])


@dataclass(frozen=True)
class _Unreadable:
    """A tmsh script no reader gets past: why (the same message every reader reports)."""

    message: str


def _scripts(files: dict[str, bytes]) -> dict[str, tuple[tuple[int, str], ...] | _Unreadable]:
    """Each tmsh script as what the replay, the flows and the word-list check read of it: its
    commands with their first lines (`split_commands`: comments and blank lines dropped), or
    why it cannot be read (not UTF-8, a command left open)."""
    out: dict[str, tuple[tuple[int, str], ...] | _Unreadable] = {}
    for path, content in files.items():
        if path.endswith(".tmsh"):
            try:
                out[path] = tuple(split_commands(content.decode()))
            except (ScriptError, UnicodeDecodeError) as exc:
                out[path] = _Unreadable(str(exc))
    return out


def _check_manifest(files: dict[str, bytes], where: str, report: Report) -> list[dict[str, object]] | None:
    here = f"{where}/manifest.json"
    try:
        entries = json.loads(files["manifest.json"])["artifacts"]
    except (KeyError, ValueError, TypeError):
        report.add(here, "manifest", "missing or not a manifest")
        return None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        report.add(here, "manifest", "artifacts is not a list of entries")
        return None
    for number, e in enumerate(entries, start=1):
        bad = [k for k, kind in _KINDS.items() if not isinstance(e.get(k), kind)]
        if not (
            e.get("step") is None or (isinstance(e.get("step"), int) and not isinstance(e.get("step"), bool))
        ):
            bad.append("step")
        if bad:
            report.add(here, "manifest", f"entry {number}: missing or malformed {', '.join(bad)}")
            return None
    listed = {str(e["path"]) for e in entries}
    for path in sorted(set(files) - listed - {"manifest.json"}):
        report.add(f"{where}/{path}", "manifest", "file not listed in manifest.json")
    for e in entries:
        path = str(e["path"])
        if path not in files:
            report.add(f"{where}/{path}", "manifest", "listed in manifest.json but missing")
        elif hashlib.sha256(files[path]).hexdigest() != e["sha256"]:
            report.add(
                f"{where}/{path}", "manifest", "sha256 differs from manifest.json (edited after rendering?)"
            )
    return list(entries)


def _check_words(
    scripts: dict[str, tuple[tuple[int, str], ...] | _Unreadable], where: str, report: Report
) -> None:
    """Check 7: each command of each tmsh script is a complete Tcl word list (real Tcl)."""
    commands: list[tuple[str, int, str]] = []
    for path, parsed in sorted(scripts.items()):
        if isinstance(parsed, _Unreadable):
            report.add(f"{where}/{path}", "tcl-words", parsed.message)
        else:
            commands += [(path, line, cmd) for line, cmd in parsed]
    verdicts = _tcl_reads([cmd for _, _, cmd in commands])
    for (path, line, cmd), (complete, is_list) in zip(commands, verdicts, strict=True):
        if not complete or not is_list:
            report.add(
                f"{where}/{path}", "tcl-words", f"line {line}: not a complete Tcl word list: {cmd[:60]}"
            )


def _tcl_reads(texts: list[str]) -> list[tuple[bool, bool]]:
    """For each text, what real Tcl says: (`info complete`, a valid list). One Tcl run for the
    texts not read before in this process; the same text always gets the same answer."""
    if len(_TCL_READS) > _TCL_READS_LIMIT:
        _TCL_READS.clear()
    unknown = sorted({t for t in texts if t not in _TCL_READS})
    if unknown:
        for text, (complete, words) in zip(unknown, tcl().words(unknown), strict=True):
            _TCL_READS[text] = (complete, words is not None)
    return [_TCL_READS[t] for t in texts]


_TCL_READS: dict[str, tuple[bool, bool]] = {}
_TCL_READS_LIMIT = 100_000


_READ_ONLY_KINDS = ("tmsh-precheck", "tmsh-verify")
_READ_ONLY_VERBS = frozenset({"read", "backup", "preference"})


def _check_read_only(
    files: dict[str, bytes], manifest: list[dict[str, object]], where: str, report: Report
) -> None:
    """The pre-check and verify files hold only commands known to change nothing (show,
    list, run util ping), the pre-change backup and the pager setting; anything else there,
    `run util bash` included, is a finding."""
    for entry in manifest:
        path = str(entry["path"])
        if entry["kind"] not in _READ_ONLY_KINDS or path not in files:
            continue
        try:
            commands = parse_script(files[path].decode())
        except (ScriptError, UnicodeDecodeError) as exc:
            report.add(f"{where}/{path}", "read-only", str(exc))
            continue
        for command in commands:
            if command.verb not in _READ_ONLY_VERBS:
                report.add(
                    f"{where}/{path}",
                    "read-only",
                    f"line {command.line}: changes the configuration: {command.text.strip()[:60]!r}",
                )


def _tmsh_final_states(
    site: Site, files: dict[str, bytes], manifest: list[dict[str, object]], where: str, report: Report
) -> dict[str, ReplayedUnit]:
    """Each device as the tmsh apply scripts leave it (replayed in runbook order); then whether
    the tunnel between the two peers' final states would come up."""
    states: dict[str, ReplayedUnit] = {}
    clusters: dict[str, Cluster] = {}
    replayed = True
    for peer in site.peers:
        cluster = clusters[peer] = starting_cluster(site, peer)
        try:
            for art in runbook_order(site, peer, manifest):
                path = str(art["path"])
                cluster.run(str(art["device"]), parse_step(path, files[path].decode()), f"{where}/{path}")
        except (ReplayError, ScriptError, KeyError, ValueError) as exc:
            report.add(f"{where}/{peer}", "replay", str(exc))
            replayed = False
        states |= {f"{peer}/{h}": d for h, d in cluster.devices.items()}
    if replayed:
        for problem in tunnel_problems(site, clusters):
            report.add(f"{where}/{problem.split(':', 1)[0]}", "tunnel", problem.split(": ", 1)[1])
        for peer, cluster in clusters.items():
            _check_tmsh_rollback(site, peer, copy.deepcopy(cluster), files, manifest, where, report)
    return states


def _check_expects(
    site: Site, files: dict[str, bytes], manifest: list[dict[str, object]], where: str, report: Report
) -> None:
    """Check 8: every Expect holds on the modelled unit where its line runs (expect_check.py)."""
    try:
        version = BigIpVersion(json.loads(files["manifest.json"])["version"])
    except (KeyError, ValueError, TypeError):
        return  # the manifest check reports it
    for found in check_expects(site, version, files, manifest):
        report.add(f"{where}/{found.path}", "expect", f"line {found.line}: {found.message}")


def _check_tmsh_rollback(
    site: Site,
    peer: str,
    cluster: Cluster,
    files: dict[str, bytes],
    manifest: list[dict[str, object]],
    where: str,
    report: Report,
) -> None:
    """The rollback scripts, replayed on the applied devices in runbook order, must bring every
    device back to exactly its starting objects, saved."""
    try:
        for art in runbook_order(site, peer, manifest, kind="tmsh-rollback"):
            path = str(art["path"])
            cluster.run(str(art["device"]), parse_step(path, files[path].decode()), f"{where}/{path}")
    except (ReplayError, ScriptError, KeyError) as exc:
        report.add(f"{where}/{peer}", "rollback", str(exc))
        return
    start = starting_cluster(site, peer)
    for host, device in cluster.devices.items():
        if device.objects != start.devices[host].objects:
            changed = sorted(k[1] for k in set(device.objects) ^ set(start.devices[host].objects)) or sorted(
                k[1] for k in device.objects if device.objects[k] != start.devices[host].objects.get(k)
            )
            report.add(
                f"{where}/{peer}/{host}", "rollback", f"not back at its starting state: {', '.join(changed)}"
            )
        if device.unsaved:
            report.add(f"{where}/{peer}/{host}", "rollback", "rollback ends without save sys config")


def _check_iapp(
    site: Site,
    files: dict[str, bytes],
    path: str,
    peer: str,
    tmsh_state: dict[str, ReplayedUnit],
    where: str,
    report: Report,
    replay: _Input,
) -> None:
    """Checks 1-6 of one peer's iApp. The runs and flows (`_check_runs`) read the site, the
    implementation, the answers, `tmsh_state` (the replay's result) and the step files of the
    peer's iApp flows: proved once per distinct input of these."""
    here = f"{where}/{path}"
    if peer not in site.peers:
        report.add(here, "structure", f"the manifest names peer {peer!r}, which site.yaml does not have")
        return
    try:
        text = files[path].decode()
    except (KeyError, UnicodeDecodeError):
        report.add(here, "structure", "missing, or not UTF-8 text")
        return
    problems, presentation, implementation = _template_proofs(text)
    for check, message in problems:
        report.add(here, check, message)
    if presentation is None or implementation is None:
        return
    answers = gui_answers(presentation)
    _check_deploy_answers(files, f"{peer}/iapp/deploy.tmsh", answers, where, report)
    flows = apply_flow(site, peer) + rollback_flow(site, peer)
    pasted = sorted({op.file for op in flows if op.action == "tmsh"})
    runs = (
        "iapp-runs",
        replay.key,
        peer,
        implementation,
        tuple(answers.items()),
        tuple((f, replay.scripts.get(f)) for f in pasted),
    )
    _once(
        runs,
        here,
        report,
        lambda r: _check_runs(site, peer, files, implementation, answers, tmsh_state, WHERE, r),
    )


def _check_runs(
    site: Site,
    peer: str,
    files: dict[str, bytes],
    implementation: str,
    answers: dict[str, str],
    tmsh_state: dict[str, ReplayedUnit],
    here: str,
    report: Report,
) -> None:
    """Checks 4-6: the runs of the flow, the refusal on a second unit, the hostile answers."""
    hosts = list(site.peers[peer].devices)
    runs = stage_runs(site, peer)
    run_answers = {run: {**answers, STAGE_VARIABLE: run[1]} for run in runs}
    stage_cases = [Case(f"{h} stage {st}", h, run_answers[(h, st)]) for h, st in runs]
    second_cases = [Case(f"run on {h}", h, answers) for h in hosts[1:]]
    outcomes = run_cases(implementation, stage_cases + second_cases + hostile_cases(answers, hosts[0]))
    report.cases_run += len(outcomes)
    recorded: dict[tuple[str, str], tuple[str, ...]] = {}
    for run, outcome in zip(runs, outcomes, strict=False):
        report.recorded[f"{peer}/{run[0]}/{run[1]}"] = outcome.recorded
        if outcome.ok:
            recorded[run] = outcome.recorded
        else:
            report.add(
                here, "run", f"{run[0]} stage {run[1]}: the implementation failed: {outcome.message[:200]}"
            )
    if len(recorded) == len(runs):
        _check_flows(site, peer, files, recorded, run_answers, tmsh_state, here, report)
    rest = outcomes[len(runs) :]
    for outcome in rest[: len(second_cases)]:
        if outcome.ok or not outcome.message.startswith("etherip: ") or outcome.recorded:
            report.add(
                here,
                "second-unit",
                f"{outcome.case.hostname}: the implementation ran on the second unit ({outcome.message[:80]!r}, {len(outcome.recorded)} commands recorded)",
            )
    for outcome in rest[len(second_cases) :]:
        if outcome.ok or not outcome.message.startswith("etherip: ") or outcome.recorded:
            report.add(
                here,
                "hostile",
                f"{outcome.case.name}: not refused before the first tmsh call ({outcome.message[:80]!r}, {len(outcome.recorded)} commands recorded)",
            )


def _check_flows(
    site: Site,
    peer: str,
    files: dict[str, bytes],
    recorded: dict[tuple[str, str], tuple[str, ...]],
    answers: dict[tuple[str, str], dict[str, str]],
    tmsh_state: dict[str, ReplayedUnit],
    here: str,
    report: Report,
) -> None:
    """Checks 5: the iApp flow of IMPORT.md (generator/iapp/flow.py), replayed on the cluster
    model with config-sync, leaves every unit as the tmsh scripts do; its rollback flow
    returns every unit to where it started."""
    texts = {
        p: c.decode() for p, c in files.items() if p.startswith(f"{peer}/") and p.endswith((".tmsh", ".sh"))
    }
    cluster = starting_cluster(site, peer)
    start = {h: copy.deepcopy(d.objects) for h, d in cluster.devices.items()}
    group = site.peers[peer].device_group
    runner = FlowRunner(cluster, service_name(site), group, texts, recorded, answers)
    for phase, ops in (("apply", apply_flow(site, peer)), ("rollback", rollback_flow(site, peer))):
        try:
            runner.run(ops)
        except ReplayError as exc:
            report.add(here, "flow", f"{phase}: {exc}")
            return
        for host in cluster.unsaved():
            report.add(here, "flow", f"{phase}: {host} ends unsaved")
        if phase == "apply":
            for host, device in cluster.devices.items():
                if service_key(service_name(site)) not in device.objects:
                    report.add(here, "flow", f"{host}: no application service after the apply flow")
                expected = tmsh_state[f"{peer}/{host}"].objects
                mine = {k: v for k, v in device.objects.items() if k[0] != SERVICE}
                _compare_objects(host, mine, expected, "iApp flow", here, report)
        else:
            for host, device in cluster.devices.items():
                _compare_objects(host, device.objects, start[host], "after rollback", here, report)


def _compare_objects(
    host: str, mine: dict[Key, PropMap], theirs: dict[Key, PropMap], label: str, here: str, report: Report
) -> None:
    other = "tmsh scripts" if label == "iApp flow" else "before the change"
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            report.add(
                here,
                "compare",
                f"{host}: {' '.join(key[0])} {key[1]}: {label} {mine.get(key)!r} but {other} {theirs.get(key)!r}",
            )


def _template_proofs(text: str) -> tuple[list[tuple[str, str]], apl_mod.Presentation | None, str | None]:
    """Checks 1-3 of one .tmpl text: (check, problem) pairs, and its presentation and
    implementation when they can be read."""
    try:
        tmpl = parse_template(text)
    except TmplError as exc:
        return [("structure", str(exc))], None, None
    sections = tuple(sorted(tmpl.sections.items()))
    whole, *_ = _tcl_reads([text, *(body for _, body in sections)])
    problems = [] if whole[0] else [("structure", "the file is not brace-complete for Tcl")]
    found, presentation = _section_proofs(sections)
    return problems + found, presentation, tmpl.sections["implementation"] if presentation else None


def _section_proofs(
    sections: tuple[tuple[str, str], ...],
) -> tuple[list[tuple[str, str]], apl_mod.Presentation | None]:
    """Checks 1-3 on a template's sections, each proof once per distinct section text: the
    templates of a deployment's version folders differ in a few lines of their presentation
    and help, never in the implementation."""
    named = dict(sections)
    problems: list[tuple[str, str]] = []
    for name, body in sections:
        problems += _known(("braces", name, body), functools.partial(_brace_proofs, name, body))
    text = named["presentation"]
    presentation, apl_problems = _known(("apl", text), lambda: _apl_proofs(text))
    problems += apl_problems
    if presentation is None:
        return problems, None
    impl = named["implementation"]
    problems += _known(
        ("cross-check", text, impl), lambda: [("apl", p) for p in apl_mod.cross_check(presentation, impl)]
    )
    problems += _known(("tcl84", impl), lambda: [("tcl84", p) for p in scan(impl)])
    return problems, presentation


def _brace_proofs(name: str, body: str) -> list[tuple[str, str]]:
    ((complete, _),) = _tcl_reads([body])
    problems = [] if complete else [("braces", f"{name}: Tcl says the section is not complete")]
    return problems + [("braces", p) for p in brace_problems(name, body) + brace_policy(name, body)]


def _apl_proofs(text: str) -> tuple[apl_mod.Presentation | None, list[tuple[str, str]]]:
    try:
        presentation = apl_mod.parse_apl(text)
    except apl_mod.AplError as exc:
        return None, [("apl", str(exc))]
    return presentation, [("apl", p) for p in apl_mod.lint(presentation)]


def gui_answers(presentation: apl_mod.Presentation) -> dict[str, str]:
    """What the GUI sends when the engineer accepts every default: fields inside a false
    optional block are not sent at all."""
    values = {".".join(f.path): f.default or "" for f in presentation.fields}
    sent = {}
    for f in presentation.fields:
        if all(evaluate(c, values) for c in f.conditions):
            sent[f.variable] = f.default or ""
    return sent


def hostile_cases(answers: dict[str, str], hostname: str) -> list[Case]:
    return [
        Case(f"{var} = {label}", hostname, {**answers, var: value})
        for var in answers
        for label, value in HOSTILE_ANSWERS
    ]


def deploy_answers(text: str) -> dict[str, str]:
    for _, command in split_commands(text):
        words = tcl_words(command)
        if words[:4] == ["create", "sys", "application", "service"] and "variables" in words:
            body = words[words.index("variables") + 2]
            pairs = tcl_words(body)
            return {var: tcl_words(block)[1] for var, block in zip(pairs[::2], pairs[1::2], strict=True)}
    raise TmplError("no 'create sys application service ... variables' command")


def _check_deploy_answers(
    files: dict[str, bytes], path: str, answers: dict[str, str], where: str, report: Report
) -> None:
    try:
        deployed = deploy_answers(files[path].decode())
    except (KeyError, TmplError, IndexError, ValueError) as exc:
        report.add(f"{where}/{path}", "deploy", f"cannot read the answers: {exc}")
        return
    for var in sorted(set(deployed) | set(answers)):
        if deployed.get(var) != answers.get(var):
            report.add(
                f"{where}/{path}",
                "deploy",
                f"{var}: deploy.tmsh sends {deployed.get(var)!r}, the GUI {answers.get(var)!r}",
            )
