"""The iApp framework on the device model: application services, what they own, and the
iApp flow of IMPORT.md replayed operation by operation on a Cluster.

What the model assumes (reference iapp-11.6.md §4.2 and §5; [C] where a source says so):
- A service owns the objects its implementation creates; a `modify` of an object it did not
  create (an existing pool) does not make it owned [I].
- Creating a service runs the implementation once; the run is atomic: if any command fails,
  nothing of it stays [C: S24 "iApps always act atomically"].
- A reconfigure re-runs the whole implementation ("mark and sweep"): a create of an owned
  object that exists makes it what the create describes (properties the create does not name
  back at their defaults), so an identical re-create changes nothing and a changed one is
  modified [I]; owned objects the run did not create again
  are deleted [C for the outline: S24; F5's iControl `Management::ApplicationService::modify`
  says "Existing objects owned by the application will be deleted if they are not recreated by
  the script"]. A create of an existing object the service does not own fails [I].
- The swept objects, and on delete every owned object, go in one step: a reference between
  two of them does not block it, a reference from any surviving object does, and then the
  whole run fails and changes nothing [I].
- Deleting the service deletes its owned objects and runs no code [C: S24].
- Owned objects refuse tmsh `modify` and `delete` (strict updates, the default) [C: S24, S30].
- The service object is config-synced with the objects it owns that are synced themselves
  (floating self IPs, tunnel, pool, monitor) [C for the service: iapp-11.6.md §5, S16; I for the
  ownership travelling with them]; on the receiving unit it owns only those [I].
- A service that arrives by config-sync does not run its implementation there [C: S16 says
  the peer does not re-run it; I for 11.6].
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

from generator import bigip
from generator.iapp.flow import Op
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import (
    SERVICE,
    Cluster,
    Key,
    PropMap,
    ReplayedUnit,
    ReplayError,
    apply_config,
    is_synced,
    references,
)
from generator.proof.tmsh.script import Command, ScriptError, parse_command

__all__ = ["SERVICE", "FlowRunner", "owned_here", "service_key"]


def service_key(name: str) -> Key:
    return SERVICE, f"{bigip.path(name)}.app/{name}"


def owned_here(device: ReplayedUnit, props: PropMap) -> set[Key]:
    """The objects a service owns on this device: all it created where it ran, only the synced
    ones on a unit that received it by config-sync."""
    here = device.hostname == props["ran-on"]
    return {
        k
        for k in props["owned"]  # type: ignore[attr-defined]
        if k in device.objects and (here or is_synced(k, device.objects[k]))
    }


def _owned_by_any(device: ReplayedUnit) -> dict[Key, str]:
    out: dict[Key, str] = {}
    for key, props in device.objects.items():
        if key[0] == SERVICE:
            out |= dict.fromkeys(owned_here(device, props), key[1])
    return out


def _delete_together(device: ReplayedUnit, doomed: set[Key]) -> None:
    for key, props in device.objects.items():
        if key in doomed:
            continue
        for kinds, name in references(key, props):
            hit = next((d for d in doomed if d[0] in kinds and d[1] == name), None)
            if hit is not None:
                raise ReplayError(f"cannot delete {hit[1]}: still referred to by {key[1]}")
    for key in doomed:
        del device.objects[key]
    device.unsaved = True


def _atomic(device: ReplayedUnit, what: str, change: Callable[[], None]) -> None:
    snapshot = copy.deepcopy(device.objects)
    try:
        change()
    except (ReplayError, ScriptError) as exc:
        device.objects = snapshot
        raise ReplayError(f"{what} on {device.hostname} failed, nothing changed: {exc}") from None


def _run_recorded(
    device: ReplayedUnit, number: int, line: str, owned: set[Key], others: dict[Key, str]
) -> Key | None:
    """One recorded command of a run; the key it creates (marks), if any."""
    cmd = parse_command(number, line)
    if cmd.verb not in ("create", "modify", "delete"):
        raise ReplayError(f"command {number} is not a configuration command: {line[:60]}")
    if cmd.key in others and cmd.key not in owned:
        raise ReplayError(f"{cmd.key[1]} is owned by {others[cmd.key]}")
    marked = cmd.key if cmd.verb == "create" else None
    if cmd.verb == "create" and cmd.key in device.objects:
        if cmd.key not in owned:
            raise ReplayError(f"create {cmd.key[1]}: already exists on {device.hostname}")
        # mark and sweep: a re-create makes the object what the create describes, properties it
        # does not name back at their defaults (a renamed VLAN-group member replaces the old one,
        # a proxy exclusion no longer answered goes) [I]
        device.objects[cmd.key] = {}
        cmd = dataclasses.replace(cmd, verb="modify")
    try:
        apply_config(device, cmd)
    except ReplayError as exc:
        raise ReplayError(f"command {number}: {exc}") from None
    return marked


def run_service(
    device: ReplayedUnit, name: str, recorded: Sequence[str], variables: Mapping[str, str], *, create: bool
) -> None:
    """Create the service (create=True) or reconfigure it, running the recorded commands."""
    key = service_key(name)
    current = device.objects.get(key)
    if create and current is not None:
        raise ReplayError(f"application service {key[1]} already exists on {device.hostname}")
    if not create and current is None:
        raise ReplayError(f"application service {key[1]} does not exist on {device.hostname}")
    verb = "create" if create else "reconfigure"

    def change() -> None:
        owned = owned_here(device, current) if current is not None else set()
        others = _owned_by_any(device)
        marks = [_run_recorded(device, n, line, owned, others) for n, line in enumerate(recorded, 1)]
        created = [k for k in marks if k is not None]
        _delete_together(device, owned - set(created))  # the sweep
        device.objects[key] = {
            "owned": tuple(created),
            "ran-on": device.hostname,
            "variables": tuple(sorted(variables.items())),
        }

    _atomic(device, f"{verb} {key[1]}", change)


def delete_service(device: ReplayedUnit, name: str) -> None:
    key = service_key(name)
    current = device.objects.get(key)
    if current is None:
        raise ReplayError(f"application service {key[1]} does not exist on {device.hostname}")
    _atomic(device, f"delete {key[1]}", lambda: _delete_together(device, owned_here(device, current) | {key}))


def check_strict_updates(device: ReplayedUnit, commands: Iterable[Command], source: str) -> None:
    """tmsh may not modify or delete an object an application service owns."""
    owned = _owned_by_any(device)
    for cmd in commands:
        if cmd.verb in ("modify", "delete") and cmd.key in owned:
            raise ReplayError(
                f"{source}:{cmd.line}: {cmd.verb} {cmd.key[1]}: owned by application service {owned[cmd.key]} (strict updates)"
            )


@dataclasses.dataclass
class FlowRunner:
    """Replays a flow of generator.iapp.flow on one peer's cluster."""

    cluster: Cluster
    service: str
    group: str | None
    tmsh_files: Mapping[str, str]  # version-folder path -> script text
    recorded: Mapping[tuple[str, str], Sequence[str]]  # (host, stage) -> recorded commands
    answers: Mapping[tuple[str, str], Mapping[str, str]]  # (host, stage) -> answers

    def run(self, ops: Iterable[Op]) -> None:
        for number, op in enumerate(ops, start=1):
            try:
                self.step(op)
            except (ReplayError, ScriptError) as exc:
                raise ReplayError(f"operation {number} ({op.describe()}): {exc}") from None
            except KeyError as exc:
                raise ReplayError(f"operation {number} ({op.describe()}): missing {exc}") from None

    def step(self, op: Op) -> None:
        action, host = op.action, op.host
        device = self.cluster.devices[host]
        if action == "tmsh":
            commands = parse_step(op.file, self.tmsh_files[op.file])
            check_strict_updates(device, commands, op.file)
            self.cluster.run(host, commands, op.file)
        elif action in ("create", "reconfigure"):
            run = (host, op.stage)
            run_service(
                device, self.service, self.recorded[run], self.answers[run], create=action == "create"
            )
        elif action == "delete":
            delete_service(device, self.service)
        elif action == "sync":
            if self.group is None:
                raise ReplayError("config-sync on a standalone device")
            sync = Command(0, f"run cm config-sync to-group {self.group}", "sync", target=self.group)
            self.cluster.run(host, [sync], "config-sync")
        else:
            raise ReplayError(f"unknown operation {action!r}")
