"""Reads for dip sampling. Every list starts from the scoped queryset (``visible_to``)."""

from django.db.models import Count, Prefetch, QuerySet

from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Case,
    Checklist,
    Criterion,
    Defect,
    DefectCategory,
    DipSample,
    SampledSchedule,
    Schedule,
)


def case_list(*, user) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("force", "area").annotate(schedule_count=Count("schedules"))


def schedule_list(*, user) -> QuerySet[Schedule]:
    return Schedule.objects.visible_to(user).select_related("case", "force", "area")


def dip_sample_list(*, user) -> QuerySet[DipSample]:
    return (
        DipSample.objects.visible_to(user)
        .select_related("force", "area", "cps_lead", "police_lead", "cps_signed_off_by", "police_signed_off_by")
        .annotate(assessment_count=Count("assessments", distinct=True))
        .prefetch_related(Prefetch("sampled", queryset=SampledSchedule.objects.order_by("position")))
    )


def assessment_list(*, user) -> QuerySet[Assessment]:
    return (
        Assessment.objects.visible_to(user)
        .select_related("force", "area", "dip_sample", "schedule", "checklist", "assessed_by")
        .prefetch_related(Prefetch("answers", queryset=AssessmentAnswer.objects.select_related("criterion")))
        .annotate(defect_count=Count("defects"))
    )


def defect_list(*, user) -> QuerySet[Defect]:
    return Defect.objects.visible_to(user).select_related("force", "area", "category", "assessment")


def defect_category_list(*, user) -> QuerySet[DefectCategory]:
    return DefectCategory.objects.visible_to(user)


def checklist_list(*, user) -> QuerySet[Checklist]:
    return Checklist.objects.visible_to(user).filter(published_at__isnull=False).prefetch_related("criteria")


def checklist_current() -> Checklist:
    """The newest published checklist version: new assessments are made against it."""
    return Checklist.objects.filter(published_at__isnull=False).order_by("-version").first()


def criteria_by_code(*, checklist: Checklist) -> dict[str, Criterion]:
    return {criterion.code: criterion for criterion in checklist.criteria.all()}


def dip_sample_eligible_schedules(*, dip_sample: DipSample) -> QuerySet[Schedule]:
    """Schedules a draw may pick: the sample's force and stream, received in its period, never sampled before.

    Ordered by id so that the same seed over the same eligible set always picks the same schedules.
    """
    return (
        Schedule.objects.filter(
            force_id=dip_sample.force_id,
            case__stream=dip_sample.stream,
            received_on__gte=dip_sample.period_start,
            received_on__lte=dip_sample.period_end,
        )
        .exclude(sampled__isnull=False)
        .order_by("id")
    )
