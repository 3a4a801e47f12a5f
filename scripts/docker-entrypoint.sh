#!/usr/bin/env bash
# Container entry point (Dockerfile ENTRYPOINT).
#
# With no arguments: apply migrations, then serve with gunicorn on 0.0.0.0:8000 as
# gunicorn.conf.py says (preloaded app, GUNICORN_WORKERS workers, garbage collection tuned,
# no runtime control socket). Throttle counters live in Redis (REDIS_URL), not the database.
# With arguments, runs them instead, e.g.
#   docker compose run --rm web python manage.py createsuperuser
set -euo pipefail

if [[ $# -gt 0 ]]; then
    exec "$@"
fi

python manage.py migrate --noinput
exec gunicorn --config gunicorn.conf.py backend.wsgi:application
