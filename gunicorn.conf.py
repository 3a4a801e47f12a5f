"""gunicorn settings for the portal (scripts/docker-entrypoint.sh; scripts/load.sh runs the same file).

    gunicorn --config gunicorn.conf.py backend.wsgi:application

The app is loaded once in the master (``preload_app``) and the workers are forked from it, so the
modules, settings and URL patterns are shared between workers. CPython's garbage collector would
still walk all of them in every full collection of every worker, which both costs request time
(full collections put the assessments list's p95 at several times its p50) and writes to their
pages, unsharing them. As the ``gc.freeze()`` documentation recommends for a parent that forks
without exec: collection is disabled while the app loads, everything that exists is frozen
(moved to a permanent generation the collector never examines) right before each fork, and the
worker turns collection back on with thresholds tuned for request-sized bursts of allocation.

Environment:
    GUNICORN_BIND           address to listen on (default 0.0.0.0:8000)
    GUNICORN_WORKERS        worker processes (default 3; about 2 x cores + 1)
    GUNICORN_GC_FREEZE      freeze the preloaded objects before each fork (default true)
    GUNICORN_GC_THRESHOLD   gc.set_threshold() in each worker, "gen0,gen1,gen2" (default 10000,10,10;
                            CPython's own is 700,10,10)
"""

import gc
import os


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}.")


def _thresholds(name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 3 or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ValueError(f"{name} must be three positive whole numbers, e.g. 10000,10,10, not {value!r}.")
    return int(parts[0]), int(parts[1]), int(parts[2])


GC_FREEZE = _env_bool("GUNICORN_GC_FREEZE", True)
# A young collection every 10,000 net allocations instead of 700: fewer collections per request,
# and each young collection also walks what the request still holds.
# Not more: a DRF response is a reference cycle, so its objects wait for a collection to be freed,
# and at 50,000 one collection freed some thirty requests' garbage at once, 20-25 ms landing in
# one request in thirty (docs/operations/load.md, "Garbage collection thresholds").
GC_THRESHOLD = _thresholds("GUNICORN_GC_THRESHOLD", (10_000, 10, 10))

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
preload_app = True
accesslog = "-"
# The access and error logs with password reset tokens masked (/reset/<uid>/<token>/ -> /reset/<uid>/********/).
logger_class = "backend.gunicorn_logging.TokenMaskingLogger"
# gunicorn's runtime control socket: nothing uses it, and the container's app user cannot
# write its default directory ($HOME/.gunicorn/).
control_socket_disable = True

if GC_FREEZE:
    # No collections while the master imports the app: a collection then would free objects
    # in the middle of pages that are about to be shared (gc.freeze() documentation).
    gc.disable()


def pre_fork(server, worker):
    """In the master, right before each fork: no shared connections, and the loaded objects frozen."""
    from django.db import connections

    # The children must open their own sockets; the master never serves a request.
    connections.close_all()
    if GC_FREEZE:
        gc.freeze()


def post_fork(server, worker):
    """In the new worker: collection on again, with the tuned thresholds."""
    gc.set_threshold(*GC_THRESHOLD)
    gc.enable()
    server.log.info(
        "worker %s: gc thresholds %s, %s objects frozen", worker.pid, gc.get_threshold(), gc.get_freeze_count()
    )
