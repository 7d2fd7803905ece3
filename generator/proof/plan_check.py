"""`etherip check` of a plan package (OUT/<deployment>/changes/<old>-<new>/<version>/): the folder
is exactly etherip's plan from its old-site.yaml to its site.yaml, and that plan is sound.

Nothing read from the folder is run: both site files are validated and the plan is made and
rendered again in memory (generator/lifecycle/), the folder compared with it byte for byte, and
every proof runs on etherip's own render of the plan:
  manifest   every file listed with its sha256, none unlisted;
  words      every tmsh command is a complete Tcl word list (real Tcl);
  read-only  the pre-check and verify files hold only reads, the backup and the pager setting;
  replay     per peer, on the device model with config-sync (generator/proof/tmsh/replay.py),
             starting from what both site files say exists: OLD's own render applied, then the
             plan's apply files in runbook order must leave every unit exactly as NEW's render
             applied leaves it (a replaced unit starts fresh), no object referring to one a unit
             lacks; then the plan's rollback files must give back exactly OLD's state, saved;
  expect     every Expect of the plan's files holds on the modelled unit where its line runs:
             pre-checks on OLD's state, apply steps (sync gates where they stand), verification
             on NEW's state once both peers are done, rollback (generator/proof/expect_check.py);
  iApp       the iApp path of IMPORT.md replayed on the model of iApp services
             (generator/proof/plan_iapp.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

from generator.artifacts import VersionTree
from generator.errors import GeneratorError
from generator.folder import Folder, compare
from generator.lifecycle.package import OLD_SITE, build_plan, render_plan
from generator.lifecycle.plan import Plan
from generator.load import MAX_SITE_BYTES, parse_site
from generator.model import Site
from generator.output import MAX_MANIFEST_BYTES
from generator.proof.expect_check import ExpectFinding, _judge_file, starting_world
from generator.proof.observe import World
from generator.proof.plan_iapp import Context, Reporter, listed, prove_peer_flow
from generator.proof.tcl import tcl
from generator.proof.tmsh.replay import (
    Cluster,
    Key,
    PropMap,
    ReplayedUnit,
    ReplayError,
    references,
    runbook_order,
)
from generator.proof.tmsh.script import ScriptError, parse_script, split_commands
from generator.provenance import writer
from generator.render import render_version
from generator.templating import compiled_from_source
from generator.validate import validate_source
from generator.versions import BigIpVersion


def is_plan(folder: Folder) -> bool:
    return OLD_SITE in folder.entries


def check_plan_folder(folder: Folder, where: str, layout: tuple[str, str] | None, report: Reporter) -> None:
    sites = [_site(folder, name, where, report) for name in (OLD_SITE, "site.yaml")]
    old, new = sites
    if old is None or new is None:
        return
    version = _version(folder, layout, where, report)
    if version is None:
        return
    try:
        with compiled_from_source():
            plan = build_plan(old[0], new[0], version)
            tree = render_plan(plan, old[1], new[1])
    except GeneratorError as exc:
        report.add(where, "plan", f"{exc}")
        return
    if _another_writer(folder, where, report):
        return
    mine = tree.files()
    for diff in compare(folder, mine):
        report.add(
            f"{where}/{diff.rel}",
            "render",
            f"{diff.kind}: not etherip's plan from {OLD_SITE} to site.yaml"
            + (f" ({diff.detail})" if diff.detail else ""),
        )
    prove_plan(old[0], new[0], version, tree, where, report, plan=plan)


def _site(folder: Folder, name: str, where: str, report: Reporter) -> tuple[Site, bytes] | None:
    data = folder.read(name, MAX_SITE_BYTES)
    if isinstance(data, str):
        report.add(f"{where}/{name}", "site", f"{data}: the check needs both site files of the plan")
        return None
    try:
        return validate_source(parse_site(data, f"{where}/{name}")), data
    except GeneratorError as exc:
        for line in exc.lines():
            report.add(f"{where}/{name}", "site", line)
        return None


def _version(
    folder: Folder, layout: tuple[str, str] | None, where: str, report: Reporter
) -> BigIpVersion | None:
    named = layout[1] if layout else None
    raw = folder.read("manifest.json", MAX_MANIFEST_BYTES)
    claimed = None
    if isinstance(raw, bytes):
        try:
            doc = json.loads(raw)
            claimed = doc.get("version") if isinstance(doc, dict) else None
        except ValueError:
            pass
    for text in (named, claimed):
        try:
            return BigIpVersion(text) if isinstance(text, str) else None
        except ValueError:
            continue
    report.add(
        where,
        "render",
        "cannot tell the version: the folder is not named after one and manifest.json names none",
    )
    return None


def _another_writer(folder: Folder, where: str, report: Reporter) -> bool:
    raw = folder.read("manifest.json", MAX_MANIFEST_BYTES)
    try:
        doc = json.loads(raw) if isinstance(raw, bytes) else None
    except ValueError:
        return False
    if not isinstance(doc, dict) or doc.get("etherip") == writer():
        return False
    report.add(
        f"{where}/manifest.json",
        "render",
        f"written by another etherip or template set than this one ({writer()['version']}); make the plan "
        f"again with this one: etherip plan {where}/{OLD_SITE} {where}/site.yaml --version <version>",
    )
    return True


# ---- the proofs --------------------------------------------------------------------------------


@dataclass
class Replayed:
    """Per peer: OLD's render applied, and NEW's (both from the union of what each site says exists)."""

    old: dict[str, Cluster]
    new: dict[str, Cluster]
    start: dict[str, dict[str, dict[Key, PropMap]]]  # peer → NEW host → objects before either change
    old_start: dict[str, dict[str, dict[Key, PropMap]]] = field(
        default_factory=dict
    )  # peer → OLD host → the same


def prove_plan(
    old: Site,
    new: Site,
    version: BigIpVersion,
    tree: VersionTree,
    where: str,
    report: Reporter,
    *,
    iapp: bool = True,
    plan: Plan | None = None,
) -> None:
    files = tree.files()
    manifest = _manifest(files, where, report)
    _words(files, where, report)
    if manifest is None:
        return
    _read_only(files, manifest, where, report)
    base = _replayed(old, new, version, where, report)
    if base is None:
        return
    clusters = _replay_plan(new, base, files, manifest, where, report)
    if clusters is None:
        return
    _expects(old, new, version, base, files, manifest, where, report)
    if iapp:
        the_plan = plan or build_plan(old, new, version)
        for pp in the_plan.peers:
            if pp.changes:
                tmsh = {h: d.objects for h, d in base.new[pp.name].devices.items()}
                c = Context(
                    old, new, version, files, base.start[pp.name], base.old_start[pp.name], tmsh, where
                )
                report.cases_run += prove_peer_flow(c, pp, report)


def _manifest(files: dict[str, bytes], where: str, report: Reporter) -> list[dict[str, object]] | None:
    try:
        entries = json.loads(files["manifest.json"])["artifacts"]
    except (KeyError, ValueError, TypeError):
        report.add(f"{where}/manifest.json", "manifest", "missing or not a manifest")
        return None
    listed = {str(e["path"]): e for e in entries}
    for path in sorted(set(files) - set(listed) - {"manifest.json"}):
        report.add(f"{where}/{path}", "manifest", "file not listed in manifest.json")
    for path, e in listed.items():
        if path not in files or hashlib.sha256(files[path]).hexdigest() != e["sha256"]:
            report.add(f"{where}/{path}", "manifest", "missing, or its sha256 differs from manifest.json")
    return list(entries)


def _words(files: dict[str, bytes], where: str, report: Reporter) -> None:
    commands: list[tuple[str, int, str]] = []
    for path, content in sorted(files.items()):
        if path.endswith(".tmsh"):
            try:
                commands += [(path, line, cmd) for line, cmd in split_commands(content.decode())]
            except (ScriptError, UnicodeDecodeError) as exc:
                report.add(f"{where}/{path}", "tcl-words", str(exc))
    for (path, line, cmd), (complete, words) in zip(
        commands, tcl().words([c for _, _, c in commands]), strict=True
    ):
        if not complete or words is None:
            report.add(
                f"{where}/{path}", "tcl-words", f"line {line}: not a complete Tcl word list: {cmd[:60]}"
            )


def _read_only(
    files: dict[str, bytes], manifest: list[dict[str, object]], where: str, report: Reporter
) -> None:
    for entry in manifest:
        if entry["kind"] not in ("tmsh-precheck", "tmsh-verify"):
            continue
        path = str(entry["path"])
        for command in parse_script(files[path].decode()):
            if command.verb not in ("read", "backup", "preference"):
                report.add(f"{where}/{path}", "read-only", f"line {command.line}: changes the configuration")


def _replayed(old: Site, new: Site, version: BigIpVersion, where: str, report: Reporter) -> Replayed | None:
    """OLD's and NEW's own renders, applied from the union of what both site files say exists."""
    worlds = {"old": starting_world(old, version), "new": starting_world(new, version)}
    out = Replayed({}, {}, {})
    for name in new.peers:
        old_hosts, new_hosts = list(old.peers[name].devices), list(new.peers[name].devices)
        start = {
            h: _union(worlds["new"].clusters[name].devices[h], worlds["old"].clusters[name].devices.get(h))
            for h in new_hosts
        }
        out.start[name] = start
        group = new.peers[name].device_group
        out.old_start[name] = {
            o: start[n] if o == n else worlds["old"].clusters[name].devices[o].objects
            for o, n in zip(old_hosts, new_hosts, strict=True)
        }
        olds = {o: ReplayedUnit(o, group, copy.deepcopy(out.old_start[name][o])) for o in old_hosts}
        news = {h: ReplayedUnit(h, group, copy.deepcopy(start[h])) for h in new_hosts}
        for label, site, devices, target in (("OLD", old, olds, out.old), ("NEW", new, news, out.new)):
            cluster = Cluster(devices)
            if not _apply_render(site, version, name, cluster, f"{where}/{name}", label, report):
                return None
            target[name] = cluster
    return out


def _union(mine: ReplayedUnit, theirs: ReplayedUnit | None) -> dict[Key, PropMap]:
    return {**(copy.deepcopy(theirs.objects) if theirs else {}), **copy.deepcopy(mine.objects)}


def _apply_render(
    site: Site, version: BigIpVersion, peer: str, cluster: Cluster, where: str, label: str, report: Reporter
) -> bool:
    with compiled_from_source():
        tree = render_version(site, version)
    files = tree.files()
    manifest = json.loads(files["manifest.json"])["artifacts"]
    try:
        for art in runbook_order(site, peer, manifest):
            cluster.run(
                str(art["device"]), parse_script(files[str(art["path"])].decode()), f"{label}:{art['path']}"
            )
    except (ReplayError, ScriptError) as exc:
        report.add(
            where, "replay", f"{label}'s own render does not apply from the union of both site files: {exc}"
        )
        return False
    return True


def _plan_cluster(new: Site, base: Replayed, peer: str) -> Cluster:
    """The peer after OLD's change: kept units as OLD left them, a replaced unit fresh."""
    old_cluster = base.old[peer]
    devices = {}
    for host in new.peers[peer].devices:
        kept = old_cluster.devices.get(host)
        objects = copy.deepcopy(kept.objects if kept else base.start[peer][host])
        devices[host] = ReplayedUnit(host, new.peers[peer].device_group, objects)
    return Cluster(devices)


def _replay_plan(
    new: Site,
    base: Replayed,
    files: dict[str, bytes],
    manifest: list[dict[str, object]],
    where: str,
    report: Reporter,
) -> dict[str, Cluster] | None:
    done: dict[str, Cluster] = {}
    for peer in new.peers:
        cluster = _plan_cluster(new, base, peer)
        before = {h: copy.deepcopy(d.objects) for h, d in cluster.devices.items()}
        if not _run(new, peer, cluster, files, manifest, "tmsh-apply", where, report):
            return None
        _same(cluster, base.new[peer], f"{where}/{peer}", "apply", "NEW's render", report)
        _dangling(cluster, f"{where}/{peer}", report)
        if not _run(new, peer, cluster, files, manifest, "tmsh-rollback", where, report):
            return None
        for host, device in cluster.devices.items():
            _compare_objects(
                device.objects, before[host], f"{where}/{peer}/{host}", "rollback", "OLD's state", report
            )
            if device.unsaved:
                report.add(f"{where}/{peer}/{host}", "rollback", "rollback ends without save sys config")
        done[peer] = cluster
    return done


def _run(
    site: Site,
    peer: str,
    cluster: Cluster,
    files: dict[str, bytes],
    manifest: list[dict[str, object]],
    kind: str,
    where: str,
    report: Reporter,
) -> bool:
    try:
        for art in runbook_order(site, peer, manifest, kind):
            path = str(art["path"])
            cluster.run(str(art["device"]), parse_script(files[path].decode()), f"{where}/{path}")
    except (ReplayError, ScriptError, KeyError) as exc:
        report.add(f"{where}/{peer}", "replay" if kind == "tmsh-apply" else "rollback", str(exc))
        return False
    return True


def _same(mine: Cluster, theirs: Cluster, where: str, check: str, label: str, report: Reporter) -> None:
    for host, device in mine.devices.items():
        _compare_objects(
            device.objects, theirs.devices[host].objects, f"{where}/{host}", check, label, report
        )
        if device.unsaved:
            report.add(f"{where}/{host}", check, "the apply ends without save sys config")


def _compare_objects(
    mine: dict[Key, PropMap], theirs: dict[Key, PropMap], where: str, check: str, label: str, report: Reporter
) -> None:
    for key in sorted(set(mine) | set(theirs)):
        a, b = listed(key, mine.get(key)), listed(key, theirs.get(key))
        if a != b:
            report.add(where, check, f"{' '.join(key[0])} {key[1]}: the plan leaves {a!r}, {label} is {b!r}")


def _dangling(cluster: Cluster, where: str, report: Reporter) -> None:
    """No object refers to one its unit lacks (a config-sync that removed a synced object while
    a device-local one still names it would leave this)."""
    for host, device in cluster.devices.items():
        for key, props in device.objects.items():
            for kinds, name in references(key, props):
                if not device.has_any(kinds, name):
                    report.add(f"{where}/{host}", "replay", f"{key[1]} refers to {name}, which {host} lacks")


def _expects(
    old: Site,
    new: Site,
    version: BigIpVersion,
    base: Replayed,
    files: dict[str, bytes],
    manifest: list[dict[str, object]],
    where: str,
    report: Reporter,
) -> None:
    """Every Expect holds where its line runs: pre-checks on OLD's state, apply (gates in place),
    verification on NEW's state, rollback."""
    facts = starting_world(new, version).facts
    world = World(old, {p: _plan_cluster(new, base, p) for p in new.peers}, facts)
    found: list[ExpectFinding] = []
    for art in (a for a in manifest if a["kind"] == "tmsh-precheck"):
        _judge_file(world, art, files, found)
    world.site = new
    for peer in new.peers:
        for art in runbook_order(new, peer, manifest, "tmsh-apply"):
            _judge_file(world, art, files, found)
    for art in (a for a in manifest if a["kind"] == "tmsh-verify"):
        _judge_file(world, art, files, found)
    world.site = old
    for peer in reversed(tuple(new.peers)):
        for art in runbook_order(new, peer, manifest, "tmsh-rollback"):
            _judge_file(world, art, files, found)
    for f in found:
        report.add(f"{where}/{f.path}", "expect", f"line {f.line}: {f.message}")
