"""Reports API: the force summary, the Area comparison, meetings and action items. Views are thin."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.viewsets import CreateWithService, ListRetrieve, TenantScopedViewSet
from forces.models import Organisation
from forces.selectors import summaries_readable
from reports import selectors, services
from reports.api import serializers as s
from reports.filters import ActionItemFilter, MeetingFilter
from reports.models import ActionItem, Meeting

WINDOW_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: the last 12 full months)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included."),
    OpenApiParameter("stream", str, enum=["mc", "cc", "rasso"], description="One case stream (default: all)."),
]
NOT_FOUND = OpenApiResponse(description="No such organisation whose summary you may read.")
BAD_WINDOW = OpenApiResponse(description="A bad or impossible date, or a window that ends before it starts.")
CONFLICT = OpenApiResponse(description="Wrong state for this step.")


class OrganisationReportViewSet(TenantScopedViewSet):
    """Roll-ups of an organisation: a force's summary, an Area's comparison of its forces."""

    queryset = Organisation.objects.all()
    selector = selectors.report_organisation_list
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filter_backends = []
    pagination_class = None

    def _query(self):
        today = timezone.localdate()
        date_from, date_to = selectors.summary_window(
            self.request.query_params.get("from"), self.request.query_params.get("to"), today
        )
        serializer = s.SummaryQueryInputSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        stream = serializer.validated_data.get("stream") or None
        return today, date_from, date_to, stream, serializer.validated_data["include_unsigned"]

    @extend_schema(
        parameters=[
            *WINDOW_PARAMETERS,
            OpenApiParameter("include_unsigned", bool, description="Also count samples not yet signed off."),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_WINDOW, 404: NOT_FOUND},
        tags=["reports"],
    )
    @action(detail=True, methods=["get"], extra_query_parameters=("from", "to", "stream", "include_unsigned"))
    def summary(self, request, code=None):
        """A force's agreed figures for a window, with the window of equal length before it (`previous`)."""
        force = self.get_object()
        if not force.is_force:
            raise Http404("A summary is of a police force.")
        today, date_from, date_to, stream, include_unsigned = self._query()
        return Response(
            selectors.force_summary(
                user=request.user,
                force=force,
                date_from=date_from,
                date_to=date_to,
                stream=stream,
                include_unsigned=include_unsigned,
                today=today,
            )
        )

    @extend_schema(
        parameters=WINDOW_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: BAD_WINDOW, 404: NOT_FOUND},
        tags=["reports"],
    )
    @action(detail=True, methods=["get"], extra_query_parameters=("from", "to", "stream"))
    def comparison(self, request, code=None):
        """An Area's forces side by side, the Area total, and which force differs from the rest beyond chance."""
        area = self.get_object()
        if area.is_force:
            raise Http404("A comparison is of a CPS Area.")
        today, date_from, date_to, stream, _ = self._query()
        return Response(
            selectors.area_comparison(
                user=request.user, area=area, date_from=date_from, date_to=date_to, stream=stream, today=today
            )
        )


class ReportContext:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            context["readable_forces"] = set()
        else:
            context["readable_forces"] = set(summaries_readable(user=self.request.user)["forces"])
        return context


@extend_schema_view(
    create=extend_schema(request=s.MeetingCreateInputSerializer, responses={201: s.MeetingOutputSerializer}),
)
class MeetingViewSet(ReportContext, CreateWithService, ListRetrieve):
    """Joint disclosure forums, chief officer meetings and Casework Quality Group meetings.

    Creating one freezes its forces' summaries for its period (`snapshot`); `snapshot` (POST)
    takes them again, only before the meeting is held.
    """

    queryset = Meeting.objects.all()
    selector = selectors.meeting_list
    serializer_class = s.MeetingOutputSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["held_on", "id"]
    ordering = ["-held_on", "-id"]
    create_with = (services.meeting_create, s.MeetingCreateInputSerializer)

    @extend_schema(request=None, responses={200: s.MeetingOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def snapshot(self, request, pk=None):
        """Freeze the figures again (until the meeting is held)."""
        return self.respond_with(services.meeting_snapshot_refresh, meeting=self.get_object())


@extend_schema_view(
    create=extend_schema(request=s.ActionItemCreateInputSerializer, responses={201: s.ActionItemOutputSerializer}),
)
class ActionItemViewSet(ReportContext, CreateWithService, ListRetrieve):
    """Actions agreed at meetings; an open one past its due date is overdue (and counted in the owner's summary)."""

    queryset = ActionItem.objects.all()
    selector = selectors.action_item_list
    serializer_class = s.ActionItemOutputSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]
    create_with = (services.action_item_create, s.ActionItemCreateInputSerializer)

    @extend_schema(request=None, responses={200: s.ActionItemOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the action done (the owner's leads and admins, or the meeting's organisers)."""
        return self.respond_with(services.action_item_mark_done, action_item=self.get_object())
