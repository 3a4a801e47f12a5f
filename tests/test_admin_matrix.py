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
- ``EITHER(a, b)``: the rules leave the order of two refusals open (e.g. a GET of an action by someone who may
  not open the model's pages at all: 403 or 405)

A POST action is in the table for who may take it, on rows in the state where the step is possible: a
permitted step answers ``BACK``, done (a step the page lets through but its service refuses comes back with the
error message, ``back, refused: ...``, and fails its line), a refused one 403 (seen, not yours) or 404 (not seen).

One test per page walks every member of the cast over its targets (a table of mismatches on failure): each
member's session is made once per module (``sessions``), each request runs in a savepoint rolled back after it,
so one member's POST never changes the row the next one is asked about. Non-members are refused by the site
before any row is looked up, so they are asked about the first target only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.conftest import CAST, DEACTIVATED
from tests.factories import answers_for
from tests.test_permission_matrix import (
    AREA_ADMINS,
    CASE_LEVEL_READERS,
    CC_LEADS,
    COMPARISON_READERS,
    CPS_CC_LEADS,
    CPS_SIDE_READERS,
    MEETING_READERS,
    POLICE_CC_LEADS,
    SAMPLE_LEADS,
    SUMMARY_READERS,
    VISIBLE_AUDIT_FORCES,
)

ANON = "anonymous"
EVERYONE = (ANON, *CAST, DEACTIVATED)
NOT_MEMBERS = {ANON, DEACTIVATED, "nobody"}  # the site admits none of them
LOGIN, INDEX, BACK = "login", "index", "back"
EITHER = frozenset  # EITHER({403, 405}): any of these

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
    missing: str | int = INDEX  # a row outside the queryset, for someone with the model's pages: 404 where scoped
    #: The history of a row outside the queryset, for someone without the model's pages: Django's redirect, or 403
    #: where the admin refuses them whether or not the row is theirs to see (the scoped admins: 403 on every row).
    refused: str | int = INDEX


@dataclass
class Page:
    url: Callable  # (world, target) -> path
    expect: Callable  # (who, target) -> outcome, for portal members (non-members: LOGIN unless open)
    targets: tuple = ANY
    method: str = "get"
    open_to_all: bool = False  # answers non-members itself (the sign-in page)
    body: dict | Callable | None = None  # a dict, or (world, target) -> dict
    members_only: bool = False  # non-members are asked on another line of the same URL


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
            return m.missing if who in m.view else m.refused
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


def _force(t):
    return t.partition(":")[0]


def _feedback(w, t):
    """``GMP``: the force's sent feedback; ``GMP:draft``: its draft (``GMP:<status>`` each status)."""
    force, _, status = t.partition(":")
    return getattr(_rows(w)[force], f"feedback_{status or 'sent'}")


#: Members whose roles read case-level rows (leads, the Quality Group, org admins) and superusers open the dip
#: sample and feedback pages, each seeing the rows it reads in the API; chief officers read figures only (403).
CASE_READERS = set(CASE_LEVEL_READERS)
#: Who opens the pages of meetings and action items: whoever reads some in the API (every member of an Area or a force,
#: chief officers included; superusers).
MEETING_VIEWERS = set(MEETING_READERS)
#: Who opens the audit log's pages: whoever reads entries of it in the API (an Area's org admins and Quality Group, a
#: force's org admins; superusers).
AUDIT_READERS = set(VISIBLE_AUDIT_FORCES)
#: Every member of the cast: the site admits them (reference data is read by every signed-in user, as in the API).
MEMBERS = set(CAST) - NOT_MEMBERS
#: Disclosure leads plan samples (for the streams and forces they lead; the plan form offers those), superusers too.
PLANNERS = {"superuser", "cps_lead", "gmp_lead", "gmp_mc_lead", "lancs_lead", "outsider", "kent_lead"}
#: A draft is the CPS side's own: the force sees feedback from the moment it is sent (docs/decisions/0010).
DRAFTS = ("GMP:draft", "KENT:draft")


def _feedback_sees(who):
    return _case_level(who) | {f"{force}:draft" for force in CPS_SIDE_READERS.get(who, set())}


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
        refused=403,
    ),
    # Read-only, scoped lists (ScopedAdmin): open to whom the API serves their rows (the staff flag adds nothing),
    # each seeing the rows it reads in the API. The audit log: its readers in the API.
    Model(
        "audit",
        "auditevent",
        _audit_event,
        view=AUDIT_READERS,
        sees=lambda who: VISIBLE_AUDIT_FORCES.get(who, set()),
        targets=TENANTS,
        missing=404,
        refused=403,
    ),
    *(
        Model("disclosure", name, _row(row), CASE_READERS, sees=_case_level, targets=TENANTS, missing=404, refused=403)
        for name, row in (
            ("case", "case"),
            ("schedule", "schedule"),
            ("assessment", "assessment"),
            ("defect", "defect"),
        )
    ),
    # Reference data: every member reads it, as the API serves it to every signed-in user; superusers edit it.
    Model(
        "disclosure",
        "defectcategory",
        lambda w, t: __import__("disclosure.models").models.DefectCategory.objects.get(code="D02"),
        view=MEMBERS,
        add=SUPER,
    ),
    Model(
        "disclosure",
        "checklist",
        lambda w, t: __import__("disclosure.models").models.Checklist.objects.get(version=1),
        view=MEMBERS,
        add=SUPER,
    ),
    # Where leads work (disclosure/admin_workflow.py, feedback/admin.py): every reader of case-level rows, its rows.
    # Nothing is deleted through the admin's stock pages (a planned sample on its own confirmation page, through the
    # API's service; feedback is a record), and feedback is drafted from a signed-off sample or from picked defects
    # (their own pages, below), not from the stock add form.
    Model(
        "disclosure",
        "dipsample",
        _row("in_progress"),
        view=CASE_READERS,
        add=PLANNERS,
        sees=_case_level,
        targets=TENANTS,
        missing=404,
        refused=403,
    ),
    Model(
        "feedback",
        "feedback",
        _feedback,
        view=CASE_READERS,
        sees=_feedback_sees,
        targets=(*TENANTS, *DRAFTS),
        missing=404,
        refused=403,
    ),
    Model(
        "feedback",
        "forcefeedbacksettings",
        _feedback_settings,
        view={"superuser", "cps_admin"},
        add={"superuser", "cps_admin"},
        sees=lambda who: FEEDBACK_SETTERS.get(who, set()),
        targets=TENANTS,
        missing=404,
        refused=403,
    ),
    Model(
        "reports",
        "meeting",
        _row("meeting"),
        view=MEETING_VIEWERS,
        sees=lambda who: MEETING_READERS.get(who, set()),
        targets=TENANTS,
        missing=404,
        refused=403,
    ),
    Model(
        "reports",
        "actionitem",
        _row("action_item"),
        view=MEETING_VIEWERS,
        sees=lambda who: MEETING_READERS.get(who, set()),
        targets=TENANTS,
        missing=404,
        refused=403,
    ),
]

#: Apps whose index (``/admin/<app>/``) each may open: those with a model page it may open, else 404.
APP_READERS = {
    "auth": SUPER,
    "knox": SUPER,
    "axes": SUPER,
    "forces": ORG_ADMINS,
    "audit": AUDIT_READERS,
    "disclosure": CASE_READERS | MEMBERS,  # reference data: every member
    "feedback": CASE_READERS,
    "reports": MEETING_VIEWERS,
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


# --- the dip sample's and the feedback item's pages: who may take each step (docs/decisions/0006, 0010) ---


def _in(w, t, state):
    """The row of ``t``'s force in ``state`` (``GMP``), or in the state ``t`` names (``GMP:completed``)."""
    force, _, named = t.partition(":")
    return getattr(_rows(w)[force], named or state)


def _version(row) -> int:
    """The row's version as stored now (an object of build_rows may predate later writes to its row)."""
    return type(row).objects.filter(pk=row.pk).values_list("row_version", flat=True).get()


def _case_page(allowed, ok=BACK, sees=_case_level):
    """A page about a row of a force: 403 to a member who reads no case-level rows (a chief officer), 404 for a row
    of a force whose rows the member does not read (``sees``), then ``ok`` if ``allowed(who, target)``, else 403."""

    def expect(who, t):
        if who not in CASE_READERS:
            return 403
        if _force(t) not in sees(who):
            return 404
        return ok if allowed(who, t) else 403

    return expect


def _sample_lead(who, t):
    """The sample's two named leads (and superusers) change, draw, undraw, add or mark schedules, complete."""
    return who in SAMPLE_LEADS[_force(t)]


def _stream_lead(who, t):
    """Any disclosure lead of the stream (every row is Crown Court), either side, assesses and logs defects."""
    return _force(t) in CC_LEADS.get(who, set())


def _signer(who, t):
    """Each side signs for itself, by a lead of the stream; superusers cannot sign."""
    return who != "superuser" and _stream_lead(who, t)


def _reopener(who, t):
    """A signed-off sample: an org admin of its Area; a completed one also either of its leads."""
    force, _, state = t.partition(":")
    return who in AREA_ADMINS[force] or (state == "completed" and who in SAMPLE_LEADS[force])


def _cps_lead(who, t):
    """The Area's CPS leads of the stream draft, edit, send, close and reopen feedback; superusers act for neither."""
    return _force(t) in CPS_CC_LEADS.get(who, set())


def _police_lead(who, t):
    """The force's leads of the stream acknowledge and respond."""
    return _force(t) in POLICE_CC_LEADS.get(who, set())


def _thread_writer(who, t):
    return _cps_lead(who, t) or _police_lead(who, t)


def _sample_action(verb, state, allowed, body=None, targets=TENANTS):
    """POST ``<sample>/<verb>/`` on a sample in ``state``, with the version the page was drawn from."""

    def url(w, t):
        return f"/admin/disclosure/dipsample/{_in(w, t, state).pk}/{verb}/"

    def data(w, t):
        return {"row_version": _version(_in(w, t, state)), **(body(w, t) if body else {})}

    return Page(url, _case_page(allowed), targets, method="post", body=data)


def _schedule_url(schedule="schedule", suffix=""):
    """A schedule of the force's sample in progress (``GMP:spare``: one of its period that is not in the sample)."""

    def url(w, t):
        rows = _rows(w)[_force(t)]
        sampled = getattr(rows, t.partition(":")[2] or schedule)
        return f"/admin/disclosure/dipsample/{rows.in_progress.pk}/schedules/{sampled.pk}/{suffix}"

    return url


def _assess(who, t):
    """Readers of the force open its sampled schedules; a schedule not in the sample is not found."""
    outcome = _case_page(lambda who, t: True, ok=200)(who, t)
    return 404 if outcome == 200 and t.endswith(":spare") else outcome


def _answers(w, t):
    """Every checklist v1 criterion of an MG6C answered (``answers_for``), the DRS complete."""
    return {**{f"answer_{a['criterion']}": a["result"] for a in answers_for("mg6c")}, "drs_complete": "on"}


def _defect(w, t):
    from disclosure.models import DefectCategory

    category = DefectCategory.objects.get(code="D01")
    return {"category": str(category.pk), "item_reference": "MG6C item 4", "description": "Described as 'statement'."}


def _feedback_step(step, status, allowed, body=None):
    """POST ``<feedback>/<step>/`` on the force's feedback in ``status``; a draft is seen by the CPS side only."""

    def url(w, t):
        return f"/admin/feedback/feedback/{_feedback(w, f'{t}:{status}').pk}/{step}/"

    def data(w, t):
        version = {} if step == "message" else {"row_version": _version(_feedback(w, f"{t}:{status}"))}
        return {**version, **(body or {})}

    readers = CPS_SIDE_READERS if status == "draft" else CASE_LEVEL_READERS
    return Page(url, _case_page(allowed, sees=lambda who: readers.get(who, set())), TENANTS, "post", body=data)


#: Steps on one dip sample or feedback item (POST); their GETs are refused too (``_get_refused``).
ACTIONS: dict[str, Page] = {
    "disclosure_dipsample_draw": _sample_action("draw", "planned", _sample_lead, lambda w, t: {"size": 1}),
    "disclosure_dipsample_undraw": _sample_action("undraw", "drawn", _sample_lead),
    "disclosure_dipsample_changeplan": _sample_action(
        "change-plan",
        "planned",
        _sample_lead,
        lambda w, t: {
            "period_start": _in(w, t, "planned").period_start.isoformat(),
            "period_end": _in(w, t, "planned").period_end.isoformat(),
            "cps_lead": _in(w, t, "planned").cps_lead_id,
            "police_lead": _in(w, t, "planned").police_lead_id,
        },
    ),
    "disclosure_dipsample_deleteplanned POST": _sample_action("delete-planned", "planned", _sample_lead),
    # A lead of either side of the stream names its side's lead, without the sample's grant (each side's field is
    # the lead named now: nothing changes, the page says so and goes back).
    "disclosure_dipsample_namelead": _sample_action(
        "name-lead",
        "in_progress",
        _stream_lead,
        lambda w, t: {
            "cps_lead": _in(w, t, "in_progress").cps_lead_id,
            "police_lead": _in(w, t, "in_progress").police_lead_id,
        },
    ),
    "disclosure_dipsample_addschedule": _sample_action(
        "add-schedule",
        "in_progress",
        _sample_lead,
        lambda w, t: {"schedule": _rows(w)[t].spare.pk, "reason": "Revised schedule served after the draw."},
    ),
    "disclosure_dipsample_complete": _sample_action("complete", "assessed", _sample_lead),
    "disclosure_dipsample_signoff": _sample_action("sign-off", "completed", _signer),
    "disclosure_dipsample_reopen": _sample_action(
        "reopen",
        "signed_off",
        _reopener,
        lambda w, t: {"reason": "Two defects were logged against the wrong schedule."},
        targets=(*TENANTS, "GMP:completed", "KENT:completed"),
    ),
    "disclosure_dipsample_assess POST": Page(
        _schedule_url("unassessed"), _case_page(_stream_lead), TENANTS, method="post", body=_answers
    ),
    "disclosure_dipsample_notassessable": Page(
        _schedule_url("unassessed", "not-assessable/"),
        _case_page(_sample_lead),
        TENANTS,
        method="post",
        body=lambda w, t: {
            "row_version": _version(_rows(w)[t].in_progress),
            "reason": "Only the first page was supplied.",
        },
    ),
    "disclosure_dipsample_adddefect": Page(
        _schedule_url("schedule", "defects/"), _case_page(_stream_lead), TENANTS, method="post", body=_defect
    ),
    "disclosure_dipsample_withdrawdefect": Page(
        lambda w, t: _schedule_url("schedule", f"defects/{_rows(w)[t].defect.pk}/withdraw/")(w, t),
        _case_page(_stream_lead),
        TENANTS,
        method="post",
    ),
    "feedback_feedback_edit": _feedback_step(
        "edit",
        "draft",
        _cps_lead,
        {"summary": "Items 3-9 block listed.", "requested_action": "List each item separately and re-serve the MG6C."},
    ),
    "feedback_feedback_send": _feedback_step("send", "draft", _cps_lead),
    "feedback_feedback_acknowledge": _feedback_step("acknowledge", "sent", _police_lead),
    "feedback_feedback_respond": _feedback_step(
        "respond",
        "acknowledged",
        _police_lead,
        {"outcome": "accepted", "action_taken": "Schedule re-served with each item listed."},
    ),
    "feedback_feedback_close": _feedback_step("close", "responded", _cps_lead),
    "feedback_feedback_reopen": _feedback_step(
        "reopen", "closed", _cps_lead, {"reason": "The re-served schedule still block lists items 3-7."}
    ),
    "feedback_feedback_message": _feedback_step(
        "message", "sent", _thread_writer, {"body": "Could you say which items were re-listed?"}
    ),
    # A signed-off sample: one draft per sampled case with police-side defects (none here: BACK to the list).
    "feedback_feedback_draft_from_sample": Page(
        lambda w, t: f"/admin/feedback/feedback/draft-from-sample/{_rows(w)[t].signed_off.pk}/",
        _case_page(_cps_lead),
        TENANTS,
        method="post",
    ),
}


def _get_refused(page: Page) -> Page:
    """A GET of a step changes nothing: 405, or the refusal its POST would get (the order is the page's)."""

    def expect(who, t):
        refusal = page.expect(who, t)
        return EITHER({refusal, 405}) if refusal in (403, 404) else 405

    return Page(page.url, expect, page.targets[:1], members_only=True)


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
    # --- dip sampling (disclosure/admin_workflow.py) and feedback (feedback/admin.py) ---
    "disclosure_dipsample_assess": Page(_schedule_url(), _assess, (*TENANTS, "GMP:spare")),
    "disclosure_dipsample_deleteplanned": Page(
        lambda w, t: f"/admin/disclosure/dipsample/{_in(w, t, 'planned').pk}/delete-planned/",
        _case_page(_sample_lead, ok=200),
        TENANTS,
    ),
    # Draft feedback from picked defects (the API's POST /feedback/): the CPS leads of the stream open it; its form
    # offers their forces' police-side defects, so another force's defect is refused on the form (400), not drafted.
    "feedback_feedback_draft": Page(
        lambda w, t: "/admin/feedback/feedback/draft/", lambda who, t: 200 if who in CPS_CC_LEADS else 403
    ),
    "feedback_feedback_draft POST": Page(
        lambda w, t: "/admin/feedback/feedback/draft/",
        lambda who, t: (BACK if t in CPS_CC_LEADS[who] else 400) if who in CPS_CC_LEADS else 403,
        TENANTS,
        method="post",
        body=lambda w, t: {
            "defects": [str(_rows(w)[t].defect.pk)],
            "summary": "Items 3-9 block listed.",
            "requested_action": "List each item separately and re-serve the MG6C.",
        },
    ),
    **ACTIONS,
    **{f"{name.split()[0]} GET": _get_refused(page) for name, page in ACTIONS.items() if " " not in name},
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
    declared = {key.split()[0] for key in PAGES}  # "name POST", "name GET": more lines for one URL
    missing = sorted(names - declared)
    assert not missing, f"admin URL names with no expectations in tests/test_admin_matrix.py PAGES: {missing}"
    stale = sorted(declared - names)
    assert not stale, f"PAGES entries for admin URL names that no longer exist: {stale}"


def _outcome(response) -> int | str:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/admin/login/"):
        return LOGIN
    if location == "/admin/":
        return INDEX
    # A step the page let through but its service refused comes back with an error message: not done.
    refused = [str(m) for m in getattr(response.wsgi_request, "_messages", ())._queued_messages if m.level >= 40]
    return f"{BACK}, refused: {refused[0]}" if refused else BACK


def expected(page: Page, who: str, target: str):
    if who in NOT_MEMBERS and not page.open_to_all:
        return LOGIN
    return page.expect(who, target)


@pytest.fixture(scope="module")
def sessions(shared_world, django_db_blocker) -> dict[str, str]:
    """A session key per member of the cast, signed in once for the module (rolled back with ``shared_world``).

    A switched-off account's session is refused by the site, as a real one would be.
    """
    keys = {}
    with django_db_blocker.unblock():
        for who in (*CAST, DEACTIVATED):
            client = Client()
            client.force_login(getattr(shared_world, who))
            keys[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def _ask(page: Page, world, session: str | None, target: str):
    """One request in a savepoint rolled back after it, from a fresh client (no cookie carried over)."""
    client = Client(raise_request_exception=False)  # a 500 is an outcome in the table, not the end of the walk
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    with transaction.atomic():
        body = page.body(world, target) if callable(page.body) else page.body
        response = getattr(client, page.method)(page.url(world, target), body or {})
        transaction.set_rollback(True)
    return _outcome(response)


def _matches(got, want) -> bool:
    return got in want if isinstance(want, frozenset) else got == want


@pytest.fixture
def quiet_pages(monkeypatch, caplog):
    """What this table does not look at, left out for speed: Django's warning (with its traceback) for each 403 and
    404, and the dashboards' charts drawn by matplotlib (tests/reports/test_dashboards.py draws them)."""
    from reports.exports import charts

    caplog.set_level(logging.ERROR, logger="django.request")
    for chart in ("trend_chart", "comparison_chart"):
        monkeypatch.setattr(charts, chart, lambda *args, **kwargs: b'<svg xmlns="http://www.w3.org/2000/svg"/>')


@pytest.mark.parametrize("name", sorted(PAGES))
def test_admin_matrix(shared_world, sessions, db, quiet_pages, name):
    page = PAGES[name]
    wrong = []
    for who in EVERYONE:
        if page.members_only and who in NOT_MEMBERS:
            continue
        targets = page.targets if who not in NOT_MEMBERS or page.open_to_all else page.targets[:1]
        for target in targets:
            got, want = _ask(page, shared_world, sessions.get(who), target), expected(page, who, target)
            if not _matches(got, want):
                wanted = "/".join(sorted(map(str, want))) if isinstance(want, frozenset) else want
                wrong.append(f"{who} on {target}: got {got}, want {wanted}")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


#: Scoped lists and whether the API serves rows of them to a chief officer and to a disclosure lead.
STAFF_FLAG_PAGES = {
    "/admin/disclosure/case/": {"gmp_chief": 403, "gmp_lead": 200},
    "/admin/disclosure/defect/": {"gmp_chief": 403, "gmp_lead": 200},
    "/admin/reports/meeting/": {"gmp_chief": 200, "gmp_lead": 200},
    "/admin/audit/auditevent/": {"gmp_chief": 403, "gmp_lead": 403},
}


@pytest.mark.parametrize("who", ["gmp_chief", "gmp_lead"])
def test_the_staff_flag_opens_no_scoped_list(shared_world, db, quiet_pages, who):
    """Made staff, a chief officer still reads no case-level row and a lead no audit entry: the pages say 403, as
    the API finds them nothing (the cast has no staff account without a reader's role, so the matrix cannot say)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user_model.objects.filter(pk=getattr(shared_world, who).pk).update(is_staff=True)
    client = Client()
    client.force_login(user_model.objects.get(pk=getattr(shared_world, who).pk))
    got = {url: client.get(url).status_code for url in STAFF_FLAG_PAGES}
    assert got == {url: outcomes[who] for url, outcomes in STAFF_FLAG_PAGES.items()}
