"""Reads for dip sampling. API lists start from the base viewset's scoped queryset (``visible_to``)."""

from django.db.models import QuerySet

from disclosure.models import Checklist, Criterion, DipSample, Schedule


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
