"""The one Jinja environment, and rendering a site into an in-memory output tree."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2

from generator.context import PeerContext, SiteContext, build_context
from generator.errors import TemplateError
from generator.model import Site
from generator.resources import templates_root
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
        tree.artifacts.extend(_peer_artifacts(ctx, peer))
    tree.artifacts.append(_manifest(tree))
    return tree


def _peer_artifacts(ctx: SiteContext, peer: PeerContext) -> list[Artifact]:
    out = []
    for device in peer.devices:
        for ds in device.steps:
            text = _render(ds.step.template, site=ctx, peer=peer, device=device, ds=ds)
            rel = f"{peer.name}/{device.hostname}/{ds.filename}"
            out.append(Artifact(rel, peer.name, device.hostname, "tmsh-apply", ds.step.number, text.encode()))
    return out


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
