"""Reads for the start pages: what waits for each role, from the apps' own scoped selectors.

Each function costs a fixed number of queries however many rows there are (tests/portal).
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from backend.types import User
from disclosure.models import DipSample, DipSampleStatus
from disclosure.selectors import dip_sample_list
from feedback.models import Feedback, FeedbackStatus
from feedback.selectors import feedback_awaiting, feedback_list
from forces.models import Membership, Organisation, OrganisationKind, Role
from forces.selectors import comparison_area_list, lead_scope, managed_membership_list, summary_force_list
from reports.exports.content import headline_rows, show, show_rate
from reports.selectors import area_comparison, force_summary, summary_window

#: At most this many rows per list on a start page; the full lists are a click away.
SHOWN = 25


@dataclass(frozen=True)
class LeadSides:
    """Where ``user`` leads: the CPS Areas and the police forces (organisation ids)."""

    areas: frozenset[int]
    forces: frozenset[int]

    def side_of(self, row) -> str | None:
        if row.area_id in self.areas:
            return "cps"
        if row.force_id in self.forces:
            return "police"
        return None


def roles_of(*, user: User) -> list[tuple[str, int, str]]:
    """``[(role, organisation id, organisation kind)]``, one query."""
    return list(Membership.objects.filter(user=user).values_list("role", "organisation_id", "organisation__kind"))


def lead_sides(roles: list[tuple[str, int, str]]) -> LeadSides:
    leads = [(org, kind) for role, org, kind in roles if role == Role.DISCLOSURE_LEAD]
    return LeadSides(
        areas=frozenset(org for org, kind in leads if kind == OrganisationKind.CPS_AREA),
        forces=frozenset(org for org, kind in leads if kind == OrganisationKind.POLICE_FORCE),
    )


def open_dip_samples(*, user: User) -> QuerySet[DipSample]:
    """Dip samples of the streams ``user`` leads that are not signed off yet, the oldest period first."""
    return (
        dip_sample_list(user=user)
        .filter(lead_scope(user=user))
        .exclude(status=DipSampleStatus.SIGNED_OFF)
        .order_by("period_end", "id")
    )


def sample_next_step(sample: DipSample, side: str | None) -> tuple[str, bool]:
    """(what happens next, in plain words; whether it waits for ``side``)."""
    if sample.status == DipSampleStatus.PLANNED:
        return "Draw the sample", True
    if sample.status == DipSampleStatus.IN_PROGRESS:
        assessed = getattr(sample, "assessment_count", 0)
        return f"Assess the sampled schedules ({assessed} of {sample.size or 0} done)", True
    if sample.status == DipSampleStatus.COMPLETED:
        signed = sample.cps_signed_off_by_id if side == "cps" else sample.police_signed_off_by_id
        if signed is None:
            return "Sign off", True
        return "Waiting for the other side to sign off", False
    return sample.get_status_display(), False


def feedback_waiting(*, user: User) -> QuerySet[Feedback]:
    """Feedback waiting for ``user``'s side (drafts to send, items to answer or to close), overdue first
    (``is_overdue`` as of today), then by due date."""
    return feedback_list(user=user).filter(feedback_awaiting(user=user)).order_by("-is_overdue", "due_on", "id")


FEEDBACK_NEXT_STEP = {
    FeedbackStatus.DRAFT: "Send to the force",
    FeedbackStatus.SENT: "Acknowledge and respond",
    FeedbackStatus.ACKNOWLEDGED: "Respond (accept or dispute)",
    FeedbackStatus.RESPONDED: "Read the response and close",
}


def dashboards_for(*, user: User, roles: list[tuple[str, int, str]]) -> dict[str, list[Organisation]]:
    """The chief officer's forces and the Quality Group's Areas, among those whose figures ``user`` may read."""
    chief_of = {org for role, org, _ in roles if role == Role.CHIEF_OFFICER}
    quality_of = {org for role, org, _ in roles if role == Role.QUALITY_GROUP}
    forces = list(summary_force_list(user=user).filter(pk__in=chief_of).order_by("code")) if chief_of else []
    areas = list(comparison_area_list(user=user).filter(pk__in=quality_of).order_by("code")) if quality_of else []
    return {"forces": forces, "areas": areas}


#: The figures a chief officer's start page shows of their force (the dashboard has them all).
CHIEF_FIGURES = ("Schedules assessed", "Defective rate", "DRS complete", "Feedback sent", "Feedback overdue")


def force_headline(*, user: User, force: Organisation, today: datetime.date) -> dict:
    """A force's headline figures for the default window (``reports.selectors``; a fixed number of queries):
    ``{"from", "to", "rows": [(label, this period, the period before)]}``."""
    date_from, date_to = summary_window(None, None, today)
    summary = force_summary(user=user, force=force, date_from=date_from, date_to=date_to)
    rows = [
        (label, show(now, kind), show(before, kind))
        for label, now, before, kind in headline_rows(summary, summary.get("previous"))
        if label in CHIEF_FIGURES
    ]
    return {"from": date_from, "to": date_to, "rows": rows}


def area_headline(*, user: User, area: Organisation, today: datetime.date) -> dict:
    """An Area's forces side by side for the default window (``reports.selectors.area_comparison``): ``{"from",
    "to", "rows": [(force name, schedules assessed, defective rate, beyond chance: "higher"/"lower"/None)]}``."""
    date_from, date_to = summary_window(None, None, today)
    comparison = area_comparison(user=user, area=area, date_from=date_from, date_to=date_to)
    rows = [
        (row["name"], row["schedules_assessed"], show_rate(row["defective_rate"]), row["differs"])
        for row in [*comparison["forces"], {**comparison["total"], "name": "Area total", "differs": None}]
    ]
    return {"from": date_from, "to": date_to, "rows": rows}


def members_for_admin(*, user: User) -> QuerySet[Membership]:
    """Memberships of the organisations ``user`` administers: locked accounts first, then by name."""
    return managed_membership_list(user=user).order_by("-is_locked", "user__username", "organisation__code", "role")
