"""Reads of the audit log (the read layer of its API)."""

from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """Entries ``user`` may read (``AuditEvent.objects.visible_to``), with actor, model, Area and force."""
    return AuditEvent.objects.visible_to(user).select_related("actor", "content_type", "area", "force")
