"""Writes for feedback: draft -> sent -> acknowledged -> responded -> closed (and reopened to sent).

The CPS leads of the stream (the force's Area) draft, edit, send, close and reopen; the force's
disclosure leads of the stream, who are granted ``respond_feedback`` when it is sent,
acknowledge and respond. Feedback is an exchange between the two sides: an administrator
(superuser) speaks for neither, so every step here is a lead's own act.
"""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.errors import InvalidStateError
from backend.screening import screen_fields
from disclosure.models import Defect, DipSample, DipSampleStatus, Schedule, Side
from disclosure.services.common import UNSET, check_row_version
from feedback.models import (
    AWAITING_POLICE,
    BREACH_CATEGORY,
    DEFAULT_RESPONSE_WORKING_DAYS,
    THREAD_OPEN,
    Feedback,
    FeedbackMessage,
    FeedbackStatus,
    FeedbackUserObjectPermission,
    ForceFeedbackSettings,
    IcoReported,
    Outcome,
)
from feedback.workdays import add_working_days
from forces.models import Membership, Organisation, OrganisationKind, Role
from forces.selectors import lead_side_for_force, user_is_org_admin

RESPOND_FEEDBACK = "feedback.respond_feedback"
MAX_DEFECTS = 100


# --- who may act ---------------------------------------------------------------------------


def _check_cps_lead(actor, *, force: Organisation, stream: str) -> None:
    if actor.is_superuser or lead_side_for_force(user=actor, force=force, stream=stream) != "cps":
        raise PermissionDenied(f"Only the CPS {stream} disclosure leads of {force.area.code} may do this.")


def _check_police_lead(actor, feedback: Feedback) -> None:
    """The force's leads of the stream hold ``respond_feedback`` on it from the moment it is sent."""
    if actor.is_superuser or not actor.has_perm(RESPOND_FEEDBACK, feedback):
        raise PermissionDenied(
            f"Only the {feedback.stream} disclosure leads of {feedback.force.code} may acknowledge or respond."
        )


def _lock(feedback: Feedback) -> Feedback:
    """Re-read under a row lock (PostgreSQL), so concurrent steps queue and the second sees the first's result."""
    return Feedback.objects.select_for_update(of=("self",)).select_related("force", "force__area").get(pk=feedback.pk)


def _check_seen(feedback: Feedback, row_version: int | None) -> None:
    """When the caller says which ``row_version`` it read (the admin's forms do), 409 if the row has moved on since."""
    if row_version is not None:
        check_row_version(feedback, row_version)


def _check_status(feedback: Feedback, allowed, *, action: str) -> None:
    if feedback.status not in allowed:
        names = " or ".join(str(status) for status in allowed)
        raise InvalidStateError(f"Only {names} feedback can be {action}; this one is {feedback.status}.")


# --- what a page offers ---------------------------------------------------------------------

#: The steps of the workflow a page may offer (the admin's buttons), by name.
SEND, ACKNOWLEDGE, RESPOND, CLOSE, REOPEN, EDIT, MESSAGE = (
    "send",
    "acknowledge",
    "respond",
    "close",
    "reopen",
    "edit",
    "message",
)


def feedback_actions_for(*, actor, feedback: Feedback) -> frozenset[str]:
    """The steps ``actor`` may take on ``feedback`` now, by the same checks the steps make (each checks again).

    ``feedback`` must come with its ``force``. At most two queries (the actor's side, and the
    police leads' grant while the force owes an answer).
    """
    if actor.is_superuser or not actor.is_active:
        return frozenset()
    status = feedback.status
    side = lead_side_for_force(user=actor, force=feedback.force, stream=feedback.stream)
    actions = set()
    if side == "cps":
        if status == FeedbackStatus.DRAFT:
            actions |= {EDIT, SEND}
        if status == FeedbackStatus.RESPONDED:
            actions.add(CLOSE)
        if status in (FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED):
            actions.add(REOPEN)
    if status in AWAITING_POLICE and actor.has_perm(RESPOND_FEEDBACK, feedback):
        actions.add(RESPOND)
        if status == FeedbackStatus.SENT:
            actions.add(ACKNOWLEDGE)
    if side is not None and status in THREAD_OPEN:
        actions.add(MESSAGE)
    return frozenset(actions)


def feedback_drafts_allowed(*, actor, dip_sample: DipSample) -> bool:
    """Whether ``actor`` may draft feedback from ``dip_sample`` now: a CPS lead of its stream, the sample signed off."""
    if actor.is_superuser or not actor.is_active or dip_sample.status != DipSampleStatus.SIGNED_OFF:
        return False
    return lead_side_for_force(user=actor, force=dip_sample.force, stream=dip_sample.stream) == "cps"


# --- grants --------------------------------------------------------------------------------


def _police_lead_ids(*, force_id: int, stream: str) -> set[int]:
    return set(
        Membership.objects.filter(organisation_id=force_id, role=Role.DISCLOSURE_LEAD, user__is_active=True)
        .filter(Q(stream=stream) | Q(stream__isnull=True))
        .values_list("user_id", flat=True)
    )


def _permission() -> Permission:
    return Permission.objects.get(content_type__app_label="feedback", codename="respond_feedback")


def feedback_grants_sync(*, feedback: Feedback) -> None:
    """Exactly the force's active disclosure leads of the stream hold ``respond_feedback`` once it is sent."""
    wanted = set() if feedback.status == FeedbackStatus.DRAFT else _police_lead_ids(**_where(feedback))
    grants = FeedbackUserObjectPermission.objects.filter(
        content_object=feedback, permission__codename="respond_feedback"
    )
    held = set(grants.values_list("user_id", flat=True))
    grants.filter(user_id__in=held - wanted).delete()
    if wanted - held:
        permission = _permission()
        FeedbackUserObjectPermission.objects.bulk_create(
            FeedbackUserObjectPermission(content_object=feedback, user_id=user_id, permission=permission)
            for user_id in sorted(wanted - held)
        )


def _where(feedback: Feedback) -> dict:
    return {"force_id": feedback.force_id, "stream": feedback.stream}


def feedback_user_grants_sync(*, user) -> None:
    """Grant ``user`` ``respond_feedback`` on every sent item its current memberships justify.

    Registered with ``forces.services.user_grants_sync`` (which revokes what a membership no
    longer justifies), so a police lead appointed later can answer feedback already sent.
    """
    if not user.is_active:
        return
    scope = Q(pk__in=[])
    for organisation_id, stream in Membership.objects.filter(
        user=user, role=Role.DISCLOSURE_LEAD, organisation__kind=OrganisationKind.POLICE_FORCE
    ).values_list("organisation_id", "stream"):
        scope |= Q(force_id=organisation_id, stream=stream) if stream else Q(force_id=organisation_id)
    missing = list(
        Feedback.objects.filter(scope)
        .exclude(status=FeedbackStatus.DRAFT)
        .exclude(feedbackuserobjectpermission__user=user)
        .values_list("pk", flat=True)
    )
    if missing:
        permission = _permission()
        FeedbackUserObjectPermission.objects.bulk_create(
            FeedbackUserObjectPermission(content_object_id=pk, user=user, permission=permission) for pk in missing
        )


# --- due dates -----------------------------------------------------------------------------


def response_working_days(*, force_id: int) -> int:
    days = ForceFeedbackSettings.objects.filter(force_id=force_id).values_list("response_working_days", flat=True)
    return next(iter(days), DEFAULT_RESPONSE_WORKING_DAYS)


@transaction.atomic
def force_feedback_settings_set(*, actor, force: Organisation, response_working_days: int) -> ForceFeedbackSettings:
    """Set how many working days ``force`` has to respond. An org admin of the force's CPS Area (or a superuser)."""
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ValidationError({"force": f"{force.code} is not a police force."})
    if not (actor.is_superuser or user_is_org_admin(user=actor, organisation=force.area)):
        raise PermissionDenied(f"Only an org admin of {force.area.code} may set {force.code}'s response time.")
    if not 1 <= response_working_days <= 60:
        raise ValidationError({"response_working_days": "Between 1 and 60 working days."})
    settings, _ = ForceFeedbackSettings.objects.select_for_update().get_or_create(force=force)
    if settings.response_working_days != response_working_days:
        settings.response_working_days = response_working_days
        settings.save()
    return settings


def _due_on(feedback: Feedback) -> datetime.date:
    return add_working_days(timezone.localdate(), response_working_days(force_id=feedback.force_id))


# --- drafting ------------------------------------------------------------------------------


def _defects_rows(defects) -> list[Defect]:
    ids = sorted({defect.pk for defect in defects})
    return list(
        Defect.objects.filter(pk__in=ids)
        .select_related("category", "force", "force__area", "assessment__dip_sample", "assessment__schedule")
        .order_by("id")
    )


def _check_defects(defects: list[Defect], *, force_id: int | None = None, stream: str | None = None) -> None:
    """One force, one stream, police-side defects only (400 on ``defects`` naming the ids at fault)."""
    if not defects:
        raise ValidationError({"defects": "Name at least one defect."})
    if len(defects) > MAX_DEFECTS:
        raise ValidationError({"defects": f"At most {MAX_DEFECTS} defects in one feedback item."})
    force_id = force_id or defects[0].force_id
    stream = stream or defects[0].assessment.dip_sample.stream
    problems = []
    other_force = [d.pk for d in defects if d.force_id != force_id]
    if other_force:
        problems.append(f"Defect(s) {', '.join(map(str, other_force))} are of another force.")
    other_stream = [d.pk for d in defects if d.assessment.dip_sample.stream != stream]
    if other_stream:
        problems.append(f"Defect(s) {', '.join(map(str, other_stream))} are of another stream than {stream}.")
    cps_side = [d.pk for d in defects if d.category.side != Side.POLICE]
    if cps_side:
        problems.append(
            f"Defect(s) {', '.join(map(str, cps_side))} are CPS-side defects: feedback to the police is about theirs."
        )
    if problems:
        raise ValidationError({"defects": problems})


def _case_of(defects: list[Defect]):
    cases = {defect.assessment.schedule.case_id for defect in defects}
    return cases.pop() if len(cases) == 1 else None


def _is_breach(defects: list[Defect]) -> bool:
    return any(defect.category.code == BREACH_CATEGORY for defect in defects)


@transaction.atomic
def feedback_create(*, actor, defects: list[Defect], summary: str, requested_action: str) -> Feedback:
    """Draft feedback to the force of ``defects`` (one force, one stream, police-side).

    The actor must be a CPS disclosure lead of that stream for the force's Area (403). Text
    is screened for personal data (400 naming the field).
    """
    rows = _defects_rows(defects)
    _check_defects(rows)
    force, stream = rows[0].force, rows[0].assessment.dip_sample.stream
    _check_cps_lead(actor, force=force, stream=stream)
    summary, requested_action = (summary or "").strip(), (requested_action or "").strip()
    _check_texts(summary=summary, requested_action=requested_action)
    feedback = Feedback.objects.create(
        force=force,
        area_id=force.area_id,
        stream=stream,
        case_id=_case_of(rows),
        summary=summary,
        requested_action=requested_action,
        is_breach=_is_breach(rows),
        created_by=actor,
    )
    # add(), not set(): set() first reads the current ids through Defect's default ordering,
    # three joins for a row that has none yet.
    feedback.defects.add(*rows)
    return feedback


def _check_texts(**texts: str) -> None:
    missing = {name: "This field may not be blank." for name, value in texts.items() if not value}
    if missing:
        raise ValidationError(missing)
    screen_fields(texts, texts)


@transaction.atomic
def feedback_update(
    *, actor, feedback: Feedback, row_version: int | None, defects=UNSET, summary=UNSET, requested_action=UNSET
) -> Feedback:
    """Edit a draft (the CPS leads of the stream; 409 once sent or on a stale ``row_version``)."""
    feedback = _lock(feedback)
    _check_cps_lead(actor, force=feedback.force, stream=feedback.stream)
    check_row_version(feedback, row_version)
    _check_status(feedback, (FeedbackStatus.DRAFT,), action="edited")
    texts = {}
    for name, value in (("summary", summary), ("requested_action", requested_action)):
        if value is not UNSET:
            texts[name] = (value or "").strip()
    if texts:
        _check_texts(**texts)
    rows = None
    if defects is not UNSET:
        rows = _defects_rows(defects)
        _check_defects(rows, force_id=feedback.force_id, stream=feedback.stream)
    for name, value in texts.items():
        setattr(feedback, name, value)
    if rows is not None:
        feedback.defects.clear()  # a DELETE on the link table; set() would join for the ordering
        feedback.defects.add(*rows)
        feedback.case_id = _case_of(rows)
        feedback.is_breach = _is_breach(rows)
    feedback.save_new_version()
    return feedback


@transaction.atomic
def feedback_drafts_from_sample(*, actor, dip_sample: DipSample) -> list[Feedback]:
    """One draft per sampled case of a signed-off sample that has police-side defects and no feedback yet.

    The CPS leads of the sample's stream (403); a sample not signed off answers 409 (its
    defects may still change). Running it again creates nothing new. Returns the drafts made.
    """
    # Locking the sample queues two concurrent clicks; the unique constraint backs it up.
    dip_sample = (
        DipSample.objects.select_for_update(of=("self",)).select_related("force", "force__area").get(pk=dip_sample.pk)
    )
    _check_cps_lead(actor, force=dip_sample.force, stream=dip_sample.stream)
    if dip_sample.status != DipSampleStatus.SIGNED_OFF:
        raise InvalidStateError(
            f"Draft feedback once the sample is signed off; this one is {dip_sample.status}.", code="not_signed_off"
        )
    defects = list(
        Defect.objects.filter(assessment__dip_sample=dip_sample, category__side=Side.POLICE)
        .select_related("category", "assessment__schedule__case")
        .order_by("assessment__schedule__case_id", "id")
    )
    by_case: dict[int, list[Defect]] = defaultdict(list)
    for defect in defects:
        by_case[defect.assessment.schedule.case_id].append(defect)
    # Two sets: a defect id and a case id may be equal numbers.
    defects_with_feedback = set(
        Feedback.defects.through.objects.filter(defect__in=defects).values_list("defect_id", flat=True)
    )
    cases_with_feedback = set(Feedback.objects.filter(dip_sample=dip_sample).values_list("case_id", flat=True))
    created = []
    for case_id, case_defects in by_case.items():
        if case_id in cases_with_feedback or any(defect.pk in defects_with_feedback for defect in case_defects):
            continue
        case = case_defects[0].assessment.schedule.case
        feedback = Feedback.objects.create(
            force=dip_sample.force,
            area_id=dip_sample.area_id,
            stream=dip_sample.stream,
            case_id=case_id,
            dip_sample=dip_sample,
            summary=_draft_summary(dip_sample, case.urn, case_defects),
            requested_action=DRAFT_REQUESTED_ACTION,
            is_breach=_is_breach(case_defects),
            created_by=actor,
        )
        feedback.defects.add(*case_defects)
        created.append(feedback)
    return created


DRAFT_REQUESTED_ACTION = (
    "Review the schedules against the defects listed, re-serve corrected schedules where needed, "
    "and tell us what was done (including any feedback or training given to the disclosure officer)."
)


def _draft_summary(dip_sample: DipSample, urn: str, defects: list[Defect]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for defect in defects:
        counts[defect.category.code] += 1
    codes = ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(counts.items()))
    return (
        f"Dip sample {dip_sample.pk} ({dip_sample.stream}, {dip_sample.period_start:%b %Y}) found "
        f"{len(defects)} police-side defect(s) on the schedules of case {urn}: {codes}."
    )


# --- the workflow --------------------------------------------------------------------------


@transaction.atomic
def feedback_send(*, actor, feedback: Feedback, row_version: int | None = None) -> Feedback:
    """Send a draft to the force: ``due_on`` is the force's response time in working days from today.

    The force's leads of the stream are granted ``respond_feedback``.
    """
    feedback = _lock(feedback)
    _check_cps_lead(actor, force=feedback.force, stream=feedback.stream)
    _check_seen(feedback, row_version)
    _check_status(feedback, (FeedbackStatus.DRAFT,), action="sent")
    now = timezone.now()
    feedback.status = FeedbackStatus.SENT
    feedback.sent_at = now
    feedback.first_sent_at = feedback.first_sent_at or now
    feedback.due_on = _due_on(feedback)
    feedback.save_new_version()
    feedback_grants_sync(feedback=feedback)
    return feedback


@transaction.atomic
def feedback_acknowledge(*, actor, feedback: Feedback, row_version: int | None = None) -> Feedback:
    """The force says it has the feedback and is working on it (its leads of the stream; sent feedback only)."""
    feedback = _lock(feedback)
    _check_police_lead(actor, feedback)
    _check_seen(feedback, row_version)
    _check_status(feedback, (FeedbackStatus.SENT,), action="acknowledged")
    feedback.status = FeedbackStatus.ACKNOWLEDGED
    feedback.acknowledged_at = timezone.now()
    feedback.save_new_version()
    return feedback


@transaction.atomic
def feedback_respond(
    *,
    actor,
    feedback: Feedback,
    outcome: str,
    action_taken: str,
    reasons: str = "",
    revised_schedule: Schedule | None = None,
    ico_reported: str | None = None,
    ico_reported_on: datetime.date | None = None,
    row_version: int | None = None,
) -> Feedback:
    """The force's answer: ``accepted`` (with what it did) or ``disputed`` (with ``reasons``).

    A breach (an X03 defect) must also say whether it was reported to the ICO, with the date
    when it was. ``revised_schedule`` must be a schedule of the same case. Sent or
    acknowledged feedback only (409).
    """
    feedback = _lock(feedback)
    _check_police_lead(actor, feedback)
    _check_seen(feedback, row_version)
    _check_status(feedback, AWAITING_POLICE, action="answered")
    action_taken, reasons = (action_taken or "").strip(), (reasons or "").strip()
    errors: dict[str, str] = {}
    if not action_taken:
        errors["action_taken"] = "Say what the force did about the feedback."
    if outcome == Outcome.DISPUTED and not reasons:
        errors["reasons"] = "A dispute needs the force's reasons."
    if feedback.is_breach and not ico_reported:
        errors["ico_reported"] = (
            "This feedback reports a personal-data breach (X03): say whether it was reported to the "
            "Information Commissioner's Office (yes, no or not_required)."
        )
    if ico_reported == IcoReported.YES and ico_reported_on is None:
        errors["ico_reported_on"] = "Give the date the breach was reported to the ICO."
    if ico_reported != IcoReported.YES and ico_reported_on is not None:
        errors["ico_reported_on"] = "A date is given only when the breach was reported (ico_reported yes)."
    if ico_reported_on is not None and ico_reported_on > timezone.localdate():
        errors["ico_reported_on"] = "The date the breach was reported cannot be in the future."
    if revised_schedule is not None and (feedback.case_id is None or revised_schedule.case_id != feedback.case_id):
        errors["revised_schedule"] = f"Schedule {revised_schedule.pk} is not a schedule of this feedback's case."
    if errors:
        raise ValidationError(errors)
    screen_fields({"action_taken": action_taken, "reasons": reasons}, ["action_taken", "reasons"])
    feedback.status = FeedbackStatus.RESPONDED
    feedback.outcome = outcome
    feedback.action_taken = action_taken
    feedback.reasons = reasons
    feedback.revised_schedule = revised_schedule
    feedback.ico_reported = ico_reported or ""
    feedback.ico_reported_on = ico_reported_on
    feedback.responded_at = timezone.now()
    feedback.responded_by = actor
    feedback.save_new_version()
    return feedback


@transaction.atomic
def feedback_close(*, actor, feedback: Feedback, row_version: int | None = None) -> Feedback:
    """The CPS side accepts the response (or the dispute): responded feedback only."""
    feedback = _lock(feedback)
    _check_cps_lead(actor, force=feedback.force, stream=feedback.stream)
    _check_seen(feedback, row_version)
    _check_status(feedback, (FeedbackStatus.RESPONDED,), action="closed")
    feedback.status = FeedbackStatus.CLOSED
    feedback.closed_at = timezone.now()
    feedback.save_new_version()
    return feedback


@transaction.atomic
def feedback_reopen(*, actor, feedback: Feedback, reason: str, row_version: int | None = None) -> Feedback:
    """Back to ``sent`` with a new due date and the reason: the response did not settle it.

    Responded or closed feedback only. The previous response stays in the audit log and the
    thread; the force answers afresh.
    """
    feedback = _lock(feedback)
    _check_cps_lead(actor, force=feedback.force, stream=feedback.stream)
    _check_seen(feedback, row_version)
    _check_status(feedback, (FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED), action="reopened")
    reason = (reason or "").strip()
    _check_texts(reason=reason)
    now = timezone.now()
    feedback.status = FeedbackStatus.SENT
    feedback.reopened_at = now
    feedback.reopen_reason = reason
    feedback.sent_at = now
    feedback.due_on = _due_on(feedback)
    feedback.acknowledged_at = feedback.responded_at = feedback.closed_at = None
    feedback.outcome = feedback.action_taken = feedback.reasons = feedback.ico_reported = ""
    feedback.revised_schedule = feedback.responded_by = None
    feedback.ico_reported_on = None
    feedback.save_new_version()
    feedback_grants_sync(feedback=feedback)
    return feedback


@transaction.atomic
def feedback_message_create(*, actor, feedback: Feedback, body: str) -> FeedbackMessage:
    """Write in the thread: a lead of the stream on either side, while the item is open (sent to responded)."""
    feedback = Feedback.objects.select_related("force", "force__area").get(pk=feedback.pk)
    side = None if actor.is_superuser else lead_side_for_force(user=actor, force=feedback.force, stream=feedback.stream)
    if side is None:
        raise PermissionDenied(f"Only the {feedback.stream} disclosure leads of either side write in the thread.")
    if feedback.status not in THREAD_OPEN:
        raise InvalidStateError(f"The thread is open from sending until closing; this feedback is {feedback.status}.")
    body = (body or "").strip()
    _check_texts(body=body)
    return FeedbackMessage.objects.create(
        feedback=feedback, force_id=feedback.force_id, area_id=feedback.area_id, author=actor, side=side, body=body
    )


def users_with_respond_grant(*, feedback: Feedback):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            feedbackuserobjectpermission__content_object=feedback,
            feedbackuserobjectpermission__permission__codename="respond_feedback",
        )
        .distinct()
    )
