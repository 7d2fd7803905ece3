#!/usr/bin/env sh
# Render the bundled example site file for all five 11.6 versions into out/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh --runtime
.venv/bin/etherip render --version all "$@"
