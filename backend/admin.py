"""Admin conventions shared by the apps: scoped, read-only views of tenant rows.

Every choice the admin offers about tenant rows comes from the scoped queryset: list filters
over related rows use ``RelatedOnlyFieldListFilter`` (the related rows of the visible ones), and
a form field over a tenant model lists ``visible_to(user)`` only.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditlog.signals import accessed
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import dateformat

from backend.audit import log_page_read
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


def asked_once_per_request(request, rule: Callable[..., bool]) -> bool:
    """``rule(user=request.user)`` (a yes/no of a scoping rule, such as ``forces.selectors.reads_case_level_rows``)
    once per request, under the rule's dotted name: every page and check asking the same rule shares the answer."""
    return once_per_request(request, f"{rule.__module__}.{rule.__qualname__}", lambda: rule(user=request.user))


def refusal_words(error: Exception) -> list[str]:
    """What a service's refusal says, to show on a page: a ``ValidationError``'s messages, another error's text."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or "You may not do that."]


if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object  # a mixin: the ModelAdmin it is mixed into comes later in the bases


class ServiceSaveMixin(_ModelAdmin):
    """A ModelAdmin whose add and change forms save through a service (``save_with_service``).

    A refusal (``ValidationError``, ``PermissionDenied``) is shown with the service's words: nothing is
    written, no admin log entry is made, and the page does not say "changed successfully" nor link to a
    row that was not saved. A row the service made itself is logged and linked only if
    ``save_with_service`` gave its id to ``obj``.
    """

    def save_with_service(self, request, obj, change) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            self.save_with_service(request, obj, change)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, "Not saved: " + " ".join(refusal_words(error)), level=messages.ERROR)
            request._service_refused_save = True

    def _refused(self, request) -> bool:
        return getattr(request, "_service_refused_save", False)

    def log_addition(self, request, obj, message):
        if obj.pk is not None and not self._refused(request):
            super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not self._refused(request):
            super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if self._refused(request) or obj.pk is None:
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._refused(request):
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return super().response_change(request, obj)


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
    """Read-only, scoped views of tenant rows: the API is where leads work, with its services' checks.

    The pages open to whom the API serves rows of the kind: ``read_rule(user=) -> bool``, the yes/no of the
    scoping rule this admin's ``visible_to`` applies, which lives next to it (e.g.
    ``forces.selectors.reads_case_level_rows``; ``backend`` imports no app, so each admin names its own). Never
    the staff flag; an admin naming no rule opens to nobody. The rule is asked once per request under its dotted
    name, the key the dip sample and feedback pages ask ``reads_case_level_rows`` under too (a page's checks and
    the index's app list ask it many times).
    """

    read_rule: Callable[..., bool] | None = None
    #: Log reads as the API's viewset of these rows does (its ``log_consultation``): a list page's rows as one
    #: consultation entry per force, a row's page and its history as an access of the row.
    log_consultation = False

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        rule = type(self).read_rule  # the plain function, not bound to the admin
        if rule is None:
            return False  # an admin that names no rule opens to nobody
        return request.user.is_active and asked_once_per_request(request, rule)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        page = context.get("cl") if response.status_code == 200 else None
        if self.log_consultation and page is not None:
            log_page_read(request, model=self.model, rows=page.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_row_read(request, response, "original")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_row_read(request, response, "object")
        return response

    def _log_row_read(self, request, response, name: str) -> None:
        row = (getattr(response, "context_data", None) or {}).get(name) if response.status_code == 200 else None
        if self.log_consultation and request.method == "GET" and row is not None:
            accessed.send(sender=self.model, instance=row)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
