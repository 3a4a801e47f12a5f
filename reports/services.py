"""Writes for meetings and action items.

A meeting is organised by its Area's CPS disclosure leads and org admins. Creating one
freezes the summaries of its forces for its period (``snapshot``); the snapshot can be
taken again only until the meeting is held (docs/decisions/0011-summaries-and-meetings.md).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from backend.errors import InvalidStateError
from backend.screening import screen_fields
from forces.models import Membership, Organisation, OrganisationKind, Role
from reports.models import ActionItem, ActionItemStatus, Meeting, MeetingKind
from reports.selectors import MAX_WINDOW_DAYS, check_window_in_range, force_figures

#: Roles that organise an Area's meetings and record their action items.
ORGANISER_ROLES = (Role.DISCLOSURE_LEAD, Role.ORG_ADMIN)
#: Roles of the owning organisation that may mark its action items done.
OWNER_ROLES = (Role.DISCLOSURE_LEAD, Role.ORG_ADMIN)


def _may_organise(*, actor, area: Organisation) -> bool:
    return (
        actor.is_superuser
        or Membership.objects.filter(user=actor, organisation=area, role__in=ORGANISER_ROLES).exists()
    )


def _check_may_organise(*, actor, area: Organisation) -> None:
    if not _may_organise(actor=actor, area=area):
        raise PermissionDenied("Only the Area's CPS disclosure leads and org admins organise its meetings.")


def _snapshot(*, meeting: Meeting, forces: list[Organisation], today: datetime.date) -> None:
    meeting.snapshot = {
        force.code: force_figures(force=force, date_from=meeting.period_start, date_to=meeting.period_end, today=today)
        for force in sorted(forces, key=lambda force: force.code)
    }
    meeting.snapshot_taken_at = timezone.now()


@transaction.atomic
def meeting_create(
    *,
    actor,
    area: Organisation,
    forces: list[Organisation],
    kind: str,
    held_on: datetime.date,
    period_start: datetime.date,
    period_end: datetime.date,
    notes: str = "",
) -> Meeting:
    """Record a meeting of ``area`` about ``forces`` (forces of that Area) and freeze their summaries.

    ``actor``: a CPS disclosure lead or org admin of the Area, or a superuser (else
    ``PermissionDenied``). Raises ``ValidationError`` naming ``area``, ``forces``, ``period_end``
    or ``notes`` (screened for personal data).
    """
    errors: dict[str, str] = {}
    if area.kind != OrganisationKind.CPS_AREA:
        errors["area"] = "A meeting belongs to a CPS Area."
    if not forces:
        errors["forces"] = "Name at least one force."
    elif any(force.kind != OrganisationKind.POLICE_FORCE or force.area_id != area.pk for force in forces):
        errors["forces"] = f"Every force must be a police force of {area.code}."
    if kind not in MeetingKind.values:
        errors["kind"] = f"Choose one of {', '.join(MeetingKind.values)}."
    if period_end < period_start:
        errors["period_end"] = "The period ends before it starts."
    elif (period_end - period_start).days >= MAX_WINDOW_DAYS:
        errors["period_start"] = "A meeting reviews at most five years."
    try:
        check_window_in_range(period_start, period_end, fields=("period_start", "period_end"))
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items() if name not in errors})
    if errors:
        raise ValidationError(errors)
    _check_may_organise(actor=actor, area=area)
    screen_fields({"notes": notes}, ["notes"])
    meeting = Meeting(
        area=area,
        kind=kind,
        held_on=held_on,
        period_start=period_start,
        period_end=period_end,
        notes=notes,
        created_by=actor,
    )
    _snapshot(meeting=meeting, forces=forces, today=timezone.localdate())
    meeting.full_clean(exclude=["forces"])
    meeting.save()
    meeting.forces.set(forces)
    return meeting


@transaction.atomic
def meeting_snapshot_refresh(*, actor, meeting: Meeting) -> Meeting:
    """Take the meeting's snapshot again, with the figures as they are now.

    Only before the meeting is held (``InvalidStateError`` from its ``held_on`` day on: the
    record keeps the figures as presented). ``actor`` as for ``meeting_create``.
    """
    _check_may_organise(actor=actor, area=meeting.area)
    today = timezone.localdate()
    if meeting.is_held(today):
        raise InvalidStateError(
            "The meeting has been held: its snapshot keeps the figures as presented.", code="meeting_held"
        )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _snapshot(meeting=meeting, forces=list(meeting.forces.all()), today=today)
    meeting.save(update_fields=["snapshot", "snapshot_taken_at", "updated_at"])
    return meeting


@transaction.atomic
def action_item_create(
    *, actor, meeting: Meeting, owner: Organisation, description: str, due_on: datetime.date
) -> ActionItem:
    """Record an action agreed at ``meeting``, owned by its Area or one of its forces.

    ``actor`` as for ``meeting_create``. Raises ``ValidationError`` naming ``owner`` or
    ``description`` (screened for personal data).
    """
    if owner.pk != meeting.area_id and not meeting.forces.filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "The owner must be the meeting's Area or one of its forces."})
    _check_may_organise(actor=actor, area=meeting.area)
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    screen_fields({"description": description}, ["description"])
    item = ActionItem(meeting=meeting, owner=owner, description=description, due_on=due_on, created_by=actor)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_mark_done(*, actor, action_item: ActionItem) -> ActionItem:
    """Mark an open action item done.

    ``actor``: an organiser of the meeting's Area, or a disclosure lead or org admin of the
    owning organisation (``PermissionDenied``). An item already done raises ``InvalidStateError``.
    """
    owner_member = Membership.objects.filter(
        user=actor, organisation_id=action_item.owner_id, role__in=OWNER_ROLES
    ).exists()
    if not (owner_member or _may_organise(actor=actor, area=action_item.meeting.area)):
        raise PermissionDenied("Only the owner's leads and admins, or the meeting's organisers, close an action.")
    item = ActionItem.objects.select_for_update().get(pk=action_item.pk)
    if item.status == ActionItemStatus.DONE:
        raise InvalidStateError("The action item is already done.")
    item.status = ActionItemStatus.DONE
    item.done_at = timezone.now()
    item.save(update_fields=["status", "done_at", "updated_at"])
    return item
