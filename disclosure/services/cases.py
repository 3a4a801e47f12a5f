"""Cases and schedules."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from disclosure.models import Case, Schedule, normalise_urn
from disclosure.services.common import check_lead
from forces.models import Organisation, OrganisationKind


@transaction.atomic
def case_create(*, actor, force: Organisation, urn: str, stream: str) -> Case:
    """Record a case by its URN for ``force``.

    The actor must lead ``stream`` for the force or its CPS Area (``PermissionDenied``).
    Raises ``ValidationError`` for a malformed URN or one the force already has.
    """
    if force.kind != OrganisationKind.POLICE_FORCE:
        raise ValidationError({"force": f"{force.code} is not a police force."})
    check_lead(actor=actor, force=force, stream=stream)
    case = Case(force=force, area_id=force.area_id, urn=normalise_urn(urn), stream=stream, created_by=actor)
    case.full_clean(validate_constraints=False)
    if Case.objects.filter(force=force, urn=case.urn).exists():
        raise ValidationError({"urn": f"{force.code} already has a case with URN {case.urn}."})
    case.save()
    return case


@transaction.atomic
def schedule_create(
    *, actor, case: Case, kind: str, received_on: datetime.date, item_count: int, revision: int = 1
) -> Schedule:
    """Record a schedule received for ``case`` (same permission as ``case_create``).

    Raises ``ValidationError`` for a date in the future, a negative count or a duplicate
    kind and revision.
    """
    check_lead(actor=actor, force=case.force, stream=case.stream)
    schedule = Schedule(
        case=case,
        force_id=case.force_id,
        area_id=case.area_id,
        kind=kind,
        received_on=received_on,
        item_count=item_count,
        revision=revision,
        created_by=actor,
    )
    schedule.full_clean(validate_constraints=False)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A schedule cannot be received in the future."})
    if Schedule.objects.filter(case=case, kind=kind, revision=revision).exists():
        raise ValidationError(
            {
                "revision": f"Case {case.urn} already has revision {revision} of its {kind.upper()}; "
                "use the next revision."
            }
        )
    schedule.save()
    return schedule
