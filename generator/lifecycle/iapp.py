"""The iApp path of a plan, per peer: a deployment made through the iApp reaches NEW by importing
NEW's template (its name ends in its content's hash, so it is a new template beside the one the
service uses) and reconfiguring the service on the first unit with it and NEW's answers, not by
the first unit's step files (the service's strict updates refuse tmsh changes to what it owns).

On a pair, the second unit's own device-local objects still change by tmsh, split around the
reconfigure's config-sync (generator/lifecycle/plan.py `second_unit`): what the synced objects
need or what lets go of what the sync removes runs before, what needs what the sync brings runs
after. Rollback reconfigures back to OLD's template and answers (still on the unit), the second
unit's operations undone around it. A standalone unit replaced by a new one gets the service
created as the render's bundle does (its deploy.tmsh), and removed again on rollback.

The flow is data (`PlanFlow`): IMPORT.md prints it, `etherip check` replays it on the model of
iApp services (generator/proof/plan_iapp.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.artifacts import Artifact, ArtifactKind
from generator.bigip import path
from generator.context import PeerContext
from generator.iapp.bundle import answers, iapp_artifacts, service_name, tmsh_word
from generator.iapp.flow import COMPLETE, REMOVED, STAGE_VARIABLE
from generator.lifecycle import checks
from generator.lifecycle.plan import PeerPlan, Plan, SecondUnit, SyncGate, second_unit
from generator.lifecycle.views import PlanHeader
from generator.operations import Operation
from generator.templating import Style, render_template

SAVE = "save.tmsh"
RECONFIGURE = "reconfigure.tmsh"
RECONFIGURE_BACK = "reconfigure-rollback.tmsh"
DEPLOY = "deploy.tmsh"
# The form of the template move: F5's iControl Management::ApplicationService::modify_extended
# takes a new template per application [C]; F5's 12.0 REST schema says the template "may be
# changed after the application has been created" [S]; F5's Ansible bigip_iapp_service sends
# execute-action definition with every update [C]; the tmsh words below are [I]
# (docs/research/lifecycle-issue-20.md §5).
MOVE_FORM = (
    "modify sys application service … template … variables replace-all-with { … } execute-action "
    "definition: F5's iControl modify_extended takes a new template per application [C], F5's Ansible "
    "bigip_iapp_service runs execute-action definition on every update [C]; this tmsh form is [I]"
)


@dataclass(frozen=True)
class FlowOp:
    action: str  # tmsh | create | reconfigure | delete | sync
    host: str
    file: str = ""  # tmsh: relative to the version folder
    stage: str = ""
    template: str = ""  # create/reconfigure: "new" or "old" (whose template and answers)

    def describe(self) -> str:
        if self.action == "tmsh":
            return f"{self.host}: paste `{self.file}` into tmsh"
        if self.action == "create":
            return f"{self.host}: create the application service with the new template, stage `{self.stage}`"
        if self.action == "reconfigure":
            which = (
                "the new template and answers" if self.template == "new" else "the old template and answers"
            )
            return f"{self.host}: reconfigure the application service with {which}, stage `{self.stage}`"
        if self.action == "delete":
            return f"{self.host}: delete the application service"
        return f"{self.host}: config-sync to the device group"


@dataclass(frozen=True)
class PlanFlow:
    apply: tuple[FlowOp, ...]
    rollback: tuple[FlowOp, ...]
    conflict: str = ""  # why one reconfigure cannot make this change ("" when it can)


def template_names(plan: Plan, peer: str) -> tuple[str, str]:
    """(OLD's, NEW's) iApp template name of a peer."""
    names = []
    for ctx in (plan.old, plan.new):
        p = next(x for x in ctx.peers if x.name == peer)
        names.append(_template(ctx, p).path.rsplit("/", 1)[-1].removesuffix(".tmpl"))
    return names[0], names[1]


def _template(ctx: object, peer: PeerContext) -> Artifact:
    return next(a for a in iapp_artifacts(ctx, peer) if a.kind is ArtifactKind.IAPP_TEMPLATE)  # type: ignore[arg-type]


def flow(pp: PeerPlan) -> PlanFlow:
    folder = f"{pp.name}/iapp"
    first = pp.hostnames[0]
    save = [FlowOp("tmsh", h, f"{folder}/{SAVE}") for h in pp.hostnames]
    if pp.replaced:
        return PlanFlow(
            (FlowOp("create", first, stage=COMPLETE, template="new"), *save),
            (
                FlowOp("reconfigure", first, stage=REMOVED, template="new"),
                FlowOp("delete", first),
                *save,
            ),
        )
    if not pp.ha:
        return PlanFlow(
            (FlowOp("reconfigure", first, stage=COMPLETE, template="new"), *save),
            (FlowOp("reconfigure", first, stage=COMPLETE, template="old"), *save),
        )
    second = second_unit(pp)
    b = pp.hostnames[1]
    files = _second_files(pp, second)

    def tmsh(name: str) -> tuple[FlowOp, ...]:
        return (FlowOp("tmsh", b, f"{folder}/{b}/{name}"),) if name in files else ()

    sync = FlowOp("sync", first)
    return PlanFlow(
        (
            *tmsh("before-sync.tmsh"),
            FlowOp("reconfigure", first, stage=COMPLETE, template="new"),
            sync,
            *tmsh("after-sync.tmsh"),
            *save,
        ),
        (
            *tmsh("rollback/before-sync.tmsh"),
            FlowOp("reconfigure", first, stage=COMPLETE, template="old"),
            sync,
            *tmsh("rollback/after-sync.tmsh"),
            *save,
        ),
        second.conflict,
    )


def _second_files(
    pp: PeerPlan, second: SecondUnit
) -> dict[str, tuple[tuple[Operation, ...], tuple[SyncGate, ...]]]:
    found = {
        "before-sync.tmsh": (second.before, ()),
        "after-sync.tmsh": (second.after, second.gates),
        "rollback/before-sync.tmsh": (second.undo_before, ()),
        "rollback/after-sync.tmsh": (second.undo_after, second.undo_gates),
    }
    return {name: v for name, v in found.items() if v[0]}


def peer_files(plan: Plan, pp: PeerPlan, header: PlanHeader) -> list[Artifact]:
    """The iApp path's files of one peer (none where the peer does not change)."""
    if not pp.changes:
        return []
    ctx = plan.new
    peer = next(p for p in ctx.peers if p.name == pp.name)
    folder = f"{pp.name}/iapp"
    old_name, new_name = template_names(plan, pp.name)
    tmpl = _template(ctx, peer)
    out = [
        Artifact(
            path=f"{folder}/{new_name}.tmpl",
            kind=ArtifactKind.IAPP_TEMPLATE,
            content=tmpl.content,
            peer=pp.name,
        )
    ]
    the_flow = flow(pp)
    base = {"plan": header, "peer": peer, "service": service_name(ctx), "old": old_name, "new": new_name}
    if the_flow.conflict:
        pass  # IMPORT.md says why and what to do instead: no file to run
    elif pp.replaced:
        deploy = next(a for a in iapp_artifacts(ctx, peer) if a.kind is ArtifactKind.IAPP_DEPLOY)
        out.append(
            Artifact(
                path=f"{folder}/{DEPLOY}", kind=ArtifactKind.IAPP_DEPLOY, content=deploy.content, peer=pp.name
            )
        )
    else:
        for name, template, peer_ctx in (
            (RECONFIGURE, new_name, peer),
            (RECONFIGURE_BACK, old_name, next(p for p in plan.old.peers if p.name == pp.name)),
        ):
            given = answers(plan.new if template == new_name else plan.old, peer_ctx) | {
                STAGE_VARIABLE: COMPLETE
            }
            text = render_template(
                "plan/reconfigure.tmsh.j2",
                Style.TEXT,
                **base,
                template=template,
                back=name == RECONFIGURE_BACK,
                answers=[(k, tmsh_word(v)) for k, v in given.items()],
                form=MOVE_FORM,
            )
            out.append(
                Artifact(
                    path=f"{folder}/{name}",
                    kind=ArtifactKind.IAPP_DEPLOY,
                    content=text.encode(),
                    peer=pp.name,
                )
            )
    if pp.ha and not pp.replaced:
        out += _second_unit_files(pp, peer, header)
    if not the_flow.conflict:
        save = render_template("plan/iapp_save.tmsh.j2", Style.TEXT, **base)
        out.append(
            Artifact(
                path=f"{folder}/{SAVE}", kind=ArtifactKind.IAPP_DEPLOY, content=save.encode(), peer=pp.name
            )
        )
    guide = render_template(
        "plan/IMPORT.md.j2",
        Style.TEXT,
        **base,
        full=f"{path(service_name(ctx))}.app/{service_name(ctx)}",
        flow=the_flow,
        replaced=bool(pp.replaced),
        files=sorted(a.path.removeprefix(f"{folder}/") for a in out),
        form=MOVE_FORM,
    )
    out.append(
        Artifact(
            path=f"{folder}/IMPORT.md", kind=ArtifactKind.IAPP_GUIDE, content=guide.encode(), peer=pp.name
        )
    )
    return out


def _second_unit_files(pp: PeerPlan, peer: PeerContext, header: PlanHeader) -> list[Artifact]:
    b = pp.hostnames[1]
    out = []
    for name, (ops, gates) in _second_files(pp, second_unit(pp)).items():
        text = render_template(
            "plan/iapp_second.tmsh.j2",
            Style.TEXT,
            plan=header,
            peer=peer,
            host=b,
            first=pp.hostnames[0],
            after="after-sync" in name,
            rollback=name.startswith("rollback/"),
            checks=checks.gates(peer, gates),
            lines=tuple(op.text for op in ops),
        )
        out.append(
            Artifact(
                path=f"{pp.name}/iapp/{b}/{name}",
                kind=ArtifactKind.IAPP_DEPLOY,
                content=text.encode(),
                peer=pp.name,
                device=b,
            )
        )
    return out
