#!/usr/bin/env bash
# CPU per request of each list and its floor (`make probe`): scripts/cpu_probe.py against a throw-away
# PostgreSQL 15 and redis-server, seeded as `make load` seeds them, under the load run's settings.
#
#   scripts/cpu_probe.sh [cpu_probe.py arguments...]      e.g. --requests 500
#   PROBE_SCALE=1 (default)
#
# Both servers are stopped and deleted on exit. A quick A/B of a change: run it in the base checkout and
# in the change's, in alternation, and compare the "predicted" ratios (scripts/cpu_probe.py says why).
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
    echo "error: .venv/bin/python not found; run 'make install' first." >&2
    exit 1
fi

if [[ ${PROBE_INSIDE_SERVERS:-} != 1 ]]; then
    export PROBE_INSIDE_SERVERS=1
    exec bash scripts/with-postgres.sh probe bash scripts/with-redis.sh bash scripts/cpu_probe.sh "$@"
fi

# As scripts/load.sh: production's settings plus the floors, on loopback, throttles counting at rates
# the probe cannot reach.
export PYTHONPATH=scripts
export DJANGO_SETTINGS_MODULE=load_settings
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=testserver,127.0.0.1
unset SECRET_KEY_FILE ALLOWED_HOSTS_FILE
export SECURE_SSL_REDIRECT=false
export API_THROTTLE_USER=100000000/min API_THROTTLE_ANON=100000000/min
export LOG_LEVEL=${LOG_LEVEL:-WARNING}

PLAN=$(mktemp "${TMPDIR:-/tmp}/probe-plan.XXXXXX")
trap 'rm -f "$PLAN"' EXIT
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python scripts/load.py prepare --plan "$PLAN" --scale "${PROBE_SCALE:-1}"
.venv/bin/python scripts/cpu_probe.py --plan "$PLAN" "$@"
