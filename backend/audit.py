"""Audit wiring: who acted, and from where, for django-auditlog entries."""

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware

from backend.net import client_address


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, trusting X-Forwarded-For only behind known proxies.

    The stock middleware believes any X-Forwarded-For header, so a client could write any
    address into the audit log. Here the address is ``backend.net.client_address`` - the
    same one the throttles and the lockout use.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)


def audit_set_actor(user) -> None:
    """Record ``user`` as the actor of audit entries written for the rest of this request.

    The middleware reads ``request.user`` before DRF has authenticated a token, so API
    views call this once authentication is done. The context dict is the one the
    middleware opened for this request; outside a request there is nothing to update.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if user is not None and user.is_authenticated:
        context["actor"] = user


@contextmanager
def audit_as(user):
    """Attribute audit entries written inside the block to ``user`` (management commands, no request)."""
    with set_actor(user):
        yield
