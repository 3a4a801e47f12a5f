"""The life of a dip sample: planned -> in_progress -> completed -> signed_off (and reopened)."""

import datetime
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from backend.errors import InvalidStateError
from backend.screening import screen_text
from disclosure.models import DipSample, DipSampleStatus, SampledSchedule
from disclosure.selectors import dip_sample_eligible_schedules
from disclosure.services.common import UNSET, check_lead, check_row_version, clear_sign_offs, lock_sample
from forces.models import Organisation, OrganisationKind
from forces.selectors import lead_side_for_force, user_is_org_admin

CHANGE_DIP_SAMPLE = "disclosure.change_dipsample"
MAX_SAMPLE_SIZE = 500


def _check_named_lead(user, *, field: str, side: str, force: Organisation, stream: str) -> None:
    if user is not None and lead_side_for_force(user=user, force=force, stream=stream) != side:
        where = force.area.code if side == "cps" else force.code
        raise ValidationError({field: f"{user.username} is not a {stream} disclosure lead of {where}."})


def _sync_lead_grants(dip_sample: DipSample) -> None:
    """The sample's two named leads, and no one else, hold ``change_dipsample`` on it."""
    wanted = {user for user in (dip_sample.cps_lead, dip_sample.police_lead) if user is not None}
    held = set(get_users_with_perms(dip_sample, only_with_perms_in=["change_dipsample"], with_superusers=False))
    for user in held - wanted:
        remove_perm(CHANGE_DIP_SAMPLE, user, dip_sample)
    for user in wanted - held:
        assign_perm(CHANGE_DIP_SAMPLE, user, dip_sample)


def _check_may_change(actor, dip_sample: DipSample) -> None:
    if not (actor.is_superuser or actor.has_perm(CHANGE_DIP_SAMPLE, dip_sample)):
        raise PermissionDenied("Only the two leads of this dip sample may change it.")


def _check_period(period_start: datetime.date, period_end: datetime.date) -> None:
    if period_end < period_start:
        raise ValidationError({"period_end": "The period ends before it starts."})


@transaction.atomic
def dip_sample_create(
    *,
    actor,
    force: Organisation,
    stream: str,
    period_start: datetime.date,
    period_end: datetime.date,
    cps_lead=None,
    police_lead=None,
) -> DipSample:
    """Plan a dip sample of ``force``'s ``stream`` schedules received in the period.

    The actor must lead the stream for the force or its Area; it becomes its side's lead
    unless another is named. Each named lead must lead the stream on that side. The two
    leads are granted ``change_dipsample``.
    """
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ValidationError({"force": f"{force.code} is not a police force."})
    check_lead(actor=actor, force=force, stream=stream)
    _check_period(period_start, period_end)
    side = lead_side_for_force(user=actor, force=force, stream=stream)
    if side == "cps" and cps_lead is None:
        cps_lead = actor
    elif side == "police" and police_lead is None:
        police_lead = actor
    _check_named_lead(cps_lead, field="cps_lead", side="cps", force=force, stream=stream)
    _check_named_lead(police_lead, field="police_lead", side="police", force=force, stream=stream)
    dip_sample = DipSample.objects.create(
        force=force,
        area_id=force.area_id,
        stream=stream,
        period_start=period_start,
        period_end=period_end,
        cps_lead=cps_lead,
        police_lead=police_lead,
        created_by=actor,
    )
    _sync_lead_grants(dip_sample)
    return dip_sample


@transaction.atomic
def dip_sample_update(
    *,
    actor,
    dip_sample: DipSample,
    row_version: int | None,
    period_start=UNSET,
    period_end=UNSET,
    cps_lead=UNSET,
    police_lead=UNSET,
) -> DipSample:
    """Change a sample's period (while planned) or its leads (until signed off). Its leads only."""
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    check_row_version(dip_sample, row_version)
    if dip_sample.status == DipSampleStatus.SIGNED_OFF:
        raise InvalidStateError("A signed-off dip sample cannot be changed.", code="signed_off")
    if (period_start is not UNSET or period_end is not UNSET) and dip_sample.status != DipSampleStatus.PLANNED:
        raise InvalidStateError("The period is fixed once the sample has been drawn.", code="already_drawn")
    if period_start is not UNSET:
        dip_sample.period_start = period_start
    if period_end is not UNSET:
        dip_sample.period_end = period_end
    _check_period(dip_sample.period_start, dip_sample.period_end)
    if cps_lead is not UNSET:
        _check_named_lead(cps_lead, field="cps_lead", side="cps", force=dip_sample.force, stream=dip_sample.stream)
        dip_sample.cps_lead = cps_lead
    if police_lead is not UNSET:
        _check_named_lead(
            police_lead, field="police_lead", side="police", force=dip_sample.force, stream=dip_sample.stream
        )
        dip_sample.police_lead = police_lead
    dip_sample.row_version += 1
    dip_sample.save()
    _sync_lead_grants(dip_sample)
    return dip_sample


@transaction.atomic
def dip_sample_delete(*, actor, dip_sample: DipSample) -> None:
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
def dip_sample_draw(*, actor, dip_sample: DipSample, size: int, seed: int | None = None) -> DipSample:
    """Draw a random sample of ``size`` eligible schedules (the sample's leads only; planned samples only).

    With no ``seed`` one is generated; it is stored with the size and the number of
    eligible schedules so the draw can be reproduced. 409 when nothing is eligible.
    """
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.PLANNED:
        raise InvalidStateError("This sample has already been drawn.", code="already_drawn")
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise ValidationError({"size": f"The sample size must be between 1 and {MAX_SAMPLE_SIZE}."})
    if seed is None:
        seed = secrets.randbelow(2**31)
    eligible = list(dip_sample_eligible_schedules(dip_sample=dip_sample).values_list("id", flat=True))
    if not eligible:
        raise InvalidStateError(
            "No schedules are eligible: none of this force's schedules for the stream were received "
            "in the period, or all have been sampled already.",
            code="nothing_eligible",
        )
    chosen = choose_schedules(eligible, size=size, seed=seed)
    for position, schedule_id in enumerate(chosen, start=1):
        # One by one, not bulk_create: each selected schedule is a row the audit log records.
        SampledSchedule.objects.create(dip_sample=dip_sample, schedule_id=schedule_id, position=position)
    dip_sample.size = size
    dip_sample.seed = seed
    dip_sample.eligible_count = len(eligible)
    dip_sample.drawn_at = timezone.now()
    dip_sample.status = DipSampleStatus.IN_PROGRESS
    dip_sample.row_version += 1
    dip_sample.save()
    return dip_sample


@transaction.atomic
def dip_sample_complete(*, actor, dip_sample: DipSample) -> DipSample:
    """Mark the sample's assessments done (its leads only; 409 unless every drawn schedule is assessed)."""
    dip_sample = lock_sample(dip_sample)
    _check_may_change(actor, dip_sample)
    if dip_sample.status != DipSampleStatus.IN_PROGRESS:
        raise InvalidStateError(f"Only a sample in progress can be completed; this one is {dip_sample.status}.")
    assessed = set(dip_sample.assessments.values_list("schedule_id", flat=True))
    missing = [s for s in dip_sample.sampled.values_list("schedule_id", flat=True) if s not in assessed]
    if missing or not assessed:
        raise InvalidStateError(
            f"{len(missing)} drawn schedule(s) are not assessed yet (ids {', '.join(map(str, missing[:20]))})."
            if missing
            else "Assess at least one schedule first.",
            code="assessments_missing",
        )
    dip_sample.status = DipSampleStatus.COMPLETED
    dip_sample.completed_at = timezone.now()
    dip_sample.row_version += 1
    dip_sample.save()
    return dip_sample


@transaction.atomic
def dip_sample_sign_off(*, actor, dip_sample: DipSample) -> DipSample:
    """Sign a completed sample off for the actor's side; ``signed_off`` once a lead of each side has.

    Any disclosure lead of the stream may sign for its side: the CPS Area's or the force's.
    """
    dip_sample = lock_sample(dip_sample)
    side = lead_side_for_force(user=actor, force=dip_sample.force, stream=dip_sample.stream)
    if side is None:
        raise PermissionDenied("Only a disclosure lead of the stream, CPS or police, may sign a sample off.")
    if dip_sample.status != DipSampleStatus.COMPLETED:
        raise InvalidStateError(f"Only a completed sample can be signed off; this one is {dip_sample.status}.")
    if getattr(dip_sample, f"{side}_signed_off_by_id"):
        raise InvalidStateError(f"The {side.upper()} side has already signed this sample off.", code="already_signed")
    setattr(dip_sample, f"{side}_signed_off_by", actor)
    setattr(dip_sample, f"{side}_signed_off_at", timezone.now())
    if dip_sample.cps_signed_off_by_id and dip_sample.police_signed_off_by_id:
        dip_sample.status = DipSampleStatus.SIGNED_OFF
    dip_sample.row_version += 1
    dip_sample.save()
    return dip_sample


@transaction.atomic
def dip_sample_reopen(*, actor, dip_sample: DipSample, reason: str) -> DipSample:
    """Reopen a signed-off sample (an org admin of its CPS Area, with a recorded reason).

    The signatures are voided; the sample goes back to ``in_progress``.
    """
    dip_sample = lock_sample(dip_sample)
    area = Organisation.objects.get(pk=dip_sample.area_id)
    if not (actor.is_superuser or user_is_org_admin(user=actor, organisation=area)):
        raise PermissionDenied(f"Only an org admin of {area.code} may reopen a signed-off sample.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the sample is reopened."})
    screen_text(reason, field="reason")
    if dip_sample.status != DipSampleStatus.SIGNED_OFF:
        raise InvalidStateError(f"Only a signed-off sample can be reopened; this one is {dip_sample.status}.")
    clear_sign_offs(dip_sample)
    dip_sample.status = DipSampleStatus.IN_PROGRESS
    dip_sample.completed_at = None
    dip_sample.reopened_at = timezone.now()
    dip_sample.reopen_reason = reason
    dip_sample.row_version += 1
    dip_sample.save()
    return dip_sample
