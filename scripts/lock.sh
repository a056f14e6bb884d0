#!/usr/bin/env bash
# Regenerate constraints/test.txt, the pinned versions of everything the test
# environment installs (every extra, the dev tools, pip itself and hatchling, the
# build backend), resolved from PyPI in a throwaway virtualenv. scripts/test.sh and
# CI install with these pins, so a run does not change when PyPI does; users'
# `pip install repokit` is not pinned (pyproject.toml keeps lower bounds only).
# Run it after changing a dependency in pyproject.toml, and commit the result.
# Usage: bash scripts/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
OUT="constraints/test.txt"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$PYTHON" -m venv "$TMP/venv"
# No constraints here: this is where new versions come in.
unset PIP_CONSTRAINT
"$TMP/venv/bin/python" -m pip install --quiet --upgrade pip
"$TMP/venv/bin/python" -m pip install --quiet -e '.[all,dev]' hatchling
{
    echo "# Pinned test environment, made by: bash scripts/lock.sh"
    echo "# on $("$TMP/venv/bin/python" -c 'import platform; print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}")')"
    echo "# Used by scripts/test.sh (PIP_CONSTRAINT). Do not edit by hand."
    "$TMP/venv/bin/python" -m pip freeze --all --exclude-editable | LC_ALL=C sort -f
} >"$OUT"
echo "wrote $OUT ($(grep -vc '^#' "$OUT") packages)"
