"""Cases and schedules."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils import timezone

from disclosure.models import Case, Schedule, normalise_urn
from disclosure.services.common import check_lead
from forces.models import Organisation, OrganisationKind

# The bounds of a schedule's fields, whichever way it comes in (POST /schedules/ or a CSV
# import row): the API serializer declares them from these names and ``schedule_clean``
# enforces them for both.
ITEM_COUNT_MAX = 100_000
REVISION_MAX = 99
RECEIVED_ON_EARLIEST = datetime.date(1990, 1, 1)


def validate_received_on(value: datetime.date) -> None:
    """A plausible date of receipt: not before ``RECEIVED_ON_EARLIEST``, not in the future."""
    if value < RECEIVED_ON_EARLIEST:
        raise ValidationError(
            f"A schedule cannot be received before {RECEIVED_ON_EARLIEST.isoformat()}.", code="too_early"
        )
    if value > timezone.localdate():
        raise ValidationError("A schedule cannot be received in the future.", code="in_future")


#: Checked after the model's own field checks (type, choices, non-negative counts).
SCHEDULE_FIELD_VALIDATORS = {
    "item_count": [MinValueValidator(0), MaxValueValidator(ITEM_COUNT_MAX)],
    "revision": [MinValueValidator(1), MaxValueValidator(REVISION_MAX)],
    "received_on": [validate_received_on],
}
#: What ``case_clean``/``schedule_clean`` leave to the caller: the relations (force, case) and who.
_RELATIONS = ["case", "force", "area", "created_by"]


def case_clean(case: Case) -> None:
    """Check a new case's own fields (URN shape, stream); ``ValidationError`` naming each bad field.

    The one check of a case, whether it comes from ``case_create`` or a CSV import row. The
    URN must already be normalised (``normalise_urn``). Runs no query.
    """
    case.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)


def schedule_clean(schedule: Schedule) -> None:
    """Coerce and check a new schedule's own fields; ``ValidationError`` naming each bad field.

    The one check of a schedule, whether it comes from ``schedule_create`` or a CSV import row
    (whose values may still be text: the model fields coerce them, as a form would). Kind and
    type checks are the model's; the bounds are ``SCHEDULE_FIELD_VALIDATORS``. Runs no query.
    """
    errors: dict[str, list[ValidationError]] = {}
    try:
        schedule.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.error_dict
    for name, validators in SCHEDULE_FIELD_VALIDATORS.items():
        try:
            value = schedule._meta.get_field(name).to_python(getattr(schedule, name))
        except ValidationError:
            continue  # not a number or not a date: the model's message says so
        if value is None:
            continue
        out_of_bounds = []
        for validator in validators:
            try:
                validator(value)
            except ValidationError as exc:
                out_of_bounds.extend(exc.error_list)
        if out_of_bounds:
            # Tighter than the database's integer range the model checks: name our bound.
            errors[name] = out_of_bounds
    if errors:
        raise ValidationError(errors)


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
    case_clean(case)
    if Case.objects.filter(force=force, urn=case.urn).exists():
        raise ValidationError({"urn": f"{force.code} already has a case with URN {case.urn}."})
    case.save()
    return case


@transaction.atomic
def schedule_create(
    *, actor, case: Case, kind: str, received_on: datetime.date, item_count: int, revision: int = 1
) -> Schedule:
    """Record a schedule received for ``case`` (same permission as ``case_create``).

    Raises ``ValidationError`` for a field out of bounds (``schedule_clean``) or a duplicate
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
    schedule_clean(schedule)
    if Schedule.objects.filter(case=case, kind=kind, revision=revision).exists():
        raise ValidationError(
            {
                "revision": f"Case {case.urn} already has revision {revision} of its {kind.upper()}; "
                "use the next revision."
            }
        )
    schedule.save()
    return schedule
