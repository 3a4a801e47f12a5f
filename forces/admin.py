"""Admin: superusers manage organisations; an org admin manages its own organisation's memberships."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from forces import services
from forces.models import Membership, Organisation
from forces.selectors import organisations_administered_by


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "area"]
    list_filter = ["kind", "area"]
    search_fields = ["code", "name"]
    list_select_related = ["area"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "stream", "created_at"]
    list_filter = ["role", "stream", ("organisation", admin.RelatedOnlyFieldListFilter)]  # scoped choices
    search_fields = ["user__username", "organisation__code"]
    list_select_related = ["user", "organisation"]
    actions = ["unlock_accounts"]

    def get_readonly_fields(self, request, obj=None):
        # A membership changes role or stream; moving it to another person or organisation is
        # a delete and an add, so each side's grants are recomputed by the services.
        return ["user", "organisation"] if obj is not None else []

    @admin.action(description="Unlock the selected members' accounts (after failed logins)")
    def unlock_accounts(self, request, queryset):
        unlocked = set()
        for membership in queryset.select_related("user", "organisation"):
            try:
                services.account_unlock(
                    actor=request.user, organisation=membership.organisation, username=membership.user.username
                )
            except PermissionDenied as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                return
            unlocked.add(membership.user.username)
        self.message_user(request, f"Unlocked: {', '.join(sorted(unlocked))}.", level=messages.SUCCESS)

    def _administers_any(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or organisations_administered_by(user=request.user).exists()
        )

    def has_module_permission(self, request):
        return self._administers_any(request)

    def has_view_permission(self, request, obj=None):
        return self._administers_any(request)

    def has_add_permission(self, request):
        return self._administers_any(request)

    def has_change_permission(self, request, obj=None):
        return self._administers_any(request)

    def has_delete_permission(self, request, obj=None):
        return self._administers_any(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation__in=organisations_administered_by(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_administered_by(user=request.user)
        elif db_field.name == "user" and not request.user.is_superuser:
            # An org admin may pick its own people, or accounts that belong to nobody yet.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    Q(memberships__organisation__in=organisations_administered_by(user=request.user))
                    | Q(memberships__isnull=True),
                    is_superuser=False,
                )
                .exclude(pk=request.user.pk)  # separation of duties: no roles for oneself
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.membership_update(actor=request.user, membership=obj, role=obj.role, stream=obj.stream)
            else:
                services.membership_create(
                    actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role, stream=obj.stream
                )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level="error")

    def delete_model(self, request, obj):
        services.membership_delete(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_delete(actor=request.user, membership=membership)
