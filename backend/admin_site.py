"""The admin site: every active member of an organisation signs in; each page still decides who sees it.

Django's stock site admits staff only. Chief officers and the Quality Group read their dashboards
in the admin, so this site admits any active user with a membership (and staff and superusers,
as before). Admission opens no data: every registered ``ModelAdmin`` keeps its own permission
methods (the scoped lists open to whom the API serves their rows, ``backend.admin.ScopedAdmin.read_rule``,
and go through ``visible_to``; model pages without permission methods need Django model permissions,
which members do not hold), so a member without them gets 403 there (tests/test_admin_pages.py).

The index shows a member's start page; below it staff and superusers keep Django's app list, and
anyone else gets the same list (the models whose pages they may open) as one line of links per app.

It is installed as the *default* site (``backend.admin_apps.PortalAdminConfig`` in ``INSTALLED_APPS``), so
``admin.site`` is this object and every ``@admin.register`` keeps working. ``backend`` imports no
app: apps add their admin pages and index links through ``register_view`` and
``register_index_links`` (``reports/admin_pages.py`` does, for the dashboards), and the ``portal`` app
its start page per role through ``register_start_page`` (docs/decisions/0013-web-interface.md).
"""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import path


def is_portal_member(user) -> bool:
    """An active user who is staff, a superuser, or holds a membership of an organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.exists()


class MemberAuthenticationForm(AuthenticationForm):
    """The admin's login form, admitting members as the site does (the stock one admits staff only)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_member": "This account is not a member of any organisation.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_portal_member(user):
            raise ValidationError(self.error_messages["not_member"], code="not_member")


class PortalAdminSite(admin.AdminSite):
    login_form = MemberAuthenticationForm
    #: No "View site" link: ``/`` is this site's own start page, so the link would lead back here.
    site_url = None
    index_template = "admin/portal_index.html"

    def __init__(self, name="admin"):
        super().__init__(name)
        self._extra_views: list[tuple[str, Callable, str]] = []
        self._index_links: list[Callable] = []
        self._start_page: Callable | None = None

    def has_permission(self, request):
        return is_portal_member(request.user)

    def register_view(self, route: str, view: Callable, name: str) -> None:
        """Serve ``view`` at ``/admin/<route>`` under the URL name ``admin:<name>``, signed-in members only."""
        self._extra_views.append((route, view, name))

    def register_index_links(self, provider: Callable) -> None:
        """``provider(request) -> [(heading, [(label, url)])]``: links shown above the index's app list."""
        self._index_links.append(provider)

    def register_start_page(self, provider: Callable) -> None:
        """``provider(request) -> dict | None``: the member's start page, shown on the index in place of the
        app list (which staff and superusers keep below it); ``portal/start.py`` provides it."""
        self._start_page = provider

    def get_urls(self):
        extra = [path(route, self.admin_view(view), name=name) for route, view, name in self._extra_views]
        return extra + super().get_urls()

    def index(self, request, extra_context=None):
        groups = [group for provider in self._index_links for group in provider(request)]
        start = self._start_page(request) if self._start_page else None
        show_apps = start is None or request.user.is_staff or request.user.is_superuser
        context = {"portal_links": groups, "start_page": start, "show_app_list": show_apps}
        return super().index(request, {**(extra_context or {}), **context})
