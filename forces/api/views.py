from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.viewsets import TenantScopedViewSet
from forces import selectors, services
from forces.api.serializers import AccountUnlockInputSerializer, MeOutputSerializer, OrganisationOutputSerializer
from forces.filters import OrganisationFilter
from forces.models import Organisation


class MeView(APIView):
    """The signed-in user, with every membership (organisation, role, stream)."""

    @extend_schema(responses=MeOutputSerializer, tags=["auth"])
    def get(self, request):
        return Response(MeOutputSerializer(selectors.user_with_memberships(user=request.user)).data)


class OrganisationViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """CPS Areas and police forces you may see. Look one up by its code (`GMP`, `CPS-NW`)."""

    queryset = Organisation.objects.all()
    selector = selectors.organisation_list
    serializer_class = OrganisationOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_class = OrganisationFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["code"]

    @extend_schema(
        request=AccountUnlockInputSerializer,
        responses={
            204: None,
            403: OpenApiResponse(description="You are not an admin of this organisation."),
            404: OpenApiResponse(description="No such organisation you can see, or no member with that username."),
        },
        tags=["organisations"],
    )
    @action(detail=True, methods=["post"], url_path="unlock")
    def unlock(self, request, code=None):
        """Unlock a member's account locked after failed logins (the organisation's admins)."""
        organisation = self.get_object()
        data = self.validated_input(AccountUnlockInputSerializer)
        services.account_unlock(actor=request.user, organisation=organisation, username=data["username"])
        return Response(status=http_status.HTTP_204_NO_CONTENT)
