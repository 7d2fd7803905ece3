"""The frozen views a plan package's templates read (templates/common/plan/): nothing in a
template derives anything."""

from __future__ import annotations

from dataclasses import dataclass

from generator.expects import Probe
from generator.operations import ConfigObject


@dataclass(frozen=True)
class StepView:
    """One apply or rollback file of one unit (or its save step)."""

    heading: str  # "Step" or "Rollback step"
    number: int
    total: int
    title: str
    filename: str  # relative to the unit's folder
    where: tuple[str, ...]  # the "Where:" lines
    before: tuple[str, ...]  # the "Before:" lines
    forms: tuple[str, ...]  # why each modify or replace takes its form (with its source)
    checks: tuple[Probe, ...]  # sync gates, before the transaction
    lines: tuple[str, ...]  # the tmsh lines
    transaction: bool
    sync: str  # "run cm config-sync to-group <dg>", or ""
    closing: tuple[Probe, ...] = ()  # after a save: the sync status
    undoes: int | None = None  # a rollback step: the apply step it undoes
    synced: bool = False
    notes: tuple[str, ...] = ()  # known issues of the version that bear on this peer


@dataclass(frozen=True)
class UnitView:
    peer: str
    hostname: str
    replaced: bool
    precheck: tuple[Probe, ...]
    verify: tuple[Probe, ...]
    verify_file: str
    apply: tuple[StepView, ...]
    rollback: tuple[StepView, ...]
    expected: tuple[ConfigObject, ...]
    standby_note: str  # verify: why a standby unit's pings are checked on the other unit
    pager_back: tuple[str, ...]


@dataclass(frozen=True)
class PlanHeader:
    deployment: str
    version: str
    change: str  # "<old-hash>-<new-hash>"
    tmsh_version: str
