from rest_framework import mixins

from audit.api.serializers import AuditEventOutputSerializer
from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from backend.api.viewsets import TenantScopedViewSet


class AuditEventViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The audit log of your Area (Area org admins, Quality Group) or force (force org admins). Read-only."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventOutputSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["timestamp", "id"]
    ordering = ["-timestamp", "-id"]

    def refine_queryset(self, queryset):
        return queryset.select_related("actor", "content_type", "area", "force")
