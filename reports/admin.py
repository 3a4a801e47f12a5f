"""Admin for meetings and action items: read-only and scoped; they are written through the API's services.

Open to whom the API serves them (``reports.selectors.reads_meetings``: superusers and members of an Area or a force,
chief officers included), each seeing the rows ``visible_to`` gives it.
"""

from django.contrib import admin

from backend.admin import SCOPED, ScopedAdmin, ScopedChoicesMixin
from reports.models import ActionItem, Meeting
from reports.selectors import reads_meetings


class ActionItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = ActionItem
    fields = ["owner", "description", "due_on", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    read_rule = reads_meetings
    list_display = ["id", "area", "kind", "held_on", "period_start", "period_end"]
    list_filter = ["kind", ("area", SCOPED)]
    list_select_related = ["area"]
    date_hierarchy = "held_on"
    exclude = ["snapshot"]
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(ScopedAdmin):
    read_rule = reads_meetings
    list_display = ["id", "meeting", "owner", "due_on", "status"]
    list_filter = ["status", ("owner", SCOPED)]
    list_select_related = ["meeting", "owner"]
