from auditlog.mixins import LogEntryAdminMixin
from django.contrib import admin

from audit.models import AuditEvent
from audit.selectors import reads_audit_events
from backend.admin import SCOPED, ScopedAdmin

# django-auditlog registers its own admin for the log entry model; ours replaces it.
if admin.site.is_registered(AuditEvent):
    admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class AuditEventAdmin(LogEntryAdminMixin, ScopedAdmin):
    """Read-only and scoped (``ScopedAdmin``): the audit log is append-only through the app.

    Open to whom the API serves entries (``reads_audit_events``: superusers, an Area's org admins and Quality Group,
    a force's org admins).
    """

    read_rule = reads_audit_events

    list_display = ["created", "resource_url", "action", "msg_short", "user_url", "remote_addr", "area", "force"]
    # Related-row choices from the scoped entries only (the plain filter would list every organisation).
    list_filter = ["action", ("area", SCOPED), ("force", SCOPED)]
    search_fields = ["object_repr", "actor__username", "object_pk"]
    list_select_related = ["actor", "content_type", "area", "force"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
