"""The iApp path of a plan package, replayed offline (a proof of `etherip check`).

Per peer that changes: OLD's iApp deployment is made as OLD's own render says (its IMPORT.md
flow, generator/iapp/flow.py, with the implementation of OLD's template run offline at each
stage, generator/proof/iapp/harness.py); then the plan's iApp flow (generator/lifecycle/iapp.py):
the second unit's files, the reconfigure with NEW's template and answers, config-sync, saves,
must leave every unit exactly as the plan's tmsh path does (NEW's render applied), the service
aside; and its rollback flow, with OLD's template and answers, exactly as OLD's iApp deployment
left it, the service's answers included. reconfigure.tmsh, reconfigure-rollback.tmsh and
deploy.tmsh must send the answers the runs were made with, and name the right templates.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from generator.iapp.bundle import service_name
from generator.iapp.flow import STAGE_VARIABLE, Op, apply_flow, stage_runs
from generator.lifecycle.iapp import DEPLOY, RECONFIGURE, RECONFIGURE_BACK, FlowOp, flow
from generator.lifecycle.plan import PeerPlan
from generator.model import Site
from generator.proof.iapp import apl as apl_mod
from generator.proof.iapp.conditions import evaluate
from generator.proof.iapp.harness import Case, run_cases
from generator.proof.iapp.tmpl import TmplError, parse_template, tcl_words
from generator.proof.tmsh.iapp_service import FlowRunner, service_key
from generator.proof.tmsh.replay import SERVICE, Cluster, Key, PropMap, ReplayedUnit, ReplayError
from generator.proof.tmsh.script import ScriptError, split_commands
from generator.render import render_version
from generator.templating import compiled_from_source
from generator.versions import BigIpVersion


class Reporter(Protocol):
    """What a proof reports to: etherip check's findings (generator/proof/check.py Report)."""

    cases_run: int

    def add(self, path: str, check: str, message: str) -> None: ...


# What a unit lists when a property is at its default (generator/lifecycle/forms.py UNSET): the
# plan writes those values to take a property back to unset; tmsh lists both alike [I].
_DEFAULTS: dict[tuple[str, ...], dict[str, object]] = {("net", "vlan"): {"mtu": "1500"}}
_EMPTY: tuple[object, ...] = ("none", (), {})


def listed(key: Key, props: PropMap | None) -> PropMap | None:
    """An object's properties as `tmsh list` shows them (defaults and empty lists alike)."""
    if props is None:
        return None
    merged = {**_DEFAULTS.get(key[0], {}), **props}
    return {k: v for k, v in merged.items() if not (k in ("proxy-excludes", "monitor") and v in _EMPTY)}


@dataclass(frozen=True)
class ImportedTemplate:
    name: str
    implementation: str
    answers: dict[str, str]  # what the GUI sends, every default accepted


def template_of(files: Mapping[str, bytes], peer: str) -> ImportedTemplate | None:
    """The iApp template a render or plan package holds for `peer`."""
    found = [p for p in files if p.startswith(f"{peer}/iapp/") and p.endswith(".tmpl")]
    if len(found) != 1:
        return None
    try:
        tmpl = parse_template(files[found[0]].decode())
        presentation = apl_mod.parse_apl(tmpl.sections["presentation"])
    except (TmplError, apl_mod.AplError, UnicodeDecodeError, KeyError):
        return None
    name = found[0].rsplit("/", 1)[-1].removesuffix(".tmpl")
    return ImportedTemplate(name, tmpl.sections["implementation"], gui_answers(presentation))


def gui_answers(presentation: apl_mod.Presentation) -> dict[str, str]:
    """What the GUI sends: fields inside a false optional block are not sent (as check.py)."""
    values = {".".join(f.path): f.default or "" for f in presentation.fields}
    return {
        f.variable: f.default or ""
        for f in presentation.fields
        if all(evaluate(c, values) for c in f.conditions)
    }


def recorded_runs(
    template: ImportedTemplate, runs: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, ...]] | str:
    """The commands each (host, stage) run records, or why one failed."""
    cases = [Case(f"{h} {s}", h, {**template.answers, STAGE_VARIABLE: s}) for h, s in runs]
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for run, outcome in zip(runs, run_cases(template.implementation, cases), strict=True):
        if not outcome.ok:
            return f"{run[0]} stage {run[1]} of {template.name}: {outcome.message[:160]}"
        out[run] = outcome.recorded
    return out


def sent_answers(text: str) -> tuple[str, dict[str, str]]:
    """(template, answers) of the `… application service … template T variables …` line."""
    for _, command in split_commands(text):
        words = tcl_words(command)
        if words[2:4] == ["application", "service"] and "variables" in words:
            template = words[words.index("template") + 1] if "template" in words else ""
            body = words[words.index("variables") + 2]
            pairs = tcl_words(body)
            return template, {v: tcl_words(b)[1] for v, b in zip(pairs[::2], pairs[1::2], strict=True)}
    raise TmplError("no '… sys application service … variables' command")


@dataclass
class Context:
    old: Site
    new: Site
    version: BigIpVersion
    files: Mapping[str, bytes]  # the plan package's
    start: Mapping[str, dict[Key, PropMap]]  # NEW host → objects before either change (the union)
    old_start: Mapping[str, dict[Key, PropMap]]  # OLD host → the same, for OLD's own deployment
    tmsh_state: Mapping[str, dict[Key, PropMap]]  # NEW host → what the plan's tmsh path leaves
    where: str


def prove_peer_flow(c: Context, pp: PeerPlan, report: Reporter) -> int:
    """The iApp path of one peer; returns the number of implementation runs it used."""
    here = f"{c.where}/{pp.name}/iapp"
    the_flow = flow(pp)
    if the_flow.conflict:
        return 0
    with compiled_from_source():
        old_files = render_version(c.old, c.version).files()
    old_t, new_t = template_of(old_files, pp.name), template_of(c.files, pp.name)
    if old_t is None or new_t is None:
        report.add(here, "flow", "the old or new iApp template cannot be read")
        return 0
    old_runs = recorded_runs(old_t, stage_runs(c.old, pp.name))
    new_runs = recorded_runs(
        new_t, sorted({(o.host, o.stage) for o in the_flow.apply + the_flow.rollback if o.template == "new"})
    )
    for runs in (old_runs, new_runs):
        if isinstance(runs, str):
            report.add(here, "run", runs)
            return 0
    assert isinstance(old_runs, dict) and isinstance(new_runs, dict)
    _answers(c, pp, old_t, new_t, here, report)
    cluster = _old_deployment(c, pp, old_t, old_runs, old_files, here, report)
    if cluster is not None:
        _plan_flow(c, pp, cluster, (old_t, old_runs), (new_t, new_runs), here, report)
    return len(old_runs) + len(new_runs)


def _answers(
    c: Context, pp: PeerPlan, old: ImportedTemplate, new: ImportedTemplate, here: str, report: Reporter
) -> None:
    complete = {STAGE_VARIABLE: "complete"}
    wanted = (
        [(DEPLOY, "", new.answers | {STAGE_VARIABLE: "complete"})]
        if pp.replaced
        else [
            (RECONFIGURE, f"/Common/{new.name}", new.answers | complete),
            (RECONFIGURE_BACK, f"/Common/{old.name}", old.answers | complete),
        ]
    )
    for name, template, answers in wanted:
        path = f"{pp.name}/iapp/{name}"
        try:
            sent_template, sent = sent_answers(c.files[path].decode())
        except (KeyError, TmplError, IndexError, ValueError, UnicodeDecodeError) as exc:
            report.add(f"{c.where}/{path}", "deploy", f"cannot read the answers: {exc}")
            continue
        if template and sent_template != template:
            report.add(f"{c.where}/{path}", "deploy", f"moves the service to {sent_template}, not {template}")
        for var in sorted(set(sent) | set(answers)):
            if sent.get(var) != answers.get(var):
                report.add(
                    f"{c.where}/{path}",
                    "deploy",
                    f"{var}: sends {sent.get(var)!r}, the template's GUI {answers.get(var)!r}",
                )


def _runner(
    cluster: Cluster,
    site: Site,
    peer: str,
    texts: Mapping[str, bytes],
    t: ImportedTemplate,
    runs: dict[tuple[str, str], tuple[str, ...]],
) -> FlowRunner:
    tmsh = {p: b.decode() for p, b in texts.items() if p.endswith(".tmsh")}
    answers = {run: {**t.answers, STAGE_VARIABLE: run[1]} for run in runs}
    return FlowRunner(cluster, service_name(site), site.peers[peer].device_group, tmsh, runs, answers)


def _old_deployment(
    c: Context,
    pp: PeerPlan,
    t: ImportedTemplate,
    runs: dict[tuple[str, str], tuple[str, ...]],
    files: Mapping[str, bytes],
    here: str,
    report: Reporter,
) -> Cluster | None:
    group = c.old.peers[pp.name].device_group
    cluster = Cluster(
        {h: ReplayedUnit(h, group, copy.deepcopy(c.old_start[h])) for h in c.old.peers[pp.name].devices}
    )
    try:
        _runner(cluster, c.old, pp.name, files, t, runs).run(apply_flow(c.old, pp.name))
    except ReplayError as exc:
        report.add(here, "flow", f"OLD's own iApp deployment: {exc}")
        return None
    return cluster


def _plan_flow(
    c: Context,
    pp: PeerPlan,
    old_deployed: Cluster,
    old: tuple[ImportedTemplate, dict[tuple[str, str], tuple[str, ...]]],
    new: tuple[ImportedTemplate, dict[tuple[str, str], tuple[str, ...]]],
    here: str,
    report: Reporter,
) -> None:
    group = c.new.peers[pp.name].device_group
    devices = {}
    for host in pp.hostnames:
        kept = old_deployed.devices.get(host)
        devices[host] = ReplayedUnit(host, group, copy.deepcopy(kept.objects if kept else c.start[host]))
    cluster = Cluster(devices)
    before = {h: copy.deepcopy(d.objects) for h, d in cluster.devices.items()}
    runners = {
        side: _runner(cluster, c.new, pp.name, c.files, *runs) for side, runs in (("old", old), ("new", new))
    }
    the_flow = flow(pp)
    for phase, ops in (("apply", the_flow.apply), ("rollback", the_flow.rollback)):
        try:
            for number, op in enumerate(ops, start=1):
                _step(runners, op, number)
        except ReplayError as exc:
            report.add(here, "flow", f"{phase}: {exc}")
            return
        for host in cluster.unsaved():
            report.add(here, "flow", f"{phase}: {host} ends unsaved")
        for host, device in cluster.devices.items():
            if phase == "apply":
                if host == pp.hostnames[0] and service_key(service_name(c.new)) not in device.objects:
                    report.add(here, "flow", f"{host}: no application service after the apply flow")
                mine = {k: v for k, v in device.objects.items() if k[0] != SERVICE}
                _compare(host, mine, c.tmsh_state[host], "the plan's tmsh path", here, report)
            else:
                _compare(host, device.objects, before[host], "before the change", here, report)


def _step(runners: dict[str, FlowRunner], op: FlowOp, number: int) -> None:
    runner = runners[op.template or "new"]
    try:
        runner.step(Op(op.action, op.host, op.file, op.stage))
    except (ReplayError, ScriptError) as exc:
        raise ReplayError(f"operation {number} ({op.describe()}): {exc}") from None
    except KeyError as exc:
        raise ReplayError(f"operation {number} ({op.describe()}): missing {exc}") from None


def _compare(
    host: str, mine: dict[Key, PropMap], theirs: dict[Key, PropMap], label: str, here: str, report: Reporter
) -> None:
    for key in sorted(set(mine) | set(theirs)):
        a, b = listed(key, mine.get(key)), listed(key, theirs.get(key))
        if a != b:
            report.add(
                here,
                "compare",
                f"{host}: {' '.join(key[0])} {key[1]}: the iApp path leaves {json.dumps(a, default=str)}, {label} {json.dumps(b, default=str)}",
            )
