"""Admin for feedback: read-only, scoped lists of feedback; the Areas' org admins set their forces' response times."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from feedback import services
from feedback.models import Feedback, ForceFeedbackSettings
from forces.models import Organisation, OrganisationKind
from forces.selectors import organisations_administered_by


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only and scoped like the API (leads work through the API and its services)."""

    list_display = ["id", "force", "stream", "status", "due_on", "is_breach", "created_at"]
    list_filter = ["status", "stream", "is_breach", "force"]
    list_select_related = ["force"]
    exclude = ["defects"]

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


def _administered_forces(user):
    """Forces whose Area ``user`` administers (all for a superuser)."""
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE)
    if user.is_superuser:
        return forces
    return forces.filter(area__in=organisations_administered_by(user=user))


@admin.register(ForceFeedbackSettings)
class ForceFeedbackSettingsAdmin(admin.ModelAdmin):
    """The working days each force has to respond; an Area's org admins set them for the Area's forces."""

    list_display = ["force", "response_working_days", "updated_at"]
    list_select_related = ["force"]

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and _administered_forces(request.user).exists()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(force__in=_administered_forces(request.user))

    def get_readonly_fields(self, request, obj=None):
        return ["force"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "force":
            kwargs["queryset"] = _administered_forces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            services.force_feedback_settings_set(
                actor=request.user, force=obj.force, response_working_days=obj.response_working_days
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
