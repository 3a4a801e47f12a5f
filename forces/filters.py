import django_filters

from backend.filters import ScopedFilterSet
from forces.models import Organisation, OrganisationKind


class OrganisationFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    area = django_filters.CharFilter(field_name="area__code", lookup_expr="iexact", label="Area code")

    class Meta:
        model = Organisation
        fields = ["kind", "area"]
