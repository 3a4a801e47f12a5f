"""Production keeps the throttle counters in Redis, so a rate limit holds across several app servers.

The tests that need Redis start a throw-away ``redis-server`` on a free loopback port (as
scripts/with-postgres.sh starts PostgreSQL). Without the binary they skip on a laptop and fail
in CI (``CI`` set), where .ci/run installs it.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from backend.ratelimit import AnonRateThrottle, LoginRateThrottle, UserRateThrottle

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "backend.settings.production",
    "SECRET_KEY": "0123456789abcdefghij" * 3,
    "ALLOWED_HOSTS": "portal.example.org",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """redis://127.0.0.1:<port>/0 of a redis-server started for this module and stopped after it."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the Redis tests (.ci/run installs it).")
        pytest.skip(message)
    import redis

    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):  # a port picked free can be taken before the server binds it
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            process.kill()
            process.wait()
            continue
        client.close()
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    pytest.fail("redis-server did not start on a free port")


@pytest.fixture
def app_servers(redis_url):
    """Two cache clients of one Redis, each with its own connection pool: two app servers."""
    servers = [RedisCache(redis_url, {"KEY_PREFIX": "portal"}) for _ in range(2)]
    servers[0].clear()
    yield servers
    servers[0].clear()
    for server in servers:
        server.close()


def throttled_by(throttle_class, cache, request):
    throttle = throttle_class()
    throttle.cache = cache  # the server's own cache client, instead of the process-wide default
    return not throttle.allow_request(request, None)


def api_request(address="192.0.2.10", user=None):
    request = Request(RequestFactory().post("/api/v1/auth/login/", REMOTE_ADDR=address))
    request.user = user or SimpleNamespace(is_authenticated=False, pk=None)
    return request


@pytest.mark.parametrize(
    ("throttle_class", "scope", "request_kwargs"),
    [
        (UserRateThrottle, "user", {"user": SimpleNamespace(is_authenticated=True, pk=4242)}),
        (LoginRateThrottle, "login", {"address": "192.0.2.77"}),
    ],
)
def test_a_limit_spent_on_one_app_server_is_honoured_by_another(
    app_servers, monkeypatch, throttle_class, scope, request_kwargs
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "3/min")
    first, second = app_servers
    request = api_request(**request_kwargs)
    # Two requests through the first server, one through the second: the budget of three is spent.
    assert not throttled_by(throttle_class, first, request)
    assert not throttled_by(throttle_class, first, request)
    assert not throttled_by(throttle_class, second, request)
    # Either server now refuses the fourth, though each saw fewer than three itself.
    assert throttled_by(throttle_class, second, request)
    assert throttled_by(throttle_class, first, request)
    # Another client's budget is untouched.
    other = api_request(address="192.0.2.200", user=SimpleNamespace(is_authenticated=True, pk=4243))
    assert not throttled_by(throttle_class, second, other)


def redis_caches(redis_url: str, prefix: str) -> dict:
    """``CACHES`` as production configures it (Django's RedisCache), on the throw-away server."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }


def test_the_login_view_counts_attempts_in_redis_where_another_server_sees_them(
    db, app_servers, redis_url, settings, monkeypatch
):
    settings.CACHES = redis_caches(redis_url, "portal")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    client = APIClient(REMOTE_ADDR="192.0.2.55")
    for _ in range(3):
        response = client.post("/api/v1/auth/login/", {"username": "nobody", "password": "wrong"}, format="json")
        assert response.status_code in {400, 401}, response.content
    # This process's cache is Redis: the other app server refuses the next attempt from that address.
    assert throttled_by(LoginRateThrottle, app_servers[1], api_request(address="192.0.2.55"))
    assert not throttled_by(LoginRateThrottle, app_servers[1], api_request(address="192.0.2.56"))


# --- one atomic round trip per check (backend.ratelimit.RedisWindowThrottle) -------------------------

ANONYMOUS = SimpleNamespace(is_authenticated=False, pk=None)
SIGNED_IN = SimpleNamespace(is_authenticated=True, pk=4242)
# Each of the project's throttles, with a request it counts.
EVERY_THROTTLE = [
    pytest.param(AnonRateThrottle, "anon", {"address": "192.0.2.31", "user": ANONYMOUS}, id="anon"),
    pytest.param(UserRateThrottle, "user", {"user": SIGNED_IN}, id="user"),
    pytest.param(LoginRateThrottle, "login", {"address": "192.0.2.32"}, id="login"),
]


class StockUserRateThrottle(throttling.UserRateThrottle):
    """DRF's own get-then-set implementation: the reference for the window and for wait()."""


class Clock:
    """A fake ``timer`` (not a function, so it does not bind as a method when set on a class)."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def check(throttle_class, cache, request, clock):
    """One throttle check at the clock's time: (allowed, wait()) as DRF's throttling would read them."""
    throttle = throttle_class()
    throttle.cache = cache
    throttle.timer = clock
    allowed = throttle.allow_request(request, None)
    return allowed, throttle.wait()


@pytest.mark.parametrize(("throttle_class", "scope", "request_kwargs"), EVERY_THROTTLE)
def test_the_rate_holds_exactly_when_eight_threads_on_two_servers_race_for_it(
    app_servers, monkeypatch, throttle_class, scope, request_kwargs
):
    rate, threads, calls = 50, 8, 25  # 200 attempts at once for a budget of 50
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, f"{rate}/hour")
    request = api_request(**request_kwargs)
    start = threading.Barrier(threads)
    allowed = []

    def client(n):
        server = app_servers[n % 2]
        start.wait()
        allowed.extend(not throttled_by(throttle_class, server, request) for _ in range(calls))

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(allowed) == threads * calls
    assert allowed.count(True) == rate


def test_the_window_slides_refusals_are_not_counted_and_wait_is_what_drf_says(app_servers, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    request = api_request(user=SIGNED_IN)
    start = 1_700_000_000
    # (seconds after start, allowed, wait() worked out by hand from DRF's formula:
    #  (60 - (now - oldest in the window)) / (3 - requests in the window + 1))
    steps = [
        (0, True, 60 / 3),  # this one is the window's oldest: (60 - 0) / (3 - 1 + 1)
        (10, True, 50 / 2),
        (20, True, 40 / 1),
        (30, False, 30),  # full: refused, and not counted...
        (45, False, 15),
        (59, False, 1),
        (60, True, 10 / 1),  # ...so at 60 the request at 0 leaves (DRF drops time <= now - 60) and this one fits
        (61, False, 9),  # 10, 20 and 60 in the window
        (70, True, 10),  # 10 left: 20, 60, 70
        (79.5, False, 0.5),
        (80, True, 40),  # 20 left: 60, 70, 80
    ]
    clock = Clock(start)
    redis_answers, stock_answers = [], []
    stock_cache = LocMemCache("drf-reference", {})
    for offset, _allowed, _wait in steps:
        clock.now = start + offset
        redis_answers.append(check(UserRateThrottle, app_servers[0], request, clock))
        stock_answers.append(check(StockUserRateThrottle, stock_cache, request, clock))
    expected = [(allowed, pytest.approx(wait)) for _offset, allowed, wait in steps]
    assert redis_answers == expected
    # And exactly what DRF's own throttle answers on the same requests (same floats: Redis keeps them exact).
    assert redis_answers == stock_answers


def test_wait_survives_fractional_times_exactly_as_drf_computes_it(app_servers, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/s")
    request = api_request(user=SIGNED_IN)
    clock = Clock(1_700_000_000.1)
    stock_cache = LocMemCache("drf-reference-fractions", {})
    for step in range(12):
        clock.now = 1_700_000_000.1 + step * 0.3
        assert check(UserRateThrottle, app_servers[1], request, clock) == check(
            StockUserRateThrottle, stock_cache, request, clock
        )


@pytest.fixture
def redis_commands(monkeypatch):
    """Every command this process sends to Redis (outside a pipeline, each is one round trip)."""
    import redis

    sent = []
    execute_command = redis.Redis.execute_command

    def recording(self, *args, **options):
        sent.append(str(args[0]).upper())
        return execute_command(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recording)
    return sent


@pytest.mark.parametrize(("throttle_class", "scope", "request_kwargs"), EVERY_THROTTLE)
def test_each_check_is_one_round_trip_to_redis(
    app_servers, monkeypatch, redis_commands, throttle_class, scope, request_kwargs
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "2/min")
    request = api_request(**request_kwargs)
    server = app_servers[0]
    # A server that has forgotten the script (restarted, SCRIPT FLUSH) is taught it again on the way.
    server._cache.get_client(write=True).script_flush()
    assert not throttled_by(throttle_class, server, request)
    redis_commands.clear()
    # Allowed or refused, each check is one EVALSHA: no GET then SET.
    assert [throttled_by(throttle_class, server, request) for _ in range(3)] == [False, True, True]
    assert redis_commands == ["EVALSHA"] * 3


def test_the_window_lives_under_the_caches_prefix_and_version(app_servers, monkeypatch, redis_url):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    request = api_request(user=SIGNED_IN)
    assert not throttled_by(UserRateThrottle, app_servers[0], request)
    raw = app_servers[0]._cache.get_client(write=True)
    assert raw.type("portal:1:throttle_user_4242:window") == b"zset"
    assert 0 < raw.ttl("portal:1:throttle_user_4242:window") <= 60
    # A cache with another prefix (another deployment on the same Redis) has a budget of its own.
    other = RedisCache(redis_url, {"KEY_PREFIX": "staging"})
    try:
        assert not throttled_by(UserRateThrottle, other, request)
        assert not throttled_by(UserRateThrottle, other, request)
        assert throttled_by(UserRateThrottle, other, request)
        assert not throttled_by(UserRateThrottle, app_servers[0], request)
    finally:
        other.close()


def test_a_history_left_by_drfs_own_throttle_does_not_break_the_count(app_servers, monkeypatch):
    # A server still running the old code (mid-deploy) keeps its pickled list at the cache key.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    request = api_request(user=SIGNED_IN)
    assert not throttled_by(StockUserRateThrottle, app_servers[0], request)
    assert isinstance(app_servers[0].get("throttle_user_4242"), list)
    assert [throttled_by(UserRateThrottle, app_servers[1], request) for _ in range(3)] == [False, False, True]
    assert not throttled_by(StockUserRateThrottle, app_servers[0], request)  # the old code still reads its list


def test_other_caches_keep_drfs_own_history(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    cache = LocMemCache("throttle-locmem", {})
    clock = Clock(1_700_000_000)
    check(UserRateThrottle, cache, api_request(user=SIGNED_IN), clock)
    assert cache.get("throttle_user_4242") == [1_700_000_000]


def test_the_django_login_pages_spend_the_same_redis_budget_with_drfs_retry_after(db, redis_url, settings, monkeypatch):
    settings.CACHES = redis_caches(redis_url, "portal-login")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    clock = Clock(1_700_000_000)
    monkeypatch.setattr(LoginRateThrottle, "timer", clock)
    address = "192.0.2.57"
    client = Client(REMOTE_ADDR=address)
    statuses = []
    for offset in (0, 10):
        clock.now = 1_700_000_000 + offset
        statuses.append(client.post("/admin/login/", {"username": f"guess{offset}", "password": "wrong"}).status_code)
    clock.now = 1_700_000_020
    api = APIClient(REMOTE_ADDR=address)
    statuses.append(
        api.post("/api/v1/auth/login/", {"username": "nobody", "password": "wrong"}, format="json").status_code
    )
    clock.now = 1_700_000_030
    refused = client.post("/admin/login/", {"username": "guess30", "password": "wrong"})
    assert statuses == [200, 200, 400]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"  # DRF: 60 - (30 - 0) seconds until the attempt at 0 leaves the window


# --- production settings ---------------------------------------------------------------------


def _production_settings(env_overrides: dict, code: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"))}
    env.update({**PRODUCTION_ENV, **env_overrides})
    return subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_redis_url():
    result = _production_settings({})
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_settings_refuse_a_redis_url_that_is_not_one():
    result = _production_settings({"REDIS_URL": "postgres://db:5432/portal"})
    assert result.returncode != 0
    assert "REDIS_URL must be a redis://" in result.stderr


def test_production_settings_keep_the_throttle_counters_in_redis(tmp_path):
    # From the file form too, like every other setting (backend/env.py).
    url_file = tmp_path / "redis_url"
    url_file.write_text("redis://cache.internal:6379/2\n")
    # DRF's throttles (and so backend.ratelimit's) count in the "default" cache.
    code = (
        "from django.core.cache import caches; from django.conf import settings; "
        "print(type(caches['default']).__module__ + '.' + type(caches['default']).__name__); "
        "print(settings.CACHES['default']['LOCATION'])"
    )
    result = _production_settings({"REDIS_URL_FILE": str(url_file)}, code)
    assert result.returncode == 0, result.stderr
    backend, location = result.stdout.splitlines()
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert location == "redis://cache.internal:6379/2"
