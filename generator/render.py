"""Rendering a site into in-memory version trees: every file of the change package."""

from __future__ import annotations

import json

from generator.artifacts import Artifact, ArtifactKind, VersionTree
from generator.changeboard import build_board
from generator.context import DeviceContext, PeerContext, SiteContext, build_context
from generator.iapp.bundle import iapp_artifacts
from generator.model import Site
from generator.runbook import (
    EXPECTED_STATE_FILE,
    PRECHECK_FILE,
    VERIFY_FILE,
    build_runbook,
    inferred_facts,
    summarize,
)
from generator.steps import APPLY
from generator.templating import Style, render_template
from generator.topology import layout
from generator.versions import BigIpVersion


def render_version(site: Site, version: BigIpVersion, source: bytes | None = None) -> VersionTree:
    """Every file of one version folder. `source`, the site file's bytes, is kept as site.yaml:
    the input of record for the ticket, and what `etherip check` proves the output against."""
    ctx = build_context(site, version)
    tree = VersionTree(site.deployment, version)
    if source is not None:
        tree.artifacts.append(Artifact("site.yaml", None, None, ArtifactKind.SITE, None, source))
    for peer in ctx.peers:
        for device in peer.devices:
            tree.artifacts.extend(_device_artifacts(ctx, peer, device))
        tree.artifacts.extend(iapp_artifacts(ctx, peer))
    tree.artifacts.append(
        _artifact("topology.svg", None, None, ArtifactKind.TOPOLOGY, None, "topology.svg.j2", pic=layout(ctx))
    )
    checksums = [(a.path, a.sha256) for a in sorted(tree.artifacts, key=lambda a: a.path)]
    runbook = build_runbook(ctx)
    tree.artifacts.append(
        _artifact(
            "CHANGE.md",
            None,
            None,
            ArtifactKind.RUNBOOK,
            None,
            "CHANGE.md.j2",
            site=ctx,
            summary=summarize(ctx),
            runbook=runbook,
            board=build_board(ctx, runbook),
            inferred=inferred_facts(ctx),
            checksums=checksums,
        )
    )
    tree.artifacts.append(_manifest(tree))
    return tree


def _device_artifacts(ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> list[Artifact]:
    where = f"{peer.name}/{device.hostname}"
    values = {ArtifactKind.SITE: ctx, "peer": peer, "device": device}
    out = [
        _artifact(
            f"{where}/{PRECHECK_FILE}",
            peer.name,
            device.hostname,
            ArtifactKind.TMSH_PRECHECK,
            0,
            "precheck.tmsh.j2",
            **values,
        )
    ]
    for ds in device.steps:
        out.append(
            _artifact(
                f"{where}/{ds.filename}",
                peer.name,
                device.hostname,
                ArtifactKind.TMSH_APPLY,
                ds.step.number,
                ds.step.template,
                ds=ds,
                **values,
            )
        )
    out.append(
        _artifact(
            f"{where}/{VERIFY_FILE}",
            peer.name,
            device.hostname,
            ArtifactKind.TMSH_VERIFY,
            len(APPLY) + 1,
            "verify.tmsh.j2",
            **values,
        )
    )
    for ds in device.rollback:
        out.append(
            _artifact(
                f"{where}/{ds.filename}",
                peer.name,
                device.hostname,
                ArtifactKind.TMSH_ROLLBACK,
                ds.step.number,
                ds.step.template,
                ds=ds,
                **values,
            )
        )
    out.append(
        _artifact(
            f"{where}/{EXPECTED_STATE_FILE}",
            peer.name,
            device.hostname,
            ArtifactKind.EXPECTED_STATE,
            None,
            "expected_state.conf.j2",
            **values,
        )
    )
    return out


def _artifact(
    path: str,
    peer: str | None,
    device: str | None,
    kind: ArtifactKind,
    step: int | None,
    template: str,
    /,
    **values: object,
) -> Artifact:
    """Render one file; positional-only parameters leave every name free for template values."""
    return Artifact(path, peer, device, kind, step, _render(template, **values).encode())


def _render(template: str, **values: object) -> str:
    return render_template(template, Style.TEXT, **values)


def _manifest(tree: VersionTree) -> Artifact:
    entries = [
        {
            "path": a.path,
            "peer": a.peer,
            "device": a.device,
            "kind": a.kind,
            "step": a.step,
            "sha256": a.sha256,
        }
        for a in sorted(tree.artifacts, key=lambda a: a.path)
    ]
    doc = {"deployment": tree.deployment, "version": tree.version.value, "artifacts": entries}
    text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
    return Artifact("manifest.json", None, None, ArtifactKind.MANIFEST, None, text.encode())
