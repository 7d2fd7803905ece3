"""The iApp bundle of one peer: answers (the view-model), template, deploy.tmsh, IMPORT.md, zip.

The implementation is static Tcl read verbatim but for its two limits lines (generator/limits.py,
the same for every site); the site reaches it only as APL defaults and as deploy.tmsh answers,
every one of which matches the same strict patterns the model checks.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Protocol

from generator.artifacts import Artifact, ArtifactKind
from generator.bigip import path
from generator.context import PeerContext, SiteContext, VlanView
from generator.iapp.flow import (
    COMPLETE,
    NETWORK,
    REMOVED,
    STAGE_STEPS,
    STAGE_VARIABLE,
    Op,
    apply_ops,
    rollback_ops,
)
from generator.ipsec import IpsecSettings, settings
from generator.limits import IAPP_CHOICES, IAPP_NAMES, IAPP_NUMBERS, tcl_limits
from generator.model import Ipsec
from generator.operations import Verb, join_and
from generator.steps import KEY_STEP, Phase, step_file, verify_file
from generator.templating import Style, raw_template, render_template
from generator.versions import ALL_VERSIONS
from generator.views import Props

IMPLEMENTATION = "iapp/implementation.tcl"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the zip is byte-identical run to run


def answers(ctx: SiteContext, peer: PeerContext) -> dict[str, str]:
    """Every APL variable with this peer's value; fields the GUI would hide are left out."""
    first = peer.devices[0]
    out = {
        STAGE_VARIABLE: NETWORK if peer.is_ha else COMPLETE,  # the flow's first run
        "site__deployment": ctx.deployment,
        "site__vm_subnet": ctx.vm_subnet,
        "site__pair": "yes" if peer.is_ha else "no",
        "site__platform": peer.platform,
        "devices__first__hostname": first.hostname,
        "devices__first__wan_self": first.wan_address,
        "devices__first__vm_self": first.vm_self.address,
    }
    if peer.is_ha:
        out |= {
            "devices__second__hostname": peer.devices[1].hostname,
            "ha__device_group": str(peer.device_group),
            "ha__wan_floating_self": str(peer.wan_floating_address),
            "ha__vm_floating_self": peer.vm_floating.address if peer.vm_floating else "None",
        }
    out |= _vlan_answers("wan", peer.wan, with_lockdown_inside=True)
    if not peer.wan.create:
        out["wan__endpoint_name"] = peer.endpoint.name if peer.endpoint else ""
        out["wan__endpoint_service"] = " ".join(peer.endpoint.current) if peer.endpoint else ""
    out["wan__gateway"] = peer.gateway or ""
    out |= _vlan_answers("vm", peer.vm, with_lockdown_inside=False)
    pool, monitor = ctx.pool, ctx.monitor
    out |= {
        "tunnel__name": peer.tunnel.name,
        "tunnel__remote_peer": peer.tunnel.remote_peer,
        **_property_answers("tunnel", peer.tunnel.props),
        "vlan_group__name": peer.vlan_group.name,
        "vlan_group__proxy_excludes": " ".join(peer.vlan_group.proxy_excludes),
        "pool__name": pool.name,
        "pool__create": "yes" if pool.create else "no",
    }
    if pool.create:
        out["pool__members"] = " ".join(name for name, _ in pool.members)
    else:
        out["pool__restore_monitor"] = " and ".join(pool.restore_monitors) or "none"
        out["pool__restore_min_active_members"] = str(pool.restore_min_active_members or 0)
    out |= {
        "pool__also_monitor": pool.also_monitor,
        "monitor__name": monitor.name,
        "monitor__interval": str(monitor.interval),
        "monitor__timeout": str(monitor.timeout),
    }
    return out | _ipsec_answers(peer)


def _property_answers(section: str, props: Props) -> dict[str, str]:
    """The APL fields of `section` named as one of the object's tmsh properties (`mtu`,
    `remote-address` as `remote_address`) take that property's value, empty when unset: a
    property added to the vocabulary and to the APL is answered with nothing written here."""
    values = dict(props.items)
    out = {}
    for name in props.kind.properties:  # an optional property left unset is answered empty
        variable = f"{section}__{name.replace('-', '_')}"
        if variable in APL_VARIABLES:
            out[variable] = values.get(name, "")
    return out


def _ipsec_answers(peer: PeerContext) -> dict[str, str]:
    """IPsec: the site's resolved choices (generator/ipsec.py). A pre-shared key is never an
    answer: the key step creates the IKE peer where the key is typed (IMPORT.md)."""
    ipsec = peer.ipsec
    if ipsec is None:
        return {"ipsec__enabled": "no"}
    s = ipsec.settings
    out = {"ipsec__enabled": "yes", **_settings_answers(s)}
    if not s.psk:
        cert, key, ca = (name.removeprefix("/Common/") for _, name in ipsec.certificates)
        out |= {"ipsec__cert": cert, "ipsec__key": key, "ipsec__ca": ca}
    return out


def _vlan_answers(side: str, vlan: VlanView, *, with_lockdown_inside: bool) -> dict[str, str]:
    out = {f"{side}__create": "yes" if vlan.create else "no", f"{side}__vlan": vlan.name}
    lockdown = " ".join(vlan.allow_service)
    if vlan.create:
        out[f"{side}__interfaces"] = " ".join(f"{i}:{m}" for i, m in vlan.interfaces)
        out[f"{side}__tag"] = str(vlan.tag) if vlan.tag is not None else ""
        out[f"{side}__mtu"] = str(vlan.mtu) if vlan.mtu is not None else ""
        if with_lockdown_inside:
            out[f"{side}__allow_service"] = lockdown
    if not with_lockdown_inside:
        out[f"{side}__allow_service"] = lockdown
    return out


def apl_defaults(ctx: SiteContext, peer: PeerContext) -> dict[str, str]:
    """Defaults for every APL field, hidden ones included (empty when the site has no value)."""
    known = _ipsec_defaults(ctx) | answers(ctx, peer)
    return {var: known.get(var, "") for var in APL_VARIABLES}


def _ipsec_defaults(ctx: SiteContext) -> dict[str, str]:
    """A site without IPsec: the hidden IPsec fields show etherip's defaults of the oldest
    release (generator/ipsec.py), valid on every release, so a site without IPsec renders the
    same hidden answers whatever its release."""
    return _settings_answers(settings(Ipsec(), ALL_VERSIONS[0]))


def _settings_answers(s: IpsecSettings) -> dict[str, str]:
    return {
        "ipsec__ike_version": s.ike_version,
        "ipsec__version_property": "yes" if s.writes_version else "no",
        "ipsec__auth": s.auth,
        "ipsec__mode": s.mode,
        "ipsec__nat_traversal": s.nat_traversal,
        "ipsec__phase1_encrypt": s.phase1_encrypt,
        "ipsec__phase1_hash": s.phase1_hash,
        "ipsec__dh_group": s.dh_group,
        "ipsec__phase1_lifetime": str(s.phase1_lifetime),
        "ipsec__phase2_encrypt": s.phase2_encrypt,
        "ipsec__phase2_auth": s.phase2_auth,
        "ipsec__pfs": s.pfs,
        "ipsec__phase2_lifetime": str(s.phase2_lifetime),
    }


def apl_variables() -> list[str]:
    """Every APL field's variable (`section__field`, `section__row__field`), in the order the
    presentation template declares them: the template is the one list of the iApp's fields."""
    found: list[str] = []
    path: list[tuple[int, str]] = []  # (indent, name) of the open section and row
    for line in raw_template("iapp/presentation.apl.j2").splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip() == "}":  # a block ends: what opened at or inside its indent closes
            path = [p for p in path if p[0] < indent]
            continue
        opened = _APL_BLOCK.match(line.strip())
        if opened:
            path = [p for p in path if p[0] < indent] + [(indent, opened.group(1))]
            continue
        field = _APL_FIELD.match(line.strip())
        if field:
            scope = [name for level, name in path if level < indent]
            found.append("__".join([*scope, field.group(1)]))
    return found


_APL_BLOCK = re.compile(r"^(?:section|row) (\w+) \{$")
_APL_FIELD = re.compile(r"^(?:string|choice|password|editchoice|multichoice) (\w+) ")
APL_VARIABLES = apl_variables()


def tmsh_word(value: str) -> str:
    """A deploy.tmsh value: answers hold only safe characters, so quoting is all it needs."""
    return f'"{value}"' if value == "" or " " in value else value


@dataclass(frozen=True)
class OpView:
    """One operation of the flow as IMPORT.md prints it: its line, then how to do it."""

    line: str
    gui: str  # how in the GUI ("" for a tmsh step file)
    tmsh_how: str  # how from tmsh, in words ("" when the commands say it)
    tmsh: tuple[str, ...]  # the tmsh command lines
    note: str  # what it does


STAGE_LABELS = {NETWORK: "1: network and tunnel", COMPLETE: "2: complete", REMOVED: "3: removed (rollback)"}


def stage_content(ctx: SiteContext, peer: PeerContext, stage: str) -> str:
    """What the service holds at `stage` on the first unit: the objects the tmsh steps of that
    stage create there (generator/iapp/flow.py STAGE_STEPS), named as the step titles name them,
    and what it does to existing objects."""
    first = peer.devices[0]
    steps = [ds for ds in first.steps if ds.step.slug in STAGE_STEPS[stage]]
    earlier = () if stage == NETWORK else STAGE_STEPS[NETWORK]
    created = [
        op.label.replace("this device's", f"{first.hostname}'s")
        for ds in steps
        if ds.step.slug not in earlier
        for op in ds.operations
        if op.verb is Verb.CREATE
    ]
    if stage == REMOVED:
        text = "nothing: every object the service owns is deleted"
    elif stage == NETWORK:
        text = join_and(list(dict.fromkeys(created)))
    else:
        text = f"all of stage network, and {join_and(list(dict.fromkeys(created)))}"
    changed: dict[str, list[str]] = {}
    for op in (op for ds in steps for op in ds.operations if op.verb is Verb.MODIFY):
        if op.label.startswith("the existing"):
            changed.setdefault(op.label, []).extend(
                p for p in op.properties if p not in changed.get(op.label, [])
            )
    if changed:
        text += "; it changes " + join_and(
            [f"{label} ({', '.join(props)})" for label, props in changed.items()]
        )
    return text + _restores(ctx, peer, stage)


def _restores(ctx: SiteContext, peer: PeerContext, stage: str) -> str:
    """Existing objects are not the service's: stages network and removed give an existing pool
    its old values back, stage removed an existing endpoint self IP its old lockdown."""
    back = []
    if stage in (NETWORK, REMOVED) and not ctx.pool.create:
        back.append(
            f"the existing pool `{ctx.pool.path}` gets back the monitor rule and min-active-members it had before the change"
        )
    if stage == REMOVED and peer.endpoint and peer.endpoint.changes:
        back.append(
            f"the existing self IP `{peer.endpoint.path}` gets back allow-service {' '.join(peer.endpoint.current)}"
        )
    return "".join(f"; {b}" for b in back)


def _step_title(peer: PeerContext, file: str) -> str:
    """The title of the step file `file` (relative to the version folder) on its device."""
    return next(
        ds.title
        for d in peer.devices
        for phase in Phase
        for ds in d.plan(phase)
        if f"{peer.name}/{d.hostname}/{ds.filename}" == file
    )


def _sync_note(receivers: str, *, deleted: bool, rollback: bool) -> str:
    if deleted:
        return f"Removes the service from {receivers} as well."
    if rollback:
        return (
            f"Carries the change to {receivers}: synced objects the service no longer holds are removed there, "
            "existing ones get the same values back; the service does not run there."
        )
    return f"Carries the service and its synced objects (floating self IPs, route, tunnel, pool, monitor) to {receivers}; the service does not run there."


def flow_views(
    ctx: SiteContext, peer: PeerContext, ops: tuple[Op, ...], template: str, *, rollback: bool = False
) -> tuple[OpView, ...]:
    """The flow of generator/iapp/flow.py, worded for IMPORT.md (the same operations, in order)."""
    service = service_name(ctx)
    full = f"{path(service)}.app/{service}"
    group = peer.device_group or ""
    hosts = peer.hostnames
    views = []
    deleted = False
    for op in ops:
        if op.action == "tmsh":
            title = _step_title(peer, op.file)
            views.append(OpView(op.describe(), "", "", (), f"{title[0].upper()}{title[1:]}."))
        elif op.action == "create":
            views.append(
                OpView(
                    op.describe(),
                    f"iApps > Templates > Import `{template}.tmpl` (Upload); then iApps > Application Services > Create: name `{service}`, template `{template}`, Stage `{STAGE_LABELS[op.stage]}`; every other answer is pre-filled (check them against CHANGE.md); **Finished**.",
                    f"copy `{template}.tmpl` to `/var/tmp/` and paste `deploy.tmsh` (it answers Stage `{op.stage}`).",
                    (),
                    f"Creates {stage_content(ctx, peer, op.stage)}.",
                )
            )
        elif op.action == "reconfigure":
            views.append(
                OpView(
                    op.describe(),
                    f"iApps > Application Services > `{service}` > Reconfigure: Stage `{STAGE_LABELS[op.stage]}`; **Finished**.",
                    "",
                    (
                        f"modify sys application service {full} variables modify {{ {STAGE_VARIABLE} {{ value {op.stage} }} }}",
                        f"modify sys application service {full} execute-action definition",
                    ),
                    f"The service then holds {stage_content(ctx, peer, op.stage)}; what it held before and no longer creates is deleted.",
                )
            )
        elif op.action == "delete":
            deleted = True
            views.append(
                OpView(
                    op.describe(),
                    f"iApps > Application Services > `{service}` > Delete.",
                    "",
                    (f"delete sys application service {full}",),
                    "Deletes the service (stage removed left it owning nothing); existing objects are not the service's and stay.",
                )
            )
        else:
            receivers = ", ".join(h for h in hosts if h != op.host)
            views.append(
                OpView(
                    op.describe(),
                    f"Device Management > Overview: synchronize {op.host} to the group `{group}`.",
                    "",
                    (f"run cm config-sync to-group {group}",),
                    _sync_note(receivers, deleted=deleted, rollback=rollback),
                )
            )
    return tuple(views)


class _Deployment(Protocol):
    @property
    def deployment(self) -> str: ...


def service_name(site: _Deployment) -> str:
    """The application service's name (the checker passes the Site, the bundle the view-model)."""
    return f"etherip_{site.deployment}"


def template_name(deployment: str, peer_name: str, body: str) -> str:
    revision = hashlib.sha256(body.encode()).hexdigest()[:8]
    return f"etherip_{deployment}_{peer_name}_{revision}"


def _help_values(ctx: SiteContext, peer: PeerContext) -> dict[str, object]:
    """What the template's help says of this site: the WAN packet size, what the firewalls
    pass, the step files a pair's second unit pastes, and the IPsec key step."""
    key_step = peer.ipsec is not None and peer.ipsec.key_step
    files = {
        slug: step_file(phase, slug, key_step=key_step)
        for phase, slug in ((Phase.APPLY, "local-network"), (Phase.APPLY, "vlan-group"))
    }
    undo = {
        slug: step_file(Phase.ROLLBACK, slug, key_step=key_step) for slug in ("vlan-group", "local-network")
    }
    protocols = "IP protocol 97 (EtherIP)"
    if ctx.ipsec is not None:  # no clear EtherIP crosses the WAN then
        nat = " and 4500" if ctx.ipsec.nat_traversal != "off" else ""
        protocols = f"IP protocol 50 (ESP) and UDP 500{nat} (IKE), and keep IP protocol 97 closed"
    return {
        "wan_packet": ctx.mtu.wan_required,
        "wan_frame": ctx.mtu.wan_frame,
        "protocols": protocols,
        "local_network": files["local-network"],
        "vlan_group": files["vlan-group"],
        "undo_vlan_group": undo["vlan-group"],
        "undo_local_network": undo["local-network"],
        "key_file": step_file(Phase.APPLY, KEY_STEP, key_step=True) if key_step else "",
        "undo_key_file": step_file(Phase.ROLLBACK, KEY_STEP, key_step=True) if key_step else "",
    }


LIMITS_LINE = "array set ::etherip_limits {}\narray set ::etherip_choices {}"
APL_RANGES = {var: f"{low}-{high}" for var, (low, high) in IAPP_NUMBERS.items()}  # the help texts
APL_CHOICES = {var: ", ".join(f'"{w}"' for w in words) for var, words in IAPP_CHOICES.items()}


def implementation_text() -> str:
    """The static Tcl with its limits line filled from the site model's limits: the same for
    every site (generator/limits.py)."""
    static = raw_template(IMPLEMENTATION).rstrip("\n")
    if static.count(f"\n{LIMITS_LINE}\n") != 1:
        raise AssertionError(f"{IMPLEMENTATION}: exactly one '{LIMITS_LINE}' block is filled")
    return static.replace(f"\n{LIMITS_LINE}\n", f"\n{tcl_limits()}\n")


def iapp_artifacts(ctx: SiteContext, peer: PeerContext) -> list[Artifact]:
    base = {"deployment": ctx.deployment, "peer": peer.name, "version": ctx.version, "branch": ctx.branch}
    presentation = render_template(
        "iapp/presentation.apl.j2",
        Style.IAPP,
        a=apl_defaults(ctx, peer),
        ranges=APL_RANGES,
        names=IAPP_NAMES,
        choices=APL_CHOICES,
        **base,
    ).rstrip("\n")
    help_text = render_template("iapp/help.html.j2", Style.IAPP, **_help_values(ctx, peer), **base).rstrip(
        "\n"
    )
    implementation = implementation_text()
    skeleton = {
        "help": help_text,
        "implementation": implementation,
        "presentation": presentation,
        "version_min": ctx.iapp_version_min,
        "version_max": ctx.iapp_version_max,
        "tmsh_version": ctx.tmsh_version,
    }
    name = template_name(ctx.deployment, peer.name, f"{help_text}\n{implementation}\n{presentation}")
    service = service_name(ctx)
    tmpl = render_template("iapp/template.tmpl.j2", Style.IAPP, name=name, **skeleton, **base)
    deploy = render_template(
        "iapp/deploy.tmsh.j2",
        Style.IAPP,
        name=name,
        service=service,
        ha=peer.is_ha,
        hosts=list(peer.hostnames),
        answers=[(k, tmsh_word(v)) for k, v in answers(ctx, peer).items()],
        vlan_group_file=ctx.step_file("vlan-group"),
        **base,
    )
    hosts = peer.hostnames
    key_step = peer.ipsec is not None and peer.ipsec.key_step
    guide = render_template(
        "iapp/IMPORT.md.j2",
        Style.IAPP,
        name=name,
        service=service,
        ha=peer.is_ha,
        device_group=peer.device_group,
        hosts=list(hosts),
        pool=ctx.pool.name,
        pool_create=ctx.pool.create,
        apply=flow_views(ctx, peer, apply_ops(peer.name, hosts, peer.local_step, key_step), name),
        rollback=flow_views(
            ctx, peer, rollback_ops(peer.name, hosts, peer.local_step, key_step), name, rollback=True
        ),
        stages=[(STAGE_LABELS[s], stage_content(ctx, peer, s)) for s in (NETWORK, COMPLETE, REMOVED)],
        version_notes=list(ctx.iapp_notes),
        verify_file=verify_file(ctx.step_count),
        key_step=key_step,
        key_file=next((ds.filename for ds in peer.devices[0].steps if ds.step.shell), ""),
        undo_key_file=peer.devices[0].rollback_file("ike-peer"),
        **base,
    )
    folder = f"{peer.name}/iapp"
    kinds = ArtifactKind
    files = [
        Artifact(
            path=f"{folder}/{name}.tmpl", kind=kinds.IAPP_TEMPLATE, content=tmpl.encode(), peer=peer.name
        ),
        Artifact(
            path=f"{folder}/deploy.tmsh", kind=kinds.IAPP_DEPLOY, content=deploy.encode(), peer=peer.name
        ),
        Artifact(path=f"{folder}/IMPORT.md", kind=kinds.IAPP_GUIDE, content=guide.encode(), peer=peer.name),
    ]
    return [
        *files,
        Artifact(path=f"{folder}/{name}.zip", kind=kinds.IAPP_ZIP, content=_zip(files), peer=peer.name),
    ]


def _zip(files: list[Artifact]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for art in sorted(files, key=lambda a: a.path):
            info = zipfile.ZipInfo(art.path.split("/")[-1], date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, art.content)
    return buf.getvalue()
