"""Queryset conventions shared by the apps."""

from django.db import models


class ReferenceDataQuerySet(models.QuerySet):
    """Reference data (defect categories, checklists): the same for every tenant, read by any signed-in user."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self
