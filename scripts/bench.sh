#!/usr/bin/env bash
# Benchmark the API against a throw-away PostgreSQL 15 cluster (`make bench`).
#
#   scripts/bench.sh [scripts/bench.py arguments...]     e.g. --scale 0.2 --requests 50
#
# The cluster is scripts/with-postgres.sh's (temporary, 127.0.0.1 on a free port, stopped and
# deleted on exit). A fresh database is migrated, then scripts/bench.py runs with DEBUG off and
# the API throttles lifted. Exits with bench.py's exit code: non-zero when a query count grew
# with the data. fsync and synchronous commit are off, so the write figures are optimistic.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
    echo "error: .venv/bin/python not found; run 'make install' first." >&2
    exit 1
fi

export DJANGO_SETTINGS_MODULE=backend.settings.local
# Timings are meaningless with DEBUG on (every query is kept in memory, error pages differ).
export DEBUG=false
# The Django test client sends Host: testserver.
export ALLOWED_HOSTS=testserver,localhost,127.0.0.1
# 200 requests per endpoint would trip the default per-user rate limit (600/min).
export API_THROTTLE_USER=1000000/min
export API_THROTTLE_ANON=1000000/min
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
# bench.py seeds synthetic rows and refuses to run unless told its database is throw-away.
export BENCH_THROWAWAY_DATABASE=1

exec bash scripts/with-postgres.sh bench bash -c \
    '.venv/bin/python manage.py migrate --noinput -v 0 && exec .venv/bin/python scripts/bench.py "$@"' bench "$@"
