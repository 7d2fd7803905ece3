"""The floor of the designed stack, which benchmarks/bench.py measures etherip against: a typer
command that reads the site file with ruamel.yaml and renders one Jinja template to a file.

    .venv/bin/python benchmarks/floor.py SITE --out DIR
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import jinja2
import typer
from ruamel.yaml import YAML

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def render(
    site: Path,
    out: Annotated[Path, typer.Option("--out", help="Folder to write floor.txt to.")] = Path("out"),
) -> None:
    """Read SITE and write one rendered file."""
    data = YAML(typ="safe").load(site.read_text(encoding="utf-8"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    text = env.get_template("floor.txt.j2").render(site=data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "floor.txt").write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    app()
