from rest_framework import serializers

from audit.filters import ACTION_NAMES
from audit.models import AuditEvent

ACTION_BY_VALUE = {value: name for name, value in ACTION_NAMES.items()}


class AuditEventOutputSerializer(serializers.ModelSerializer):
    action = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    force = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "timestamp",
            "action",
            "model",
            "object_pk",
            "object_repr",
            "actor",
            "remote_addr",
            "changes",
            "additional_data",
            "reason",
            "cid",
            "area",
            "force",
        ]
        read_only_fields = fields

    def get_action(self, event) -> str:
        return ACTION_BY_VALUE[event.action]

    def get_model(self, event) -> str:
        return f"{event.content_type.app_label}.{event.content_type.model}"
