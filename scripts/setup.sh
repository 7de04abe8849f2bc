#!/usr/bin/env bash
# Set up busan-bot from nothing: a virtual environment with everything installed.
# Needs only Python 3.11, 3.12 or 3.13 and pip: the newest of them found (on PATH, or installed
# by pyenv) for which pip finds a CPU build of PyTorch is taken, or PYTHON=/path/to/python. VENV names the environment's folder (default .venv).
# Safe to run again (it only installs what is missing).
# WITHOUT_MODEL=1: everything but PyTorch and sentence-transformers, on the newest Python found even
# where pip has only a CUDA build of PyTorch for it: for checking that Python with the tests that
# need no model (tests/unit, tests/contract; CI does), not for answering questions.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
suitable() { "$1" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)' 2>/dev/null; }
# Whether pip finds a CPU build of torch 2.13.0 for this Python: where the registry has only the
# CUDA build for it (several GB of nvidia-* packages), an older Python with a CPU build is taken.
cpu_torch() {
    local report
    report=$(mktemp)
    "$1" -m pip install -q --disable-pip-version-check --dry-run --ignore-installed --report "$report" \
        "torch==2.13.0" >/dev/null 2>&1 && ! grep -q '"name": "nvidia-' "$report"
    local ok=$?
    rm -f "$report"
    return $ok
}
if [ -z "${PYTHON:-}" ]; then
    wanted=" with a CPU build of PyTorch"
    [ -z "${WITHOUT_MODEL:-}" ] || wanted=" (the newest)"
    [ -x "$VENV/bin/python" ] || echo "Looking for Python 3.11-3.13$wanted ..." >&2
    # On PATH, then those pyenv installed but did not activate (its shims refuse to run them).
    pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for candidate in python3.13 "$pyenv_root"/versions/3.13*/bin/python3.13 python3.12 \
                     "$pyenv_root"/versions/3.12*/bin/python3.12 python3.11 "$pyenv_root"/versions/3.11*/bin/python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && suitable "$candidate" \
                && { [ -x "$VENV/bin/python" ] || [ -n "${WITHOUT_MODEL:-}" ] || cpu_torch "$candidate"; }; then
            PYTHON=$candidate
            break
        fi
    done
fi
if [ -z "${PYTHON:-}" ] || ! suitable "$PYTHON"; then
    echo "busan-bot needs Python 3.11, 3.12 or 3.13 (set PYTHON=/path/to/python3.13)" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV with $("$PYTHON" --version) ..." >&2
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

if [ -n "${WITHOUT_MODEL:-}" ]; then
    echo "Installing busan-bot without PyTorch and sentence-transformers ..." >&2
    "$VENV/bin/python" - <<'PY' > "$VENV/without-model.txt"
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
    if not requirement.startswith(("torch", "sentence-transformers")):
        print(requirement)
PY
    "${PIP[@]}" install -q -r "$VENV/without-model.txt"
    "${PIP[@]}" install -q --no-deps -e .
    echo "Ready for the tests that need no model: $VENV/bin/python -m pytest tests/unit tests/contract" >&2
    exit 0
fi

# PyTorch first, pinned: 2.13.0 is the CPU build here. Letting a dependency ask for plain
# "torch" would fetch the newest CUDA build (several GB) on a machine with no GPU.
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
    echo "Installing PyTorch 2.13.0 (CPU) ..." >&2
    "${PIP[@]}" install -q "torch==2.13.0"
fi
"$VENV/bin/python" - <<'PY'
import sys, torch
if torch.version.cuda and not torch.cuda.is_available():
    print(f"warning: torch {torch.__version__} is a CUDA build on a machine without a GPU; "
          "install the CPU wheel of torch 2.13.0 to save several GB", file=sys.stderr)
PY

echo "Installing busan-bot and its dependencies ..." >&2
"${PIP[@]}" install -q -e ".[test]"
echo "Ready: $VENV/bin/busan-bot" >&2
