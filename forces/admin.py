"""Admin: superusers manage organisations; an org admin manages its own organisation's people.

An org admin adds a person (account and first role in one form), gives and ends roles, unlocks
accounts locked after failed logins and sends password reset links - all through
``forces.services``, the API's services, with their rules about which organisations an admin
manages. Accounts with no membership are listed to superusers only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backend.admin import NotFoundOutsideScopeMixin, ServiceSaveMixin, refusal_words
from forces import services
from forces.models import Membership, Organisation, Role, Stream
from forces.selectors import manageable_user_list, managed_membership_list, organisations_administered_by


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


class MemberCreateForm(forms.Form):
    """A new person: their account (with e-mail) and their first role, in one form."""

    username = forms.CharField(max_length=150, help_text="What they type to sign in, e.g. jsmith-gmp.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail address", help_text="Notices and password reset links go here.")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    role = forms.ChoiceField(choices=Role.choices)
    stream = forms.ChoiceField(
        choices=[("", "All streams"), *Stream.choices],
        required=False,
        help_text="Disclosure leads only: the case stream they cover.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; give it to them in person, or send a reset link afterwards.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = organisations_administered_by(user=user)
        if not user.is_superuser:  # only a portal administrator makes an organisation admin (forces/services.py)
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [(value, label) for value, label in Role.choices if value != Role.ORG_ADMIN]


def _plain_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@admin.register(Membership)
class MembershipAdmin(ServiceSaveMixin, NotFoundOutsideScopeMixin, admin.ModelAdmin):
    list_display = ["user", "email", "organisation", "role", "stream", "locked", "created_at"]
    list_filter = ["role", "stream", ("organisation", admin.RelatedOnlyFieldListFilter)]  # scoped choices
    search_fields = ["user__username", "user__email", "organisation__code"]
    actions = ["unlock_accounts", "send_password_reset"]
    change_form_template = "admin/forces/membership/change_form.html"
    change_list_template = "admin/forces/membership/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # A membership changes role or stream; moving it to another person or organisation is
        # a delete and an add, so each side's grants are recomputed by the services.
        return ["user", "organisation"] if obj is not None else []

    @admin.display(description="E-mail address", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="Locked out", boolean=True)
    def locked(self, obj):
        return obj.is_locked

    # --- the organisation's admins, and only they ---------------------------------------------------------

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
        return managed_membership_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_administered_by(user=request.user)
        elif db_field.name == "user":
            # Its own people (never itself); accounts with no membership only for a superuser.
            kwargs["queryset"] = manageable_user_list(user=request.user).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writes through the services ---------------------------------------------------------------------

    def save_with_service(self, request, obj, change):
        if change:
            services.membership_update(actor=request.user, membership=obj, role=obj.role, stream=obj.stream)
        else:
            services.membership_create(
                actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role, stream=obj.stream
            )

    def delete_model(self, request, obj):
        services.membership_delete(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_delete(actor=request.user, membership=membership)

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

    @admin.action(description="Send the selected members a password reset link by e-mail")
    def send_password_reset(self, request, queryset):
        sent = set()
        for membership in queryset.select_related("user", "organisation"):
            if membership.user.username in sent:
                continue
            try:
                self._send_reset(request, membership)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(refusal_words(exc)), level=messages.ERROR)
                continue
            sent.add(membership.user.username)
        if sent:
            self.message_user(request, f"Password reset link sent to: {', '.join(sorted(sent))}.", messages.SUCCESS)

    def _send_reset(self, request, membership):
        services.password_reset_send(actor=request.user, organisation=membership.organisation, user=membership.user)

    # --- extra pages: add a person; unlock and reset one member ---------------------------------------------

    def get_urls(self):
        return [
            path("add-member/", self.admin_site.admin_view(self.add_member_view), name="forces_membership_add_member"),
            path(
                "<int:pk>/unlock/",
                self.admin_site.admin_view(require_POST(self.unlock_view)),
                name="forces_membership_unlock",
            ),
            path(
                "<int:pk>/password-reset/",
                self.admin_site.admin_view(require_POST(self.password_reset_view)),
                name="forces_membership_password_reset",
            ),
            *super().get_urls(),
        ]

    def _membership_or_404(self, request, pk) -> Membership:
        if not self._administers_any(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, request, membership):
        target = request.POST.get("next", "")
        hosts = {request.get_host()}
        if url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure()):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(reverse("admin:forces_membership_change", args=[membership.pk]))

    def unlock_view(self, request, pk):
        membership = self._membership_or_404(request, pk)
        try:
            services.account_unlock(
                actor=request.user, organisation=membership.organisation, username=membership.user.username
            )
        except (PermissionDenied, Http404) as exc:
            self.message_user(request, " ".join(refusal_words(exc)), level=messages.ERROR)
        else:
            self.message_user(request, f"{membership.user.username} can sign in again.", level=messages.SUCCESS)
        return self._back(request, membership)

    def password_reset_view(self, request, pk):
        membership = self._membership_or_404(request, pk)
        try:
            self._send_reset(request, membership)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, " ".join(refusal_words(exc)), level=messages.ERROR)
        else:
            self.message_user(
                request,
                f"A link to choose a new password was e-mailed to {membership.user.username} "
                f"({membership.user.email}).",
                level=messages.SUCCESS,
            )
        return self._back(request, membership)

    def add_member_view(self, request):
        if not self._administers_any(request):
            raise PermissionDenied
        form = MemberCreateForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.member_create(
                    actor=request.user,
                    organisation=data["organisation"],
                    role=data["role"],
                    stream=data["stream"] or None,
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except ValidationError as exc:
                _plain_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    f"{membership.user.username} was added as {membership.get_role_display()} "
                    f"at {membership.organisation.name}. They can sign in now.",
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:forces_membership_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a person",
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/forces/membership/add_member.html", context)
