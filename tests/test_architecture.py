"""The package layout is the architecture: generation in generator/, proof in generator/proof/.

Generation never imports the proof (only the CLI boundary may), and no module imports another
that imports it back. Read from the sources with `ast`, so a lazy import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "generator"
BOUNDARY = {"generator.cli", "generator.__main__"}  # may import anything


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _typing_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under `if TYPE_CHECKING:` (read by type checkers, never run)."""
    return {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
        for stmt in block.body
        for node in ast.walk(stmt)
    }


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every generator module `path` imports, anywhere in the file (lazy imports included);
    `runtime_only` leaves out imports only type checkers read."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _typing_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("generator")}
    return found


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}
# What runs: a module typed against another under TYPE_CHECKING (rules.py against model.py,
# whose validator calls the rules) is not an import at run time.
GRAPH = {
    m: {i for i in _imports(p, runtime_only=True) if i in MODULES and i != m} for m, p in MODULES.items()
}


def test_the_proof_is_a_package_of_its_own() -> None:
    assert (PACKAGE / "proof" / "__init__.py").is_file()
    for name in ("check", "tcl", "tmsh.replay", "tmsh.script", "iapp.apl", "iapp.harness", "precheck.run"):
        assert f"generator.proof.{name}" in MODULES, name


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("generator.proof")))
def test_generation_never_imports_the_proof(module: str) -> None:
    if module in BOUNDARY:
        return
    wrong = sorted(i for i in _imports(MODULES[module]) if i.startswith("generator.proof"))
    assert not wrong, f"{module} imports {wrong}: only the CLI may import the proof"


def test_no_import_cycle() -> None:
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        if module in visiting:
            cycle = [*visiting[visiting.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        visiting.append(module)
        for target in sorted(GRAPH[module]):
            # a package's __init__ importing its own submodules is not a cycle through them
            if not target.startswith(module + "."):
                visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(GRAPH):
        visit(module)


def test_the_checks_above_can_fail(tmp_path: Path) -> None:
    """The scanner sees a lazy import of the proof inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from generator.proof.check import check_folder\n", encoding="utf-8")
    assert "generator.proof.check" in _imports(sample)
    typed = tmp_path / "typed.py"
    typed.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from generator.model import Site\n",
        encoding="utf-8",
    )
    assert "generator.model" in _imports(typed)
    assert "generator.model" not in _imports(typed, runtime_only=True)
