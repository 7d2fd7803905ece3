"""The iApp path of a plan (filled in below)."""

from __future__ import annotations

from generator.artifacts import Artifact
from generator.lifecycle.plan import PeerPlan, Plan
from generator.lifecycle.views import PlanHeader


def peer_files(plan: Plan, pp: PeerPlan, header: PlanHeader) -> list[Artifact]:
    return []
