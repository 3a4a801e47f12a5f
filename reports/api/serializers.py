"""Input and output serializers of the reports API: separate, module-level, uniquely named."""

from rest_framework import serializers

from backend.api.fields import VisiblePrimaryKeyRelatedField, VisibleSlugRelatedField
from forces.models import Organisation, Stream
from reports.models import ActionItem, Meeting, MeetingKind


class SummaryQueryInputSerializer(serializers.Serializer):
    """Query parameters of the summary and comparison (``from`` and ``to`` are parsed by ``summary_window``)."""

    stream = serializers.ChoiceField(choices=Stream.choices, required=False, allow_blank=True)
    include_unsigned = serializers.BooleanField(required=False, default=False)


class ActionItemNestedOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code")
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = ["id", "owner", "description", "due_on", "status", "is_overdue"]
        read_only_fields = fields

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue(self.context["today"])


class MeetingOutputSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    forces = serializers.SerializerMethodField()
    snapshot = serializers.SerializerMethodField()
    action_items = ActionItemNestedOutputSerializer(many=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "area",
            "forces",
            "kind",
            "held_on",
            "period_start",
            "period_end",
            "notes",
            "snapshot",
            "snapshot_taken_at",
            "action_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_forces(self, meeting) -> list[str]:
        return sorted(force.code for force in meeting.forces.all())

    def get_snapshot(self, meeting) -> dict:
        """The frozen summaries, of the forces whose summary the reader may read only."""
        readable = self.context["readable_forces"]
        return {code: figures for code, figures in meeting.snapshot.items() if code in readable}


class MeetingCreateInputSerializer(serializers.Serializer):
    area = VisibleSlugRelatedField(slug_field="code", queryset=Organisation.objects.areas())
    forces = VisibleSlugRelatedField(slug_field="code", queryset=Organisation.objects.forces(), many=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    held_on = serializers.DateField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ActionItemOutputSerializer(serializers.ModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(read_only=True)
    area = serializers.CharField(source="meeting.area.code")
    owner = serializers.CharField(source="owner.code")
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "area",
            "owner",
            "description",
            "due_on",
            "status",
            "is_overdue",
            "done_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, item) -> bool:
        return item.is_overdue(self.context["today"])


class ActionItemCreateInputSerializer(serializers.Serializer):
    meeting = VisiblePrimaryKeyRelatedField(queryset=Meeting.objects.all())
    owner = VisibleSlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    description = serializers.CharField(max_length=2000)
    due_on = serializers.DateField()
