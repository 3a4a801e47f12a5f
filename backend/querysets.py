"""Queryset conventions shared by the apps."""

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


class ReferenceDataQuerySet(models.QuerySet):
    """Reference data (defect categories, checklists): the same for every tenant, read by any signed-in user."""

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
