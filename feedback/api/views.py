"""Feedback API. Views parse input, call one service and answer with the result re-read in scope."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.viewsets import TenantScopedViewSet
from disclosure import selectors as disclosure_selectors
from disclosure.models import DipSample
from feedback import selectors, services
from feedback.api import serializers as s
from feedback.filters import FeedbackFilter, NoticeFilter
from feedback.models import Feedback, Notice

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag (row_version) you read."
)
CONFLICT = OpenApiResponse(description="Wrong state for this step, or changed by someone else since you read it.")


@extend_schema_view(
    create=extend_schema(request=s.FeedbackCreateInputSerializer, responses={201: s.FeedbackOutputSerializer}),
    partial_update=extend_schema(
        request=s.FeedbackUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.FeedbackOutputSerializer, 409: CONFLICT},
    ),
)
class FeedbackViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Feedback from the CPS to a force: draft, ``send``, ``acknowledge``, ``respond``, ``close``, ``reopen``;
    the thread under ``messages``."""

    queryset = Feedback.objects.all()
    selector = selectors.feedback_list
    serializer_class = s.FeedbackOutputSerializer
    filterset_class = FeedbackFilter
    ordering_fields = ["created_at", "due_on", "sent_at", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    log_consultation = True

    def create(self, request, *args, **kwargs):
        data = self.validated_input(s.FeedbackCreateInputSerializer)
        return self.respond_with(services.feedback_create, status=status.HTTP_201_CREATED, **data)

    def partial_update(self, request, *args, **kwargs):
        return self.update_with(services.feedback_update, s.FeedbackUpdateInputSerializer, target="feedback")

    @extend_schema(request=None, responses={200: s.FeedbackOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft to the force; ``due_on`` is set from the force's response time in working days."""
        return self.respond_with(services.feedback_send, feedback=self.get_object())

    @extend_schema(request=None, responses={200: s.FeedbackOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The force's leads of the stream say they have it."""
        return self.respond_with(services.feedback_acknowledge, feedback=self.get_object())

    @extend_schema(request=s.FeedbackRespondInputSerializer, responses={200: s.FeedbackOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The force's answer: accepted or disputed (with reasons); a breach also says whether the ICO was told."""
        feedback = self.get_object()
        data = self.validated_input(s.FeedbackRespondInputSerializer)
        return self.respond_with(services.feedback_respond, feedback=feedback, **data)

    @extend_schema(request=None, responses={200: s.FeedbackOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The CPS side accepts the response or the dispute."""
        return self.respond_with(services.feedback_close, feedback=self.get_object())

    @extend_schema(request=s.FeedbackReopenInputSerializer, responses={200: s.FeedbackOutputSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Back to ``sent`` with a new due date and the reason."""
        feedback = self.get_object()
        data = self.validated_input(s.FeedbackReopenInputSerializer)
        return self.respond_with(services.feedback_reopen, feedback=feedback, **data)

    @extend_schema(methods=["GET"], request=None, responses={200: s.FeedbackMessageOutputSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=s.FeedbackMessageCreateInputSerializer,
        responses={201: s.FeedbackMessageOutputSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        """The thread, oldest first (GET); write in it while the item is open (POST). Messages are never edited."""
        feedback = self.get_object()
        if request.method == "GET":
            thread = selectors.feedback_messages(feedback=feedback)
            return Response(s.FeedbackMessageOutputSerializer(thread, many=True).data)
        data = self.validated_input(s.FeedbackMessageCreateInputSerializer)
        message = services.feedback_message_create(actor=request.user, feedback=feedback, **data)
        return Response(s.FeedbackMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class NoticeViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Your own reminders and escalations about feedback (``due_soon``, ``overdue``, ``escalated``)."""

    queryset = Notice.objects.all()
    selector = selectors.notice_list
    serializer_class = s.NoticeOutputSerializer
    filterset_class = NoticeFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]


class DipSampleFeedbackViewSet(TenantScopedViewSet):
    """``POST dip-samples/{id}/draft-feedback/``: one draft per sampled case with police-side defects."""

    queryset = DipSample.objects.all()
    selector = disclosure_selectors.dip_sample_list
    serializer_class = s.FeedbackOutputSerializer

    @extend_schema(
        request=None,
        responses={
            201: s.FeedbackOutputSerializer(many=True),
            200: s.FeedbackOutputSerializer(many=True),
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], url_path="draft-feedback", url_name="draft-feedback")
    def draft_feedback(self, request, pk=None):
        """Drafts for the sample's cases with police-side defects and no feedback yet: 201 with those made,
        200 with none when there is nothing new to draft."""
        dip_sample = self.get_object()
        with transaction.atomic():
            created = services.feedback_drafts_from_sample(actor=request.user, dip_sample=dip_sample)
            drafts = selectors.feedback_list(user=request.user).filter(pk__in=[f.pk for f in created])
            data = s.FeedbackOutputSerializer(drafts.order_by("id"), many=True).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
