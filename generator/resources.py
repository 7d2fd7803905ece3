"""Where the packaged files are: templates and the bundled example site file."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from generator.errors import GeneratorError


def templates_root() -> Path:
    """The templates folder: inside the installed package first, else the checkout's."""
    packaged = Path(str(files("generator") / "templates"))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if checkout.is_dir():
        return checkout
    raise GeneratorError(f"broken install: no templates at {packaged} or {checkout}; reinstall etherip")


def example_site() -> Path:
    return Path(str(files("generator") / "example_site.yaml"))
