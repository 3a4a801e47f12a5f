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
    DipSampleStatus,
    Schedule,
)
from disclosure.selectors import checklist_current, criteria_by_code
from disclosure.services.common import (
    UNSET,
    check_lead,
    check_row_version,
    check_sample_editable,
    clear_sign_offs,
    lock_sample,
)


def _touch_sample(dip_sample: DipSample) -> None:
    """An assessment changed: a planned sample is now in progress, and any signature is void."""
    fields = clear_sign_offs(dip_sample)
    if dip_sample.status == DipSampleStatus.PLANNED:
        dip_sample.status = DipSampleStatus.IN_PROGRESS
        fields.append("status")
    if fields:
        dip_sample.row_version += 1
        dip_sample.save(update_fields=[*fields, "row_version", "updated_at"])


def _writable_sample(*, actor, dip_sample: DipSample) -> DipSample:
    dip_sample = lock_sample(dip_sample)
    check_lead(actor=actor, force=dip_sample.force, stream=dip_sample.stream)
    check_sample_editable(dip_sample)
    return dip_sample


def _answers(*, checklist: Checklist, schedule: Schedule, answers: list[dict]) -> list[AssessmentAnswer]:
    """Validate answers against the checklist version: known criteria, once each, applying to the schedule kind."""
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
    return built


@transaction.atomic
def assessment_create(
    *,
    actor,
    dip_sample: DipSample,
    schedule: Schedule,
    rating: str,
    drs_complete: bool,
    answers: list[dict] = (),
    prosecutor_fed_back: bool = False,
    notes: str = "",
) -> Assessment:
    """Assess one schedule within a sample, against the current checklist version.

    A disclosure lead of the stream (either side) may assess. The schedule must be of the
    sample's force and stream and not yet assessed in it (``ValidationError`` on
    ``schedule``); a signed-off sample answers ``InvalidStateError`` (409).
    """
    dip_sample = _writable_sample(actor=actor, dip_sample=dip_sample)
    if schedule.force_id != dip_sample.force_id:
        raise ValidationError({"schedule": "The schedule belongs to another force than the sample."})
    if schedule.case.stream != dip_sample.stream:
        raise ValidationError(
            {
                "schedule": f"The schedule's case is in the {schedule.case.stream} stream, "
                f"the sample's is {dip_sample.stream}."
            }
        )
    if Assessment.objects.filter(dip_sample=dip_sample, schedule=schedule).exists():
        raise ValidationError({"schedule": "This schedule has already been assessed in this sample."})
    screen_fields({"notes": notes}, ["notes"])
    checklist = checklist_current()
    built_answers = _answers(checklist=checklist, schedule=schedule, answers=list(answers))
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

    ``answers``, when given, replace the previous answers whole. The checklist version
    the assessment was made with is kept.
    """
    _writable_sample(actor=actor, dip_sample=assessment.dip_sample)
    assessment = Assessment.objects.select_for_update().select_related("schedule").get(pk=assessment.pk)
    check_row_version(assessment, row_version)
    if notes is not UNSET:
        screen_fields({"notes": notes}, ["notes"])
        assessment.notes = notes
    for name, value in (
        ("rating", rating),
        ("drs_complete", drs_complete),
        ("prosecutor_fed_back", prosecutor_fed_back),
    ):
        if value is not UNSET:
            setattr(assessment, name, value)
    if answers is not UNSET:
        built = _answers(checklist=assessment.checklist, schedule=assessment.schedule, answers=list(answers))
        assessment.answers.all().delete()
        for answer in built:
            answer.assessment = assessment
            answer.save()
    assessment.row_version += 1
    assessment.save()
    _touch_sample(assessment.dip_sample)
    return assessment


@transaction.atomic
def assessment_delete(*, actor, assessment: Assessment) -> None:
    """Withdraw an assessment and its defects (any lead of the stream) until the sample is signed off."""
    dip_sample = _writable_sample(actor=actor, dip_sample=assessment.dip_sample)
    assessment.delete()
    _touch_sample(dip_sample)


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
    """Log a defect against an assessment; severity defaults to the category's."""
    dip_sample = _writable_sample(actor=actor, dip_sample=assessment.dip_sample)
    screen_fields({"description": description, "item_reference": item_reference}, ["description", "item_reference"])
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
    _touch_sample(dip_sample)
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
    """Change a defect (any lead of the stream) until the sample is signed off."""
    dip_sample = _writable_sample(actor=actor, dip_sample=defect.assessment.dip_sample)
    defect = Defect.objects.select_for_update().get(pk=defect.pk)
    check_row_version(defect, row_version)
    changes = {
        name: value
        for name, value in (
            ("category", category),
            ("severity", severity),
            ("item_reference", item_reference),
            ("description", description),
        )
        if value is not UNSET
    }
    screen_fields(changes, [name for name in ("description", "item_reference") if name in changes])
    for name, value in changes.items():
        setattr(defect, name, value)
    defect.full_clean(exclude=["assessment", "category", "force", "area", "created_by"])
    defect.row_version += 1
    defect.save()
    _touch_sample(dip_sample)
    return defect


@transaction.atomic
def defect_delete(*, actor, defect: Defect) -> None:
    dip_sample = _writable_sample(actor=actor, dip_sample=defect.assessment.dip_sample)
    defect.delete()
    _touch_sample(dip_sample)
