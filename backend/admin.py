"""Admin conventions shared by the apps: scoped, read-only views of tenant rows.

Every choice the admin offers about tenant rows comes from the scoped queryset: list filters
over related rows use ``RelatedOnlyFieldListFilter`` (the related rows of the visible ones), and
a form field over a tenant model lists ``visible_to(user)`` only.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import dateformat

from backend.querysets import visible_to


def uk_date(value, *, empty: str = "") -> str:
    """A date as the UK writes it on the portal's pages, e.g. 3 Dec 2026; ``empty`` for none."""
    return dateformat.format(value, "j M Y") if value else empty


def once_per_request(request, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per request for ``key`` (a permission asked by several of a page's checks)."""
    memo = request.__dict__.setdefault("_admin_once_per_request", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


SCOPED = admin.RelatedOnlyFieldListFilter  # choices: the related rows of the rows this admin lists


def scoped_choices(db_field, request, kwargs: dict) -> dict:
    """A form field over a tenant model (one with ``visible_to``) lists only the rows the user may see."""
    manager = db_field.remote_field.model._default_manager
    if "queryset" not in kwargs and hasattr(manager, "visible_to"):
        kwargs["queryset"] = manager.visible_to(request.user)
    return kwargs


class ScopedChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A mixin for ModelAdmin and InlineModelAdmin: the method is theirs.
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choices(db_field, request, kwargs))  # type: ignore[misc]


class NotFoundOutsideScopeMixin:
    """A row outside the admin's queryset is a 404, as in the API, for a user who may open the model's pages;
    for one who may not open them at all, every row's page is a 403, seen or not.

    Django's admin redirects to the index with "doesn't exist" instead, on the pages that look the
    row up before checking the permission (the history, the delete page): a chief officer asking for
    a dip sample's history was sent to the index for a row outside its scope and refused (403) for
    one inside it, telling the two apart.
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None and self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
            raise Http404("No such row that you can see.")
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Reached for a missing row only when get_object did not answer 404: the user may not open the pages.
        raise PermissionDenied


class ScopedAdmin(NotFoundOutsideScopeMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Read-only, scoped views of tenant rows: the API is where leads work, with its services' checks."""

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
