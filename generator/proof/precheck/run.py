"""Match each given saved configuration to a device of the site file, check it, report."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.context import DeviceContext, PeerContext, build_context
from generator.errors import EXIT_USAGE, GeneratorError
from generator.model import Site
from generator.proof.precheck.conflicts import check_unit
from generator.proof.precheck.plan import SavedUnit
from generator.proof.precheck.report import ERROR, NOTE, PrecheckFinding, PrecheckReport, UnitResult
from generator.proof.precheck.saved import SavedConfig, hostnames, parse_saved
from generator.proof.precheck.sources import SavedConfigError, read_source
from generator.versions import BigIpVersion


class PrecheckUsageError(GeneratorError):
    """A PATH argument is malformed or names nothing on disk."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class UnitInput:
    device: str | None  # the DEVICE of DEVICE=PATH, else None (found by hostname)
    path: Path
    display: str


def parse_inputs(args: list[str]) -> list[UnitInput]:
    """`DEVICE=PATH` or `PATH`. An argument that exists as a path is a PATH even with a `=`."""
    out = []
    for arg in args:
        device, sep, rest = arg.partition("=")
        if sep and not Path(arg).exists() and device and "/" not in device:
            if not rest:
                raise PrecheckUsageError(f"{arg}: no PATH after {device}=")
            out.append(UnitInput(device, Path(rest), rest))
        else:
            out.append(UnitInput(None, Path(arg), arg))
    for unit in out:
        if not unit.path.exists():
            raise PrecheckUsageError(f"{unit.display}: no such file or folder")
    return out


def run_precheck(
    model: Site, version: BigIpVersion, inputs: list[UnitInput], site_name: str
) -> PrecheckReport:
    ctx = build_context(model, version)
    devices = {d.hostname: (p, d) for p in ctx.peers for d in p.devices}

    def judge(host: str, saved: SavedConfig) -> Iterable[PrecheckFinding]:
        return check_unit(SavedUnit(model, ctx, *devices[host], saved))

    return PrecheckReport(site_name, version.value, judge_units(devices, inputs, judge))


# What a command does with one unit's saved configuration once it is read and matched: its findings.
Judge = Callable[[str, SavedConfig], Iterable[PrecheckFinding]]


def judge_units(
    devices: dict[str, tuple[PeerContext, DeviceContext]], inputs: list[UnitInput], judge: Judge
) -> tuple[UnitResult, ...]:
    """Each given saved configuration read, matched to its unit and judged (precheck, --after):
    every unit of the site in order (a note for one given none), then the inputs that matched
    no unit or a unit already given."""
    checked: dict[str, UnitResult] = {}
    others: list[UnitResult] = []
    for given in inputs:
        result = _one(devices, given, checked, judge)
        if result.device in devices and result.device not in checked:
            checked[result.device] = result
        else:
            others.append(result)
    units = [
        checked.get(host)
        or UnitResult(
            host,
            "",
            (
                PrecheckFinding(
                    host, "not-checked", (), "no saved configuration given for this unit", severity=NOTE
                ),
            ),
        )
        for host in devices
    ]
    return (*units, *others)


def _one(
    devices: dict[str, tuple[PeerContext, DeviceContext]],
    given: UnitInput,
    checked: dict[str, UnitResult],
    judge: Judge,
) -> UnitResult:
    label = given.device or given.display
    try:
        saved = parse_saved(read_source(given.path, given.display))
    except SavedConfigError as err:
        finding = PrecheckFinding(label, "unreadable", (err.where,), err.reason, severity=ERROR)
        return UnitResult(label, given.display, (finding,))
    host, problem = _identify(given, saved, devices)
    if host is None:
        return UnitResult(
            label,
            given.display,
            (PrecheckFinding(label, "unknown-unit", (given.display,), problem, severity=ERROR),),
        )
    if host in checked:
        message = (
            f"a second saved configuration for {host} (the first was {checked[host].source}); not checked"
        )
        return UnitResult(
            host,
            given.display,
            (PrecheckFinding(host, "duplicate-unit", (given.display,), message, severity=ERROR),),
        )
    return UnitResult(host, given.display, tuple(judge(host, saved)))


def _identify(
    given: UnitInput, saved: SavedConfig, devices: dict[str, tuple[PeerContext, DeviceContext]]
) -> tuple[str | None, str]:
    known = ", ".join(devices)
    if given.device is not None:
        if given.device in devices:
            return given.device, ""
        return None, f"{given.device} is not a device of the site file ({known})"
    names = [name for name, _ in hostnames(saved)]
    if not names:
        return (
            None,
            f"no hostname in the saved configuration; name the unit: DEVICE={given.display} ({known})",
        )
    for name in names:
        if name in devices:
            return name, ""
    short = {n.split(".")[0] for n in names}
    matches = [h for h in devices if h.split(".")[0] in short]
    if len(matches) == 1:
        return matches[0], ""  # the hostname check then reports the difference
    return None, f"saved hostname {names[0]} is not a device of the site file ({known}); name it: DEVICE=PATH"
