"""Where a request came from: the one answer used by the audit log, the API throttles and django-axes.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each proxy appends the address it saw to
``X-Forwarded-For``; the right-most ``TRUSTED_PROXY_COUNT`` hops were written by our own
proxies, everything to their left by the client (and may be forged). With no trusted proxy
(the default), the header is ignored altogether and the socket address is the answer.
"""

from django.conf import settings


def client_address(request) -> str | None:
    """The client address of ``request`` (a Django or DRF request) as our nearest trusted proxy saw it.

    ``TRUSTED_PROXY_COUNT=0``: ``REMOTE_ADDR``, whatever ``X-Forwarded-For`` says.
    ``TRUSTED_PROXY_COUNT=n``: the n-th hop from the right of ``X-Forwarded-For`` (the one the
    outermost trusted proxy wrote); ``REMOTE_ADDR`` when the header has fewer hops than that.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    remote_addr = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote_addr
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) >= proxies:
        return hops[-proxies]
    return remote_addr
