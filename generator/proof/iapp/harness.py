"""Check 4 and 6: run the iApp implementation offline, once per case, in real Tcl.

The implementation runs in a Tcl safe interpreter (harness.tcl): no file, exec, open, socket,
interp, load or source, no channels, only the recording tmsh:: stubs, so checking a template
never gives its code any power over the checking machine.

Each case is a device (by hostname) and a set of answers; the result is the implementation's
status, its error message, and the tmsh command lines it would have run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files

from generator.proof.tcl import tcl, tcl_quote


@dataclass(frozen=True)
class Case:
    name: str
    hostname: str
    answers: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    case: Case
    ok: bool
    message: str
    recorded: tuple[str, ...]


def harness_script() -> str:
    return (files("generator.proof.iapp") / "harness.tcl").read_text(encoding="utf-8")


_MEMO: dict[tuple[str, str, tuple[tuple[str, str], ...]], tuple[bool, str, tuple[str, ...]]] = {}
_MEMO_LIMIT = 50_000


CASE_SECONDS = 20


def run_cases(implementation: str, cases: list[Case], seconds: int = CASE_SECONDS) -> list[Outcome]:
    """Run every case; a case already run with the same implementation, device and answers
    (another version folder of the same deployment) is answered from memory."""
    digest = hashlib.sha256(implementation.encode()).hexdigest()
    keys = [(digest, c.hostname, tuple(sorted(c.answers.items()))) for c in cases]
    # this call's results, kept apart from the memo: a full memo is cleared while filling it
    found = {k: _MEMO[k] for k in keys if k in _MEMO}
    todo = [c for c, k in zip(cases, keys, strict=True) if k not in found]
    for outcome in _run(implementation, todo, seconds):
        key = (digest, outcome.case.hostname, tuple(sorted(outcome.case.answers.items())))
        found[key] = (outcome.ok, outcome.message, outcome.recorded)
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[key] = found[key]
    return [Outcome(c, *found[k]) for c, k in zip(cases, keys, strict=True)]


def _run(implementation: str, cases: list[Case], seconds: int) -> list[Outcome]:
    if not cases:
        return []
    data = "\x00".join(_encode(c) for c in cases)
    out = tcl().run(harness_script(), [implementation, data, str(seconds)])
    outcomes = []
    for case, record in zip(cases, out.split("\x02")[: len(cases)], strict=True):
        status, message, recorded = record.split("\x01", 2)
        outcomes.append(Outcome(case, status == "0", message, tuple(r for r in recorded.split("\x03") if r)))
    return outcomes


def _encode(case: Case) -> str:
    """One case as a Tcl list; the answers list is braced, its elements backslash-quoted, so
    every value arrives in the child interpreter exactly as given, whatever it holds."""
    answers = " ".join(f"{tcl_quote(k)} {tcl_quote(v)}" for k, v in case.answers.items())
    return " ".join([tcl_quote(case.name), tcl_quote(case.hostname), "{" + answers + "}"])
