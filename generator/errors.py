"""The one error hierarchy. The CLI boundary (`generator.cli`) maps these to exit codes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "GeneratorError",
    "OutputError",
    "Problem",
    "SiteFileError",
    "TemplateError",
]

EXIT_OK = 0
EXIT_INVALID_INPUT = 1  # the site file (or another input) is wrong; nothing was written
EXIT_USAGE = 2  # bad command line (typer's own code for usage errors)
EXIT_OUTPUT = 3  # the output folder could not be written; the previous output is untouched


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
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class GeneratorError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_INVALID_INPUT

    def lines(self) -> list[str]:
        return [str(self)]


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
    """Writing the output tree failed."""

    exit_code = EXIT_OUTPUT
