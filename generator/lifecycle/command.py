"""`etherip plan OLD NEW`: read both site files, refuse two different deployments, print the
plan per unit, and write the plan package of each version through the render's writer
(generator/output.py: one writer at a time, all versions or none, foreign files refused)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from generator.artifacts import VersionTree
from generator.errors import OutputError, Problem, SiteFileError
from generator.lifecycle.identity import Sites, check_same_deployment
from generator.lifecycle.package import CHANGES, build_plan, change_name, render_plan
from generator.lifecycle.plan import Plan
from generator.load import SiteSource, read_site
from generator.model import Site
from generator.output import write_trees
from generator.validate import validate_source
from generator.versions import BigIpVersion


def read_pair(old: Path, new: Path) -> tuple[Sites, bytes, bytes]:
    """Both site files, read and validated (every problem of both reported at once), and their bytes."""
    problems: list[Problem] = []
    loaded: list[tuple[Site, SiteSource]] = []
    for path in (old, new):
        try:
            source = read_site(path, str(path))
            loaded.append((validate_source(source), source))
        except SiteFileError as err:
            problems += err.problems
    if problems:
        raise SiteFileError(problems)
    (a, a_source), (b, b_source) = loaded
    sites = Sites(a, b, a_source, b_source)
    check_same_deployment(sites)
    return sites, a_source.data, b_source.data


def plan_lines(plan: Plan) -> list[str]:
    """The plan per unit, one line per object."""
    lines = []
    for pp in plan.peers:
        for index, host in enumerate(pp.hostnames):
            role = (
                ""
                if not pp.ha
                else (" (first unit: synced objects for the pair)" if index == 0 else " (second unit)")
            )
            if index in pp.replaced:
                role = f" (new unit, replacing {pp.old_hostnames[index]})"
            changes = pp.changes_on(index)
            lines.append(f"{pp.name}/{host}{role}:" + ("" if changes else " no change"))
            lines += [f"  {c.line()}" for c in changes]
    return lines


def run_plan(
    old: Path,
    new: Path,
    versions: Callable[[BigIpVersion], list[BigIpVersion]],
    out: Path,
    say: Callable[[str], None],
) -> None:
    sites, old_bytes, new_bytes = read_pair(old, new)
    chosen = versions(sites.new.bigip_version)
    plans = [build_plan(sites.old, sites.new, v) for v in chosen]
    name = change_name(old_bytes, new_bytes)
    if plans[0].empty:
        say(f"{old} → {new}: no changes (deployment {sites.new.deployment}); nothing written")
        return
    trees: list[VersionTree] = [render_plan(p, old_bytes, new_bytes) for p in plans]
    if sys.stdout is None:
        raise OutputError("cannot write to standard output: it is closed; nothing was written")
    written = write_trees(out / sites.new.deployment / CHANGES, trees)
    say(f"{old} → {new}: deployment {sites.new.deployment}, change {name}")
    for line in plan_lines(plans[0]):
        say(line)
    for folder, tree in zip(written, trees, strict=True):
        say(f"{folder}: {len(tree.artifacts)} files for BIG-IP {tree.version.value}")
