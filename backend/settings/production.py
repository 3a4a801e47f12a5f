"""Production settings: DJANGO_SETTINGS_MODULE=backend.settings.production.

Refuses to start without SECRET_KEY (or SECRET_KEY_FILE), ALLOWED_HOSTS and REDIS_URL (and PORTAL_ORIGIN
when the first ALLOWED_HOSTS entry is a wildcard), and passes
`manage.py check --deploy --fail-level WARNING` with no warnings.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from backend.env import env_bool, env_int, env_list, env_str, parse_origin

from .base import *  # noqa: F403
from .base import TRUSTED_PROXY_COUNT

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public origin that password reset links carry (never the request's Host header). Unset, it is
# https:// and the first ALLOWED_HOSTS entry, when that is a host name (not a wildcard); either way
# it must be https:// and its host one ALLOWED_HOSTS accepts.
PORTAL_ORIGIN = env_str("PORTAL_ORIGIN", "")
if not PORTAL_ORIGIN:
    _first_host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ""
    if not _first_host or _first_host.startswith(".") or "*" in _first_host:
        raise ImproperlyConfigured(
            "PORTAL_ORIGIN (e.g. https://portal.example.org) is required when the first ALLOWED_HOSTS entry "
            f"is not a host name ({_first_host!r})."
        )
    PORTAL_ORIGIN = f"https://{_first_host}"
PORTAL_ORIGIN = parse_origin("PORTAL_ORIGIN", PORTAL_ORIGIN, require_https=True)
if not validate_host(urlsplit(PORTAL_ORIGIN).hostname or "", ALLOWED_HOSTS):
    raise ImproperlyConfigured(f"PORTAL_ORIGIN {PORTAL_ORIGIN} names a host that ALLOWED_HOSTS does not accept.")

# HTTPS everywhere; the health check is exempt so the container probe can use plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUSTED_PROXY_COUNT:
    # Only behind a proxy that sets X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Reminders go out by SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Throttle counters (DRF's API throttles, the per-address login budget of backend.ratelimit) must
# hold across every app server, so they live in Redis, never in the database: the database cache
# cost six SQL statements on every request. django-axes keeps its lockout records in the database
# (its own tables, not the cache). REDIS_URL: redis://[:password@]host:6379/0, or rediss:// for TLS.
REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or unix:// URL.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A request waits at most this long for Redis: an outage answers 500s quickly, it does not hang workers.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "KEY_PREFIX": env_str("REDIS_KEY_PREFIX", "portal"),
    }
}
