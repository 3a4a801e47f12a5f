"""Meeting packs and the headline poster of an organisation: ``GET /organisations/{code}/pack/``.

Thin: the organisation is found through the scoped queryset (404 outside your scope), the figures
come from ``reports.selectors`` (404 when you may not read them), the file from ``reports.exports``,
and the disclosure is logged (``reports.services_exports.pack_export``) before the file is sent.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from backend.api.viewsets import TenantScopedViewSet
from forces import selectors as force_selectors
from forces.models import Organisation
from reports import selectors as report_selectors
from reports.exports import FORMATS
from reports.models import Meeting
from reports.services_exports import MEETING_FORMATS, meeting_pack_export, pack_export


class PackContentNegotiation(BaseContentNegotiation):
    """``?format=`` names the pack's format here, not a DRF renderer: errors are always JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download that no cache keeps and no browser sniffs into something else."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class OrganisationPackViewSet(TenantScopedViewSet):
    """Exports of an organisation's figures (one route: ``pack``)."""

    queryset = Organisation.objects.all()
    selector = force_selectors.organisation_list
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = PackContentNegotiation

    @extend_schema(
        operation_id="organisations_pack",
        parameters=[
            OpenApiParameter("reason", str, required=True, description="Why the figures are exported (audited)."),
            OpenApiParameter("format", str, enum=list(FORMATS), description="pdf (default), xlsx, csv or poster."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)."),
            OpenApiParameter("stream", str, enum=["mc", "cc", "rasso"]),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The pack or the poster."),
            (200, FORMATS["xlsx"][0]): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV."),
            400: OpenApiResponse(description="A missing reason, an unknown format or a bad period, by field."),
            404: OpenApiResponse(description="No organisation whose figures you may read."),
        },
        tags=["reports"],
    )
    @action(detail=True, methods=["get"], url_path="pack", extra_query_parameters=("reason", "from", "to", "stream"))
    def pack(self, request, code=None):
        """A meeting pack (PDF, XLSX, CSV) or the one-page headline poster of a force, or of an Area.

        A force's pack holds its summary; an Area's, the comparison of its forces. Each export is
        logged as a disclosure with its `reason`.
        """
        organisation = self.get_object()
        return file_response(
            *pack_export(actor=request.user, organisation=organisation, params=request.query_params, via="api")
        )


class MeetingPackViewSet(TenantScopedViewSet):
    """The pack of a meeting's frozen figures (one route: ``pack``)."""

    queryset = Meeting.objects.all()
    selector = report_selectors.meeting_list
    renderer_classes = [JSONRenderer]
    content_negotiation_class = PackContentNegotiation

    @extend_schema(
        operation_id="meetings_pack",
        parameters=[
            OpenApiParameter("reason", str, required=True, description="Why the figures are exported (audited)."),
            OpenApiParameter("format", str, enum=list(MEETING_FORMATS), description="pdf (default), xlsx or csv."),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The pack."),
            (200, FORMATS["xlsx"][0]): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV."),
            400: OpenApiResponse(description="A missing reason or an unknown format, by field."),
            404: OpenApiResponse(description="No meeting you may read."),
        },
        tags=["reports"],
    )
    @action(detail=True, methods=["get"], url_path="pack", extra_query_parameters=("reason",))
    def pack(self, request, pk=None):
        """The meeting's pack, from the figures frozen for it (not today's), with its open actions.

        Logged as a disclosure with its `reason`, under the meeting's Area (and its force, when it covers one).
        """
        meeting = self.get_object()
        exported = meeting_pack_export(actor=request.user, meeting=meeting, params=request.query_params, via="api")
        return file_response(*exported)
