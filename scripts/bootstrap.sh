#!/usr/bin/env sh
# Create .venv (Python 3.11+) and install etherip with its test tools from the package registry
# (--runtime: etherip alone, for rendering).
# Also makes sure a Tcl interpreter exists: the tests check every generated command with real Tcl.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--runtime" ]; then
    # Only what rendering needs: etherip and its runtime dependencies, no test tools.
    .venv/bin/python -m pip install --quiet -e .
    exit 0
fi
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ "${1:-}" = "--with-tcl" ]; then
    if ! .venv/bin/python -c 'import tkinter; tkinter.Tcl()' >/dev/null 2>&1 && ! command -v tclsh >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            echo "etherip: installing Tcl (Debian package tcl) for the tests" >&2
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcl >/dev/null
        else
            echo "etherip: the tests need Tcl: install the 'tcl' package (tclsh) or a Python with tkinter" >&2
            exit 1
        fi
    fi
fi
