#!/usr/bin/env sh
# Render the bundled example site file for every version etherip lists into out/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh --runtime
.venv/bin/etherip render --version all "$@"
