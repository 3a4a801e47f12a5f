import django_filters

from backend.filters import ScopedFilterSet, VisibleModelChoiceFilter
from reports.models import ActionItem, ActionItemStatus, Meeting, MeetingKind


class MeetingFilter(ScopedFilterSet):
    area = django_filters.CharFilter(field_name="area__code", lookup_expr="iexact", label="Area code, e.g. CPS-NW")
    force = django_filters.CharFilter(field_name="forces__code", lookup_expr="iexact", label="Force code, e.g. GMP")
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["area", "force", "kind"]


class ActionItemFilter(ScopedFilterSet):
    meeting = VisibleModelChoiceFilter(model=Meeting)
    owner = django_filters.CharFilter(field_name="owner__code", lookup_expr="iexact", label="Owner code, e.g. GMP")
    status = django_filters.ChoiceFilter(choices=ActionItemStatus.choices)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = ["meeting", "owner", "status"]
