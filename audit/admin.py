from auditlog.mixins import LogEntryAdminMixin
from django.contrib import admin

from audit.models import AuditEvent

# django-auditlog registers its own admin for the log entry model; ours replaces it.
if admin.site.is_registered(AuditEvent):
    admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class AuditEventAdmin(LogEntryAdminMixin, admin.ModelAdmin):
    """Read-only: the audit log is append-only through the app."""

    list_display = ["created", "resource_url", "action", "msg_short", "user_url", "remote_addr", "area", "force"]
    # Related-row choices from the scoped entries only (the plain filter would list every organisation).
    list_filter = ["action", ("area", admin.RelatedOnlyFieldListFilter), ("force", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "actor__username", "object_pk"]
    list_select_related = ["actor", "content_type", "area", "force"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
