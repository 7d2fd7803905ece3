"""Rendered files in memory: what a version folder will hold before anything touches the disk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from generator.versions import BigIpVersion


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
    deployment: str
    version: BigIpVersion
    artifacts: list[Artifact] = field(default_factory=list)

    def files(self) -> dict[str, bytes]:
        return {a.path: a.content for a in self.artifacts}
