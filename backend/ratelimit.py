"""Rate limits keyed on the client address from ``backend.net.client_address``.

DRF's stock throttles identify an anonymous client by the whole ``X-Forwarded-For`` header
unless ``NUM_PROXIES`` is set, so a client that writes a new header on each request is never
limited. These subclasses ask the one address function instead. ``LoginRateThrottle`` is the
per-address budget of login attempts, shared by every way in: the API login view uses it as
a DRF throttle, and ``login_rate_limited`` wraps the Django admin and browsable-API login
views with the same counter and rate.
"""

from functools import wraps

from django.http import HttpResponse
from rest_framework import throttling

from backend.net import client_address


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass


class LoginRateThrottle(ClientAddressMixin, throttling.SimpleRateThrottle):
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
            if not throttle.allow_request(request, None):
                seconds = max(1, int(throttle.wait() or 1))
                response = HttpResponse(
                    TOO_MANY_LOGINS.format(seconds=seconds), status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return wrapped
