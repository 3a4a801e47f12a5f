from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.viewsets import TenantScopedViewSet
from forces.api.serializers import MeOutputSerializer, OrganisationOutputSerializer
from forces.filters import OrganisationFilter
from forces.models import Organisation
from forces.selectors import user_with_memberships


class MeView(APIView):
    """The signed-in user, with every membership (organisation, role, stream)."""

    @extend_schema(responses=MeOutputSerializer, tags=["auth"])
    def get(self, request):
        return Response(MeOutputSerializer(user_with_memberships(user=request.user)).data)


class OrganisationViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """CPS Areas and police forces you may see. Look one up by its code (`GMP`, `CPS-NW`)."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_class = OrganisationFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["code"]

    def refine_queryset(self, queryset):
        return queryset.select_related("area")
