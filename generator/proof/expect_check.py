"""Every Expect of a render holds on the modelled unit at the moment its line runs.

The change is replayed in the order CHANGE.md gives it, on the device model seeded with a
healthy unit of the site file (generator/proof/observe.py `World`):
  pre-checks   on every unit before anything changed;
  apply        each peer's step files in runbook order; a line with an Expect inside a step
               file (a sync gate, the save step's sync check) is judged where it stands;
  verify       on every unit once both peers are done;
  rollback     from there, peers in the rollback table's order, gates judged where they stand.
A claim that the model contradicts, an Expect this reader cannot read, and a read-only line
without an Expect are findings. What the model does not know (the allow-service of a self IP
the site file does not describe) is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.bigip import path
from generator.model import Site
from generator.proof.expects import ReadLine, read_lines
from generator.proof.observe import SITE_ROUTE, World, holds, observe
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import UNKNOWN, ReplayError, runbook_order, starting_cluster
from generator.proof.tmsh.script import Command, ScriptError
from generator.versions import BigIpVersion, release

READ_VERBS = ("read", "preference", "backup")


@dataclass(frozen=True)
class ExpectFinding:
    path: str
    line: int
    message: str


def starting_world(site: Site, version: BigIpVersion) -> World:
    """Both peers before the change, as healthy units of the site file."""
    world = World(site, {peer: starting_cluster(site, peer) for peer in site.peers})
    for peer_name, cluster in world.clusters.items():
        peer = site.peers[peer_name]
        used = [n for v in (peer.wan, peer.vm) if v.create for n in (v.interfaces or {})]
        for index, (host, device) in enumerate(cluster.devices.items()):
            facts = {
                "hostname": host,
                "version": release(version).tmsh_version,
                "failover": "active" if index == 0 else "standby",
            }
            if peer.is_ha:
                facts["db.iptunnel.configsync"] = '"enable"'
            world.facts[(peer_name, host)] = facts
            for name in used:
                kind = ("net", "interface") if "." in name else ("net", "trunk")
                device.objects[(kind, name)] = {}
            if peer.wan.gateway == "existing":  # the site says a route is in place; not where to
                device.objects[(SITE_ROUTE, path("etherip-site-existing-route"))] = {
                    "network": "0.0.0.0/0",
                    "gw": UNKNOWN,
                }
    return world


def check_expects(
    site: Site, version: BigIpVersion, files: dict[str, bytes], manifest: list[dict[str, object]]
) -> list[ExpectFinding]:
    findings: list[ExpectFinding] = []
    world = starting_world(site, version)
    for art in _of_kind(manifest, "tmsh-precheck"):
        _judge_file(world, art, files, findings)
    for peer in site.peers:
        for art in runbook_order(site, peer, manifest, "tmsh-apply"):
            if not _judge_file(world, art, files, findings):
                return findings
    for art in _of_kind(manifest, "tmsh-verify"):
        _judge_file(world, art, files, findings)
    for peer in reversed(tuple(site.peers)):
        for art in runbook_order(site, peer, manifest, "tmsh-rollback"):
            if not _judge_file(world, art, files, findings):
                return findings
    return findings


def _of_kind(manifest: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [a for a in manifest if a["kind"] == kind]


def _judge_file(
    world: World, art: dict[str, object], files: dict[str, bytes], findings: list[ExpectFinding]
) -> bool:
    """Run one file on its unit, judging each Expect where it stands; False if the file's
    configuration lines could not be replayed (the replay check reports why)."""
    where, unit = str(art["path"]), (str(art["peer"]), str(art["device"]))
    text = files[where].decode()
    try:
        commands = parse_step(where, text)
    except ScriptError as exc:
        findings.append(ExpectFinding(where, exc.line, str(exc)))
        return False
    # the key step is bash: its one tmsh read shows the new peer, with no Expect to judge
    expects = {} if where.endswith(".sh") else {r.line: r for r in read_lines(text)}
    cluster = world.clusters[unit[0]]
    pending: list[Command] = []
    for cmd in commands:
        read = expects.get(cmd.line)
        if cmd.verb not in READ_VERBS:
            pending.append(cmd)
            continue
        try:
            cluster.run(unit[1], pending, where)
        except ReplayError:
            return False
        pending = []
        if read is not None:
            _judge_line(world, unit, where, read, findings)
    try:
        cluster.run(unit[1], pending, where)
    except ReplayError:
        return False
    return True


def _judge_line(
    world: World, unit: tuple[str, str], where: str, read: ReadLine, findings: list[ExpectFinding]
) -> None:
    if read.expect is None:
        findings.append(
            ExpectFinding(where, read.line, f"{read.command[:60]}: a read-only line without an Expect")
        )
        return
    if read.claim is None:
        findings.append(ExpectFinding(where, read.line, f"{read.command[:60]}: {read.problem}"))
        return
    shown = observe(world, unit, read.command)
    if holds(read.claim, shown, world, unit) is False:
        said = " ".join(line.strip() for line in read.expect)[:160]
        findings.append(
            ExpectFinding(
                where,
                read.line,
                f"{read.command[:70]}: {said!r} does not hold on {unit[1]} at this point (the model shows {_summary(shown)})",
            )
        )


def _summary(shown: object) -> str:
    from generator.proof.observe import Shown

    assert isinstance(shown, Shown)
    if shown.objects is None and not shown.fields:
        return '"was not found"'
    if shown.fields:
        return ", ".join(f"{k} {v}" for k, v in shown.fields)
    return "; ".join(f"{name} {dict(sorted(p.items()))}" for name, p in (shown.objects or ()))[:200]
