#!/usr/bin/env bash
# Set up a virtualenv with every extra, pinned by constraints/test.txt, and run the
# whole check: generated code, lint, types, tests (pytest-xdist, one worker per core).
# Prints the time of each stage at the end, also when a stage fails.
# Usage: bash scripts/test.sh [pytest args...]
#   REPOKIT_VENV      the virtualenv (default .venv; created when missing)
#   REPOKIT_WORKERS   pytest-xdist workers (default auto: one per core; 0 runs in-process)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${REPOKIT_VENV:-.venv}"
WORKERS="${REPOKIT_WORKERS:-auto}"
CONSTRAINTS="constraints/test.txt"

STAGES=()
STAGE_NAME=""
STAGE_START=""

now_ms() { echo $(($(date +%s%N) / 1000000)); }

begin() {
    STAGE_NAME="$1"
    STAGE_START="$(now_ms)"
    echo "== $1"
}

end() {
    local ms=$(($(now_ms) - STAGE_START))
    STAGES+=("$(printf '%-20s %5d.%d s' "$STAGE_NAME" $((ms / 1000)) $((ms % 1000 / 100)))")
    STAGE_NAME=""
}

report() {
    local status=$?
    if [ -n "$STAGE_NAME" ]; then
        end
        STAGES[-1]="${STAGES[-1]}  (failed)"
    fi
    echo "== stage times"
    printf '   %s\n' "${STAGES[@]}"
    exit "$status"
}
trap report EXIT

begin "install"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# Installs only when pyproject.toml or the constraints changed since the last one
# (the package itself is editable): a rerun goes straight to the checks.
STAMP="$VENV/.repokit-test-install"
WANT="$(cat pyproject.toml "$CONSTRAINTS" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    # PIP_CONSTRAINT, not -c: pip's build environments (hatchling) read it too.
    export PIP_CONSTRAINT="$PWD/$CONSTRAINTS"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[all,dev]'
    unset PIP_CONSTRAINT
    echo "$WANT" >"$STAMP"
else
    echo "   up to date ($CONSTRAINTS, pyproject.toml unchanged)"
fi
end

# Bytecode caches on, whatever the environment says: with PYTHONDONTWRITEBYTECODE
# set, every pytest worker and every Python subprocess a test starts (the CLI, the
# generated service, the emulators) compiles repokit and the tests from source
# again, about 4 s per process. The caches go to __pycache__, which git ignores.
export PYTHONDONTWRITEBYTECODE=

begin "generated sync code"
"$VENV/bin/python" scripts/generate_sync.py --check
end

begin "ruff"
"$VENV/bin/ruff" check src tests benchmarks
end

begin "mypy --strict"
"$VENV/bin/mypy" src/repokit
end

begin "pytest"
"$VENV/bin/pytest" -n "$WORKERS" "$@"
end
