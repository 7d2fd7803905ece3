"""`python -m generator` and the `etherip` console command: SIGINT, SIGTERM and SIGHUP are
taken over before the CLI's imports start (they take a while), so an interrupt at any point
ends with one line and exit 128 + signal, never a traceback."""

from __future__ import annotations

import contextlib
import sys

from generator.errors import Interrupted, stop_on_signals


def main() -> None:
    stop_on_signals()
    try:
        from generator.cli import main as run
    except Interrupted as err:
        with contextlib.suppress(OSError, AttributeError):  # stderr closed or full
            print(err.lines()[0], file=sys.stderr)
        sys.exit(err.exit_code)
    run()


if __name__ == "__main__":
    main()
