"""Findings and their two outputs: one text line each, or JSON for pipelines."""

from __future__ import annotations

import json
from dataclasses import dataclass

CONFLICT, ERROR, NOTE = "conflict", "error", "note"


@dataclass(frozen=True, order=True)
class PrecheckFinding:
    """One line: `DEVICE: kind: object(s): message (FILE:LINE)`.

    severity: "conflict" (the change collides with the saved state), "error" (a given input could
    not be checked: unreadable, or a unit the site file does not know), or "note" (said, but not
    a failure: a site unit without a saved configuration, something the parser could not read).
    """

    device: str
    kind: str
    objects: tuple[str, ...]
    message: str
    where: str = ""  # FILE:LINE in the saved configuration, when known
    severity: str = CONFLICT
    absence: tuple[str, ...] = ()  # found by an object's absence in these parts ("base", "user")

    def __str__(self) -> str:
        objects = ", ".join(self.objects) or "-"
        where = f" ({self.where})" if self.where else ""
        return _printable(f"{self.device}: {self.kind}: {objects}: {self.message}{where}")

    def as_dict(self) -> dict[str, object]:
        return {
            "device": self.device,
            "severity": self.severity,
            "kind": self.kind,
            "objects": list(self.objects),
            "message": self.message,
            "where": self.where or None,
        }


@dataclass(frozen=True)
class UnitResult:
    device: str  # the site's device key, or the given name / path of an unknown unit
    source: str  # the PATH given, or "" for a site unit without a saved configuration
    findings: tuple[PrecheckFinding, ...]


@dataclass(frozen=True)
class PrecheckReport:
    site: str
    version: str
    units: tuple[UnitResult, ...]

    @property
    def findings(self) -> list[PrecheckFinding]:
        return [f for u in self.units for f in u.findings]

    @property
    def failed(self) -> bool:
        return any(f.severity in (CONFLICT, ERROR) for f in self.findings)

    def text_lines(self) -> list[str]:
        return [str(f) for f in self.findings]

    def summary(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in (CONFLICT, ERROR, NOTE)}
        checked = sum(1 for u in self.units if u.source)
        return (
            f"{self.site}: BIG-IP {self.version}: {checked} unit(s) checked: "
            f"{counts[CONFLICT]} conflict(s), {counts[ERROR]} error(s), {counts[NOTE]} note(s)"
        )

    def as_json(self) -> str:
        data = {
            "site": self.site,
            "version": self.version,
            "ok": not self.failed,
            "units": [
                {
                    "device": u.device,
                    "source": u.source or None,
                    "findings": [f.as_dict() for f in u.findings],
                }
                for u in self.units
            ],
        }
        return json.dumps(data, indent=2)


def _printable(text: str) -> str:
    """Control characters from a saved configuration never reach the terminal as they are."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
