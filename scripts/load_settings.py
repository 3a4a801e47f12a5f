"""Settings of the load run (scripts/load.sh, `make load`): production's, plus the framework floors.

Everything is backend.settings.production as deployed (Redis throttle counters, DEBUG off, the
same middleware and authentication); the only difference is the URLconf, which adds the framework
floors of `make bench` (scripts/bench_floor.py; scripts/load_urls.py serves them at /bench-floor/<list>/).
Never used outside the load run: the app itself has no such endpoint. scripts/load.sh puts
scripts/ on PYTHONPATH and sets the environment production requires (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL; SECURE_SSL_REDIRECT=false, as the run speaks plain HTTP on loopback).
"""

from backend.settings.production import *  # noqa: F403

ROOT_URLCONF = "load_urls"
