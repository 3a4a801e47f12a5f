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
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from backend.ratelimit import LoginRateThrottle, UserRateThrottle

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


def test_the_login_view_counts_attempts_in_redis_where_another_server_sees_them(
    db, app_servers, redis_url, settings, monkeypatch
):
    # The app's own cache, as production configures it, pointed at the throw-away server.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "portal",
        }
    }
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    client = APIClient(REMOTE_ADDR="192.0.2.55")
    for _ in range(3):
        response = client.post("/api/v1/auth/login/", {"username": "nobody", "password": "wrong"}, format="json")
        assert response.status_code in {400, 401}, response.content
    # This process's cache is Redis: the other app server refuses the next attempt from that address.
    assert throttled_by(LoginRateThrottle, app_servers[1], api_request(address="192.0.2.55"))
    assert not throttled_by(LoginRateThrottle, app_servers[1], api_request(address="192.0.2.56"))


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
