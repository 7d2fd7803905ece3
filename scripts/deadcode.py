"""Dead code: vulture over generator/, tests/ and benchmarks/ (scripts/test.sh, make lint).

vulture reads only Python, so the names the templates use (`ds.step.transaction`,
`board.go_when`, ...) are read from templates/ here and count as used; what else vulture cannot
see (typer commands, pydantic hooks, the Tcl checker's command dispatch) is listed, with the
reason, in vulture_whitelist.py. Exit 1 and one line per finding when something is unused.
"""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Jinja blocks of both styles: {{ }}, {% %} (text) and << >>, <% %> (iApp files).
BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<<.*?>>|<%.*?%>", re.DOTALL)
NAME = re.compile(r"[A-Za-z_]\w*")


def template_names() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "templates").rglob("*.j2")):
        for block in BLOCK.findall(path.read_text(encoding="utf-8")):
            names.update(n for n in NAME.findall(block) if not keyword.iskeyword(n))
    return names


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        used = Path(tmp) / "template_names.py"
        used.write_text("".join(f"_.{name}  # used in templates/\n" for name in sorted(template_names())))
        paths = ["generator", "tests", "benchmarks", "scripts", "vulture_whitelist.py", str(used)]
        return subprocess.run([sys.executable, "-m", "vulture", *paths], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
