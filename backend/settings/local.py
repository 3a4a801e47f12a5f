"""Laptop settings: `make run`. SQLite unless DATABASE_URL is set; never for production."""

from backend.env import env_bool, env_str

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = env_bool("DEBUG", True)
# A fixed key is acceptable only here: local sessions carry demo data, nothing real.
SECRET_KEY = env_str("SECRET_KEY", "local-development-only-not-a-secret-" + "x" * 24)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
