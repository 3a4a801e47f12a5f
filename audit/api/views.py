from rest_framework import mixins

from audit.api.serializers import AuditEventOutputSerializer
from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from audit.selectors import audit_event_list
from backend.api.viewsets import TenantScopedViewSet


class AuditEventViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The audit log of your Area (Area org admins, Quality Group) or force (force org admins). Read-only."""

    queryset = AuditEvent.objects.all()
    selector = audit_event_list
    serializer_class = AuditEventOutputSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["timestamp", "id"]
    ordering = ["-timestamp", "-id"]
