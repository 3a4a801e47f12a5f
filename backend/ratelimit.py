"""Rate limits keyed on the client address from ``backend.net.client_address``.

DRF's stock throttles identify an anonymous client by the whole ``X-Forwarded-For`` header
unless ``NUM_PROXIES`` is set, so a client that writes a new header on each request is never
limited. These subclasses ask the one address function instead. ``LoginRateThrottle`` is the
per-address budget of login attempts, shared by every way in: the API login view uses it as
a DRF throttle, and ``login_rate_limited`` wraps the Django admin and browsable-API login
views with the same counter and rate.

When the default cache is Django's ``RedisCache`` (production), every throttle here counts in one
atomic Redis round trip (``RedisWindowThrottle``) instead of DRF's ``get`` then ``set`` of the whole
history, which costs two round trips and lets concurrent requests overwrite each other's count.
"""

import secrets
import weakref
from functools import wraps
from typing import TYPE_CHECKING

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from rest_framework import throttling

from backend.net import client_address

if TYPE_CHECKING:  # rest_framework.views imports this module (DEFAULT_THROTTLE_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)


# DRF's sliding window, kept in a sorted set (score: the request's time; member: a random tag, so two
# requests at the same instant are two entries). Drops what DRF drops (time <= now - duration), counts
# the rest, and adds this request only if it fits: a refused request is not counted. Answers what
# wait() needs: allowed (1/0), the count before this request, and the oldest time still in the window.
WINDOW_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
if count < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    return {1, count, oldest}
end
return {0, count, oldest}
"""
_window_script = None  # a redis-py Script (EVALSHA, loading the script once per server if it is missing)
# A redis-py client on each cache client's write pool: Django's get_client() builds a new one on every call.
_write_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _write_client(backend: RedisCache):
    cache_client = backend._cache
    client = _write_clients.get(cache_client)
    if client is None:
        client = _write_clients[cache_client] = cache_client.get_client(write=True)
    return client


class RedisWindowThrottle(throttling.SimpleRateThrottle):
    """Count a ``SimpleRateThrottle`` atomically in one Redis round trip when the cache is Django's RedisCache.

    Same rate, sliding window, refusals and ``wait()`` as DRF; any other cache (locmem in dev and
    tests) takes DRF's own code path. The sorted set's key is the cache's own key (``make_key``: the
    prefix and version) plus ``:window``, so it never meets a pickled history DRF's code left there.
    """

    num_requests: int  # set by DRF's __init__ (parse_rate); read only once a rate is set
    duration: int
    window: tuple[int, float] | None = None  # (requests in the window after this check, the oldest one's time)

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        key = backend.make_key(f"{self.key}:window")
        client = _write_client(backend)
        global _window_script
        if _window_script is None:
            _window_script = client.register_script(WINDOW_SCRIPT)
        cutoff = self.now - self.duration  # DRF drops a request made at or before this time
        member = secrets.token_hex(8)
        allowed, count, *oldest = _window_script(
            keys=[key], args=[repr(self.now), repr(cutoff), self.num_requests, self.duration, member], client=client
        )
        # What DRF's history would hold now: this request too when it was allowed (the script counted it).
        self.window = (count + 1 if allowed else count, float(oldest[0]) if oldest else self.now)
        return True if allowed else self.throttle_failure()

    def wait(self) -> float | None:
        if self.window is None:
            return super().wait()
        # DRF's formula, on the window's count and oldest time instead of the history list.
        count, oldest = self.window
        remaining_duration = self.duration - (self.now - oldest) if count else self.duration
        available_requests = self.num_requests - count + 1
        if available_requests <= 0:
            return None
        return remaining_duration / float(available_requests)


class AnonRateThrottle(ClientAddressMixin, RedisWindowThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, RedisWindowThrottle, throttling.UserRateThrottle):
    pass


class LoginRateThrottle(ClientAddressMixin, RedisWindowThrottle):
    """Login attempts per client address, at the ``login`` rate of ``DEFAULT_THROTTLE_RATES``."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


TOO_MANY_LOGINS = "Too many login attempts from your address. Try again in {seconds} seconds."


def login_rate_limited(view):
    """Wrap a Django login view: each POST spends one attempt of the address's login budget; 429 when spent."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = LoginRateThrottle()
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # no DRF view: a Django one
                seconds = max(1, int(throttle.wait() or 1))
                response = HttpResponse(
                    TOO_MANY_LOGINS.format(seconds=seconds), status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return wrapped
