"""Rendering a site into in-memory version trees: every file of the change package.

What a version folder holds is declared in one table, OUTPUTS: per kind of file its manifest
kind, its scope (once per site, per peer, per device, or per device and step), its path pattern,
its template and where its bytes come from. `render_version` walks the table in order, a run of
peer and device rows once per peer (device rows per device). Adding a kind of file is a row here,
its template, and its member of generator.artifacts.ArtifactKind (the manifest's word).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum

from generator.artifacts import Artifact, ArtifactKind, VersionTree, manifest_entries
from generator.changeboard import build_board
from generator.context import DeviceContext, PeerContext, SiteContext, build_context
from generator.iapp.bundle import iapp_artifacts
from generator.model import Site
from generator.provenance import writer
from generator.runbook import EXPECTED_STATE_FILE, build_runbook, inferred_facts, summarize
from generator.steps import PRECHECK_FILE, verify_file
from generator.templating import Style, render_template
from generator.topology import layout
from generator.versions import BigIpVersion


class OutputScope(Enum):
    SITE = "once per version folder"
    PEER = "once per peer"
    DEVICE = "once per device"
    APPLY_STEP = "per device, once per apply step of its plan"
    ROLLBACK_STEP = "per device, once per rollback step of its plan"


class Source(Enum):
    TEMPLATE = "its template, rendered"
    INPUT = "the site file's bytes, as given"
    IAPP_BUNDLE = (
        "generator/iapp/bundle.py (the template is named by its content's hash; the zip holds the others)"
    )
    MANIFEST = "built from every other file"


Values = Callable[[SiteContext, list[Artifact]], Mapping[str, object]]


def _topology(ctx: SiteContext, _before: list[Artifact]) -> Mapping[str, object]:
    return {"pic": layout(ctx)}


def _runbook(ctx: SiteContext, before: list[Artifact]) -> Mapping[str, object]:
    runbook = build_runbook(ctx)
    return {
        "summary": summarize(ctx),
        "runbook": runbook,
        "board": build_board(ctx, runbook),
        "inferred": inferred_facts(ctx),
        "checksums": [(a.path, a.sha256) for a in sorted(before, key=lambda a: a.path)],
    }


@dataclass(frozen=True, kw_only=True)
class Output:
    """One kind of file of a version folder."""

    kind: ArtifactKind  # manifest.json's kind
    scope: OutputScope
    path: (
        str  # pattern: {peer}, {device}, {file} (a step's file name), {verify}, {name} (the iApp template's)
    )
    template: str | None  # under templates/common/; "{template}": the step's own
    source: Source = Source.TEMPLATE
    step: int | None = None  # manifest.json's step, for kinds not rendered per step
    after_apply: bool = False  # its step is the one after the last apply step (verify)
    shell_kind: ArtifactKind | None = None  # the manifest kind of a step run in bash (the IPsec key step)
    values: Values | None = None  # template values beyond site (and peer, device, ds by scope)


DEVICE_FOLDER = "{peer}/{device}"
OUTPUTS: tuple[Output, ...] = (
    Output(
        kind=ArtifactKind.SITE, scope=OutputScope.SITE, path="site.yaml", template=None, source=Source.INPUT
    ),
    Output(
        kind=ArtifactKind.TMSH_PRECHECK,
        scope=OutputScope.DEVICE,
        path=f"{DEVICE_FOLDER}/{PRECHECK_FILE}",
        template="precheck.tmsh.j2",
        step=0,
    ),
    Output(
        kind=ArtifactKind.TMSH_APPLY,
        scope=OutputScope.APPLY_STEP,
        path=f"{DEVICE_FOLDER}/{{file}}",
        template="{template}",
        shell_kind=ArtifactKind.SHELL_APPLY,
    ),
    Output(
        kind=ArtifactKind.TMSH_VERIFY,
        scope=OutputScope.DEVICE,
        path=f"{DEVICE_FOLDER}/{{verify}}",
        template="verify.tmsh.j2",
        after_apply=True,
    ),
    Output(
        kind=ArtifactKind.TMSH_ROLLBACK,
        scope=OutputScope.ROLLBACK_STEP,
        path=f"{DEVICE_FOLDER}/{{file}}",
        template="{template}",
    ),
    Output(
        kind=ArtifactKind.EXPECTED_STATE,
        scope=OutputScope.DEVICE,
        path=f"{DEVICE_FOLDER}/{EXPECTED_STATE_FILE}",
        template="expected_state.conf.j2",
    ),
    Output(
        kind=ArtifactKind.IAPP_TEMPLATE,
        scope=OutputScope.PEER,
        path="{peer}/iapp/{name}.tmpl",
        template="iapp/template.tmpl.j2",
        source=Source.IAPP_BUNDLE,
    ),
    Output(
        kind=ArtifactKind.IAPP_DEPLOY,
        scope=OutputScope.PEER,
        path="{peer}/iapp/deploy.tmsh",
        template="iapp/deploy.tmsh.j2",
        source=Source.IAPP_BUNDLE,
    ),
    Output(
        kind=ArtifactKind.IAPP_GUIDE,
        scope=OutputScope.PEER,
        path="{peer}/iapp/IMPORT.md",
        template="iapp/IMPORT.md.j2",
        source=Source.IAPP_BUNDLE,
    ),
    Output(
        kind=ArtifactKind.IAPP_ZIP,
        scope=OutputScope.PEER,
        path="{peer}/iapp/{name}.zip",
        template=None,
        source=Source.IAPP_BUNDLE,
    ),
    Output(
        kind=ArtifactKind.TOPOLOGY,
        scope=OutputScope.SITE,
        path="topology.svg",
        template="topology.svg.j2",
        values=_topology,
    ),
    Output(
        kind=ArtifactKind.RUNBOOK,
        scope=OutputScope.SITE,
        path="CHANGE.md",
        template="CHANGE.md.j2",
        values=_runbook,
    ),
    Output(
        kind=ArtifactKind.MANIFEST,
        scope=OutputScope.SITE,
        path="manifest.json",
        template=None,
        source=Source.MANIFEST,
    ),
)


def render_version(site: Site, version: BigIpVersion, source: bytes | None = None) -> VersionTree:
    """Every file of one version folder, in OUTPUTS order. `source`, the site file's bytes, is
    kept as site.yaml: the input of record for the ticket, and what `etherip check` proves the
    output against."""
    ctx = build_context(site, version)
    tree = VersionTree(site.deployment, version)
    for rows in _runs(OUTPUTS):
        if rows[0].scope is OutputScope.SITE:
            for row in rows:
                tree.artifacts.extend(_site_file(row, ctx, tree, source))
        else:
            for peer in ctx.peers:
                tree.artifacts.extend(_peer_files(rows, ctx, peer))
    return tree


def _runs(rows: tuple[Output, ...]) -> Iterator[tuple[Output, ...]]:
    """The table in runs: site rows one by one, and each run of peer and device rows together."""
    run: list[Output] = []
    for row in rows:
        if row.scope is OutputScope.SITE:
            if run:
                yield tuple(run)
                run = []
            yield (row,)
        else:
            run.append(row)
    if run:
        yield tuple(run)


def _site_file(row: Output, ctx: SiteContext, tree: VersionTree, source: bytes | None) -> list[Artifact]:
    if row.source is Source.INPUT:
        return [] if source is None else [_artifact(row, row.path, source)]
    if row.source is Source.MANIFEST:
        return [_artifact(row, row.path, _manifest(tree))]
    values = row.values(ctx, tree.artifacts) if row.values else {}
    return [_artifact(row, row.path, _render(row, row.template, site=ctx, **values))]


def _peer_files(rows: tuple[Output, ...], ctx: SiteContext, peer: PeerContext) -> list[Artifact]:
    """One peer's files: its device rows for each device in turn, then its peer rows."""
    out: list[Artifact] = []
    for device in peer.devices:
        for row in rows:
            if row.scope is not OutputScope.PEER:
                out.extend(_device_files(row, ctx, peer, device))
    bundle = {a.kind: a for a in iapp_artifacts(ctx, peer)} if _uses_bundle(rows) else {}
    for row in rows:
        if row.scope is not OutputScope.PEER:
            continue
        if row.source is not Source.IAPP_BUNDLE:
            path = row.path.format(peer=peer.name)
            out.append(_artifact(row, path, _render(row, row.template, site=ctx, peer=peer), peer=peer.name))
            continue
        made = bundle[row.kind]
        if not _matches(row.path, made.path, peer=peer.name):
            raise AssertionError(f"{made.path}: the iApp bundle does not follow its row {row.path}")
        out.append(_artifact(row, made.path, made.content, peer=peer.name))
    return out


def _uses_bundle(rows: tuple[Output, ...]) -> bool:
    return any(r.source is Source.IAPP_BUNDLE for r in rows)


def _matches(pattern: str, path: str, *, peer: str) -> bool:
    head, _, tail = pattern.format(peer=peer, name="\0").partition("\0")
    return (
        path.startswith(head) and path.endswith(tail) and "/" not in path[len(head) : len(path) - len(tail)]
    )


def _device_files(row: Output, ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> list[Artifact]:
    """A device row's files: one, or one per step of the device's apply or rollback plan."""
    where = {"peer": peer.name, "device": device.hostname, "verify": verify_file(ctx.step_count)}
    values = {"site": ctx, "peer": peer, "device": device}
    if row.scope is OutputScope.DEVICE:
        content = _render(row, row.template, **values)
        step = ctx.step_count + 1 if row.after_apply else None
        path = row.path.format(**where)
        return [_artifact(row, path, content, peer=peer.name, device=device.hostname, step=step)]
    steps = device.steps if row.scope is OutputScope.APPLY_STEP else device.rollback
    return [
        _artifact(
            row,
            row.path.format(file=ds.filename, **where),
            _render(row, ds.step.template, ds=ds, **values),
            peer=peer.name,
            device=device.hostname,
            step=ds.step.number,
            kind=row.shell_kind if ds.step.shell else None,
        )
        for ds in steps
    ]


def _artifact(
    row: Output,
    path: str,
    content: bytes,
    *,
    peer: str | None = None,
    device: str | None = None,
    step: int | None = None,
    kind: ArtifactKind | None = None,
) -> Artifact:
    return Artifact(
        path=path,
        peer=peer,
        device=device,
        kind=kind or row.kind,
        step=row.step if step is None else step,
        content=content,
    )


def _render(row: Output, template: str | None, /, **values: object) -> bytes:
    if template is None:
        raise AssertionError(f"{row.kind}: a rendered kind needs a template")
    return render_template(template, Style.TEXT, **values).encode()


def _manifest(tree: VersionTree) -> bytes:
    entries = manifest_entries(tree.artifacts)
    doc = {
        "deployment": tree.deployment,
        "version": tree.version.value,
        "etherip": writer(),
        "artifacts": entries,
    }
    return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode()
