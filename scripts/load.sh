#!/usr/bin/env bash
# Load run (`make load`): gunicorn on loopback with the production settings, 50 clients for 60 s.
#
#   scripts/load.sh
#
# Starts, and stops and deletes on exit: a throw-away PostgreSQL 15 cluster (scripts/with-postgres.sh)
# and a throw-away redis-server (scripts/with-redis.sh) on free loopback ports. Migrates, seeds the
# benchmark's synthetic data and writes the run's plan (scripts/load.py prepare), serves the app with
# gunicorn.conf.py (the production configuration: preloaded app, GC frozen and tuned) under backend.settings.production
# plus the framework floors of `make bench` (scripts/bench_floor.py at /bench-floor/<list>/, through
# scripts/load_settings.py and scripts/load_urls.py), then runs the clients (scripts/load.py run).
# Exits with load.py's exit code: 1 when any request failed, or when one of issue 12's load targets
# is missed (each list alone >= 0.5 x the throughput of its own table's floor; p99 <= 3 x p50 in gunicorn's times for
# each list and each one-force summary alone) unless LOAD_ENFORCE=0, which reports without failing.
#
# Environment (defaults): LOAD_CLIENTS (50), LOAD_SECONDS (60), LOAD_WARMUP (5), LOAD_SCALE (1),
# LOAD_ENDPOINT_SECONDS (15), LOAD_SUMMARY_SECONDS (60), LOAD_ENFORCE (1), LOAD_TIMEOUT (30), LOAD_MAX_REQUESTS (500000),
# GUNICORN_WORKERS (2), GUNICORN_GC_FREEZE and GUNICORN_GC_THRESHOLD (gunicorn.conf.py; e.g. false
# and 700,10,10 to measure without the tuning).
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
    echo "error: .venv/bin/python not found; run 'make install' first." >&2
    exit 1
fi

if [[ ${LOAD_INSIDE_POSTGRES:-} != 1 ]]; then
    export LOAD_INSIDE_POSTGRES=1
    exec bash scripts/with-postgres.sh load bash scripts/with-redis.sh bash scripts/load.sh "$@"
fi
if [[ -z ${REDIS_URL:-} ]]; then
    echo "error: REDIS_URL is not set; run through 'make load' (scripts/with-redis.sh)." >&2
    exit 1
fi

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/load.XXXXXX")
mkdir -p var/load
GUNICORN_PID=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Only the processes this script started, by their pid.
    [[ -n $GUNICORN_PID ]] && kill -TERM "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
    rm -rf "$RUN_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The production settings, as deployed, with what they require for a run on loopback.
export PYTHONPATH=scripts
export DJANGO_SETTINGS_MODULE=load_settings
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
unset SECRET_KEY_FILE ALLOWED_HOSTS_FILE
# Plain HTTP on loopback: no TLS proxy in front, so no redirect to HTTPS (the env var production reads).
export SECURE_SSL_REDIRECT=false
# The app's throttles still count every request in Redis, at rates the 50 clients cannot reach
# (the floor has none: bare DRF + knox).
export API_THROTTLE_USER=100000000/min API_THROTTLE_ANON=100000000/min
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}

.venv/bin/python manage.py migrate --noinput -v 0
PLAN=$RUN_DIR/plan.json
.venv/bin/python scripts/load.py prepare --plan "$PLAN"

# gunicorn.conf.py's garbage-collector settings as it will apply them (its defaults unless set),
# passed on explicitly so that the run prints and records what was measured.
read -r GUNICORN_GC_FREEZE GUNICORN_GC_THRESHOLD < <(.venv/bin/python -c \
    'import runpy; c = runpy.run_path("gunicorn.conf.py"); print(str(c["GC_FREEZE"]).lower(), ",".join(map(str, c["GC_THRESHOLD"])))')
export GUNICORN_GC_FREEZE GUNICORN_GC_THRESHOLD

PORT=$(free_port)
export GUNICORN_BIND="127.0.0.1:$PORT"
# gunicorn.conf.py as the container runs it; its access log goes to a file here (production: stdout),
# one line per request with gunicorn's own time for it and the worker's pid, which load.py reads (queueing
# excluded) and keeps as var/load/access-<time>.log beside the results.
ACCESS_LOG=$RUN_DIR/access.log
.venv/bin/gunicorn --config gunicorn.conf.py --access-logfile "$ACCESS_LOG" --access-logformat '%(m)s %(U)s %(s)s %(D)s %(p)s' \
    --error-logfile var/load/gunicorn.log backend.wsgi:application &
GUNICORN_PID=$!
for _ in $(seq 300); do
    .venv/bin/python -c "import sys, urllib.request as u; sys.exit(0 if u.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2).status == 200 else 1)" \
        2>/dev/null && break
    kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "error: gunicorn exited; see var/load/gunicorn.log." >&2; exit 1; }
    sleep 0.2
done
echo "gunicorn on 127.0.0.1:$PORT: $GUNICORN_WORKERS workers, GC freeze $GUNICORN_GC_FREEZE, thresholds $GUNICORN_GC_THRESHOLD"

rc=0
.venv/bin/python scripts/load.py run --plan "$PLAN" --url "http://127.0.0.1:$PORT" --access-log "$ACCESS_LOG" || rc=$?
exit "$rc"
