"""Queryset conventions shared by the apps.

Every tenant-owned (or per-user) model's queryset derives from ``ScopedQuerySet`` and narrows
rows in one method, ``visible_to(user)``, decorated with ``@scoping``. The result remembers whom
it was scoped for, through every later ``filter``/``annotate``/``select_related``; the base
viewset refuses a queryset that was not scoped for the requesting user (a selector that forgot
``visible_to`` fails loudly instead of serving every tenant's rows).
"""

import functools
from collections.abc import Callable
from typing import Any, Self

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def _scope_key(user: Any) -> object:
    """Whom a queryset was scoped for: the user's id, or a marker for anonymous requests."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.pk


class ScopedQuerySet(models.QuerySet):
    """A queryset that remembers, across chaining, that ``visible_to(user)`` narrowed it."""

    _scoped_for: object = None

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._scoped_for = self._scoped_for
        return clone

    def is_scoped_for(self, user: Any) -> bool:
        """True when this queryset came out of ``visible_to(user)`` (for this very user)."""
        return self._scoped_for is not None and self._scoped_for == _scope_key(user)


def scoping(method: Callable[..., models.QuerySet]) -> Callable[..., models.QuerySet]:
    """Decorate a queryset's ``visible_to(user)``: its result is marked as scoped for ``user``."""

    @functools.wraps(method)
    def visible_to(self: ScopedQuerySet, user: Any) -> models.QuerySet:
        queryset = method(self, user)._chain()
        queryset._scoped_for = _scope_key(user)
        return queryset

    return visible_to


class ReferenceDataQuerySet(ScopedQuerySet):
    """Reference data (defect categories, checklists): the same for every tenant, read by any signed-in user."""

    @scoping
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


def related_count(queryset: models.QuerySet, field: str):
    """An annotation counting the rows of ``queryset`` whose ``field`` points at the outer row.

    A correlated subquery, not ``Count()`` over a JOIN: that joins and groups the whole child
    table before the page is cut (measured: every schedule read to list 50 cases), and it
    would also make the pagination COUNT join.
    """
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)
