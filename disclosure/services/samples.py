"""The life of a dip sample: planned -> in_progress -> completed -> signed_off (and reopened)."""

import datetime
import random
import secrets
from collections.abc import Collection, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from backend.errors import InvalidStateError
from backend.screening import screen_text
from backend.types import User
from disclosure.models import DipSample, DipSampleStatus, SampledSchedule, Schedule, SelectionMethod
from disclosure.selectors import (
    DRAW_CAP_MINIMUM,
    DRAW_CAP_PERCENT,
    dip_sample_eligible_schedules,
    draw_cap,
    overlapping_dip_sample_ids,
)
from disclosure.services.common import (
    UNSET,
    Unset,
    check_lead,
    check_row_version,
    check_sample_open,
    clear_sign_offs,
    lock_sample,
)
from forces.models import Organisation, OrganisationKind, Side, tenancy_of
from forces.selectors import lead_side_for_force, user_is_org_admin

CHANGE_DIP_SAMPLE = "disclosure.change_dipsample"
MAX_SAMPLE_SIZE = 500


def _check_named_lead(user: User | None, *, field: str, side: Side, force: Organisation, stream: str) -> None:
    if user is not None and lead_side_for_force(user=user, force=force, stream=stream) != side:
        where = force.area.code if side == Side.CPS and force.area is not None else force.code
        raise ValidationError({field: f"{user.username} is not a {stream} disclosure lead of {where}."})


def _sync_lead_grants(dip_sample: DipSample) -> None:
    """The sample's two named leads, and no one else, hold ``change_dipsample`` on it."""
    wanted = {user for user in (dip_sample.cps_lead, dip_sample.police_lead) if user is not None}
    held = set(get_users_with_perms(dip_sample, only_with_perms_in=["change_dipsample"], with_superusers=False))
    for user in held - wanted:
        remove_perm(CHANGE_DIP_SAMPLE, user, dip_sample)
    for user in wanted - held:
        assign_perm(CHANGE_DIP_SAMPLE, user, dip_sample)


def may_change_dip_sample(*, actor: User, dip_sample: DipSample) -> bool:
    """The rule for a sample's own steps (period, draw, undraw, add or mark schedules, complete): its two leads."""
    return actor.is_superuser or actor.has_perm(CHANGE_DIP_SAMPLE, dip_sample)


def _check_may_change(actor: User, dip_sample: DipSample) -> None:
    if not may_change_dip_sample(actor=actor, dip_sample=dip_sample):
        raise PermissionDenied("Only the two leads of this dip sample may change it.")


def _check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    if period_end < period_start:
        raise ValidationError({"period_end": "The period ends before it starts."})


def _check_overlap(
    *,
    force_id: int,
    stream: str,
    period_start: datetime.date,
    period_end: datetime.date,
    allow_overlap: bool,
    overlap_reason: str,
    exclude_pk: int | None = None,
) -> str:
    """409 naming the samples of the same force and stream the period overlaps, unless allowed with a reason.

    Returns the (screened) reason to store; "" when there is no overlap.
    """
    overlapping = overlapping_dip_sample_ids(
        force_id=force_id, stream=stream, period_start=period_start, period_end=period_end, exclude_pk=exclude_pk
    )
    if not overlapping:
        return ""
    if not allow_overlap:
        raise InvalidStateError(
            f"The period overlaps dip sample(s) {', '.join(map(str, overlapping))} of the same force and stream. "
            "Send allow_overlap=true with an overlap_reason if a second sample is really meant.",
            code="overlapping_sample",
        )
    overlap_reason = (overlap_reason or "").strip()
    if not overlap_reason:
        raise ValidationError({"overlap_reason": "Say why this sample overlaps another of the same force and stream."})
    screen_text(overlap_reason, field="overlap_reason")
    return overlap_reason


@transaction.atomic
def dip_sample_create(
    *,
    actor: User,
    force: Organisation,
    stream: str,
    period_start: datetime.date,
    period_end: datetime.date,
    cps_lead: User | None = None,
    police_lead: User | None = None,
    allow_overlap: bool = False,
    overlap_reason: str = "",
) -> DipSample:
    """Plan a dip sample of ``force``'s ``stream`` schedules received in the period.

    The actor must lead the stream for the force or its Area; it becomes its side's lead
    unless another is named. Each named lead must lead the stream on that side (the plan
    may propose the other side's lead; afterwards each side changes only its own). The two
    leads are granted ``change_dipsample``. A period overlapping another sample of the same
    force and stream is refused (409 naming it) unless ``allow_overlap`` with a reason.
    """
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ValidationError({"force": f"{force.code} is not a police force."})
    check_lead(actor=actor, force=force, stream=stream)
    _check_period(period_start, period_end)
    side = lead_side_for_force(user=actor, force=force, stream=stream)
    if side == Side.CPS and cps_lead is None:
        cps_lead = actor
    elif side == Side.POLICE and police_lead is None:
        police_lead = actor
    _check_named_lead(cps_lead, field="cps_lead", side=Side.CPS, force=force, stream=stream)
    _check_named_lead(police_lead, field="police_lead", side=Side.POLICE, force=force, stream=stream)
    overlap_reason = _check_overlap(
        force_id=force.pk,
        stream=stream,
        period_start=period_start,
        period_end=period_end,
        allow_overlap=allow_overlap,
        overlap_reason=overlap_reason,
    )
    dip_sample = DipSample.objects.create(
        **tenancy_of(force),
        stream=stream,
        period_start=period_start,
        period_end=period_end,
        cps_lead=cps_lead,
        police_lead=police_lead,
        overlap_reason=overlap_reason,
        created_by=actor,
    )
    _sync_lead_grants(dip_sample)
    return dip_sample


def _may_name_lead(actor: User, dip_sample: DipSample, *, side: Side) -> bool:
    """Each side names and changes only its own lead: a lead of that side for the stream (or a superuser)."""
    return (
        actor.is_superuser or lead_side_for_force(user=actor, force=dip_sample.force, stream=dip_sample.stream) == side
    )


def _check_lead_change(actor: User, dip_sample: DipSample, *, side: Side) -> None:
    if not _may_name_lead(actor, dip_sample, side=side):
        raise PermissionDenied(
            f"{side}_lead: only a {dip_sample.stream} disclosure lead of the {side.upper()} side may change it."
        )


@transaction.atomic
def dip_sample_update(
    *,
    actor: User,
    dip_sample: DipSample,
    row_version: int | None,
    period_start: datetime.date | Unset = UNSET,
    period_end: datetime.date | Unset = UNSET,
    cps_lead: User | Unset | None = UNSET,
    police_lead: User | Unset | None = UNSET,
    allow_overlap: bool = False,
    overlap_reason: str = "",
) -> DipSample:
    """Change a sample's period (its leads, while planned) or a lead (its own side only, until signed off).

    Only real changes count: a request that changes nothing saves nothing (no new
    row_version, no audit entry, no voided signature). Changing a lead voids any signature.
    """
    dip_sample = lock_sample(dip_sample)
    wanted: dict[str, object] = {
        "period_start": period_start,
        "period_end": period_end,
        "cps_lead": cps_lead,
        "police_lead": police_lead,
    }
    changes = {
        name: value for name, value in wanted.items() if value is not UNSET and getattr(dip_sample, name) != value
    }
    lead_fields = ("cps_lead", "police_lead")
    lead_changes = [name for name in lead_fields if name in changes]
    # A side naming its own lead needs no grant on the sample (its lead may have left), also when the lead it
    # names is the one named already (nothing to save, not a refusal); every other change needs the grant.
    names_own_lead = lead_changes or any(
        wanted[name] is not UNSET and _may_name_lead(actor, dip_sample, side=Side(name.removesuffix("_lead")))
        for name in lead_fields
    )
    if set(changes) - set(lead_changes) or not names_own_lead:
        _check_may_change(actor, dip_sample)
    for name in lead_changes:
        _check_lead_change(actor, dip_sample, side=Side(name.removesuffix("_lead")))
    check_row_version(dip_sample, row_version)
    if dip_sample.status == DipSampleStatus.SIGNED_OFF:
        raise InvalidStateError("A signed-off dip sample cannot be changed.", code="signed_off")
    if not changes:
        return dip_sample
    if ("period_start" in changes or "period_end" in changes) and dip_sample.status != DipSampleStatus.PLANNED:
        raise InvalidStateError("The period is fixed once the sample has been drawn.", code="already_drawn")
    for period_field in ("period_start", "period_end"):
        if period_field in changes:
            setattr(dip_sample, period_field, changes[period_field])
    _check_period(dip_sample.period_start, dip_sample.period_end)
    if "period_start" in changes or "period_end" in changes:
        reason = _check_overlap(
            force_id=dip_sample.force_id,
            stream=dip_sample.stream,
            period_start=dip_sample.period_start,
            period_end=dip_sample.period_end,
            allow_overlap=allow_overlap,
            overlap_reason=overlap_reason,
            exclude_pk=dip_sample.pk,
        )
        dip_sample.overlap_reason = reason
    for name in lead_changes:
        side = Side(name.removesuffix("_lead"))
        lead = changes[name]
        if lead is not None and not isinstance(lead, User):
            raise TypeError(f"{name} must be a user or None.")
        _check_named_lead(lead, field=name, side=side, force=dip_sample.force, stream=dip_sample.stream)
        setattr(dip_sample, name, changes[name])
    if lead_changes:
        clear_sign_offs(dip_sample)
    dip_sample.save_new_version()
    _sync_lead_grants(dip_sample)
    return dip_sample


@transaction.atomic
def dip_sample_delete(*, actor: User, dip_sample: DipSample) -> None:
    """Delete a sample that is still planned (nothing drawn or assessed). Its leads only."""
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.PLANNED or dip_sample.assessments.exists():
        raise InvalidStateError("Only a planned sample with no assessments can be deleted.")
    dip_sample.delete()


def choose_schedules(eligible_ids: list[int], *, size: int, seed: int) -> list[int]:
    """The draw itself: ``size`` ids (or all, if fewer) from ``eligible_ids`` in ascending order, seeded.

    Python's ``random.Random(seed).sample`` over the sorted ids: anyone with the seed and
    the eligible set can reproduce the selection.
    """
    ids = sorted(eligible_ids)
    return random.Random(seed).sample(ids, min(size, len(ids)))  # noqa: S311 - a reproducible sample, not a secret


@transaction.atomic
def dip_sample_draw(*, actor: User, dip_sample: DipSample, size: int, seed: int | None = None) -> DipSample:
    """Draw a random sample of ``size`` eligible schedules (the sample's leads only; planned samples only).

    ``size`` is capped (``draw_cap``: the larger of 10 and 20% of the eligible, at most all
    of them; 400 naming the cap). The seed is generated here: the API never lets a client
    choose it, which would let it choose the schedules (``seed`` is for tests and the demo).
    The seed, size and sorted eligible ids are stored, so ``verify_draw`` can re-run the
    draw. 409 when nothing is eligible.
    """
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.PLANNED:
        raise InvalidStateError("This sample has already been drawn.", code="already_drawn")
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise ValidationError({"size": f"The sample size must be between 1 and {MAX_SAMPLE_SIZE}."})
    eligible = sorted(dip_sample_eligible_schedules(dip_sample=dip_sample).values_list("id", flat=True))
    if not eligible:
        raise InvalidStateError(
            "No schedules are eligible: none of this force's schedules for the stream were received "
            "in the period, or all have been sampled already.",
            code="nothing_eligible",
        )
    cap = draw_cap(len(eligible))
    if size > cap:
        raise ValidationError(
            {
                "size": f"At most {cap} of the {len(eligible)} eligible schedules may be drawn "
                f"(the larger of {DRAW_CAP_MINIMUM} and {DRAW_CAP_PERCENT}% of them, at most all of them)."
            }
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    chosen = choose_schedules(eligible, size=size, seed=seed)
    for position, schedule_id in enumerate(chosen, start=1):
        # One by one, not bulk_create: each selected schedule is a row the audit log records.
        SampledSchedule.objects.create(
            dip_sample=dip_sample, schedule_id=schedule_id, position=position, method=SelectionMethod.RANDOM
        )
    dip_sample.size = size
    dip_sample.seed = seed
    dip_sample.eligible_count = len(eligible)
    dip_sample.eligible_ids = eligible
    dip_sample.drawn_at = timezone.now()
    dip_sample.draw_count += 1
    dip_sample.status = DipSampleStatus.IN_PROGRESS
    dip_sample.save_new_version()
    return dip_sample


@transaction.atomic
def dip_sample_undraw(*, actor: User, dip_sample: DipSample) -> DipSample:
    """Undo a draw while nothing has been assessed (its leads only): back to ``planned``, schedules freed.

    The sample keeps ``draw_count``, and the audit log every drawn and freed schedule, so a
    redraw until the selection pleases is visible.
    """
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.IN_PROGRESS:
        raise InvalidStateError(f"Only a drawn sample in progress can be undrawn; this one is {dip_sample.status}.")
    if dip_sample.assessments.exists():
        raise InvalidStateError(
            "Schedules of this sample have been assessed: withdraw the assessments before undoing the draw.",
            code="already_assessed",
        )
    for sampled in dip_sample.sampled.all():
        sampled.delete()  # one by one, so the audit log records each schedule freed
    dip_sample.size = dip_sample.seed = dip_sample.eligible_count = dip_sample.eligible_ids = None
    dip_sample.drawn_at = None
    dip_sample.status = DipSampleStatus.PLANNED
    dip_sample.save_new_version()
    return dip_sample


@transaction.atomic
def dip_sample_add_schedule(*, actor: User, dip_sample: DipSample, schedule: Schedule, reason: str) -> DipSample:
    """Add one schedule to a drawn sample by hand, with a recorded reason (its leads only).

    The eligibility rules of the draw hold (force, stream, received in the period, never
    sampled before); the entry is marked ``hand_picked`` so summaries can tell it apart.
    """
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    check_sample_open(dip_sample, action="add a schedule")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this schedule is added by hand."})
    screen_text(reason, field="reason")
    if not dip_sample_eligible_schedules(dip_sample=dip_sample).filter(pk=schedule.pk).exists():
        raise ValidationError(
            {
                "schedule": f"Schedule {schedule.pk} is not eligible for this sample: it must be of "
                f"{dip_sample.force.code}'s {dip_sample.stream} stream, received between {dip_sample.period_start} "
                f"and {dip_sample.period_end}, and never sampled before."
            }
        )
    last = dip_sample.sampled.aggregate(last=Max("position"))["last"] or 0
    SampledSchedule.objects.create(
        dip_sample=dip_sample,
        schedule=schedule,
        position=last + 1,
        method=SelectionMethod.HAND_PICKED,
        reason=reason,
    )
    dip_sample.save_new_version()
    return dip_sample


@transaction.atomic
def dip_sample_mark_not_assessable(*, actor: User, dip_sample: DipSample, schedule: Schedule, reason: str) -> DipSample:
    """Mark a sampled, unassessed schedule as not assessable, with a recorded reason (its leads only).

    A schedule so marked counts as done for ``complete``; the reason is shown with the sample.
    """
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    check_sample_open(dip_sample, action="mark a schedule not assessable")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this schedule cannot be assessed."})
    screen_text(reason, field="reason")
    sampled = SampledSchedule.objects.select_for_update().filter(dip_sample=dip_sample, schedule=schedule).first()
    if sampled is None:
        raise ValidationError({"schedule": f"Schedule {schedule.pk} is not in this sample."})
    if dip_sample.assessments.filter(schedule=schedule).exists():
        raise ValidationError({"schedule": f"Schedule {schedule.pk} has been assessed: withdraw the assessment first."})
    if sampled.not_assessable_reason == reason:
        return dip_sample  # nothing changes
    sampled.not_assessable_reason = reason
    sampled.save()
    dip_sample.save_new_version()
    return dip_sample


def assessing_unfinished(*, sampled: Iterable[tuple[int, str]], assessed: Collection[int]) -> str | None:
    """Why a sample's assessing cannot be closed yet, or None: every sampled schedule must be assessed or
    marked not assessable, and at least one assessed (the completion rule; the admin's Complete button asks it).

    ``sampled``: (schedule id, not-assessable reason) of each sampled schedule; ``assessed``: the ids of the
    schedules with an assessment in the sample.
    """
    missing = [
        schedule_id for schedule_id, not_assessable in sampled if schedule_id not in assessed and not not_assessable
    ]
    if missing:
        return (
            f"{len(missing)} drawn schedule(s) are not assessed yet (ids {', '.join(map(str, missing[:20]))}); "
            "assess them or mark them not assessable with a reason."
        )
    if not assessed:
        return "Assess at least one schedule first."
    return None


def _check_fully_assessed(dip_sample: DipSample) -> None:
    """Every sampled schedule assessed or marked not assessable, and at least one assessed (409 otherwise)."""
    unfinished = assessing_unfinished(
        sampled=dip_sample.sampled.values_list("schedule_id", "not_assessable_reason"),
        assessed=set(dip_sample.assessments.values_list("schedule_id", flat=True)),
    )
    if unfinished:
        raise InvalidStateError(unfinished, code="assessments_missing")


@transaction.atomic
def dip_sample_complete(*, actor: User, dip_sample: DipSample) -> DipSample:
    """Close the assessing (its leads only; 409 unless every sampled schedule is assessed or not assessable)."""
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.IN_PROGRESS:
        raise InvalidStateError(f"Only a sample in progress can be completed; this one is {dip_sample.status}.")
    _check_fully_assessed(dip_sample)
    dip_sample.status = DipSampleStatus.COMPLETED
    dip_sample.completed_at = timezone.now()
    dip_sample.save_new_version()
    return dip_sample


@transaction.atomic
def dip_sample_sign_off(*, actor: User, dip_sample: DipSample) -> DipSample:
    """Sign a completed sample off for the actor's side only; ``signed_off`` once a lead of each side has.

    The side's named lead or another disclosure lead of the same side and stream (the CPS
    Area's or the force's) signs; nobody signs for the other side.
    """
    dip_sample = lock_sample(dip_sample)
    side = lead_side_for_force(user=actor, force=dip_sample.force, stream=dip_sample.stream)
    if side is None:
        raise PermissionDenied("Only a disclosure lead of the stream, CPS or police, may sign a sample off.")
    if dip_sample.status != DipSampleStatus.COMPLETED:
        raise InvalidStateError(f"Only a completed sample can be signed off; this one is {dip_sample.status}.")
    _check_fully_assessed(dip_sample)
    if getattr(dip_sample, f"{side}_signed_off_by_id"):
        raise InvalidStateError(f"The {side.upper()} side has already signed this sample off.", code="already_signed")
    setattr(dip_sample, f"{side}_signed_off_by", actor)
    setattr(dip_sample, f"{side}_signed_off_at", timezone.now())
    if dip_sample.cps_signed_off_by_id and dip_sample.police_signed_off_by_id:
        dip_sample.status = DipSampleStatus.SIGNED_OFF
    dip_sample.save_new_version()
    return dip_sample


@transaction.atomic
def dip_sample_reopen(*, actor: User, dip_sample: DipSample, reason: str) -> DipSample:
    """Reopen a completed or signed-off sample, with a recorded reason, back to ``in_progress``.

    A signed-off sample: an org admin of its CPS Area only. A completed one (not yet signed
    off): also either of its two leads. Any signature is voided.
    """
    dip_sample = lock_sample(dip_sample)
    area = Organisation.objects.get(pk=dip_sample.area_id)
    is_area_admin = actor.is_superuser or user_is_org_admin(user=actor, organisation=area)
    if dip_sample.status == DipSampleStatus.COMPLETED and not is_area_admin:
        _check_may_change(actor, dip_sample)
    elif not is_area_admin:
        raise PermissionDenied(f"Only an org admin of {area.code} may reopen a signed-off sample.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the sample is reopened."})
    screen_text(reason, field="reason")
    if dip_sample.status not in (DipSampleStatus.COMPLETED, DipSampleStatus.SIGNED_OFF):
        raise InvalidStateError(
            f"Only a completed or signed-off sample can be reopened; this one is {dip_sample.status}."
        )
    clear_sign_offs(dip_sample)
    dip_sample.status = DipSampleStatus.IN_PROGRESS
    dip_sample.completed_at = None
    dip_sample.reopened_at = timezone.now()
    dip_sample.reopen_reason = reason
    dip_sample.save_new_version()
    return dip_sample
