"""Admin for dip sampling. Lists are scoped by the tenancy rule; writes go through the services.

Dip samples are where leads work (disclosure/admin_workflow.py): plan, draw, assess, complete, sign. The
read-only lists of cases, schedules, assessments and defects open to whom the API serves those rows
(``forces.selectors.reads_case_level_rows``, as the dip samples' pages); reference data to every signed-in member, as
the API serves it.

Every choice the admin offers about tenant rows comes from the scoped queryset too: list filters
over related rows use ``RelatedOnlyFieldListFilter`` (the related rows of the visible ones), and a
form field over a tenant model lists ``visible_to(user)`` only.
"""

from django.contrib import admin

from backend.admin import SCOPED, ScopedAdmin
from disclosure import selectors
from disclosure.admin_workflow import DipSampleAdmin
from disclosure.models import Assessment, Case, Checklist, Criterion, Defect, DefectCategory, DipSample, Schedule
from forces.models import is_anonymous
from forces.selectors import reads_case_level_rows


class CaseLevelAdmin(ScopedAdmin):
    """Case-level rows, read-only: open to whom the API serves them, each seeing its ``visible_to`` rows."""

    read_rule = reads_case_level_rows
    log_consultation = True  # as the API's viewsets of these rows log their reads


@admin.register(Case)
class CaseAdmin(CaseLevelAdmin):
    list_display = ["urn", "force", "stream", "created_at"]
    list_filter = ["stream", ("force", SCOPED)]
    search_fields = ["urn"]
    list_select_related = ["force"]


@admin.register(Schedule)
class ScheduleAdmin(CaseLevelAdmin):
    list_display = ["id", "case", "kind", "revision", "received_on", "item_count", "force"]
    list_filter = ["kind", ("force", SCOPED)]
    search_fields = ["case__urn"]
    list_select_related = ["case", "force"]
    date_hierarchy = "received_on"


admin.site.register(DipSample, DipSampleAdmin)


@admin.register(Assessment)
class AssessmentAdmin(CaseLevelAdmin):
    list_display = ["id", "dip_sample", "schedule", "rating", "drs_complete", "assessed_by", "force"]
    list_filter = ["rating", "drs_complete", ("force", SCOPED)]
    list_select_related = ["dip_sample", "schedule", "assessed_by", "force"]


@admin.register(Defect)
class DefectAdmin(CaseLevelAdmin):
    list_display = ["id", "category", "severity", "item_reference", "assessment", "force"]
    list_filter = ["severity", "category__side", "category", ("force", SCOPED)]
    list_select_related = ["category", "assessment", "force"]


def reads_reference_data(*, user) -> bool:
    """True when the API serves ``user`` reference data: every signed-in, active user (``ReferenceDataQuerySet``'s
    ``visible_to``, the rows of ``DefectCategoryViewSet`` and ``ChecklistViewSet``); leads pick categories from it."""
    return not is_anonymous(user)


class ReferenceAdmin(admin.ModelAdmin):
    """Reference data: read by whom the API serves it (``reads_reference_data``); superusers edit category names;
    codes are stable."""

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return reads_reference_data(user=request.user)

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

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows  # they prepare the next version here, before it is published
        # Everyone else reads what the API serves them: the published versions.
        return rows.filter(pk__in=selectors.checklist_list(user=request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        # A published version is never edited: a change makes a new version.
        return super().has_change_permission(request, obj) and (obj is None or obj.published_at is None)
