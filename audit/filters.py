import django_filters

from audit.models import AuditEvent
from backend.filters import IsoDateTimeFilter, ScopedFilterSet

ACTION_NAMES = {"create": 0, "update": 1, "delete": 2, "access": 3}


class AuditEventFilter(ScopedFilterSet):
    action = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ACTION_NAMES],
        method="filter_action",
        label="create, update, delete or access",
    )
    model = django_filters.CharFilter(method="filter_model", label="app_label.model, e.g. disclosure.case")
    actor = django_filters.CharFilter(field_name="actor__username", label="Username of the actor")
    object_pk = django_filters.CharFilter()
    force = django_filters.CharFilter(field_name="force__code", lookup_expr="iexact")
    timestamp_after = IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    timestamp_before = IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "model", "actor", "object_pk", "force"]

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=ACTION_NAMES[value])

    def filter_model(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
