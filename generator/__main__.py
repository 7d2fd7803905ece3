"""`python -m generator` and the `etherip` console command: SIGINT, SIGTERM and SIGHUP are
taken over before the CLI's imports start (they take a while), so an interrupt at any point
ends with one line and exit 128 + signal, never a traceback."""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType

from generator.errors import Interrupted


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def main() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    try:
        from generator.cli import main as run
    except Interrupted as err:
        with contextlib.suppress(OSError, AttributeError):  # stderr closed or full
            print(err.lines()[0], file=sys.stderr)
        sys.exit(err.exit_code)
    run()


if __name__ == "__main__":
    main()
