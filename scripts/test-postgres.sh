#!/usr/bin/env bash
# Run the pytest suite against a throw-away PostgreSQL 15 cluster (make test-postgres).
#
#   scripts/test-postgres.sh [pytest arguments...]
#
# The cluster is scripts/with-postgres.sh's: started here, stopped and deleted on exit.
# Exits with pytest's exit code. Environment: PG_BIN, PYTEST_WORKERS (default 2).
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/pytest ]]; then
    echo "error: .venv/bin/pytest not found; run 'make install' first." >&2
    exit 1
fi

exec bash scripts/with-postgres.sh portal .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" "$@"
