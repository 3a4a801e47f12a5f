# Production image: gunicorn serving backend.wsgi with backend.settings.production.
# Needs SECRET_KEY (or SECRET_KEY_FILE), ALLOWED_HOSTS, DATABASE_URL and REDIS_URL at run time:
# see .env.example and docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=backend.settings.production

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: the whole runtime tree
# from its lock, every file checked against its hash, nothing unlocked (--no-deps).
# `make lock` writes the lock from pyproject.toml; see README.md, "Dependencies".
COPY requirements/runtime.lock.txt requirements/
RUN python -m pip install --require-hashes --no-deps -r requirements/runtime.lock.txt \
    && python -m pip check

# The code stays owned by root (read-only for the app user); see .dockerignore.
COPY . .

# The production settings refuse to load without a SECRET_KEY of >= 50 characters,
# ALLOWED_HOSTS and REDIS_URL. These values exist only for this RUN line (they are not ENV, so
# they are not in the image's environment); collectstatic neither signs anything nor opens the
# database or Redis.
RUN SECRET_KEY="collectstatic-at-build-time-only-never-used-to-serve-requests-0123456789" \
    ALLOWED_HOSTS=localhost \
    REDIS_URL=redis://build-time-only:6379/0 \
    python manage.py collectstatic --noinput \
    && chmod 0755 scripts/docker-entrypoint.sh \
    && mkdir -p var \
    && chown app:app var

USER app

EXPOSE 8000

# No curl in the slim image. The request carries the first ALLOWED_HOSTS entry as its Host
# header, since Django answers 400 to a Host it does not allow (127.0.0.1 usually is not);
# /healthz is exempt from the HTTPS redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); r = u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h if h and h != '*' else '127.0.0.1'}); sys.exit(0 if u.urlopen(r, timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
