"""Admin for meetings and action items: read-only and scoped; they are written through the API's services."""

from django.contrib import admin

from backend.admin import SCOPED, ScopedAdmin, ScopedChoicesMixin
from reports.models import ActionItem, Meeting


class ActionItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = ActionItem
    fields = ["owner", "description", "due_on", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["id", "area", "kind", "held_on", "period_start", "period_end"]
    list_filter = ["kind", ("area", SCOPED)]
    list_select_related = ["area"]
    date_hierarchy = "held_on"
    exclude = ["snapshot"]
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(ScopedAdmin):
    list_display = ["id", "meeting", "owner", "due_on", "status"]
    list_filter = ["status", ("owner", SCOPED)]
    list_select_related = ["meeting", "owner"]
