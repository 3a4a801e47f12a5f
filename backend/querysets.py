"""Queryset conventions shared by the apps.

Every tenant-owned (or per-user) model's queryset derives from ``ScopedQuerySet`` and narrows
rows in one method, ``visible_to(user)``, decorated with ``@scoping``. The result remembers whom
it was scoped for, through every later ``filter``/``annotate``/``select_related``; the base
viewset refuses a queryset that was not scoped for the requesting user (a selector that forgot
``visible_to`` fails loudly instead of serving every tenant's rows).
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def _scope_key(user: Any) -> object:
    """Whom a queryset was scoped for: the user's id, or a marker for anonymous requests."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.pk


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that remembers, across chaining, that ``visible_to(user)`` narrowed it."""

    _scoped_for: object = None
    #: ``(column, values)`` when the scope is ``column IN values`` for a literal list (``partitioned_by``).
    _partition: tuple[str, tuple[Any, ...]] | None = None

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]  # QuerySet._clone is private, absent from the stubs
        clone._scoped_for = self._scoped_for
        clone._partition = self._partition
        return clone

    def partitioned_by(self, column: str, values: Any) -> Self:
        """Note that every row of this queryset has ``column`` in ``values`` (its scope just filtered so).

        Later filters keep that true (they only narrow); ``|`` and ``^`` forget it. A list page over
        several values can then be read as one ordered index scan per value, merged
        (``backend.api.pagination.page_ids``), instead of reading and sorting every row in scope.
        """
        clone: Self = self._chain()  # type: ignore[attr-defined]  # private, not in the stubs
        clone._partition = (column, tuple(dict.fromkeys(values)))
        return clone

    @property
    def partition(self) -> tuple[str, tuple[Any, ...]] | None:
        """``(column, values)`` given to ``partitioned_by``, or None."""
        return self._partition

    def __or__(self, other: Any) -> Self:
        return self._forget_partition(super().__or__(other), other)

    def __xor__(self, other: Any) -> Self:
        return self._forget_partition(super().__xor__(other), other)

    def _forget_partition(self, combined: Any, other: Any) -> Self:
        # One side returned as it is (the other was empty) keeps its own; a combination may hold any value.
        if combined is not self and combined is not other:
            combined._partition = None
        result: Self = combined
        return result

    def visible_to(self, user: Any) -> Self:
        """The rows ``user`` may see: each subclass defines it, decorated with ``@scoping``."""
        raise NotImplementedError(f"{type(self).__qualname__} must define visible_to(user) with @scoping.")

    def is_scoped_for(self, user: Any) -> bool:
        """True when this queryset came out of ``visible_to(user)`` (for this very user)."""
        return self._scoped_for is not None and self._scoped_for == _scope_key(user)


_Scoped = TypeVar("_Scoped", bound=ScopedQuerySet)


def scoping(method: Callable[[_Scoped, Any], _Scoped]) -> Callable[[_Scoped, Any], _Scoped]:
    """Decorate a queryset's ``visible_to(user)``: its result is marked as scoped for ``user``."""

    @functools.wraps(method)
    def visible_to(self: _Scoped, user: Any) -> _Scoped:
        queryset: _Scoped = method(self, user)._chain()  # type: ignore[attr-defined]  # private, not in the stubs
        queryset._scoped_for = _scope_key(user)
        return queryset

    return visible_to


class ReferenceDataQuerySet(ScopedQuerySet):
    """Reference data (defect categories, checklists): the same for every tenant, read by any signed-in user."""

    @scoping
    def visible_to(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


def visible_to(queryset: models.QuerySet[Any] | None, user: Any) -> models.QuerySet[Any]:
    """``queryset.visible_to(user)`` for a queryset typed as a plain one (a field's, an admin's)."""
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{queryset!r} has no visible_to(user): its model is not scoped.")
    return queryset.visible_to(user)


def related_count(queryset: models.QuerySet[Any], field: str) -> Coalesce:
    """An annotation counting the rows of ``queryset`` whose ``field`` points at the outer row.

    A correlated subquery, not ``Count()`` over a JOIN: that joins and groups the whole child
    table before the page is cut (measured: every schedule read to list 50 cases), and it
    would also make the pagination COUNT join.
    """
    return Coalesce(Subquery(related_count_query(queryset, field)), 0)


def related_count_query(queryset: models.QuerySet[Any], field: str) -> models.QuerySet[Any]:
    """The subquery of ``related_count``: the number of rows of ``queryset`` whose ``field`` is the outer row."""
    counted: models.QuerySet[Any] = (
        queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    )
    return counted


# --- what a request has already worked out about its user ------------------------------------------

#: Per-request memo of values derived from the requesting user's memberships (e.g. the forces whose
#: case-level rows they read). Open only while an API view runs (``request_memo``); None elsewhere.
_request_memo: ContextVar[dict[Any, Any] | None] = ContextVar("backend.querysets.request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Memoise ``for_this_request`` values for the block (one API request); forgotten at its end."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


@contextmanager
def without_request_memo() -> Iterator[None]:
    """Inside the block, ``for_this_request`` answers None (as outside a request): for SQL built to be kept
    beyond the request (reports.compiled), which must not carry one user's memoised scope."""
    token = _request_memo.set(None)
    try:
        yield
    finally:
        _request_memo.reset(token)


def for_this_request(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per request for ``key``; outside a request, ``None`` (the caller keeps its subquery).

    A visibility rule turns a subquery on the memberships into a short literal list this way:
    one small query per request instead of the same subquery planned into every statement.
    """
    memo = _request_memo.get()
    if memo is None:
        return None
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget_for_this_request() -> None:
    """Drop what the current request memoised (a membership or an organisation changed meanwhile)."""
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()
