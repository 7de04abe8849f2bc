#!/usr/bin/env bash
# Set up busan-bot from nothing: a virtual environment in .venv with everything installed.
# Needs only Python 3.11 and pip. Safe to run again (it only installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" - <<'PY' || { echo "busan-bot needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv ..." >&2
    "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check)

# PyTorch first, pinned: 2.13.0 is the CPU build here. Letting a dependency ask for plain
# "torch" would fetch the newest CUDA build (several GB) on a machine with no GPU.
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    echo "Installing PyTorch 2.13.0 (CPU) ..." >&2
    "${PIP[@]}" install -q "torch==2.13.0"
fi
.venv/bin/python - <<'PY'
import sys, torch
if torch.version.cuda and not torch.cuda.is_available():
    print(f"warning: torch {torch.__version__} is a CUDA build on a machine without a GPU; "
          "install the CPU wheel of torch 2.13.0 to save several GB", file=sys.stderr)
PY

echo "Installing busan-bot and its dependencies ..." >&2
"${PIP[@]}" install -q -e ".[test]"
echo "Ready: .venv/bin/busan-bot" >&2
