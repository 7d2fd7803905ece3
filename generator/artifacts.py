"""Rendered files in memory: what a version folder will hold before anything touches the disk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from generator.versions import BigIpVersion


class ArtifactKind(StrEnum):
    """What a rendered file is (manifest.json's `kind`)."""

    SITE = "site"
    TMSH_PRECHECK = "tmsh-precheck"
    TMSH_APPLY = "tmsh-apply"
    SHELL_APPLY = "shell-apply"  # an apply step run in bash (the IPsec key step)
    TMSH_VERIFY = "tmsh-verify"
    TMSH_ROLLBACK = "tmsh-rollback"
    EXPECTED_STATE = "expected-state"
    IAPP_TEMPLATE = "iapp-template"
    IAPP_DEPLOY = "iapp-deploy"
    IAPP_GUIDE = "iapp-guide"
    IAPP_ZIP = "iapp-zip"
    TOPOLOGY = "topology"
    RUNBOOK = "runbook"
    MANIFEST = "manifest"


def manifest_entries(artifacts: list[Artifact]) -> list[dict[str, object]]:
    """manifest.json's `artifacts`: every file's path, peer, device, kind, step and sha256, by path."""
    return [
        {
            "path": a.path,
            "peer": a.peer,
            "device": a.device,
            "kind": a.kind,
            "step": a.step,
            "sha256": a.sha256,
        }
        for a in sorted(artifacts, key=lambda a: a.path)
    ]


@dataclass(frozen=True, kw_only=True)
class Artifact:
    path: str  # relative to the version folder, "/"-separated
    kind: ArtifactKind
    content: bytes
    peer: str | None = None  # None: the file belongs to the whole deployment
    device: str | None = None  # None: to the whole peer
    step: int | None = None  # the step number of a step file

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class VersionTree:
    deployment: str
    version: BigIpVersion
    artifacts: list[Artifact] = field(default_factory=list)

    def files(self) -> dict[str, bytes]:
        return {a.path: a.content for a in self.artifacts}
