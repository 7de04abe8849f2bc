#!/usr/bin/env bash
# Run every test (unit and integration) from nothing: sets up .venv first if needed
# (PYTHON and VENV as for scripts/setup.sh: PYTHON=python3.11 VENV=.venv-3.11 tests another Python).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${VENV:-.venv}/bin/python" -m pytest -q -p no:cacheprovider "$@"
