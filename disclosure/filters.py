import django_filters

from backend.filters import BooleanFilter, ScopedFilterSet, VisibleModelChoiceFilter
from disclosure.models import (
    Assessment,
    Case,
    Defect,
    DipSample,
    DipSampleStatus,
    Rating,
    Schedule,
    ScheduleKind,
    Severity,
)
from forces.models import Side, Stream


class ForceCodeFilter(django_filters.CharFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "force__code")
        kwargs.setdefault("lookup_expr", "iexact")
        kwargs.setdefault("label", "Force code, e.g. GMP")
        super().__init__(**kwargs)


class CaseFilter(ScopedFilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(choices=Stream.choices)
    urn = django_filters.CharFilter(lookup_expr="iexact")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Case
        fields = ["force", "stream", "urn"]


class ScheduleFilter(ScopedFilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(field_name="case__stream", choices=Stream.choices)
    kind = django_filters.ChoiceFilter(choices=ScheduleKind.choices)
    urn = django_filters.CharFilter(field_name="case__urn", lookup_expr="iexact")
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    sampled = BooleanFilter(field_name="sampled", lookup_expr="isnull", exclude=True)
    case = VisibleModelChoiceFilter(model=Case, label="Case id")

    class Meta:
        model = Schedule
        fields = ["force", "stream", "kind", "case"]


class DipSampleFilter(ScopedFilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(choices=Stream.choices)
    status = django_filters.ChoiceFilter(choices=DipSampleStatus.choices)
    period_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = DipSample
        fields = ["force", "stream", "status"]


class AssessmentFilter(ScopedFilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(field_name="dip_sample__stream", choices=Stream.choices)
    rating = django_filters.ChoiceFilter(choices=Rating.choices)
    drs_complete = BooleanFilter()
    dip_sample = VisibleModelChoiceFilter(model=DipSample, label="Dip sample id")
    schedule = VisibleModelChoiceFilter(model=Schedule, label="Schedule id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Assessment
        fields = ["force", "stream", "rating", "dip_sample", "schedule", "drs_complete"]


class DefectFilter(ScopedFilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(field_name="assessment__dip_sample__stream", choices=Stream.choices)
    category = django_filters.CharFilter(field_name="category__code", lookup_expr="iexact")
    side = django_filters.ChoiceFilter(field_name="category__side", choices=Side.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    assessment = VisibleModelChoiceFilter(model=Assessment, label="Assessment id")
    dip_sample = VisibleModelChoiceFilter(model=DipSample, field_name="assessment__dip_sample", label="Dip sample id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Defect
        fields = ["force", "stream", "category", "side", "severity", "assessment", "dip_sample"]
