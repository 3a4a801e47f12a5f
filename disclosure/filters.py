import django_filters
from django.db.models import Subquery
from django_filters.constants import EMPTY_VALUES

from backend.filters import BooleanFilter, ScopedFilterSet, VisibleModelChoiceFilter
from disclosure.models import (
    Assessment,
    Case,
    Defect,
    DefectCategory,
    DipSample,
    DipSampleStatus,
    Rating,
    Schedule,
    ScheduleKind,
    Severity,
)
from forces.models import Organisation, Side, Stream


class CodeFilter(django_filters.CharFilter):
    """``?<name>=<code>``: the rows whose ``field_name`` (a foreign key) is the row of ``model`` with that code.

    Codes are unique and upper-case, matched whatever the case. The code is resolved by a scalar
    subquery in the same statement (``fk_id = (SELECT id ... WHERE UPPER(code) = UPPER(%s))``), not a
    join: PostgreSQL then reads the list's own ``(force, ...)`` index for that one value, in the
    list's order, where a join compared the code row by row over every row in scope.
    """

    def __init__(self, *, model, **kwargs):
        self.code_model = model
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        code_of = self.code_model._default_manager.filter(code__iexact=value).order_by().values("pk")[:1]
        return self.get_method(qs)(**{f"{self.field_name}_id": Subquery(code_of)})


class ForceCodeFilter(CodeFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "force")
        kwargs.setdefault("label", "Force code, e.g. GMP")
        super().__init__(model=Organisation, **kwargs)


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
    category = CodeFilter(field_name="category", model=DefectCategory, label="Defect category code, e.g. D02")
    side = django_filters.ChoiceFilter(field_name="category__side", choices=Side.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    assessment = VisibleModelChoiceFilter(model=Assessment, label="Assessment id")
    dip_sample = VisibleModelChoiceFilter(model=DipSample, field_name="assessment__dip_sample", label="Dip sample id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Defect
        fields = ["force", "stream", "category", "side", "severity", "assessment", "dip_sample"]
