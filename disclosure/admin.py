"""Admin for dip sampling. Lists are scoped by the tenancy rule; writes go through the services.

Dip samples are where leads work (disclosure/admin_workflow.py): plan, draw, assess, complete, sign.

Every choice the admin offers about tenant rows comes from the scoped queryset too: list filters
over related rows use ``RelatedOnlyFieldListFilter`` (the related rows of the visible ones), and a
form field over a tenant model lists ``visible_to(user)`` only.
"""

from django.contrib import admin

from backend.admin import SCOPED, ScopedAdmin
from disclosure.admin_workflow import DipSampleAdmin
from disclosure.models import Assessment, Case, Checklist, Criterion, Defect, DefectCategory, DipSample, Schedule


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ["urn", "force", "stream", "created_at"]
    list_filter = ["stream", ("force", SCOPED)]
    search_fields = ["urn"]
    list_select_related = ["force"]


@admin.register(Schedule)
class ScheduleAdmin(ScopedAdmin):
    list_display = ["id", "case", "kind", "revision", "received_on", "item_count", "force"]
    list_filter = ["kind", ("force", SCOPED)]
    search_fields = ["case__urn"]
    list_select_related = ["case", "force"]
    date_hierarchy = "received_on"


admin.site.register(DipSample, DipSampleAdmin)


@admin.register(Assessment)
class AssessmentAdmin(ScopedAdmin):
    list_display = ["id", "dip_sample", "schedule", "rating", "drs_complete", "assessed_by", "force"]
    list_filter = ["rating", "drs_complete", ("force", SCOPED)]
    list_select_related = ["dip_sample", "schedule", "assessed_by", "force"]


@admin.register(Defect)
class DefectAdmin(ScopedAdmin):
    list_display = ["id", "category", "severity", "item_reference", "assessment", "force"]
    list_filter = ["severity", "category__side", "category", ("force", SCOPED)]
    list_select_related = ["category", "assessment", "force"]


class ReferenceAdmin(admin.ModelAdmin):
    """Reference data: superusers edit category names; codes are stable."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DefectCategory)
class DefectCategoryAdmin(ReferenceAdmin):
    list_display = ["code", "name", "side", "default_severity"]
    list_filter = ["side", "default_severity"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["position", "code", "text", "applies_to", "is_critical"]
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(ReferenceAdmin):
    list_display = ["version", "title", "published_at"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        # A published version is never edited: a change makes a new version.
        return super().has_change_permission(request, obj) and (obj is None or obj.published_at is None)
