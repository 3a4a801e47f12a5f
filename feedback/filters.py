import django_filters
from django.utils import timezone

from disclosure.filters import ForceCodeFilter
from feedback.models import Feedback, FeedbackStatus, NoticeKind, NoticeStatus, overdue_q
from feedback.selectors import feedback_awaiting
from forces.models import Stream


class FeedbackFilter(django_filters.FilterSet):
    force = ForceCodeFilter()
    stream = django_filters.ChoiceFilter(choices=Stream.choices)
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Awaiting the force and past due (today)")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    breach = django_filters.BooleanFilter(field_name="is_breach", label="Personal-data breaches (an X03 defect)")
    awaiting = django_filters.ChoiceFilter(
        choices=[("me", "Waiting for my side to act")], method="filter_awaiting", label="Waiting for your side"
    )
    dip_sample = django_filters.NumberFilter()
    case = django_filters.NumberFilter()

    class Meta:
        model = Feedback
        fields = ["force", "stream", "status", "breach", "dip_sample", "case"]

    def filter_overdue(self, queryset, name, value):
        condition = overdue_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_awaiting(self, queryset, name, value):
        return queryset.filter(feedback_awaiting(user=self.request.user))


class NoticeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices)
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices)
    feedback = django_filters.NumberFilter()
