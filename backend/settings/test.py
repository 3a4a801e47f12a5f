"""Settings for the test suite (pytest). DATABASE_URL selects PostgreSQL, as in CI."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, STORAGES

DEBUG = False
SECRET_KEY = "test-only-not-a-secret-" + "y" * 40
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PORTAL_ORIGIN = "http://testserver"  # the test client's host: links in e-mails open with it
# Hashing with PBKDF2 at full strength makes the suite slow; these hashes never leave a test run.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Throttling is exercised by its own tests with low rates; elsewhere it must not interfere.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min", "login": "10000/min"},
}
# Mail stays in django.core.mail.outbox.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# seed_demo checks every demo password (no state file under var/ shared with `make run`).
DEMO_SEED_STATE_FILE = None
