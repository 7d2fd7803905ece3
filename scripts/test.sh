#!/usr/bin/env sh
# Run the whole test suite in its own virtual environment (.venv), plus ruff and mypy.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh --with-tcl
.venv/bin/ruff check generator tests benchmarks
.venv/bin/mypy
.venv/bin/python scripts/deadcode.py
.venv/bin/python -m pytest -n auto "$@"
