"""Assessments of sampled schedules, and the defects logged against them."""

from django.core.exceptions import ValidationError
from django.db import transaction

from backend.screening import screen_fields
from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Checklist,
    Defect,
    DefectCategory,
    DipSample,
    Rating,
    SampledSchedule,
    Schedule,
    Severity,
    Side,
)
from disclosure.rating import RATING_RULE, rating_from_answers
from disclosure.selectors import checklist_current, criteria_by_code
from disclosure.services.common import (
    UNSET,
    check_lead,
    check_row_version,
    check_sample_editable,
    check_sample_open,
    clear_sign_offs,
    lock_sample,
)


def _touch_sample(dip_sample: DipSample) -> None:
    """Something assessed changed: any signature is void (and the sample says so)."""
    fields = clear_sign_offs(dip_sample)
    if fields:
        dip_sample.row_version += 1
        dip_sample.save(update_fields=[*fields, "row_version", "updated_at"])


def _writable_sample(*, actor, dip_sample: DipSample, adding_or_removing: str | None = None) -> DipSample:
    """The sample under lock, checked: a lead of the stream; open for ``adding_or_removing``, else not signed off."""
    dip_sample = lock_sample(dip_sample)
    check_lead(actor=actor, force=dip_sample.force, stream=dip_sample.stream)
    if adding_or_removing:
        check_sample_open(dip_sample, action=adding_or_removing)
    else:
        check_sample_editable(dip_sample)
    return dip_sample


def _answers(*, checklist: Checklist, schedule: Schedule, answers: list[dict]) -> list[AssessmentAnswer]:
    """Validate answers against the checklist version: known criteria, once each, applying to the schedule kind.

    Every criterion that applies to the kind must be answered (400 on ``answers`` naming the
    missing codes), and at least one answer must say more than ``not_applicable``.
    """
    criteria = criteria_by_code(checklist=checklist)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    built = []
    for index, answer in enumerate(answers):
        code = answer["criterion"]
        criterion = criteria.get(code)
        if criterion is None:
            errors[f"answers[{index}].criterion"] = [f"Checklist v{checklist.version} has no criterion {code}."]
        elif code in seen:
            errors[f"answers[{index}].criterion"] = [f"Criterion {code} is answered twice."]
        elif not criterion.applies_to_kind(schedule.kind):
            errors[f"answers[{index}].criterion"] = [f"Criterion {code} does not apply to a {schedule.kind.upper()}."]
        else:
            built.append(AssessmentAnswer(criterion=criterion, result=answer["result"]))
        seen.add(code)
    if errors:
        raise ValidationError(errors)
    missing = [
        code for code, criterion in criteria.items() if criterion.applies_to_kind(schedule.kind) and code not in seen
    ]
    if missing:
        raise ValidationError(
            {
                "answers": f"Answer every criterion of checklist v{checklist.version} that applies to a "
                f"{schedule.kind.upper()}; missing: {', '.join(missing)}."
            }
        )
    if _rating_of(built) is None:
        raise ValidationError({"answers": "Every answer is 'not_applicable': nothing has been assessed."})
    return built


def _rating_of(answers) -> str | None:
    return rating_from_answers((answer.criterion.is_critical, answer.result) for answer in answers)


def _check_rating(given: str | None, computed: str) -> str:
    """The rating is what the answers give; a client's rating that says otherwise is refused (400 naming both)."""
    if given not in (None, computed):
        message = f"The answers give '{computed}', not '{given}': {RATING_RULE}"
        raise ValidationError({"rating": message, "answers": message})
    return computed


def _check_no_critical_police_defect(assessment: Assessment, rating: str) -> None:
    if rating == Rating.FULLY_MEETS and _critical_police_defects(assessment).exists():
        message = (
            "A critical police-side defect is logged against this assessment: it cannot be 'fully_meets'. "
            "Answer the criterion the defect concerns, or withdraw the defect."
        )
        raise ValidationError({"rating": message, "answers": message})


def _critical_police_defects(assessment: Assessment):
    return Defect.objects.filter(assessment=assessment, severity=Severity.CRITICAL, category__side=Side.POLICE)


def _check_defect_fits_rating(*, assessment: Assessment, category: DefectCategory, severity: str) -> None:
    if assessment.rating == Rating.FULLY_MEETS and severity == Severity.CRITICAL and category.side == Side.POLICE:
        raise ValidationError(
            {
                "severity": "A critical police-side defect cannot sit on an assessment rated 'fully_meets': "
                "correct the assessment's answers first."
            }
        )


@transaction.atomic
def assessment_create(
    *,
    actor,
    dip_sample: DipSample,
    schedule: Schedule,
    answers: list[dict],
    drs_complete: bool,
    rating: str | None = None,
    prosecutor_fed_back: bool = False,
    notes: str = "",
) -> Assessment:
    """Assess one schedule drawn into a sample in progress, against the current checklist version.

    A disclosure lead of the stream (either side) may assess. The schedule must be one of
    the sample's sampled schedules, still assessable and not yet assessed in it
    (``ValidationError`` on ``schedule``); a planned, completed or signed-off sample answers
    ``InvalidStateError`` (409). The rating is computed from the answers (``rating_from_answers``);
    a ``rating`` that contradicts them is refused.
    """
    dip_sample = _writable_sample(actor=actor, dip_sample=dip_sample, adding_or_removing="assess a schedule")
    if schedule.force_id != dip_sample.force_id:
        raise ValidationError({"schedule": "The schedule belongs to another force than the sample."})
    if schedule.case.stream != dip_sample.stream:
        raise ValidationError(
            {
                "schedule": f"The schedule's case is in the {schedule.case.stream} stream, "
                f"the sample's is {dip_sample.stream}."
            }
        )
    sampled = SampledSchedule.objects.filter(dip_sample=dip_sample, schedule=schedule).first()
    if sampled is None:
        raise ValidationError(
            {
                "schedule": f"Schedule {schedule.pk} was not drawn into this sample: only sampled schedules are "
                "assessed. A lead of the sample may add it with a reason (add-schedule)."
            }
        )
    if sampled.not_assessable_reason:
        raise ValidationError({"schedule": f"Schedule {schedule.pk} is marked not assessable in this sample."})
    if Assessment.objects.filter(dip_sample=dip_sample, schedule=schedule).exists():
        raise ValidationError({"schedule": "This schedule has already been assessed in this sample."})
    screen_fields({"notes": notes}, ["notes"])
    checklist = checklist_current()
    built_answers = _answers(checklist=checklist, schedule=schedule, answers=list(answers))
    rating = _check_rating(rating, _rating_of(built_answers))
    assessment = Assessment.objects.create(
        dip_sample=dip_sample,
        schedule=schedule,
        force_id=dip_sample.force_id,
        area_id=dip_sample.area_id,
        checklist=checklist,
        rating=rating,
        drs_complete=drs_complete,
        prosecutor_fed_back=prosecutor_fed_back,
        notes=notes,
        assessed_by=actor,
        created_by=actor,
    )
    for answer in built_answers:
        answer.assessment = assessment
        answer.save()
    _touch_sample(dip_sample)
    return assessment


@transaction.atomic
def assessment_update(
    *,
    actor,
    assessment: Assessment,
    row_version: int | None,
    rating=UNSET,
    drs_complete=UNSET,
    prosecutor_fed_back=UNSET,
    notes=UNSET,
    answers=UNSET,
) -> Assessment:
    """Change an assessment (any lead of the stream) until its sample is signed off.

    ``answers``, when given, replace the previous answers whole; the rating follows them
    (a ``rating`` contradicting the answers is refused). The checklist version the
    assessment was made with is kept. A request that changes nothing saves nothing; a real
    change after a signature voids the signatures (``dip_sample.signatures_voided``).
    """
    dip_sample = _writable_sample(actor=actor, dip_sample=assessment.dip_sample)
    assessment = Assessment.objects.select_for_update().select_related("schedule", "checklist").get(pk=assessment.pk)
    check_row_version(assessment, row_version)
    current = list(assessment.answers.select_related("criterion"))
    built = None
    if answers is not UNSET:
        built = _answers(checklist=assessment.checklist, schedule=assessment.schedule, answers=list(answers))
        old = {(answer.criterion.code, answer.result) for answer in current}
        if old == {(answer.criterion.code, answer.result) for answer in built}:
            built = None  # the same answers: not a change
    computed = _check_rating(None if rating is UNSET else rating, _rating_of(built if built is not None else current))
    changes = {
        name: value
        for name, value in (
            ("rating", computed),
            ("drs_complete", drs_complete),
            ("prosecutor_fed_back", prosecutor_fed_back),
            ("notes", notes),
        )
        if value is not UNSET and getattr(assessment, name) != value
    }
    if not changes and built is None:
        return assessment
    if "notes" in changes:
        screen_fields(changes, ["notes"])
    _check_no_critical_police_defect(assessment, computed)
    for name, value in changes.items():
        setattr(assessment, name, value)
    if built is not None:
        assessment.answers.all().delete()
        for answer in built:
            answer.assessment = assessment
            answer.save()
    assessment.row_version += 1
    assessment.save()
    _touch_sample(dip_sample)
    assessment.signatures_voided = getattr(dip_sample, "signatures_voided", False)
    return assessment


@transaction.atomic
def assessment_delete(*, actor, assessment: Assessment) -> None:
    """Withdraw an assessment and its defects (any lead of the stream) while its sample is in progress."""
    _writable_sample(actor=actor, dip_sample=assessment.dip_sample, adding_or_removing="withdraw an assessment")
    assessment.delete()


@transaction.atomic
def defect_create(
    *,
    actor,
    assessment: Assessment,
    category: DefectCategory,
    description: str,
    severity: str | None = None,
    item_reference: str = "",
) -> Defect:
    """Log a defect against an assessment while its sample is in progress; severity defaults to the category's.

    A critical police-side defect cannot sit on a 'fully_meets' assessment (400 on ``severity``).
    """
    _writable_sample(actor=actor, dip_sample=assessment.dip_sample, adding_or_removing="log a defect")
    screen_fields({"description": description, "item_reference": item_reference}, ["description", "item_reference"])
    _check_defect_fits_rating(assessment=assessment, category=category, severity=severity or category.default_severity)
    defect = Defect(
        assessment=assessment,
        force_id=assessment.force_id,
        area_id=assessment.area_id,
        category=category,
        severity=severity or category.default_severity,
        item_reference=item_reference,
        description=description,
        created_by=actor,
    )
    defect.full_clean(exclude=["assessment", "category", "force", "area", "created_by"])
    defect.save()
    return defect


@transaction.atomic
def defect_update(
    *,
    actor,
    defect: Defect,
    row_version: int | None,
    category=UNSET,
    severity=UNSET,
    item_reference=UNSET,
    description=UNSET,
) -> Defect:
    """Change a defect (any lead of the stream) until the sample is signed off.

    A request that changes nothing saves nothing; a real change after a signature voids the signatures.
    """
    dip_sample = _writable_sample(actor=actor, dip_sample=defect.assessment.dip_sample)
    defect = Defect.objects.select_for_update().select_related("category", "assessment").get(pk=defect.pk)
    check_row_version(defect, row_version)
    changes = {
        name: value
        for name, value in (
            ("category", category),
            ("severity", severity),
            ("item_reference", item_reference),
            ("description", description),
        )
        if value is not UNSET and getattr(defect, name) != value
    }
    if not changes:
        return defect
    screen_fields(changes, [name for name in ("description", "item_reference") if name in changes])
    for name, value in changes.items():
        setattr(defect, name, value)
    _check_defect_fits_rating(assessment=defect.assessment, category=defect.category, severity=defect.severity)
    defect.full_clean(exclude=["assessment", "category", "force", "area", "created_by"])
    defect.row_version += 1
    defect.save()
    _touch_sample(dip_sample)
    defect.signatures_voided = getattr(dip_sample, "signatures_voided", False)
    return defect


@transaction.atomic
def defect_delete(*, actor, defect: Defect) -> None:
    """Withdraw a defect (any lead of the stream) while its sample is in progress."""
    _writable_sample(actor=actor, dip_sample=defect.assessment.dip_sample, adding_or_removing="withdraw a defect")
    defect.delete()
