"""Check 3: Tcl 8.5+ constructs in the implementation (the box runs Tcl 8.4.6).

Comment lines are skipped; everything else is scanned line by line for the constructs of
reference iapp-11.6.md §3.2, and for the F5-only leniencies stock Tcl rejects (`}{`, a line
starting with else/elseif).
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    (r"\{\*\}", "{*} argument expansion (8.5)"),
    (
        r"(^|[\s\[;])(dict|lassign|lmap|apply|try|throw|lrepeat|lreverse|chan|tailcall|coroutine|yield|zlib)\b",
        "an 8.5+ command",
    ),
    (r"\s(in|ni)\s", "the in/ni operators (8.5)"),
    (r"\*\*", "the ** operator (8.5)"),
    (r"\b(min|max|entier|bool|isqrt)\(", "an 8.5 math function"),
    (
        r"lsearch\s[^\n]*-index|lsort\s[^\n]*-indices|-matchvar|return\s+-options|-timezone|clock\s+add|string\s+reverse",
        "an 8.5 option or subcommand",
    ),
    (r"\b0b[01]+\b", "a 0b binary literal (8.5)"),
    (r"\}\{", "'}{' with no space (F5 accepts it, stock Tcl does not)"),
    (r"^\s*(else|elseif)\b", "else/elseif at the start of a line"),
)


def scan(tcl: str) -> list[str]:
    problems = []
    for number, line in enumerate(tcl.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue
        code = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)  # message text is not code
        for pattern, what in _RULES:
            if re.search(pattern, code):
                problems.append(f"implementation line {number}: {what}: {line.strip()[:60]}")
    return problems
