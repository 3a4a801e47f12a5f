"""Role x admin page x tenant: every URL pattern of the admin site, every member of the cast, own / other tenant.

``test_every_admin_url_name_is_in_the_table`` walks ``admin.site.get_urls()`` (each ModelAdmin's URLs
included) and fails listing every named pattern missing from ``PAGES``: a page added later joins the
table with one line (``Page(...)``), or five for a new ModelAdmin (``model_pages(...)``).

Expectations are written out from the rules (docs/architecture.md; the admin is the web interface,
docs/decisions/0013-web-interface.md), reusing the visibility tables of the API's matrix, not computed
by the code under test. The outcomes:

- ``LOGIN``: 302 to the sign-in page (not signed in, switched off, or no membership: not a portal member)
- ``INDEX``: 302 to the admin index (Django's "does not exist" for someone without the model's pages)
- ``BACK``: 302 elsewhere (an action done, back to where it was asked)
- 200, 403 (may not open this page), 404 (a row or organisation you cannot see), 405 (wrong method)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.conftest import CAST, DEACTIVATED
from tests.test_permission_matrix import (
    CASE_LEVEL_READERS,
    COMPARISON_READERS,
    MEETING_READERS,
    SUMMARY_READERS,
    VISIBLE_AUDIT_FORCES,
)

ANON = "anonymous"
EVERYONE = (ANON, *CAST, DEACTIVATED)
NOT_MEMBERS = {ANON, DEACTIVATED, "nobody"}  # the site admits none of them
LOGIN, INDEX, BACK = "login", "index", "back"

TENANTS = ("GMP", "LANCS", "KENT")  # own force (GMP and CPS-NW people), other force of the Area, other Area
ANY = ("any",)  # rows that belong to no tenant

SUPER = {"superuser"}
STAFF = {"superuser", "cps_admin", "gmp_admin"}  # org admins are staff in the cast; leads, chiefs, QG are not
ORG_ADMINS = {"superuser", "cps_admin", "gmp_admin"}
#: Organisations each administers (an Area's admin administers the Area, not its forces' memberships).
ADMINISTERS = {"superuser": {"CPS-NW", "GMP", "LANCS", "KENT"}, "cps_admin": {"CPS-NW"}, "gmp_admin": {"GMP"}}
#: Areas' org admins set their forces' response times (ForceFeedbackSettings).
FEEDBACK_SETTERS = {"superuser": set(TENANTS), "cps_admin": {"GMP", "LANCS"}}


def _rows(w):
    return w.__dict__["rows"]


def _row(name):
    return lambda w, t: getattr(_rows(w)[t], name)


def _everyone_sees(who):
    return {"any", *TENANTS, "CPS-NW"}


@dataclass
class Model:
    """Who may do what on one ModelAdmin; ``sees(who)``: the targets whose rows its queryset holds for ``who``."""

    app: str
    name: str
    obj: Callable  # (world, target) -> a row
    view: set  # changelist and change page (view or change permission)
    add: set = field(default_factory=set)
    delete: set = field(default_factory=set)
    sees: Callable = _everyone_sees
    targets: tuple = ANY
    missing: str = INDEX  # a row outside the queryset, for someone with the model's pages: 404 where scoped


@dataclass
class Page:
    url: Callable  # (world, target) -> path
    expect: Callable  # (who, target) -> outcome, for portal members (non-members: LOGIN unless open)
    targets: tuple = ANY
    method: str = "get"
    open_to_all: bool = False  # answers non-members itself (the sign-in page)
    body: dict | None = None


def _changelist(m: Model):
    return Page(lambda w, t: f"/admin/{m.app}/{m.name}/", lambda who, t: 200 if who in m.view else 403)


def _add(m: Model):
    return Page(lambda w, t: f"/admin/{m.app}/{m.name}/add/", lambda who, t: 200 if who in m.add else 403)


def _change(m: Model):
    """Django checks the permission before looking the row up; a row outside the queryset is ``missing``."""

    def expect(who, t):
        if who not in m.view:
            return 403
        return 200 if t in m.sees(who) else m.missing

    return Page(lambda w, t: f"/admin/{m.app}/{m.name}/{m.obj(w, t).pk}/change/", expect, m.targets)


def _history(m: Model):
    """Django looks the row up first: a row outside the queryset is a 404 (scoped) or the index redirect."""

    def expect(who, t):
        if t not in m.sees(who):
            return m.missing if who in m.view else INDEX
        return 200 if who in m.view else 403

    return Page(lambda w, t: f"/admin/{m.app}/{m.name}/{m.obj(w, t).pk}/history/", expect, m.targets)


def _delete(m: Model):
    """Django checks the permission first; a scoped admin's ``get_object`` answers 404 before it for a row outside
    the queryset (to those who may open the model's pages)."""

    def expect(who, t):
        if m.missing == 404 and who in m.view and t not in m.sees(who):
            return 404
        if who not in m.delete:
            return 403
        return 200 if t in m.sees(who) else m.missing

    return Page(lambda w, t: f"/admin/{m.app}/{m.name}/{m.obj(w, t).pk}/delete/", expect, m.targets)


def model_pages(m: Model) -> dict[str, Page]:
    """The five named pages of a ModelAdmin (its redirect from ``<id>/`` to the change page has no name)."""
    prefix = f"{m.app}_{m.name}"
    return {
        f"{prefix}_changelist": _changelist(m),
        f"{prefix}_add": _add(m),
        f"{prefix}_change": _change(m),
        f"{prefix}_history": _history(m),
        f"{prefix}_delete": _delete(m),
    }


def _case_level(who):
    return CASE_LEVEL_READERS.get(who, set())


def _group(w, t):
    return Group.objects.get_or_create(name="matrix-group")[0]


def _token(w, t):
    from knox.models import AuthToken

    return AuthToken.objects.create(w.gmp_lead)[0]


def _attempt(model_name):
    def make(w, t):
        from axes import models as axes_models

        model = getattr(axes_models, model_name)
        fields = {"username": "gmp-lead", "ip_address": "192.0.2.7", "user_agent": "matrix"}
        if model_name == "AccessAttempt":
            fields["failures_since_start"] = 1
        return model.objects.create(**fields)

    return make


def _membership(w, t):
    return {"CPS-NW": w.cps_lead, "GMP": w.gmp_lead, "LANCS": w.lancs_lead, "KENT": w.kent_lead}[t].memberships.get()


def _audit_event(w, t):
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(force__code=t).first()


def _feedback_settings(w, t):
    from feedback.models import ForceFeedbackSettings

    force = getattr(w, t.lower())
    return ForceFeedbackSettings.objects.get_or_create(force=force)[0]


MEMBERSHIP_TARGETS = ("CPS-NW", *TENANTS)
SUPERUSER_ONLY = {"view": SUPER, "add": SUPER, "delete": SUPER}

MODELS = [
    # Django's and the libraries' own: model permissions, which only superusers hold.
    Model("auth", "group", _group, **SUPERUSER_ONLY),
    Model("auth", "user", lambda w, t: w.kent_lead, **SUPERUSER_ONLY),
    Model("knox", "authtoken", _token, **SUPERUSER_ONLY),
    # axes records attempts itself: nobody adds one by hand.
    Model("axes", "accessattempt", _attempt("AccessAttempt"), view=SUPER, delete=SUPER),
    Model("axes", "accesslog", _attempt("AccessLog"), view=SUPER, delete=SUPER),
    Model("axes", "accessfailurelog", _attempt("AccessFailureLog"), view=SUPER, delete=SUPER),
    # Organisations: superusers only. Memberships: each organisation's admins, their own organisation's.
    Model("forces", "organisation", lambda w, t: getattr(w, t.lower()), **SUPERUSER_ONLY, targets=TENANTS),
    Model(
        "forces",
        "membership",
        _membership,
        view=ORG_ADMINS,
        add=ORG_ADMINS,
        delete=ORG_ADMINS,
        sees=lambda who: ADMINISTERS.get(who, set()),
        targets=MEMBERSHIP_TARGETS,
        missing=404,
    ),
    # Read-only, scoped lists (ScopedAdmin): staff, rows as in the API.
    Model(
        "audit",
        "auditevent",
        _audit_event,
        view=STAFF,
        sees=lambda who: VISIBLE_AUDIT_FORCES.get(who, set()),
        targets=TENANTS,
        missing=404,
    ),
    *(
        Model("disclosure", name, _row(row), view=STAFF, sees=_case_level, targets=TENANTS, missing=404)
        for name, row in (
            ("case", "case"),
            ("schedule", "schedule"),
            ("dipsample", "in_progress"),
            ("assessment", "assessment"),
            ("defect", "defect"),
        )
    ),
    # Reference data: staff read it, superusers edit it.
    Model(
        "disclosure",
        "defectcategory",
        lambda w, t: __import__("disclosure.models").models.DefectCategory.objects.get(code="D02"),
        view=STAFF,
        add=SUPER,
    ),
    Model(
        "disclosure",
        "checklist",
        lambda w, t: __import__("disclosure.models").models.Checklist.objects.get(version=1),
        view=STAFF,
        add=SUPER,
    ),
    Model("feedback", "feedback", _row("feedback_sent"), view=STAFF, sees=_case_level, targets=TENANTS, missing=404),
    Model(
        "feedback",
        "forcefeedbacksettings",
        _feedback_settings,
        view={"superuser", "cps_admin"},
        add={"superuser", "cps_admin"},
        sees=lambda who: FEEDBACK_SETTERS.get(who, set()),
        targets=TENANTS,
    ),
    Model(
        "reports",
        "meeting",
        _row("meeting"),
        view=STAFF,
        sees=lambda who: MEETING_READERS.get(who, set()),
        targets=TENANTS,
        missing=404,
    ),
    Model(
        "reports",
        "actionitem",
        _row("action_item"),
        view=STAFF,
        sees=lambda who: MEETING_READERS.get(who, set()),
        targets=TENANTS,
        missing=404,
    ),
]

#: Apps whose index (``/admin/<app>/``) each may open: those with a model page it may open, else 404.
APP_READERS = {
    "auth": SUPER,
    "knox": SUPER,
    "axes": SUPER,
    "forces": ORG_ADMINS,
    "audit": STAFF,
    "disclosure": STAFF,
    "feedback": STAFF,
    "reports": STAFF,
}


def _summary(who, t):
    return 200 if t in SUMMARY_READERS.get(who, set()) else 404


def _comparison(who, t):
    return 200 if t in COMPARISON_READERS.get(who, set()) else 404


def _pack(who, t):
    """A CSV pack with its reason: the file for a reader of the figures, 404 for anyone else."""
    readers = COMPARISON_READERS if t.startswith("CPS-") else SUMMARY_READERS
    return 200 if t in readers.get(who, set()) else 404


def _managed(ok):
    """An org admin's action on a member: 403 for a non-admin, 404 for another organisation's member."""

    def expect(who, t):
        if who not in ORG_ADMINS:
            return 403
        return ok if t in ADMINISTERS[who] else 404

    return expect


def _member(status):
    return lambda who, t: status


PAGES: dict[str, Page] = {
    # --- the site ---
    "index": Page(lambda w, t: "/admin/", _member(200)),
    # A member is sent on to the index; anyone else gets the form.
    "login": Page(lambda w, t: "/admin/login/", lambda who, t: 200 if who in NOT_MEMBERS else INDEX, open_to_all=True),
    # Signed out (200); someone who was not a member is sent to the index, which sends them to sign in.
    "logout": Page(
        lambda w, t: "/admin/logout/",
        lambda who, t: INDEX if who in NOT_MEMBERS else 200,
        method="post",
        open_to_all=True,
    ),
    "password_change": Page(lambda w, t: "/admin/password_change/", _member(200)),
    "password_change_done": Page(lambda w, t: "/admin/password_change/done/", _member(200)),
    "autocomplete": Page(lambda w, t: "/admin/autocomplete/", _member(403)),  # no field named: refused
    "jsi18n": Page(lambda w, t: "/admin/jsi18n/", _member(200)),
    # No model here has a public URL ("view on site"): nothing to go to.
    "view_on_site": Page(
        lambda w, t: f"/admin/r/{ContentType.objects.get_for_model(_rows(w)[t].case).pk}/{_rows(w)[t].case.pk}/",
        _member(404),
        TENANTS,
    ),
    "app_list": Page(
        lambda w, t: f"/admin/{t}/",
        lambda who, t: 200 if who in APP_READERS[t] else 404,
        tuple(APP_READERS),
    ),
    # --- dashboards (reports/admin_pages.py) ---
    "reports_force_dashboard": Page(lambda w, t: f"/admin/dashboards/force/{t}/", _summary, TENANTS),
    "reports_area_dashboard": Page(lambda w, t: f"/admin/dashboards/area/{t}/", _comparison, ("CPS-NW", "CPS-SE")),
    "reports_pack_download": Page(
        lambda w, t: f"/admin/dashboards/pack/{t}/",
        _pack,
        (*TENANTS, "CPS-NW", "CPS-SE"),
        method="post",
        body={"format": "csv", "reason": "Figures for the quarterly chief officer meeting."},
    ),
    # Django's UserAdmin: setting a password by hand is for superusers (org admins send a reset link).
    "auth_user_password_change": Page(
        lambda w, t: f"/admin/auth/user/{w.kent_lead.pk}/password/", lambda who, t: 200 if who in SUPER else 403
    ),
    # --- people (forces/admin.py) ---
    "forces_membership_add_member": Page(
        lambda w, t: "/admin/forces/membership/add-member/", lambda who, t: 200 if who in ORG_ADMINS else 403
    ),
    "forces_membership_unlock": Page(
        lambda w, t: f"/admin/forces/membership/{_membership(w, t).pk}/unlock/",
        _managed(BACK),
        MEMBERSHIP_TARGETS,
        method="post",
    ),
    "forces_membership_password_reset": Page(
        lambda w, t: f"/admin/forces/membership/{_membership(w, t).pk}/password-reset/",
        _managed(BACK),
        MEMBERSHIP_TARGETS,
        method="post",
    ),
    # --- every ModelAdmin's five pages ---
    **{name: page for model in MODELS for name, page in model_pages(model).items()},
}


def _admin_url_names(patterns=None) -> set[str]:
    patterns = admin.site.get_urls() if patterns is None else patterns
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _admin_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_admin_url_name_is_in_the_table():
    names = _admin_url_names()
    assert len(names) > 50, names  # every ModelAdmin's URLs were walked
    missing = sorted(names - set(PAGES))
    assert not missing, f"admin URL names with no expectations in tests/test_admin_matrix.py PAGES: {missing}"
    stale = sorted(set(PAGES) - names)
    assert not stale, f"PAGES entries for admin URL names that no longer exist: {stale}"


def _outcome(response) -> int | str:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/admin/login/"):
        return LOGIN
    return INDEX if location == "/admin/" else BACK


def expected(page: Page, who: str, target: str):
    if who in NOT_MEMBERS and not page.open_to_all:
        return LOGIN
    return page.expect(who, target)


def _cases():
    for name in sorted(PAGES):
        for who in EVERYONE:
            yield pytest.param(name, who, id=f"{name}-{who}")


@pytest.mark.parametrize(("name", "who"), list(_cases()))
def test_admin_matrix(shared_world, db, name, who):
    world = shared_world
    page = PAGES[name]
    client = Client()
    if who != ANON:
        client.force_login(getattr(world, who))  # a switched-off account's session is refused by the site
    got, want = {}, {}
    for target in page.targets:
        response = getattr(client, page.method)(page.url(world, target), page.body or {})
        got[target], want[target] = _outcome(response), expected(page, who, target)
    assert got == want, f"got {got}, want {want}"
