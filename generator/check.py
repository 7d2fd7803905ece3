"""`etherip check`: prove a rendered output folder offline, without a BIG-IP.

For every version folder (one with a manifest.json) it checks:
  0. the manifest lists exactly the files there, with their sha256;
  7. every tmsh command of every script is a complete Tcl word list (real Tcl);
  and for each peer's iApp:
  1. the .tmpl's outer structure and brace hygiene (real Tcl `info complete` per section);
  2. the APL lint, and the APL/implementation variable cross-check;
  3. no Tcl 8.5+ construct in the implementation;
  4. the implementation runs, once per stage the iApp flow uses (generator/iapp/flow.py), with
     the answers a GUI sends (hidden optional fields not sent), in a Tcl child interpreter with
     recording tmsh stubs, and refuses to run on the second unit of a pair; deploy.tmsh gives
     the same answers;
  5. the iApp flow of IMPORT.md, the recorded runs interleaved with the second unit's tmsh
     step files and the config-syncs on the cluster model (generator/tmsh/iapp_service.py),
     leaves each device exactly as the tmsh scripts do, and its rollback flow returns each
     device to where it started;
  6. every hostile answer, in every field, stops the implementation with its own error before
     the first tmsh call.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GeneratorError
from generator.iapp import apl as apl_mod
from generator.iapp.bundle import service_name
from generator.iapp.conditions import evaluate
from generator.iapp.flow import STAGE_VARIABLE, apply_flow, rollback_flow, stage_runs
from generator.iapp.harness import Case, run_cases
from generator.iapp.hostile import HOSTILE_ANSWERS
from generator.iapp.tcl84 import scan
from generator.iapp.tmpl import TmplError, brace_policy, brace_problems, parse_template, tcl_words
from generator.load import parse_site
from generator.model import Site
from generator.output import read_tree
from generator.tcl import tcl
from generator.tmsh.iapp_service import FlowRunner, service_key
from generator.tmsh.replay import (
    SERVICE,
    Cluster,
    Device,
    Key,
    Props,
    ReplayError,
    runbook_order,
    starting_cluster,
    tunnel_problems,
)
from generator.tmsh.script import ScriptError, parse_script, split_commands
from generator.validate import validate_source


@dataclass(frozen=True)
class Finding:
    path: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.check}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    recorded: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "<peer>/<host>" -> commands
    cases_run: int = 0

    def add(self, path: str, check: str, message: str) -> None:
        self.findings.append(Finding(path, check, message))


def check_tree(root: Path) -> list[tuple[Path, Report]]:
    folders = sorted(p.parent for p in root.rglob("manifest.json"))
    if not folders:
        raise GeneratorError(f"{root}: no rendered output here (no manifest.json); run etherip render first")
    return [(folder, check_folder(read_tree(folder), str(folder))) for folder in folders]


def check_folder(files: dict[str, bytes], where: str) -> Report:
    report = Report()
    manifest = _check_manifest(files, where, report)
    site = _load_site(files, where, report)
    _check_words(files, where, report)
    if site is None or manifest is None:
        return report
    tmsh_state = _tmsh_final_states(site, files, manifest, where, report)
    for entry in manifest:
        if entry["kind"] == "iapp-template":
            _check_iapp(site, files, str(entry["path"]), str(entry["peer"]), tmsh_state, where, report)
    return report


def _check_manifest(files: dict[str, bytes], where: str, report: Report) -> list[dict[str, object]] | None:
    try:
        entries: list[dict[str, object]] = json.loads(files["manifest.json"])["artifacts"]
    except (KeyError, ValueError, TypeError):
        report.add(f"{where}/manifest.json", "manifest", "missing or not a manifest")
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
    return entries


def _load_site(files: dict[str, bytes], where: str, report: Report) -> Site | None:
    if "site.yaml" not in files:
        report.add(
            f"{where}/site.yaml",
            "site",
            "missing: the check needs the site file the output was rendered from",
        )
        return None
    try:
        return validate_source(parse_site(files["site.yaml"], f"{where}/site.yaml"))
    except GeneratorError as exc:
        for line in exc.lines():
            report.add(f"{where}/site.yaml", "site", line)
        return None


def _check_words(files: dict[str, bytes], where: str, report: Report) -> None:
    """Check 7: each command of each tmsh script is a complete Tcl word list."""
    commands: list[tuple[str, int, str]] = []
    for path, content in sorted(files.items()):
        if path.endswith(".tmsh"):
            try:
                commands += [(path, line, cmd) for line, cmd in split_commands(content.decode())]
            except ScriptError as exc:
                report.add(f"{where}/{path}", "tcl-words", str(exc))
    results = tcl().words([cmd for _, _, cmd in commands])
    for (path, line, cmd), (complete, words) in zip(commands, results, strict=True):
        if not complete or words is None:
            report.add(
                f"{where}/{path}", "tcl-words", f"line {line}: not a complete Tcl word list: {cmd[:60]}"
            )


def _tmsh_final_states(
    site: Site, files: dict[str, bytes], manifest: list[dict[str, object]], where: str, report: Report
) -> dict[str, Device]:
    """Each device as the tmsh apply scripts leave it (replayed in runbook order); then whether
    the tunnel between the two peers' final states would come up."""
    states: dict[str, Device] = {}
    clusters: dict[str, Cluster] = {}
    replayed = True
    for peer in site.peers:
        cluster = clusters[peer] = starting_cluster(site, peer)
        try:
            for art in runbook_order(site, peer, manifest):
                path = str(art["path"])
                cluster.run(str(art["device"]), parse_script(files[path].decode()), f"{where}/{path}")
        except (ReplayError, ScriptError, KeyError) as exc:
            report.add(f"{where}/{peer}", "replay", str(exc))
            replayed = False
        states |= {f"{peer}/{h}": d for h, d in cluster.devices.items()}
    if replayed:
        for problem in tunnel_problems(site, clusters):
            report.add(f"{where}/{problem.split(':', 1)[0]}", "tunnel", problem.split(": ", 1)[1])
    return states


def _check_iapp(
    site: Site,
    files: dict[str, bytes],
    path: str,
    peer: str,
    tmsh_state: dict[str, Device],
    where: str,
    report: Report,
) -> None:
    here = f"{where}/{path}"
    text = files[path].decode()
    try:
        tmpl = parse_template(text)
    except TmplError as exc:
        report.add(here, "structure", str(exc))
        return
    _check_braces(tmpl.sections, text, here, report)
    try:
        presentation = apl_mod.parse_apl(tmpl.sections["presentation"])
    except apl_mod.AplError as exc:
        report.add(here, "apl", str(exc))
        return
    implementation = tmpl.sections["implementation"]
    for problem in apl_mod.lint(presentation) + apl_mod.cross_check(presentation, implementation):
        report.add(here, "apl", problem)
    for problem in scan(implementation):
        report.add(here, "tcl84", problem)
    answers = gui_answers(presentation)
    _check_deploy_answers(files, f"{peer}/iapp/deploy.tmsh", answers, where, report)
    _check_runs(site, peer, files, implementation, answers, tmsh_state, here, report)


def _check_runs(
    site: Site,
    peer: str,
    files: dict[str, bytes],
    implementation: str,
    answers: dict[str, str],
    tmsh_state: dict[str, Device],
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
    tmsh_state: dict[str, Device],
    here: str,
    report: Report,
) -> None:
    """Checks 5: the iApp flow of IMPORT.md (generator/iapp/flow.py), replayed on the cluster
    model with config-sync, leaves every unit as the tmsh scripts do; its rollback flow
    returns every unit to where it started."""
    texts = {p: c.decode() for p, c in files.items() if p.startswith(f"{peer}/") and p.endswith(".tmsh")}
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
    host: str, mine: dict[Key, Props], theirs: dict[Key, Props], label: str, here: str, report: Report
) -> None:
    other = "tmsh scripts" if label == "iApp flow" else "before the change"
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            report.add(
                here,
                "compare",
                f"{host}: {' '.join(key[0])} {key[1]}: {label} {mine.get(key)!r} but {other} {theirs.get(key)!r}",
            )


def _check_braces(sections: dict[str, str], text: str, here: str, report: Report) -> None:
    names = sorted(sections)
    results = tcl().words([text] + [sections[n] for n in names])
    if not results[0][0]:
        report.add(here, "structure", "the file is not brace-complete for Tcl")
    for name, (complete, _) in zip(names, results[1:], strict=True):
        if not complete:
            report.add(here, "braces", f"{name}: Tcl says the section is not complete")
        for problem in brace_problems(name, sections[name]) + brace_policy(name, sections[name]):
            report.add(here, "braces", problem)


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
    except (KeyError, TmplError, IndexError) as exc:
        report.add(f"{where}/{path}", "deploy", f"cannot read the answers: {exc}")
        return
    for var in sorted(set(deployed) | set(answers)):
        if deployed.get(var) != answers.get(var):
            report.add(
                f"{where}/{path}",
                "deploy",
                f"{var}: deploy.tmsh sends {deployed.get(var)!r}, the GUI {answers.get(var)!r}",
            )
