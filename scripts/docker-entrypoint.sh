#!/usr/bin/env bash
# Container entry point (Dockerfile ENTRYPOINT).
#
# With no arguments: apply migrations, create the database cache table used for throttle
# counters in production, then serve with gunicorn on 0.0.0.0:8000. gunicorn's runtime
# control socket is off: nothing in the container uses it, and the app user cannot write
# the default $HOME/.gunicorn/ (gunicorn would only log a warning at every start).
# With arguments, runs them instead, e.g.
#   docker compose run --rm web python manage.py createsuperuser
set -euo pipefail

if [[ $# -gt 0 ]]; then
    exec "$@"
fi

python manage.py migrate --noinput
python manage.py createcachetable
exec gunicorn backend.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-3}" \
    --access-logfile - \
    --no-control-socket
