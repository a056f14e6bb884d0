#!/usr/bin/env bash
# Set up a virtualenv with every extra and run the whole check: lint, types, tests.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${REPOKIT_VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[all,dev]'

echo "== generated sync twin is up to date"
"$VENV/bin/python" scripts/generate_sync.py --check
echo "== ruff"
"$VENV/bin/ruff" check src tests benchmarks
echo "== mypy --strict"
"$VENV/bin/mypy" src/repokit
echo "== pytest"
"$VENV/bin/pytest" "$@"
