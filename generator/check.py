"""`etherip check`: prove a rendered output folder offline, without a BIG-IP.

For every version folder (one with a manifest.json) it checks:
  0. the manifest lists exactly the files there, with their sha256;
  7. every tmsh command of every script is a complete Tcl word list (real Tcl);
  and for each peer's iApp:
  1. the .tmpl's outer structure and brace hygiene (real Tcl `info complete` per section);
  2. the APL lint, and the APL/implementation variable cross-check;
  3. no Tcl 8.5+ construct in the implementation;
  4. the implementation runs, once per device, with the answers a GUI sends (hidden optional
     fields not sent), in a Tcl child interpreter with recording tmsh stubs; deploy.tmsh gives
     the same answers;
  5. the recorded commands, replayed on the device model, leave each device exactly as the
     tmsh scripts do;
  6. every hostile answer, in every field, stops the implementation with its own error before
     the first tmsh call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GeneratorError
from generator.iapp import apl as apl_mod
from generator.iapp.conditions import evaluate
from generator.iapp.harness import Case, Outcome, run_cases
from generator.iapp.hostile import HOSTILE_ANSWERS
from generator.iapp.tcl84 import scan
from generator.iapp.tmpl import TmplError, brace_policy, brace_problems, parse_template, tcl_words
from generator.load import parse_site
from generator.model import Site
from generator.output import read_tree
from generator.tcl import tcl
from generator.tmsh.replay import Device, ReplayError, apply_config, runbook_order, starting_cluster
from generator.tmsh.script import Command, ScriptError, parse_command, parse_script, split_commands
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
    """Each device as the tmsh apply scripts leave it (replayed in runbook order)."""
    states: dict[str, Device] = {}
    for peer in site.peers:
        cluster = starting_cluster(site, peer)
        try:
            for art in runbook_order(site, peer, manifest):
                path = str(art["path"])
                cluster.run(str(art["device"]), parse_script(files[path].decode()), f"{where}/{path}")
        except (ReplayError, ScriptError, KeyError) as exc:
            report.add(f"{where}/{peer}", "replay", str(exc))
        states |= {f"{peer}/{h}": d for h, d in cluster.devices.items()}
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
    hosts = list(site.peers[peer].devices)
    outcomes = run_cases(
        implementation, [Case(f"deploy {h}", h, answers) for h in hosts] + hostile_cases(answers, hosts[0])
    )
    report.cases_run += len(outcomes)
    for outcome in outcomes[: len(hosts)]:
        _check_deployment(site, peer, outcome, tmsh_state, here, report)
    for outcome in outcomes[len(hosts) :]:
        if outcome.ok or not outcome.message.startswith("etherip: ") or outcome.recorded:
            report.add(
                here,
                "hostile",
                f"{outcome.case.name}: not refused before the first tmsh call ({outcome.message[:80]!r}, {len(outcome.recorded)} commands recorded)",
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


def _check_deployment(
    site: Site, peer: str, outcome: Outcome, tmsh_state: dict[str, Device], here: str, report: Report
) -> None:
    host = outcome.case.hostname
    report.recorded[f"{peer}/{host}"] = outcome.recorded
    if not outcome.ok:
        report.add(here, "run", f"{host}: the implementation failed: {outcome.message[:200]}")
        return
    device = starting_cluster(site, peer).devices[host]
    try:
        for number, line in enumerate(outcome.recorded, start=1):
            apply_config(device, _config_command(number, line))
    except (ReplayError, ScriptError) as exc:
        report.add(here, "compare", f"{host}: recorded command {number} cannot apply: {exc}")
        return
    expected = tmsh_state[f"{peer}/{host}"].objects
    for key in sorted(set(expected) | set(device.objects)):
        mine, theirs = device.objects.get(key), expected.get(key)
        if mine != theirs:
            report.add(
                here,
                "compare",
                f"{host}: {' '.join(key[0])} {key[1]}: iApp {mine!r} but tmsh scripts {theirs!r}",
            )


def _config_command(number: int, line: str) -> Command:
    command = parse_command(number, line)
    if command.verb not in ("create", "modify", "delete"):
        raise ScriptError(number, f"the implementation ran a non-configuration command: {line[:60]}")
    return command
