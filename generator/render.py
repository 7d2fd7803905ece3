"""The one Jinja environment, and rendering a site into an in-memory output tree."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2

from generator.context import DeviceContext, PeerContext, SiteContext, build_context
from generator.errors import TemplateError
from generator.model import Site
from generator.resources import templates_root
from generator.runbook import (
    EXPECTED_STATE_FILE,
    PRECHECK_FILE,
    VERIFY_FILE,
    build_runbook,
    inferred_facts,
    summarize,
)
from generator.steps import APPLY
from generator.topology import layout
from generator.versions import BigIpVersion


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The only place a Jinja environment is built. Version folders override `common/`."""
    root = templates_root()
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / "common")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the version folder, "/"-separated
    peer: str | None
    device: str | None
    kind: str
    step: int | None
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class VersionTree:
    """Everything one version's folder holds, before anything touches the disk."""

    deployment: str
    version: BigIpVersion
    artifacts: list[Artifact] = field(default_factory=list)

    def files(self) -> dict[str, bytes]:
        return {a.path: a.content for a in self.artifacts}


def render_version(site: Site, version: BigIpVersion) -> VersionTree:
    ctx = build_context(site, version)
    tree = VersionTree(site.deployment, version)
    for peer in ctx.peers:
        for device in peer.devices:
            tree.artifacts.extend(_device_artifacts(ctx, peer, device))
    tree.artifacts.append(
        _artifact("topology.svg", None, None, "topology", None, "topology.svg.j2", pic=layout(ctx))
    )
    checksums = [(a.path, a.sha256) for a in sorted(tree.artifacts, key=lambda a: a.path)]
    tree.artifacts.append(
        _artifact(
            "CHANGE.md",
            None,
            None,
            "runbook",
            None,
            "CHANGE.md.j2",
            site=ctx,
            summary=summarize(ctx),
            runbook=build_runbook(ctx),
            inferred=inferred_facts(ctx),
            checksums=checksums,
        )
    )
    tree.artifacts.append(_manifest(tree))
    return tree


def _device_artifacts(ctx: SiteContext, peer: PeerContext, device: DeviceContext) -> list[Artifact]:
    where = f"{peer.name}/{device.hostname}"
    values = {"site": ctx, "peer": peer, "device": device}
    out = [
        _artifact(
            f"{where}/{PRECHECK_FILE}",
            peer.name,
            device.hostname,
            "tmsh-precheck",
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
                "tmsh-apply",
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
            "tmsh-verify",
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
                "tmsh-rollback",
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
            "expected-state",
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
    kind: str,
    step: int | None,
    template: str,
    /,
    **values: object,
) -> Artifact:
    """Render one file; positional-only parameters leave every name free for template values."""
    return Artifact(path, peer, device, kind, step, _render(template, **values).encode())


def _render(template: str, **values: object) -> str:
    try:
        return environment().get_template(template).render(**values)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise TemplateError(f"templates/common/{where.split('common/')[-1]}:{line or 0}: {exc}") from None


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
    return Artifact("manifest.json", None, None, "manifest", None, text.encode())
