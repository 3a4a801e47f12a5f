"""Meeting packs and the headline poster of an organisation: ``GET /organisations/{code}/pack/``.

Thin: the organisation is found through the scoped queryset (404 outside your scope), the figures
come from ``reports.selectors`` (404 when you may not read them), the file from ``reports.exports``,
and the disclosure is logged by ``reports.services_exports`` before the file is sent.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from backend.api.viewsets import TenantScopedViewSet
from forces import selectors as force_selectors
from forces.models import Organisation, OrganisationKind
from reports import selectors
from reports.exports import FORMATS, render_pack
from reports.services_exports import export_reason_clean, export_record


class PackContentNegotiation(BaseContentNegotiation):
    """``?format=`` names the pack's format here, not a DRF renderer: errors are always JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def pack_figures(*, user, organisation: Organisation, date_from, date_to, stream, today) -> dict:
    """The figures a pack is made of: a force's summary, or an Area's comparison (Http404 if not yours)."""
    if organisation.kind == OrganisationKind.POLICE_FORCE:
        return selectors.force_summary(
            user=user, force=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
        )
    return selectors.area_comparison(
        user=user, area=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
    )


def pack_response(*, user, organisation: Organisation, params, what: dict) -> HttpResponse:
    """Check the query, make the file, log the disclosure, answer with the file (also used by the admin)."""
    errors = {}
    fmt = (params.get("format") or "pdf").strip().lower()
    if fmt not in FORMATS:
        errors["format"] = [f"Choose one of {', '.join(FORMATS)}."]
    stream = params.get("stream") or None
    if stream is not None and stream not in {"mc", "cc", "rasso"}:
        errors["stream"] = ["Choose one of mc, cc, rasso."]
    try:
        reason = export_reason_clean(params.get("reason"))
    except ValidationError as error:
        errors.update(error.message_dict)
    today = timezone.localdate()
    try:
        date_from, date_to = selectors.summary_window(params.get("from"), params.get("to"), today)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    data = pack_figures(
        user=user, organisation=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
    )
    content, content_type, filename = render_pack(data, fmt)
    what = {
        **what,
        "kind": "poster" if fmt == "poster" else what.get("kind", "pack"),
        "format": fmt,
        "organisation": organisation.code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "stream": stream,
    }
    export_record(actor=user, organisation=organisation, reason=reason, what=what, content=content, filename=filename)
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
    @action(detail=True, methods=["get"], url_path="pack")
    def pack(self, request, code=None):
        """A meeting pack (PDF, XLSX, CSV) or the one-page headline poster of a force, or of an Area.

        A force's pack holds its summary; an Area's, the comparison of its forces. Each export is
        logged as a disclosure with its `reason`.
        """
        organisation = self.get_object()
        return pack_response(user=request.user, organisation=organisation, params=request.query_params, what={})
