"""The one error hierarchy. The CLI boundary (`generator.cli`) maps these to exit codes.

Also the one signal setup: SIGINT, SIGTERM and SIGHUP become `Interrupted` wherever the program
is (`stop_on_signals`, taken over by the console command before its imports start), except
within `signals_held`, where they are recorded and acted on only at the checkpoints the holder
chooses (the output swap, between two renames).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

__all__ = [
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "STOP_SIGNALS",
    "GeneratorError",
    "Interrupted",
    "OutputError",
    "OutputLocked",
    "Problem",
    "Reported",
    "SiteFileError",
    "TemplateError",
    "printable",
    "signals_held",
    "stop_on_signals",
]

EXIT_OK = 0
EXIT_INVALID_INPUT = 1  # the site file (or another input) is wrong; nothing was written
EXIT_USAGE = 2  # bad command line (typer's own code for usage errors)
EXIT_OUTPUT = 3  # the output folder (left exactly as it was) or standard output could not be written


def printable(text: str) -> str:
    """`text` for a terminal: every character that is not printable (newline, tab, escape,
    bidi controls, bytes that were not UTF-8) becomes a visible escape, so one message stays
    one line and shows what is really there. Idempotent: escapes are printable."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x100:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\x{code:02x}"))
        else:
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a site file: `FILE:LINE:COL: key.path: message`."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return printable(text)


class GeneratorError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_INVALID_INPUT

    def lines(self) -> list[str]:
        return [printable(str(self))]


class SiteFileError(GeneratorError):
    """The site file is invalid. Carries every problem found, sorted by position."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class TemplateError(GeneratorError):
    """A template failed to render: a bug in etherip, reported with its template location."""

    exit_code = EXIT_OUTPUT


class OutputError(GeneratorError):
    """Writing the output tree (or standard output) failed; nothing was changed.
    `details` are listed under the message, one per line (for example the files in the way)."""

    exit_code = EXIT_OUTPUT

    def __init__(self, message: str, details: tuple[str, ...] | list[str] = ()) -> None:
        self.details = tuple(details)
        super().__init__(message)

    def lines(self) -> list[str]:
        return [printable(str(self)), *(f"  {printable(d)}" for d in self.details)]


class OutputLocked(OutputError):
    """Another etherip render holds the output deployment folder."""


class Reported(GeneratorError):
    """The command has already printed what went wrong (findings, drift, several files'
    problems); only its exit code is left for the boundary."""

    def __init__(self, exit_code: int) -> None:
        self.exit_code = exit_code
        super().__init__(f"exit {exit_code}")

    def lines(self) -> list[str]:
        return []


class Interrupted(GeneratorError):
    """SIGINT, SIGTERM or SIGHUP arrived: the command stops, exit 128 + the signal number."""

    def __init__(self, signum: int, what: str = "nothing was changed") -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"etherip: interrupted ({signal.Signals(signum).name}); {what}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def stop_on_signals() -> None:
    """Each stop signal raises `Interrupted` where the program is; the CLI boundary turns it
    into one line and exit 128 + signal."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)


@contextmanager
def signals_held() -> Iterator[Callable[[], None]]:
    """Within: a stop signal is recorded, not acted on. The yielded checkpoint raises
    `Interrupted` for the first one recorded; call it where stopping is safe. Outside the main
    thread (where Python delivers no signal) nothing changes."""
    caught: list[int] = []

    def checkpoint() -> None:
        if caught:
            raise Interrupted(caught[0])

    if threading.current_thread() is not threading.main_thread():
        yield checkpoint
        return

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, hold) for s in STOP_SIGNALS}
    try:
        yield checkpoint
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
