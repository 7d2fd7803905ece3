"""A plan package: every file of `OUT/<deployment>/changes/<old>-<new>/<version>/`, in memory.

The same shape as a render (generator/render.py): per unit a pre-check (00-precheck.tmsh: OLD's
state, and nothing yet under the names the plan creates), the apply steps, the save step, the
verification of NEW's state (NN-verify.tmsh), the rollback steps (rollback/), NEW's
expected-state.conf; per peer the iApp path (generator/lifecycle/iapp.py); CHANGE.md; both
site files (site.yaml is NEW's, old-site.yaml OLD's); manifest.json with the render's kinds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from generator import probes
from generator.artifacts import Artifact, ArtifactKind, VersionTree, manifest_entries
from generator.context import PeerContext, SiteContext, build_context
from generator.lifecycle import board, checks, iapp
from generator.lifecycle.diff import Action
from generator.lifecycle.forms import FORMS
from generator.lifecycle.plan import PeerPlan, Plan, PlanStep, make_plan
from generator.lifecycle.state import UnitState, unit_states
from generator.lifecycle.views import PlanHeader, StepView, UnitView
from generator.model import Site
from generator.operations import Operation, Verb, title
from generator.provenance import writer
from generator.templating import Style, render_template
from generator.versions import BigIpVersion

OLD_SITE = "old-site.yaml"
CHANGES = "changes"  # OUT/<deployment>/changes/<old>-<new>/<version>/


def site_hash(source: bytes) -> str:
    """A site file's name in a plan's folder: the first 12 hex digits of its sha256."""
    return hashlib.sha256(source).hexdigest()[:12]


def change_name(old: bytes, new: bytes) -> str:
    return f"{site_hash(old)}-{site_hash(new)}"


def build_plan(old: Site, new: Site, version: BigIpVersion) -> Plan:
    return make_plan(build_context(old, version), build_context(new, version))


def render_plan(plan: Plan, old_source: bytes, new_source: bytes) -> VersionTree:
    """Every file of the plan package for `plan`'s version (OUT/<deployment>/changes/<name>/)."""
    ctx = plan.new
    header = PlanHeader(ctx.deployment, ctx.version, change_name(old_source, new_source), ctx.tmsh_version)
    tree = VersionTree(header.change, _version(ctx))
    tree.artifacts += [
        Artifact(path="site.yaml", kind=ArtifactKind.SITE, content=new_source),
        Artifact(path=OLD_SITE, kind=ArtifactKind.SITE, content=old_source),
    ]
    olds = unit_states(plan.old)
    news = unit_states(plan.new)
    units: list[UnitView] = []
    for pp, peer in zip(plan.peers, ctx.peers, strict=True):
        for device in peer.devices:
            old = olds.get((peer.name, device.index)) if device.index not in pp.replaced else None
            unit = unit_view(ctx, peer, pp, device.index, old, news[(peer.name, device.index)], header)
            units.append(unit)
            tree.artifacts += _unit_files(header, unit)
        tree.artifacts += iapp.peer_files(plan, pp, header)
    values = board.values(plan, header, units, tree.artifacts)
    tree.artifacts.append(_text(ArtifactKind.RUNBOOK, "CHANGE.md", "plan/CHANGE.md.j2", values))
    tree.artifacts.append(
        Artifact(path="manifest.json", kind=ArtifactKind.MANIFEST, content=_manifest(header, tree))
    )
    return tree


def _version(ctx: SiteContext) -> BigIpVersion:
    return BigIpVersion(ctx.version)


def _text(
    kind: ArtifactKind,
    path: str,
    template: str,
    values: Mapping[str, object],
    where: tuple[str | None, str | None, int | None] = (None, None, None),
) -> Artifact:
    content = render_template(template, Style.TEXT, **values).encode()
    return Artifact(path=path, kind=kind, content=content, peer=where[0], device=where[1], step=where[2])


def unit_view(
    ctx: SiteContext,
    peer: PeerContext,
    pp: PeerPlan,
    index: int,
    old: UnitState | None,
    new: UnitState,
    header: PlanHeader,
) -> UnitView:
    device = peer.devices[index]
    apply_steps = _step_views(ctx, peer, pp, index, "apply")
    total = len(pp.apply)
    verify_number = total + 2 if total else 1
    backup = f"{ctx.deployment}-pre-{header.change.split('-')[1]}"
    standby = (
        ""
        if device.is_first
        else f"This unit is the standby: pings across the tunnel and its counters are checked on {peer.hostnames[0]}."
    )
    return UnitView(
        peer=peer.name,
        hostname=device.hostname,
        replaced=index in pp.replaced,
        precheck=checks.precheck(
            ctx, peer, device, old or UnitState(peer.name, device.hostname, index), pp, backup
        ),
        verify=checks.verify(ctx, peer, device, old, new),
        verify_file=f"{verify_number:02d}-verify.tmsh",
        apply=apply_steps,
        rollback=_step_views(ctx, peer, pp, index, "rollback"),
        expected=device.expected,
        standby_note=standby,
        pager_back=probes.pager_back(),
    )


def _unit_files(header: PlanHeader, unit: UnitView) -> list[Artifact]:
    folder = f"{unit.peer}/{unit.hostname}"
    base = {"plan": header, "unit": unit}
    files = [
        _text(
            ArtifactKind.TMSH_PRECHECK,
            f"{folder}/00-precheck.tmsh",
            "plan/readonly.tmsh.j2",
            {**base, "intro": _PRECHECK_INTRO, "probes": unit.precheck, "closing": ()},
            (unit.peer, unit.hostname, 0),
        )
    ]
    for kind, steps in ((ArtifactKind.TMSH_APPLY, unit.apply), (ArtifactKind.TMSH_ROLLBACK, unit.rollback)):
        files += [
            _text(
                kind,
                f"{folder}/{s.filename}",
                "plan/step.tmsh.j2",
                {**base, "s": s},
                (unit.peer, unit.hostname, s.number),
            )
            for s in steps
        ]
    closing = ((unit.standby_note,) if unit.standby_note else ()) + unit.pager_back
    files.append(
        _text(
            ArtifactKind.TMSH_VERIFY,
            f"{folder}/{unit.verify_file}",
            "plan/readonly.tmsh.j2",
            {**base, "intro": _VERIFY_INTRO, "probes": unit.verify, "closing": closing},
            (unit.peer, unit.hostname, int(unit.verify_file[:2])),
        )
    )
    files.append(
        _text(
            ArtifactKind.EXPECTED_STATE,
            f"{folder}/expected-state.conf",
            "plan/expected_state.conf.j2",
            base,
            (unit.peer, unit.hostname, None),
        )
    )
    return files


_PRECHECK_INTRO = (
    "Pre-check of this change: read-only, except the UCS backup at the end. Run it on every device",
    "  of both data centers before step 1. Each line says what you must see to go on; if one differs, stop.",
)
_VERIFY_INTRO = (
    "Verification: read-only. Run it on every device once every step of this change is done on",
    '  every device of BOTH data centers. Compare each answer with its "Expect".',
)


# ---- steps ----------------------------------------------------------------------------------


def _step_views(
    ctx: SiteContext, peer: PeerContext, pp: PeerPlan, index: int, phase: str
) -> tuple[StepView, ...]:
    steps = pp.apply if phase == "apply" else pp.rollback
    total = len(steps)
    if not total:
        return ()
    mine = [s for s in steps if index in s.ops and not (s.synced and index != 0)]
    views = [_step_view(ctx, peer, pp, index, s, total, phase) for s in mine]
    if views or (pp.ha and any(s.synced for s in steps)):
        views.append(_save_view(peer, pp, index, total, phase))
    return tuple(views)


def slug(step: PlanStep, ha: bool) -> str:
    return "synced" if step.synced else ("local" if ha else "change")


def _folder(phase: str) -> str:
    return "" if phase == "apply" else "rollback/"


def _step_view(
    ctx: SiteContext, peer: PeerContext, pp: PeerPlan, index: int, step: PlanStep, total: int, phase: str
) -> StepView:
    ops = step.ops[index]
    host = pp.hostnames[index]
    return StepView(
        heading="Step" if phase == "apply" else "Rollback step",
        number=step.number,
        total=total + 1,
        title=title(ops),
        filename=f"{_folder(phase)}{step.number:02d}-{slug(step, pp.ha)}.tmsh",
        where=_where(peer, host, step.synced),
        before=_before(pp, step.number, phase),
        forms=_forms(pp, ops),
        checks=checks.gates(peer, step.gates.get(index, ())),
        lines=tuple(op.text for op in ops),
        transaction=True,
        sync=f"run cm config-sync to-group {peer.device_group}" if step.synced and pp.ha else "",
        undoes=total + 1 - step.number if phase == "rollback" else None,
        synced=step.synced,
        notes=peer.notes,
    )


def _save_view(peer: PeerContext, pp: PeerPlan, index: int, total: int, phase: str) -> StepView:
    host = pp.hostnames[index]
    return StepView(
        heading="Step" if phase == "apply" else "Rollback step",
        number=total + 1,
        total=total + 1,
        title="save the configuration",
        filename=f"{_folder(phase)}{total + 1:02d}-save.tmsh",
        where=_where(peer, host, False, save=True),
        before=_before(pp, total + 1, phase),
        forms=(),
        checks=(),
        lines=("save sys config",),
        transaction=False,
        sync="",
        closing=probes.save_probes(peer),
    )


def _where(peer: PeerContext, host: str, synced: bool, *, save: bool = False) -> tuple[str, ...]:
    others = ", ".join(h for h in peer.hostnames if h != host)
    if not peer.is_ha:
        return (f"tmsh on {host} (standalone: no device group, no config-sync).",)
    if synced:
        return (
            f"tmsh on {host} only, while it is the ACTIVE unit of device group",
            f"{peer.device_group}. These objects are synced: {others} receives the change through the",
            f"config-sync at the end of this file. Do not run this file on {others}.",
        )
    if save:
        return (f"tmsh on {host}. Every unit of {peer.device_group} runs its own copy of this step.",)
    return (
        f"tmsh on {host}. These objects are device-local (not synced): each unit of",
        f"{peer.device_group} that has a copy of this step runs its own.",
    )


def _before(pp: PeerPlan, number: int, phase: str) -> tuple[str, ...]:
    steps = pp.apply if phase == "apply" else pp.rollback
    prefix = "" if phase == "apply" else "rollback "
    earlier = []
    for s in steps[: number - 1]:
        hosts = ", ".join(pp.hostnames[i] for i in s.ops if not (s.synced and i != 0))
        earlier.append(f"{prefix}step {s.number} ({slug(s, pp.ha)}) on {hosts}")
    if not earlier:
        first = (
            "the pre-checks (00-precheck.tmsh) passed on every device of both data centers."
            if phase == "apply"
            else 'this change is being backed out (CHANGE.md, "Rollback", names the first rollback file for where it stopped).'
        )
        return (first,)
    return (f"these {prefix}steps are done, each without an error:", *earlier)


def _forms(pp: PeerPlan, ops: tuple[Operation, ...]) -> tuple[str, ...]:
    """Why each operation of the step takes its form: a replace's reason, a modify's source."""
    reasons = {}
    for _, c in pp.changes:
        if c.action is Action.REPLACE:
            for o in (c.old, c.new):
                if o is not None:
                    reasons[o.path] = f"{o.kind.tmsh} {short_path(o.path)} is replaced: {c.reason}"
    out: list[str] = []
    for op in ops:
        if op.path in reasons and op.verb is not Verb.MODIFY:
            out.append(reasons[op.path])
        elif op.verb is Verb.MODIFY:
            out += [
                f"{op.kind.tmsh} {name} changes in place: {FORMS[(op.kind.words, name)].source}"
                for name in op.properties
                if (op.kind.words, name) in FORMS
            ]
    return tuple(dict.fromkeys(out))


def short_path(path: str) -> str:
    return path.removeprefix("/Common/")


def _manifest(header: PlanHeader, tree: VersionTree) -> bytes:
    entries = manifest_entries(tree.artifacts)
    doc = {
        "deployment": header.deployment,
        "version": header.version,
        "change": header.change,
        "etherip": writer(),
        "artifacts": entries,
    }
    return (json.dumps(doc, indent=2) + "\n").encode()
