"""Admin for meetings and action items: read-only and scoped; they are written through the API's services."""

from django.contrib import admin

from reports.models import ActionItem, Meeting


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fields = ["owner", "description", "due_on", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(ScopedReadOnlyAdmin):
    list_display = ["id", "area", "kind", "held_on", "period_start", "period_end"]
    list_filter = ["kind", "area"]
    list_select_related = ["area"]
    date_hierarchy = "held_on"
    exclude = ["snapshot"]
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(ScopedReadOnlyAdmin):
    list_display = ["id", "meeting", "owner", "due_on", "status"]
    list_filter = ["status", "owner"]
    list_select_related = ["meeting", "owner"]
