#!/usr/bin/env bash
# Benchmark the API against a throw-away PostgreSQL 15 cluster (`make bench`).
#
#   scripts/bench.sh [scripts/bench.py arguments...]     e.g. --scale 0.2 --requests 50
#   SCALE=100 scripts/bench.sh                             (make bench SCALE=100)
#
# The cluster is scripts/with-postgres.sh's and the cache a redis-server of scripts/with-redis.sh's
# (both temporary, 127.0.0.1 on free ports, stopped and deleted on exit). A fresh database is
# migrated, then scripts/bench.py runs with the production settings (DEBUG off, the cache in Redis)
# and the API throttle rates lifted (the throttles still count every request, in Redis, as in
# production). Exits with bench.py's exit code: non-zero when a query count grew with the data or
# a target was missed (BENCH_ENFORCE=0: only query counts fail). fsync and synchronous commit are off, so the write figures are optimistic.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
    echo "error: .venv/bin/python not found; run 'make install' first." >&2
    exit 1
fi

# The production configuration: DEBUG off, the cache (throttle counters) in Redis, HTTPS only
# (the benchmark's client says it came over HTTPS, as the TLS proxy would).
export DJANGO_SETTINGS_MODULE=backend.settings.production
export DEBUG=false
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')
export SECRET_KEY
# The Django test client sends Host: testserver.
export ALLOWED_HOSTS=testserver,localhost,127.0.0.1
# 200 requests per endpoint would trip the default per-user rate limit (600/min). The throttles
# still run (and cost what they cost in production); only their rates are lifted.
export API_THROTTLE_USER=1000000/min
export API_THROTTLE_ANON=1000000/min
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
# bench.py seeds synthetic rows and refuses to run unless told its database is throw-away.
export BENCH_THROWAWAY_DATABASE=1

args=("$@")
if [[ -n ${SCALE:-} ]]; then
    args=(--scale "$SCALE" "${args[@]}")
fi

exec bash scripts/with-postgres.sh bench bash scripts/with-redis.sh bash -c \
    '.venv/bin/python manage.py migrate --noinput -v 0 && exec .venv/bin/python scripts/bench.py "$@"' bench "${args[@]}"
