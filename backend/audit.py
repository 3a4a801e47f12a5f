"""Audit wiring: who acted, and from where, for django-auditlog entries; and what an entry may hold.

The house rule for what goes into the log (docs/decisions/0008-audit-integrity.md): the log is
append-only, so nothing that may later have to be erased is ever copied into it. Models are
registered with ``audit_register``, which keeps the values of fields that cannot hold typed text
(numbers, dates, booleans, ids, choices, and codes a model names explicitly) and records every
other field only as "changed", with a keyed hash of its value.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.crypto import salted_hmac
from django_filters import CharFilter

from backend.net import client_address

#: Prefix of a masked value in an entry's ``changes``.
KEYED_HASH_PREFIX = "hmac-sha256:"
#: auditlog's ``mask_callable`` for every registered model.
MASK_CALLABLE = "backend.audit.keyed_hash"
#: Field types whose values cannot carry typed text: logged as they are.
VALUE_TYPES = (
    models.BooleanField,
    models.IntegerField,  # and its subclasses: auto ids, positive, small and big integers
    models.FloatField,
    models.DecimalField,
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DurationField,
    models.UUIDField,
)


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, trusting X-Forwarded-* only behind known proxies.

    The stock middleware believes any X-Forwarded-For and X-Forwarded-Port header, so a client
    could write any address into the audit log. Here the address is ``backend.net.client_address``
    (the same one the throttles and the lockout use), and the port counts only behind
    TRUSTED_PROXY_COUNT > 0 proxies.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        if not getattr(settings, "TRUSTED_PROXY_COUNT", 0):
            return None
        return AuditlogMiddleware._get_remote_port(request)


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


# --- what an entry may hold -------------------------------------------------------------------


def keyed_hash(value: str) -> str | None:
    """The logged stand-in for a masked value: an HMAC-SHA256 keyed by AUDIT_HASH_KEY (else SECRET_KEY).

    It shows that a value changed and lets whoever holds the key prove what it was equal to,
    without the log holding the text. auditlog hands values over as strings: ``"None"`` is how
    it passes "no value" (the before of a creation), logged as null; the empty string stays empty.
    """
    if value == "":
        return ""
    if value == "None":
        return None
    secret = getattr(settings, "AUDIT_HASH_KEY", "") or settings.SECRET_KEY
    digest = salted_hmac("backend.audit.keyed_hash", value, secret=secret, algorithm="sha256").hexdigest()
    return KEYED_HASH_PREFIX + digest


def value_is_logged(field: models.Field) -> bool:
    """Whether the audit log may hold this field's values: ids, numbers, dates, booleans and choices."""
    if field.is_relation:
        return True
    if field.choices:
        return True
    return isinstance(field, VALUE_TYPES)


def audit_register(model, *, keep: Iterable[str] = ()) -> None:
    """Register ``model`` with auditlog under the house rule (the one way to audit a model).

    - Only the model's own columns are logged: many-to-many fields and reverse relations are not
      (auditlog would otherwise log a creation's ``assessments`` as ``disclosure.Assessment.None``).
    - Values are kept for fields ``value_is_logged`` accepts and for the fields named in ``keep``
      (codes and published reference texts that are not personal, e.g. a URN or a category name).
      Every other field - descriptions, notes, reasons, messages, anything a user types - is
      logged as changed with its ``keyed_hash``, never its value.
    """
    columns = list(model._meta.concrete_fields)
    names = {field.name for field in columns}
    keep = set(keep)
    if unknown := keep - names:
        raise ImproperlyConfigured(f"audit_register({model.__name__}): no such fields {sorted(unknown)}.")
    masked = [field.name for field in columns if field.name not in keep and not value_is_logged(field)]
    from auditlog.registry import auditlog  # the registry module defines models: import it once apps are ready

    auditlog.register(
        model,
        include_fields=[field.name for field in columns],
        mask_fields=masked,
        mask_callable=MASK_CALLABLE,
    )


# --- list reads as consultations ------------------------------------------------------------------

#: Query parameters whose values are logged as they are when they are whole numbers.
PAGE_PARAMETERS = ("page", "page_size")


def list_query_record(view, params) -> dict:
    """The query parameters of a list read, as the audit log may hold them.

    Values are kept for filters that validate their input to a choice, number, id, date or
    boolean, and for page numbers; text filters (URN, codes) and anything else are logged
    as the ``keyed_hash`` of what was sent, so the log never holds what a user typed.
    """
    filterset_class = getattr(view, "filterset_class", None)
    filters = filterset_class.base_filters if filterset_class is not None else {}
    record = {}
    for name in sorted(params):
        values = params.getlist(name)
        declared = filters.get(name)
        if (declared is not None and not isinstance(declared, CharFilter)) or (
            name in PAGE_PARAMETERS and all(value.isdigit() for value in values)
        ):
            shown = values
        else:
            shown = [keyed_hash(value) for value in values]
        record[name] = shown[0] if len(shown) == 1 else shown
    return record


def log_list_consultation(*, request, view, model, rows) -> None:
    """Log a page of a list read of case-level rows as consultations: one INSERT, no other query.

    One entry per (Area, force) on the page, each naming the ids of that force's rows and the
    query, so each force's org admins see reads of their force's rows and Area readers see all.
    """
    if not rows:
        return
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    get_logentry_model().objects.log_list_access(
        model=model,
        rows=rows,
        query=list_query_record(view, request.query_params),
        actor=request.user if request.user.is_authenticated else None,
        remote_addr=context.get("remote_addr") or AuditMiddleware._get_remote_addr(request),
        remote_port=context.get("remote_port"),
        cid=get_cid(),
    )


class _PageRequest:
    """A web page's request as ``log_list_consultation`` reads it (a DRF request's ``query_params``)."""

    def __init__(self, request):
        self._request = request
        self.query_params = request.GET

    def __getattr__(self, name):
        return getattr(self._request, name)


def log_page_read(request, *, model, rows) -> None:
    """A web page (the admin) listing case-level rows, logged as the API logs its list reads
    (``log_list_consultation``: one entry per force naming its rows, the reader's address as the audit log
    records it, ``backend.net.client_address``). The page's query parameters are not an API filterset's, so
    each value is logged as its keyed hash."""
    log_list_consultation(request=_PageRequest(request), view=None, model=model, rows=list(rows))
