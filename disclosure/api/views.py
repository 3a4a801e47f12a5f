"""Dip-sampling API. Views parse input, call one service and serialize its result."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from backend.api.viewsets import (
    CreateWithService,
    DeleteWithService,
    ListRetrieve,
    PatchWithService,
    TenantScopedViewSet,
)
from disclosure import selectors, services
from disclosure.api import serializers as s
from disclosure.filters import AssessmentFilter, CaseFilter, DefectFilter, DipSampleFilter, ScheduleFilter
from disclosure.models import (
    Assessment,
    Case,
    Checklist,
    Defect,
    DefectCategory,
    DipSample,
    Schedule,
)

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag (row_version) you read."
)
CONFLICT = OpenApiResponse(description="Wrong state for this step, or changed by someone else since you read it.")


class SaysWhenSignaturesAreVoided(TenantScopedViewSet):
    """Write answers carry ``signatures_voided``: true when the change voided the sample's signatures.

    The services mark the object they return (``signatures_voided``); the answer is re-read
    in scope by ``respond_with``, so the mark is carried over here.
    """

    def respond_with(self, service, /, **kwargs):
        voided = []

        def run(**service_kwargs):
            result = service(**service_kwargs)
            voided.append(bool(getattr(result, "signatures_voided", False)))
            return result

        response = super().respond_with(run, **kwargs)
        if isinstance(response.data, dict):
            response.data["signatures_voided"] = any(voided)
        return response


@extend_schema_view(create=extend_schema(request=s.CaseCreateInputSerializer, responses={201: s.CaseOutputSerializer}))
class CaseViewSet(CreateWithService, ListRetrieve):
    """Cases, known only by URN. A disclosure lead records cases for the streams it leads."""

    queryset = Case.objects.all()
    selector = selectors.case_list
    serializer_class = s.CaseOutputSerializer
    filterset_class = CaseFilter
    ordering_fields = ["created_at", "urn", "id"]
    ordering = ["-created_at", "-id"]
    log_consultation = True

    create_with = services.case_create, s.CaseCreateInputSerializer

    @extend_schema(
        request={"multipart/form-data": s.CaseImportInputSerializer},
        responses={201: s.CaseImportOutputSerializer, 400: OpenApiResponse(description="Every bad line and field.")},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_csv(self, request):
        """All-or-nothing CSV intake of cases and schedules; every bad row is named by line and field."""
        upload = self.validated_input(s.CaseImportInputSerializer)["file"]
        result = services.case_schedule_import(actor=request.user, source=upload)
        return Response(s.CaseImportOutputSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=s.ScheduleCreateInputSerializer, responses={201: s.ScheduleOutputSerializer})
)
class ScheduleViewSet(CreateWithService, ListRetrieve):
    """Unused material schedules (MG6C/MG6D/MG6E), SDCs and DMDs received for a case."""

    queryset = Schedule.objects.all()
    selector = selectors.schedule_list
    serializer_class = s.ScheduleOutputSerializer
    filterset_class = ScheduleFilter
    ordering_fields = ["received_on", "id", "kind"]
    ordering = ["-received_on", "-id"]
    log_consultation = True

    create_with = services.schedule_create, s.ScheduleCreateInputSerializer


class DefectCategoryViewSet(ListRetrieve):
    """The defect taxonomy (read-only). Look one up by code, e.g. ``D02``."""

    queryset = DefectCategory.objects.all()
    selector = selectors.defect_category_list
    serializer_class = s.DefectCategoryOutputSerializer
    lookup_field = "code"
    filterset_fields = ["side", "default_severity"]
    ordering_fields = ["code"]
    ordering = ["code"]
    pagination_class = None


class ChecklistViewSet(ListRetrieve):
    """Published checklist versions with their criteria (read-only)."""

    queryset = Checklist.objects.all()
    selector = selectors.checklist_list
    serializer_class = s.ChecklistOutputSerializer
    ordering_fields = ["version"]
    ordering = ["-version"]


@extend_schema_view(
    create=extend_schema(request=s.DipSampleCreateInputSerializer, responses={201: s.DipSampleOutputSerializer}),
    partial_update=extend_schema(
        request=s.DipSampleUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.DipSampleOutputSerializer, 409: CONFLICT},
    ),
    destroy=extend_schema(responses={204: None, 409: CONFLICT}),
)
class DipSampleViewSet(
    SaysWhenSignaturesAreVoided, CreateWithService, PatchWithService, DeleteWithService, ListRetrieve
):
    """Joint dip samples: plan, ``eligible`` (preview), ``draw`` / ``undraw``, ``add-schedule``,
    ``not-assessable``, assess, ``complete``, ``sign-off`` (one lead of each side), ``reopen``."""

    queryset = DipSample.objects.all()
    selector = selectors.dip_sample_rows
    serializer_class = s.DipSampleOutputSerializer
    filterset_class = DipSampleFilter
    ordering_fields = ["period_start", "period_end", "created_at", "id"]
    ordering = ["-period_start", "-id"]
    log_consultation = True

    create_with = services.dip_sample_create, s.DipSampleCreateInputSerializer
    patch_with = services.dip_sample_update, s.DipSampleUpdateInputSerializer
    delete_with = services.dip_sample_delete
    service_target = "dip_sample"

    @extend_schema(responses={200: s.DipSampleEligibleOutputSerializer})
    @action(detail=True, methods=["get"])
    def eligible(self, request, pk=None):
        """Preview of the draw: how many schedules are eligible, the size cap and the rule in plain words."""
        preview = selectors.dip_sample_draw_preview(dip_sample=self.get_object())
        return Response(s.DipSampleEligibleOutputSerializer(preview).data)

    @extend_schema(request=s.DipSampleDrawInputSerializer, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        """Draw ``size`` schedules at random from those eligible (at most the cap); the seed is kept to re-run it."""
        dip_sample = self.get_object()
        data = self.validated_input(s.DipSampleDrawInputSerializer)
        return self.respond_with(services.dip_sample_draw, dip_sample=dip_sample, **data)

    @extend_schema(request=None, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def undraw(self, request, pk=None):
        """Undo the draw while nothing is assessed: back to ``planned``, the schedules eligible again."""
        return self.respond_with(services.dip_sample_undraw, dip_sample=self.get_object())

    @extend_schema(
        request=s.DipSampleScheduleReasonInputSerializer, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="add-schedule", url_name="add-schedule")
    def add_schedule(self, request, pk=None):
        """Add an eligible schedule to a drawn sample by hand, with the reason; it is marked ``hand_picked``."""
        dip_sample = self.get_object()
        data = self.validated_input(s.DipSampleScheduleReasonInputSerializer)
        return self.respond_with(services.dip_sample_add_schedule, dip_sample=dip_sample, **data)

    @extend_schema(
        request=s.DipSampleScheduleReasonInputSerializer, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="not-assessable", url_name="not-assessable")
    def not_assessable(self, request, pk=None):
        """Mark a sampled, unassessed schedule as not assessable, with the reason."""
        dip_sample = self.get_object()
        data = self.validated_input(s.DipSampleScheduleReasonInputSerializer)
        return self.respond_with(services.dip_sample_mark_not_assessable, dip_sample=dip_sample, **data)

    @extend_schema(request=None, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Close the assessing: every drawn schedule must be assessed."""
        return self.respond_with(services.dip_sample_complete, dip_sample=self.get_object())

    @extend_schema(request=None, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request, pk=None):
        """Sign off for your side; the sample is ``signed_off`` once a CPS and a police lead have."""
        return self.respond_with(services.dip_sample_sign_off, dip_sample=self.get_object())

    @extend_schema(
        request=s.DipSampleReopenInputSerializer, responses={200: s.DipSampleOutputSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a signed-off sample (an Area org admin) or a completed one (also its leads), with the reason."""
        dip_sample = self.get_object()
        data = self.validated_input(s.DipSampleReopenInputSerializer)
        return self.respond_with(services.dip_sample_reopen, dip_sample=dip_sample, **data)


@extend_schema_view(
    create=extend_schema(
        request=s.AssessmentCreateInputSerializer, responses={201: s.AssessmentOutputSerializer, 409: CONFLICT}
    ),
    partial_update=extend_schema(
        request=s.AssessmentUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.AssessmentOutputSerializer, 409: CONFLICT},
    ),
    destroy=extend_schema(responses={204: None, 409: CONFLICT}),
)
class AssessmentViewSet(
    SaysWhenSignaturesAreVoided, CreateWithService, PatchWithService, DeleteWithService, ListRetrieve
):
    """Assessments of sampled schedules against a checklist version; read-only once the sample is signed off."""

    queryset = Assessment.objects.all()
    selector = selectors.assessment_list
    serializer_class = s.AssessmentOutputSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["created_at", "id", "rating"]
    ordering = ["id"]
    log_consultation = True

    create_with = services.assessment_create, s.AssessmentCreateInputSerializer
    patch_with = services.assessment_update, s.AssessmentUpdateInputSerializer
    delete_with = services.assessment_delete
    service_target = "assessment"


@extend_schema_view(
    create=extend_schema(
        request=s.DefectCreateInputSerializer, responses={201: s.DefectOutputSerializer, 409: CONFLICT}
    ),
    partial_update=extend_schema(
        request=s.DefectUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.DefectOutputSerializer, 409: CONFLICT},
    ),
    destroy=extend_schema(responses={204: None, 409: CONFLICT}),
)
class DefectViewSet(SaysWhenSignaturesAreVoided, CreateWithService, PatchWithService, DeleteWithService, ListRetrieve):
    """Defects logged against assessments, by category code of the taxonomy."""

    queryset = Defect.objects.all()
    selector = selectors.defect_list
    serializer_class = s.DefectOutputSerializer
    filterset_class = DefectFilter
    ordering_fields = ["created_at", "id", "severity"]
    ordering = ["id"]
    log_consultation = True

    create_with = services.defect_create, s.DefectCreateInputSerializer
    patch_with = services.defect_update, s.DefectUpdateInputSerializer
    delete_with = services.defect_delete
    service_target = "defect"
