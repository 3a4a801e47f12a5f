"""Input and output serializers of the feedback API: separate, module-level, uniquely named."""

from rest_framework import serializers

from backend.api.fields import VisiblePrimaryKeyRelatedField
from disclosure.models import Defect, Schedule
from feedback.models import Feedback, FeedbackMessage, IcoReported, Notice, Outcome
from feedback.services import MAX_DEFECTS

TEXT_MAX = 4000


def _defects_field(**kwargs):
    return serializers.ListField(
        child=VisiblePrimaryKeyRelatedField(queryset=Defect.objects.all()),
        allow_empty=False,
        max_length=MAX_DEFECTS,
        help_text="Ids of defects of one force and one stream (police-side).",
        **kwargs,
    )


class FeedbackCreateInputSerializer(serializers.Serializer):
    defects = _defects_field()
    summary = serializers.CharField(max_length=TEXT_MAX)
    requested_action = serializers.CharField(max_length=TEXT_MAX)


class FeedbackUpdateInputSerializer(serializers.Serializer):
    row_version = serializers.IntegerField(
        required=False, min_value=1, help_text="The row_version you read; or send it as the If-Match header."
    )
    defects = _defects_field(required=False)
    summary = serializers.CharField(max_length=TEXT_MAX, required=False)
    requested_action = serializers.CharField(max_length=TEXT_MAX, required=False)


class FeedbackRespondInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    action_taken = serializers.CharField(max_length=TEXT_MAX)
    reasons = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    revised_schedule = VisiblePrimaryKeyRelatedField(
        queryset=Schedule.objects.all(), required=False, allow_null=True, default=None
    )
    ico_reported = serializers.ChoiceField(
        choices=IcoReported.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the feedback is a personal-data breach (an X03 defect).",
    )
    ico_reported_on = serializers.DateField(required=False, allow_null=True, default=None)


class FeedbackReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class FeedbackMessageCreateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=TEXT_MAX)


class FeedbackOutputSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    urn = serializers.SerializerMethodField()
    defects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    defect_codes = serializers.SerializerMethodField(help_text="Category codes of the defects, sorted.")
    is_overdue = serializers.BooleanField(read_only=True)
    message_count = serializers.IntegerField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    responded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "force",
            "area",
            "stream",
            "case",
            "urn",
            "dip_sample",
            "status",
            "defects",
            "defect_codes",
            "is_breach",
            "summary",
            "requested_action",
            "due_on",
            "is_overdue",
            "sent_at",
            "acknowledged_at",
            "responded_at",
            "closed_at",
            "reopened_at",
            "reopen_reason",
            "outcome",
            "action_taken",
            "reasons",
            "revised_schedule",
            "ico_reported",
            "ico_reported_on",
            "responded_by",
            "message_count",
            "created_by",
            "created_at",
            "updated_at",
            "row_version",
        ]
        read_only_fields = fields

    def get_urn(self, feedback) -> str | None:
        return feedback.case.urn if feedback.case_id else None

    def get_defect_codes(self, feedback) -> list[str]:
        return sorted(defect.category.code for defect in feedback.defects.all())


class FeedbackMessageOutputSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = FeedbackMessage
        fields = ["id", "feedback", "author", "side", "body", "created_at"]
        read_only_fields = fields


class NoticeOutputSerializer(serializers.ModelSerializer):
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    due_on = serializers.DateField(source="feedback.due_on", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "feedback", "kind", "force", "due_on", "status", "created_at", "sent_at"]
        read_only_fields = fields
