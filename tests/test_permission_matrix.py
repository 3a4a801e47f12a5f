"""Role x endpoint x tenant: every API route, every member of the cast, own / other force / other Area.

Expectations are written out from the rules in docs/architecture.md, not computed by the code under
test. A route missing here, or not built on the tenant-scoped base viewset, fails
``test_every_api_route_is_in_the_matrix``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from backend.api.viewsets import TenantScopedViewSet
from tests.conftest import CAST, DEACTIVATED
from tests.factories import answers_for

ANON = "anonymous"
EVERYONE = (ANON, *CAST, DEACTIVATED)

#: Routes that authenticate nobody: a token presented there is not even looked at.
UNAUTHENTICATED_ROUTES = {"login"}

#: Routes that are not over tenant-owned rows: auth, the user itself, the schema and its UI.
NON_TENANT_ROUTES = {"api-root", "login", "logout", "logout-all", "me", "schema", "docs"}

#: Organisations each cast member may see (docs/architecture.md: own, the forces of its Area, the Area of its force).
VISIBLE_ORGANISATIONS = {
    "superuser": {"CPS-NW", "GMP", "LANCS", "CPS-SE", "KENT"},
    "cps_lead": {"CPS-NW", "GMP", "LANCS"},
    "cps_quality": {"CPS-NW", "GMP", "LANCS"},
    "cps_admin": {"CPS-NW", "GMP", "LANCS"},
    "gmp_lead": {"CPS-NW", "GMP"},
    "gmp_mc_lead": {"CPS-NW", "GMP"},
    "gmp_chief": {"CPS-NW", "GMP"},
    "gmp_admin": {"CPS-NW", "GMP"},
    "lancs_lead": {"CPS-NW", "LANCS"},
    "outsider": {"CPS-SE", "KENT"},
    "kent_lead": {"CPS-SE", "KENT"},
    "nobody": set(),
}

#: Audit entries each may read, by the force they concern: Area org admins and the Quality Group
#: their Area's, force org admins their force's, nobody else.
VISIBLE_AUDIT_FORCES = {
    "superuser": {"GMP", "LANCS", "KENT"},
    "cps_quality": {"GMP", "LANCS"},
    "cps_admin": {"GMP", "LANCS"},
    "gmp_admin": {"GMP"},
}

TARGETS = ("GMP", "LANCS", "KENT")  # own force (for GMP and CPS-NW people), other force, other Area
NW_FORCES = {"GMP", "LANCS"}

#: Forces whose case-level rows each may read: police their force, CPS their Area's. Chief officers none.
CASE_LEVEL_READERS = {
    "superuser": set(TARGETS),
    "cps_lead": NW_FORCES,
    "cps_quality": NW_FORCES,
    "cps_admin": NW_FORCES,
    "gmp_lead": {"GMP"},
    "gmp_mc_lead": {"GMP"},
    "gmp_admin": {"GMP"},
    "lancs_lead": {"LANCS"},
    "outsider": {"KENT"},
    "kent_lead": {"KENT"},
}

#: Forces for which each is a Crown Court disclosure lead (the rows are all in the cc stream).
CC_LEADS = {
    "superuser": set(TARGETS),
    "cps_lead": NW_FORCES,
    "gmp_lead": {"GMP"},
    "lancs_lead": {"LANCS"},
    "outsider": {"KENT"},  # an all-streams lead of CPS-SE
    "kent_lead": {"KENT"},
}

#: The two leads named on each force's samples (they hold change_dipsample), and superusers.
SAMPLE_LEADS = {
    "GMP": {"superuser", "cps_lead", "gmp_lead"},
    "LANCS": {"superuser", "cps_lead", "lancs_lead"},
    "KENT": {"superuser", "outsider", "kent_lead"},
}

#: Org admins of each organisation (they manage its memberships and unlock its members' accounts).
ORG_ADMINS = {"CPS-NW": {"cps_admin"}, "GMP": {"gmp_admin"}, "LANCS": set(), "CPS-SE": set(), "KENT": set()}

#: A member of each organisation (an account an admin of it may unlock).
A_MEMBER_OF = {
    "CPS-NW": "cps-quality",
    "GMP": "gmp-chief",
    "LANCS": "lancs-lead",
    "CPS-SE": "outsider",
    "KENT": "kent-lead",
}


def _unlock(who, t):
    """An organisation you cannot see is 404; one you see but do not administer is 403."""
    if who == ANON:
        return 401
    if t not in VISIBLE_ORGANISATIONS[who]:
        return 404
    return 204 if who == "superuser" or who in ORG_ADMINS[t] else 403


#: Who may reopen a signed-off sample: an org admin of the force's CPS Area.
AREA_ADMINS = {"GMP": {"superuser", "cps_admin"}, "LANCS": {"superuser", "cps_admin"}, "KENT": {"superuser"}}


#: Forces whose summary each may read: the force's chief officers, police leads and org admins; the Area's
#: CPS leads, Quality Group and org admins. ``nobody`` none.
SUMMARY_READERS = {
    "superuser": set(TARGETS),
    "cps_lead": NW_FORCES,
    "cps_quality": NW_FORCES,
    "cps_admin": NW_FORCES,
    "gmp_lead": {"GMP"},
    "gmp_mc_lead": {"GMP"},
    "gmp_chief": {"GMP"},
    "gmp_admin": {"GMP"},
    "lancs_lead": {"LANCS"},
    "outsider": {"KENT"},
    "kent_lead": {"KENT"},
}

#: Areas whose comparison each may read: its Quality Group, CPS leads and org admins.
COMPARISON_READERS = {
    "superuser": {"CPS-NW", "CPS-SE"},
    "cps_lead": {"CPS-NW"},
    "cps_quality": {"CPS-NW"},
    "cps_admin": {"CPS-NW"},
    "outsider": {"CPS-SE"},
}

#: Meetings (one per force, of its Area) each may read: every member of the Area; a force's members
#: (chief officers included) the meetings about their force.
MEETING_READERS = {**SUMMARY_READERS}

#: Who organises each force's Area's meetings: the Area's CPS disclosure leads and org admins.
ORGANISERS = {"GMP": {"superuser", "cps_lead", "cps_admin"}, "LANCS": {"superuser", "cps_lead", "cps_admin"}}
ORGANISERS["KENT"] = {"superuser", "outsider"}

#: Who marks an action item owned by the force done: its organisers, and the force's leads and org admins.
ITEM_CLOSERS = {
    "GMP": ORGANISERS["GMP"] | {"gmp_lead", "gmp_mc_lead", "gmp_admin"},
    "LANCS": ORGANISERS["LANCS"] | {"lancs_lead"},
    "KENT": ORGANISERS["KENT"] | {"kent_lead"},
}


def _summary(who, t):
    if who == ANON:
        return 401
    return 200 if t in SUMMARY_READERS.get(who, set()) else 404


def _comparison(who, t):
    if who == ANON:
        return 401
    return 200 if t in COMPARISON_READERS.get(who, set()) else 404


def _meeting_write(allowed, ok):
    def expect(who, t):
        if who == ANON:
            return 401
        if t not in MEETING_READERS.get(who, set()):
            return 404
        return ok if who in allowed[t] else 403

    return expect


def _meeting_create(who, t):
    """The body names the Area and force by code: one you cannot see is 400; seen but not organised by you, 403."""
    if who == ANON:
        return 401
    if who in ORGANISERS[t]:
        return 201
    area = "CPS-SE" if t == "KENT" else "CPS-NW"
    return 403 if {area, t} <= VISIBLE_ORGANISATIONS[who] else 400


def _action_item_create(who, t):
    """The body names the meeting by id: one you cannot see is 400; one you see but do not organise, 403."""
    if who == ANON:
        return 401
    if who in ORGANISERS[t]:
        return 201
    return 403 if t in MEETING_READERS.get(who, set()) else 400


def _meeting_body(w, t):
    area = "CPS-SE" if t == "KENT" else "CPS-NW"
    return {
        "area": area,
        "forces": [t],
        "kind": "chief_officer",
        "held_on": "2099-01-15",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "notes": "Quarterly review of the force's figures.",
    }


def _pack(who, t):
    """A pack is made of the summary (a force) or the comparison (an Area): the same readers, else 404."""
    if who == ANON:
        return 401
    readers = COMPARISON_READERS if t.startswith("CPS-") else SUMMARY_READERS
    return 200 if t in readers.get(who, set()) else 404


@dataclass
class Endpoint:
    route: str
    method: str
    url: Callable  # (world, target) -> path
    expect: Callable  # (who, target) -> status
    body: Callable = field(default=lambda world, target: None)
    targets: tuple = (None,)


def _signed_in(status):
    return lambda who, target: 401 if who == ANON else status


def _read(who, t):
    if who == ANON:
        return 401
    return 200 if t in CASE_LEVEL_READERS.get(who, set()) else 404


def _create_for_force(who, t):
    """A body naming the force by code: unknown to you -> 400 on the field; known but not yours to write -> 403."""
    if who == ANON:
        return 401
    if t in CC_LEADS.get(who, set()):
        return 201
    return 403 if t in VISIBLE_ORGANISATIONS[who] else 400


def _create_under_row(who, t):
    """A body naming a parent row by id: a row you cannot see is 'does not exist' (400)."""
    if who == ANON:
        return 401
    if t in CC_LEADS.get(who, set()):
        return 201
    return 403 if t in CASE_LEVEL_READERS.get(who, set()) else 400


def _write(allowed, ok):
    """Object writes: a row you cannot see is 404; one you see but may not change is 403."""

    def expect(who, t):
        if who == ANON:
            return 401
        if t not in CASE_LEVEL_READERS.get(who, set()):
            return 404
        return ok if allowed(who, t) else 403

    return expect


def _is_cc_lead(who, t):
    return t in CC_LEADS.get(who, set())


def _is_signing_lead(who, t):
    return who != "superuser" and _is_cc_lead(who, t)  # signing off is a lead's act, not an administrator's


def _import(who, t):
    if who == ANON:
        return 401
    return 201 if t in CC_LEADS.get(who, set()) else 400


def _csv(w, t):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"force,urn,stream,kind,received_on,item_count\n{t},04XY5555525,cc,mg6c,2025-01-10,7\n"
    return {"file": SimpleUploadedFile("intake.csv", text.encode(), content_type="text/csv")}


def _rows(w):
    return w.__dict__["rows"]


def _row(name):
    return lambda w, t: getattr(_rows(w)[t], name)


def _detail(prefix, name, suffix=""):
    return lambda w, t: f"/api/v1/{prefix}/{getattr(_rows(w)[t], name).pk}/{suffix}"


ENDPOINTS = [
    # The API root lists the resources and links to the schema and docs: names only, open like the schema.
    Endpoint("api-root", "get", lambda w, t: "/api/v1/", lambda who, t: 200),
    Endpoint("me", "get", lambda w, t: "/api/v1/me/", _signed_in(200)),
    Endpoint(
        "login",
        "post",
        lambda w, t: "/api/v1/auth/login/",
        lambda who, t: 400,  # open to all; an empty body is refused by field
        body=lambda w, t: {},
    ),
    Endpoint("logout", "post", lambda w, t: "/api/v1/auth/logout/", _signed_in(204)),
    Endpoint("logout-all", "post", lambda w, t: "/api/v1/auth/logout-all/", _signed_in(204)),
    Endpoint("schema", "get", lambda w, t: "/api/v1/schema/", lambda who, t: 200),
    Endpoint("docs", "get", lambda w, t: "/api/v1/docs/", lambda who, t: 200),
    Endpoint("organisation-list", "get", lambda w, t: "/api/v1/organisations/", _signed_in(200)),
    Endpoint(
        "organisation-detail",
        "get",
        lambda w, t: f"/api/v1/organisations/{t}/",
        lambda who, t: 401 if who == ANON else (200 if t in VISIBLE_ORGANISATIONS[who] else 404),
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint(
        "organisation-unlock",
        "post",
        lambda w, t: f"/api/v1/organisations/{t}/unlock/",
        _unlock,
        body=lambda w, t: {"username": A_MEMBER_OF[t]},
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint("audit-event-list", "get", lambda w, t: "/api/v1/audit-events/", _signed_in(200)),
    Endpoint(
        "audit-event-detail",
        "get",
        lambda w, t: (
            f"/api/v1/audit-events/{AuditEvent.objects.filter(force__code=t).values_list('pk', flat=True)[0]}/"
        ),
        lambda who, t: 401 if who == ANON else (200 if t in VISIBLE_AUDIT_FORCES.get(who, set()) else 404),
        targets=TARGETS,
    ),
    # --- dip sampling: reference data ---
    Endpoint("defect-category-list", "get", lambda w, t: "/api/v1/defect-categories/", _signed_in(200)),
    Endpoint("defect-category-detail", "get", lambda w, t: "/api/v1/defect-categories/C01/", _signed_in(200)),
    Endpoint("checklist-list", "get", lambda w, t: "/api/v1/checklists/", _signed_in(200)),
    Endpoint(
        "checklist-detail",
        "get",
        lambda w, t: (
            f"/api/v1/checklists/{__import__('disclosure.models').models.Checklist.objects.get(version=1).pk}/"
        ),
        _signed_in(200),
    ),
    # --- cases and schedules ---
    Endpoint("case-list", "get", lambda w, t: "/api/v1/cases/", _signed_in(200)),
    Endpoint("case-detail", "get", _detail("cases", "case"), _read, targets=TARGETS),
    Endpoint(
        "case-list",
        "post",
        lambda w, t: "/api/v1/cases/",
        _create_for_force,
        body=lambda w, t: {"urn": "06ZZ7777725", "force": t, "stream": "cc"},
        targets=TARGETS,
    ),
    Endpoint("case-import", "multipart", lambda w, t: "/api/v1/cases/import/", _import, body=_csv, targets=TARGETS),
    Endpoint("schedule-list", "get", lambda w, t: "/api/v1/schedules/", _signed_in(200)),
    Endpoint("schedule-detail", "get", _detail("schedules", "schedule"), _read, targets=TARGETS),
    Endpoint(
        "schedule-list",
        "post",
        lambda w, t: "/api/v1/schedules/",
        _create_under_row,
        body=lambda w, t: {
            "case": _rows(w)[t].case.pk,
            "kind": "mg6e",
            "received_on": "2025-01-10",
            "item_count": 3,
        },
        targets=TARGETS,
    ),
    # --- dip samples ---
    Endpoint("dip-sample-list", "get", lambda w, t: "/api/v1/dip-samples/", _signed_in(200)),
    Endpoint("dip-sample-detail", "get", _detail("dip-samples", "planned"), _read, targets=TARGETS),
    Endpoint(
        "dip-sample-list",
        "post",
        lambda w, t: "/api/v1/dip-samples/",
        _create_for_force,
        body=lambda w, t: {"force": t, "stream": "cc", "period_start": "2025-06-01", "period_end": "2025-06-30"},
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-detail",
        "patch",
        _detail("dip-samples", "planned"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        body=lambda w, t: {"period_end": str(_rows(w)[t].planned.period_end), "row_version": 1},
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-detail",
        "delete",
        _detail("dip-samples", "planned"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 204),
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-draw",
        "post",
        _detail("dip-samples", "planned", "draw/"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        body=lambda w, t: {"size": 1},
        targets=TARGETS,
    ),
    Endpoint("dip-sample-eligible", "get", _detail("dip-samples", "planned", "eligible/"), _read, targets=TARGETS),
    Endpoint(
        "dip-sample-undraw",
        "post",
        _detail("dip-samples", "drawn", "undraw/"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-add-schedule",
        "post",
        _detail("dip-samples", "in_progress", "add-schedule/"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        body=lambda w, t: {"schedule": _rows(w)[t].spare.pk, "reason": "Revised schedule served after the draw."},
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-not-assessable",
        "post",
        _detail("dip-samples", "in_progress", "not-assessable/"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        body=lambda w, t: {"schedule": _rows(w)[t].unassessed.pk, "reason": "Only the first page was supplied."},
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-complete",
        "post",
        _detail("dip-samples", "assessed", "complete/"),
        _write(lambda who, t: who in SAMPLE_LEADS[t], 200),
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-sign-off",
        "post",
        _detail("dip-samples", "completed", "sign-off/"),
        _write(_is_signing_lead, 200),
        targets=TARGETS,
    ),
    Endpoint(
        "dip-sample-reopen",
        "post",
        _detail("dip-samples", "signed_off", "reopen/"),
        _write(lambda who, t: who in AREA_ADMINS[t], 200),
        body=lambda w, t: {"reason": "Two defects were logged against the wrong schedule."},
        targets=TARGETS,
    ),
    # --- assessments and defects ---
    Endpoint("assessment-list", "get", lambda w, t: "/api/v1/assessments/", _signed_in(200)),
    Endpoint("assessment-detail", "get", _detail("assessments", "assessment"), _read, targets=TARGETS),
    Endpoint(
        "assessment-list",
        "post",
        lambda w, t: "/api/v1/assessments/",
        _create_under_row,
        body=lambda w, t: {
            "dip_sample": _rows(w)[t].in_progress.pk,
            "schedule": _rows(w)[t].unassessed.pk,
            "rating": "fully_meets",
            "answers": answers_for("mg6c"),
            "drs_complete": True,
        },
        targets=TARGETS,
    ),
    Endpoint(
        "assessment-detail",
        "patch",
        _detail("assessments", "assessment"),
        _write(_is_cc_lead, 200),
        body=lambda w, t: {"answers": answers_for("mg6c", N8="not_meeting"), "row_version": 1},
        targets=TARGETS,
    ),
    Endpoint(
        "assessment-detail", "delete", _detail("assessments", "assessment"), _write(_is_cc_lead, 204), targets=TARGETS
    ),
    Endpoint("defect-list", "get", lambda w, t: "/api/v1/defects/", _signed_in(200)),
    Endpoint("defect-detail", "get", _detail("defects", "defect"), _read, targets=TARGETS),
    Endpoint(
        "defect-list",
        "post",
        lambda w, t: "/api/v1/defects/",
        _create_under_row,
        body=lambda w, t: {
            "assessment": _rows(w)[t].assessment.pk,
            "category": "D01",
            "item_reference": "MG6C item 4",
            "description": "Item 4 described only as 'statement'.",
        },
        targets=TARGETS,
    ),
    Endpoint(
        "defect-detail",
        "patch",
        _detail("defects", "defect"),
        _write(_is_cc_lead, 200),
        body=lambda w, t: {"severity": "critical", "row_version": 1},
        targets=TARGETS,
    ),
    Endpoint("defect-detail", "delete", _detail("defects", "defect"), _write(_is_cc_lead, 204), targets=TARGETS),
    # --- reports: summaries, meetings, action items ---
    Endpoint(
        "organisation-summary",
        "get",
        lambda w, t: f"/api/v1/organisations/{t}/summary/",
        _summary,
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint(
        "organisation-comparison",
        "get",
        lambda w, t: f"/api/v1/organisations/{t}/comparison/",
        _comparison,
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint("meeting-list", "get", lambda w, t: "/api/v1/meetings/", _signed_in(200)),
    Endpoint(
        "meeting-detail",
        "get",
        _detail("meetings", "meeting"),
        lambda who, t: 401 if who == ANON else (200 if t in MEETING_READERS.get(who, set()) else 404),
        targets=TARGETS,
    ),
    Endpoint(
        "meeting-list", "post", lambda w, t: "/api/v1/meetings/", _meeting_create, body=_meeting_body, targets=TARGETS
    ),
    Endpoint(
        "meeting-snapshot",
        "post",
        _detail("meetings", "meeting", "snapshot/"),
        _meeting_write(ORGANISERS, 200),
        targets=TARGETS,
    ),
    Endpoint("action-item-list", "get", lambda w, t: "/api/v1/action-items/", _signed_in(200)),
    Endpoint(
        "action-item-detail",
        "get",
        _detail("action-items", "action_item"),
        lambda who, t: 401 if who == ANON else (200 if t in MEETING_READERS.get(who, set()) else 404),
        targets=TARGETS,
    ),
    Endpoint(
        "action-item-list",
        "post",
        lambda w, t: "/api/v1/action-items/",
        _action_item_create,
        body=lambda w, t: {
            "meeting": _rows(w)[t].meeting.pk,
            "owner": t,
            "description": "Share the dip-sample results with the training team.",
            "due_on": "2099-02-01",
        },
        targets=TARGETS,
    ),
    Endpoint(
        "action-item-done",
        "post",
        _detail("action-items", "action_item", "done/"),
        _meeting_write(ITEM_CLOSERS, 200),
        targets=TARGETS,
    ),
    # --- exports ---
    Endpoint(
        "organisation-pack",
        "get",
        lambda w, t: f"/api/v1/organisations/{t}/pack/?format=csv&from=2025-01-01&to=2025-12-31&reason=Matrix+check",
        _pack,
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint(
        "meeting-pack",
        "get",
        lambda w, t: f"/api/v1/meetings/{_rows(w)[t].meeting.pk}/pack/?format=csv&reason=Matrix+check",
        lambda who, t: 401 if who == ANON else (200 if t in MEETING_READERS.get(who, set()) else 404),
        targets=TARGETS,
    ),
]


# --- feedback (docs/decisions/0010-feedback-loop.md) ---

#: Who reads drafts: the CPS side only (the force sees feedback once it is sent), and superusers.
CPS_SIDE_READERS = {"superuser": set(TARGETS), "cps_lead": NW_FORCES, "cps_quality": NW_FORCES, "cps_admin": NW_FORCES}
CPS_SIDE_READERS["outsider"] = {"KENT"}
#: CPS Crown Court leads draft, send, close and reopen (no superuser: feedback is a lead's own act).
CPS_CC_LEADS = {"cps_lead": NW_FORCES, "outsider": {"KENT"}}
#: The force's Crown Court leads acknowledge and respond.
POLICE_CC_LEADS = {"gmp_lead": {"GMP"}, "lancs_lead": {"LANCS"}, "kent_lead": {"KENT"}}
#: The owner of each force's notice (the force's cc lead, reminded that a response is due).
NOTICE_OWNERS = {"GMP": "gmp_lead", "LANCS": "lancs_lead", "KENT": "kent_lead"}


def _cps_cc_lead(who, t):
    return t in CPS_CC_LEADS.get(who, set())


def _police_cc_lead(who, t):
    return t in POLICE_CC_LEADS.get(who, set())


def _either_cc_lead(who, t):
    return _cps_cc_lead(who, t) or _police_cc_lead(who, t)


def _read_draft(who, t):
    if who == ANON:
        return 401
    return 200 if t in CPS_SIDE_READERS.get(who, set()) else 404


def _write_draft(allowed, ok):
    def expect(who, t):
        if who == ANON:
            return 401
        if t not in CPS_SIDE_READERS.get(who, set()):
            return 404
        return ok if allowed(who, t) else 403

    return expect


def _create_feedback(who, t):
    """The body names a defect: one you cannot see is 400 on the field; one you see but may not write on, 403."""
    if who == ANON:
        return 401
    if _cps_cc_lead(who, t):
        return 201
    return 403 if t in CASE_LEVEL_READERS.get(who, set()) else 400


def _own_notice(who, t):
    if who == ANON:
        return 401
    return 200 if NOTICE_OWNERS[t] == who else 404


ENDPOINTS += [
    Endpoint("feedback-list", "get", lambda w, t: "/api/v1/feedback/", _signed_in(200)),
    Endpoint("feedback-detail", "get", _detail("feedback", "feedback_sent"), _read, targets=TARGETS),
    Endpoint("feedback-detail", "get", _detail("feedback", "feedback_draft"), _read_draft, targets=TARGETS),
    Endpoint(
        "feedback-list",
        "post",
        lambda w, t: "/api/v1/feedback/",
        _create_feedback,
        body=lambda w, t: {
            "defects": [_rows(w)[t].defect.pk],
            "summary": "Items 3-7 block listed as 'various'.",
            "requested_action": "List each item separately and re-serve the MG6C.",
        },
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-detail",
        "patch",
        _detail("feedback", "feedback_draft"),
        _write_draft(_cps_cc_lead, 200),
        body=lambda w, t: {"summary": "Items 3-9 block listed.", "row_version": 1},
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-send",
        "post",
        _detail("feedback", "feedback_draft", "send/"),
        _write_draft(_cps_cc_lead, 200),
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-acknowledge",
        "post",
        _detail("feedback", "feedback_sent", "acknowledge/"),
        _write(_police_cc_lead, 200),
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-respond",
        "post",
        _detail("feedback", "feedback_acknowledged", "respond/"),
        _write(_police_cc_lead, 200),
        body=lambda w, t: {"outcome": "accepted", "action_taken": "Schedule re-served with each item listed."},
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-close",
        "post",
        _detail("feedback", "feedback_responded", "close/"),
        _write(_cps_cc_lead, 200),
        targets=TARGETS,
    ),
    Endpoint(
        "feedback-reopen",
        "post",
        _detail("feedback", "feedback_closed", "reopen/"),
        _write(_cps_cc_lead, 200),
        body=lambda w, t: {"reason": "The re-served schedule still block lists items 3-7."},
        targets=TARGETS,
    ),
    Endpoint("feedback-messages", "get", _detail("feedback", "feedback_sent", "messages/"), _read, targets=TARGETS),
    Endpoint(
        "feedback-messages",
        "post",
        _detail("feedback", "feedback_sent", "messages/"),
        _write(_either_cc_lead, 201),
        body=lambda w, t: {"body": "Could you say which items were re-listed?"},
        targets=TARGETS,
    ),
    Endpoint("notice-list", "get", lambda w, t: "/api/v1/notices/", _signed_in(200)),
    Endpoint("notice-detail", "get", _detail("notices", "notice"), _own_notice, targets=TARGETS),
    Endpoint(
        "dip-sample-draft-feedback",
        "post",
        _detail("dip-samples", "signed_off", "draft-feedback/"),
        _write(_cps_cc_lead, 200),  # 200: nothing new to draft (its one schedule has no defect)
        targets=TARGETS,
    ),
]


def _cases():
    for endpoint in ENDPOINTS:
        for target in endpoint.targets:
            for who in EVERYONE:
                yield pytest.param(endpoint, target, who, id=f"{endpoint.method}-{endpoint.route}-{target}-{who}")


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, key = AuthToken.objects.create(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(("endpoint", "target", "who"), list(_cases()))
def test_permission_matrix(shared_world, db, endpoint, target, who):
    world = shared_world
    client = token_client(None if who == ANON else getattr(world, who))
    url = endpoint.url(world, target)
    body = endpoint.body(world, target)
    if endpoint.method == "multipart":
        response = client.post(url, body, format="multipart")
    else:
        response = getattr(client, endpoint.method)(url, body, format="json")
    assert response.status_code == expected_status(endpoint, target, who), getattr(response, "data", response)


def expected_status(endpoint, target, who):
    """A deactivated user's token is refused (401) wherever a token is read, open routes included;
    where none is read it is anonymous."""
    if who == DEACTIVATED:
        return endpoint.expect(ANON, target) if endpoint.route in UNAUTHENTICATED_ROUTES else 401
    return endpoint.expect(who, target)


@pytest.mark.parametrize("who", CAST)
def test_organisation_list_shows_exactly_the_visible_organisations(shared_world, db, client_for, who):
    world = shared_world
    results = client_for(getattr(world, who)).get("/api/v1/organisations/").json()["results"]
    assert {o["code"] for o in results} == VISIBLE_ORGANISATIONS[who]


LIST_ROUTES = {
    "cases": "case",
    "schedules": "schedule",
    "dip-samples": "planned",
    "assessments": "assessment",
    "defects": "defect",
    "feedback": "feedback_sent",
}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("resource", LIST_ROUTES)
def test_case_level_lists_show_exactly_the_visible_forces(shared_world, db, client_for, who, resource):
    world = shared_world
    results = client_for(getattr(world, who)).get(f"/api/v1/{resource}/", {"page_size": 200}).json()["results"]
    assert {row["force"] for row in results} == CASE_LEVEL_READERS.get(who, set())


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("resource", ["meetings", "action-items"])
def test_meeting_and_action_item_lists_show_exactly_the_visible_meetings(shared_world, db, client_for, who, resource):
    world = shared_world
    results = client_for(getattr(world, who)).get(f"/api/v1/{resource}/", {"page_size": 200}).json()["results"]
    key = "forces" if resource == "meetings" else "owner"
    forces = {code for row in results for code in ([row[key]] if isinstance(row[key], str) else row[key])}
    assert forces == MEETING_READERS.get(who, set())


@pytest.mark.parametrize("who", CAST)
def test_audit_event_list_shows_exactly_the_visible_entries(shared_world, db, client_for, who):
    world = shared_world
    client, results, page = client_for(getattr(world, who)), [], "/api/v1/audit-events/?page_size=200"
    while page:  # every page: the rows of build_rows (feedback included) make more than one for superusers
        body = client.get(page).json()
        results += body["results"]
        page = body["next"]
    forces = {event["force"] for event in results if event["force"]}
    assert forces == VISIBLE_AUDIT_FORCES.get(who, set())


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and prefix.startswith("api/v1/"):
            yield pattern


def _served_methods(pattern) -> set[str]:
    """The HTTP methods a route answers (besides HEAD and OPTIONS), from its router mapping or its view."""
    callback = pattern.callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    allowed = set(getattr(view_class, "http_method_names", ())) - {"head", "options"}
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a ViewSet route: the router's method -> action mapping
        return {method for method in actions if method in allowed}
    return {method for method in allowed if hasattr(view_class, method)}


def test_every_api_route_and_method_is_in_the_matrix_and_tenant_routes_use_the_base_viewset():
    covered = {
        (endpoint.route, "post" if endpoint.method == "multipart" else endpoint.method) for endpoint in ENDPOINTS
    }
    routes = list(_api_routes())
    assert routes, "no API routes found"
    served = set()
    for pattern in routes:
        name = pattern.name
        methods = _served_methods(pattern)
        assert methods, f"API route {name!r}: no methods found"
        served |= {(name, method) for method in methods}
        view_class = getattr(pattern.callback, "cls", None)
        if name not in NON_TENANT_ROUTES:
            assert view_class is not None and issubclass(view_class, TenantScopedViewSet), (
                f"API route {name!r} is not built on TenantScopedViewSet"
            )
    missing = sorted(served - covered)
    assert not missing, f"(route, method) pairs missing from the permission matrix: {missing}"
    assert not covered - served, f"matrix entries for pairs no route serves: {sorted(covered - served)}"


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_permissions", "initial"])
def test_the_base_viewset_refuses_subclasses_that_bypass_scoping(method):
    with pytest.raises(TypeError, match=method):
        type("Sneaky", (TenantScopedViewSet,), {method: lambda self: None})


def test_the_base_viewset_refuses_a_queryset_without_scoping():
    from django.contrib.auth import get_user_model

    with pytest.raises(TypeError, match="visible_to"):
        type("Unscoped", (TenantScopedViewSet,), {"queryset": get_user_model().objects.all()})
    mixin = type("UsersMixin", (), {"queryset": get_user_model().objects.all()})
    with pytest.raises(TypeError, match="visible_to"):
        type("UnscopedThroughAMixin", (mixin, TenantScopedViewSet), {})


class _QuerysetMixin:
    def get_queryset(self):
        from disclosure.models import Case

        return Case.objects.all()


class _InitialMixin:
    def initial(self, request, *args, **kwargs):
        pass


@pytest.mark.parametrize("mixin", [_QuerysetMixin, _InitialMixin])
def test_the_base_viewset_refuses_a_mixin_that_defines_a_sealed_method_anywhere_in_the_hierarchy(mixin):
    with pytest.raises(TypeError, match=mixin.__name__):
        type("Sneaky", (mixin, TenantScopedViewSet), {})
    with pytest.raises(TypeError, match=mixin.__name__):
        type("SneakyAfter", (TenantScopedViewSet, mixin), {})
    intermediate = type("Intermediate", (mixin,), {})
    with pytest.raises(TypeError, match=f"SneakyDeep gets .* from {mixin.__name__}"):
        type("SneakyDeep", (intermediate, TenantScopedViewSet), {})


def _open_view():
    from rest_framework import mixins
    from rest_framework.permissions import AllowAny

    from disclosure.api.serializers import ChecklistOutputSerializer
    from disclosure.models import Checklist

    class Open(TenantScopedViewSet, mixins.ListModelMixin):
        queryset = Checklist.objects.all()
        serializer_class = ChecklistOutputSerializer
        permission_classes = [AllowAny]
        pagination_class = None

    return Open.as_view({"get": "list"})


def test_the_base_viewset_requires_a_signed_in_user_whatever_permission_classes_say(db):
    from rest_framework.test import APIRequestFactory

    response = _open_view()(APIRequestFactory().get("/open/"))
    assert response.status_code == 401


def test_the_base_viewset_refuses_an_inactive_account_whatever_permission_classes_say(shared_world, db):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from tests.factories import UserFactory

    inactive = UserFactory(username="inactive-probe", is_active=False)
    for user, status in ((inactive, 403), (shared_world.gmp_lead, 200)):
        request = APIRequestFactory().get("/open/")
        force_authenticate(request, user)
        assert _open_view()(request).status_code == status
