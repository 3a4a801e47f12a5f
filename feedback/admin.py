"""Feedback in the browser: the leads' inbox, each item's page with the steps the user may take, drafting
from a signed-off dip sample or from defects the CPS lead picks (the API's ``POST /feedback/``); the Areas' org
admins set their forces' response times.

The rules are the API's: the rows are ``selectors.feedback_list(user=)`` (``visible_to``), a row
outside it answers 404 on every page, the buttons are ``services.feedback_actions_for`` and every
write is a call of a service in feedback/services.py. A refusal is shown in plain words on the
item's page with the status the API would answer (400 bad input, 403 not yours to do, 409 wrong
state or changed since the page was drawn).
"""

from types import SimpleNamespace

from auditlog.signals import accessed
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from backend.admin import (
    SCOPED,
    NotFoundOutsideScopeMixin,
    ScopedChoicesMixin,
    ServiceSaveMixin,
    asked_once_per_request,
    once_per_request,
    uk_date,
)
from backend.audit import log_page_read
from backend.errors import InvalidStateError
from backend.filters import is_valid_id
from disclosure import selectors as disclosure_selectors
from disclosure.models import Defect
from feedback import admin_forms, selectors, services
from feedback.models import Feedback, ForceFeedbackSettings, overdue_q
from forces.models import Membership, Organisation, OrganisationKind, Role
from forces.selectors import organisations_administered_by, reads_case_level_rows

#: step -> (form, service, what the user is told when it is done)
STEPS = {
    services.EDIT: (admin_forms.EditDraftForm, services.feedback_update, "Draft saved."),
    services.SEND: (admin_forms.SendForm, services.feedback_send, "Sent to {force}; due {due}."),
    services.ACKNOWLEDGE: (admin_forms.AcknowledgeForm, services.feedback_acknowledge, "Acknowledged."),
    services.RESPOND: (admin_forms.RespondForm, services.feedback_respond, "Your response was sent to the CPS."),
    services.CLOSE: (admin_forms.CloseForm, services.feedback_close, "Closed."),
    services.REOPEN: (admin_forms.ReopenForm, services.feedback_reopen, "Reopened; the force answers by {due}."),
    services.MESSAGE: (admin_forms.MessageForm, services.feedback_message_create, "Message added to the thread."),
}
#: The forms on the page, in this order: step -> (heading, button).
STEP_TEXT = {
    services.EDIT: ("Edit the draft", "Save the draft"),
    services.SEND: ("Send to the force", "Send"),
    services.ACKNOWLEDGE: ("Acknowledge", "Acknowledge receipt"),
    services.RESPOND: ("Respond", "Send the response"),
    services.CLOSE: ("Close", "Close the feedback"),
    services.REOPEN: ("Reopen", "Reopen"),
    services.MESSAGE: ("Write in the thread", "Add the message"),
}

#: How a missing date reads in the feedback pages.
NO_DATE = "\u2013"


def reads_feedback(request) -> bool:
    """Whom the API serves feedback (``forces.selectors.reads_case_level_rows``: case-level readers and
    superusers), asked once per request. Chief officers and users with no such membership, staff or not, get
    403 here, as they find no feedback in the API.
    """
    return asked_once_per_request(request, reads_case_level_rows)


def feedback_targets(request) -> list[tuple[int, str]]:
    """The forces and streams the user may draft feedback to (``admin_forms.feedback_targets``, the service's
    rule), asked once per request: the draft page opens to those with some (the CPS leads), 403 to anyone else."""
    return once_per_request(request, "feedback_targets", lambda: admin_forms.feedback_targets(user=request.user))


# --- list filters (the API's: awaiting me, overdue, status; choices from the visible rows) -------------


class AwaitingFilter(admin.SimpleListFilter):
    title = "waiting for"
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        if Membership.objects.filter(user=request.user, role=Role.DISCLOSURE_LEAD).exists():
            return [("me", "My side")]
        return []

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(selectors.feedback_awaiting(user=request.user))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        condition = overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


class BreachFilter(admin.SimpleListFilter):
    title = "personal-data breach (X03)"
    parameter_name = "breach"

    def lookups(self, request, model_admin):
        return [("yes", "Breaches"), ("no", "Not breaches")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_breach=self.value() == "yes")
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """The inbox (changelist) and each item's page; nothing is edited through a model form."""

    list_display = ["item", "force_code", "stream", "status_badge", "due", "breach", "urn", "defect_codes", "messages"]
    list_display_links = ["item"]
    list_filter = [AwaitingFilter, OverdueFilter, "status", "stream", BreachFilter, ("force", SCOPED)]
    list_per_page = 50
    show_full_result_count = False
    actions = None

    # --- who may see what: the API's rule --------------------------------------------------------

    def has_module_permission(self, request):
        return reads_feedback(request)

    def has_view_permission(self, request, obj=None):
        return reads_feedback(request)

    def has_add_permission(self, request):
        return False  # drafts are made from a signed-off sample (draft_from_sample)

    def has_change_permission(self, request, obj=None):
        return False  # no model form: each step is its own form and service (STEPS)

    def has_delete_permission(self, request, obj=None):
        return False  # feedback is a record of what was said

    def get_queryset(self, request):
        return selectors.feedback_list(user=request.user)

    def get_ordering(self, request):
        # Overdue first, then by due date (drafts, with none, last), newest first.
        return ["-is_overdue", F("due_on").asc(nulls_last=True), "-created_at", "-id"]

    # --- the list's columns ---------------------------------------------------------------------

    @admin.display(description="Feedback", ordering="id")
    def item(self, obj):
        return f"Feedback {obj.pk}"

    @admin.display(description="Force", ordering="force__code")
    def force_code(self, obj):
        return format_html('<abbr title="{}">{}</abbr>', obj.force.name, obj.force.code)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="fb-badge fb-status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="Due", ordering=F("due_on").asc(nulls_last=True))
    def due(self, obj):
        due_on = uk_date(obj.due_on, empty=NO_DATE)
        if obj.is_overdue:
            return format_html('{} <span class="fb-badge fb-overdue">Overdue</span>', due_on)
        return due_on

    @admin.display(description="Breach", ordering="is_breach")
    def breach(self, obj):
        return format_html('<span class="fb-badge fb-breach">{}</span>', "Breach") if obj.is_breach else ""

    @admin.display(description="URN")
    def urn(self, obj):
        return obj.case.urn if obj.case_id else "\u2013"

    @admin.display(description="Defects")
    def defect_codes(self, obj):
        return ", ".join(sorted(defect.category.code for defect in obj.defects.all()))

    @admin.display(description="Thread", ordering="message_count")
    def messages(self, obj):
        return obj.message_count

    def changelist_view(self, request, extra_context=None):
        # The CPS lead's next step, above the inbox: signed-off samples with defects not yet in feedback.
        # ... each also to pick its defects by hand (the draft page, narrowed to the sample).
        url_draft = reverse("admin:feedback_feedback_draft") if feedback_targets(request) else ""
        ready = [
            SimpleNamespace(
                sample=sample,
                url=reverse("admin:feedback_feedback_draft_from_sample", args=[sample.pk]),
                url_pick=f"{url_draft}?dip_sample={sample.pk}" if url_draft else "",
            )
            for sample in selectors.samples_ready_for_feedback(user=request.user)[:20]
        ]
        context = {"title": "Feedback inbox", "samples_ready": ready, "url_draft": url_draft}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        log_page_read(request, model=Feedback, rows=changelist.result_list)
        return changelist

    # --- pages ----------------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        steps = [
            path(f"<path:object_id>/{step}/", wrap(self.step_view), {"step": step}, name=f"{prefix}_{step}")
            for step in STEPS
        ]
        draft = path(
            "draft-from-sample/<path:sample_id>/",
            wrap(self.draft_from_sample_view),
            name=f"{prefix}_draft_from_sample",
        )
        draft_picked = path("draft/", wrap(self.draft_view), name=f"{prefix}_draft")
        return [draft_picked, draft, *steps, *super().get_urls()]

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied  # one who reads no feedback (a chief officer) may open none of its pages
        raise Http404  # another force's item answers exactly like one that does not exist

    def _visible(self, request, object_id) -> Feedback:
        object_id = unquote(object_id)
        feedback = self.get_queryset(request).filter(pk=object_id).first() if is_valid_id(object_id) else None
        if feedback is None:
            raise Http404
        return feedback

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        feedback = self._visible(request, object_id)
        accessed.send(sender=Feedback, instance=feedback)  # a read of a case-level record (as in the API)
        return self._render_item(request, feedback)

    def delete_view(self, request, object_id, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        self._visible(request, object_id)
        raise PermissionDenied

    def step_view(self, request, object_id, step):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        feedback = self._visible(request, object_id)
        form_class, service, done = STEPS[step]
        form = form_class(request.POST, feedback=feedback, user=request.user)
        status = 400
        if form.is_valid():
            arguments = form.service_arguments()
            try:
                with transaction.atomic():
                    result = service(actor=request.user, feedback=feedback, **arguments)
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as error:
                status = 403
                messages.error(request, str(error) or "You may not do this.")
            except InvalidStateError as error:
                status = 409
                messages.error(request, _conflict_message(error))
            else:
                result = result if isinstance(result, Feedback) else feedback
                due_on = uk_date(result.due_on, empty=NO_DATE)
                messages.success(request, done.format(force=result.force.name, due=due_on))
                return redirect(reverse("admin:feedback_feedback_change", args=[feedback.pk]))
        if status == 400:
            messages.error(request, "Please correct the errors below.")
        fresh = self._visible(request, object_id)
        bound = form if status == 400 else None
        return self._render_item(request, fresh, bound={step: bound} if bound else {}, status=status)

    def _render_item(self, request, feedback: Feedback, *, bound=None, status=200):
        user = request.user
        allowed = services.feedback_actions_for(actor=user, feedback=feedback)
        bound = bound or {}
        forms = {
            step: bound.get(step) or STEPS[step][0](feedback=feedback, user=user) for step in STEPS if step in allowed
        }
        if services.EDIT in forms:  # the defects the edit form lists to tick: a read, as on the draft page
            log_page_read(request, model=Defect, rows=admin_forms.listed_defects(forms[services.EDIT]))
        defects = (
            Defect.objects.filter(feedback=feedback)
            .select_related("category", "assessment__schedule__case")
            .order_by("id")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Feedback {feedback.pk} to {feedback.force.name}",
            "subtitle": None,
            "feedback": feedback,
            "defects": defects,
            "thread": selectors.feedback_messages(feedback=feedback),
            "step_forms": [
                SimpleNamespace(
                    name=step,
                    form=forms[step],
                    url=reverse(f"admin:feedback_feedback_{step}", args=[feedback.pk]),
                    heading=heading,
                    button=button,
                )
                for step, (heading, button) in STEP_TEXT.items()
                if step in forms
            ],
            "has_view_permission": True,
            "has_change_permission": bool(allowed),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/feedback/feedback/item.html", context, status=status)

    # --- "Draft feedback": from defects the CPS lead picks (the API's POST /feedback/) --------------------

    def draft_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        targets = feedback_targets(request)
        if not targets:
            raise PermissionDenied  # not a CPS lead: the service would refuse every draft (as the API's 403)
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        defects = admin_forms.defects_for_feedback(user=request.user, targets=targets)
        narrow = admin_forms.NarrowDefectsForm(request.GET)
        shown = narrow.narrowed(defects)
        if request.method == "GET":
            return self._render_draft(request, admin_forms.DraftForm(defects=defects, shown=shown), narrow)
        form = admin_forms.DraftForm(request.POST, defects=defects, shown=shown)
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    created = services.feedback_create(actor=request.user, **form.service_arguments())
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as error:
                status = 403
                messages.error(request, str(error) or "You may not do this.")
            else:
                messages.success(
                    request, f"Feedback {created.pk} to {created.force.name} drafted: check it, then send it."
                )
                return redirect(reverse("admin:feedback_feedback_change", args=[created.pk]))
        if status == 400:
            messages.error(request, "Please correct the errors below.")
        return self._render_draft(request, form, narrow, status=status)

    def _render_draft(self, request, form, narrow, *, status=200):
        log_page_read(request, model=Defect, rows=admin_forms.listed_defects(form))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Draft feedback",
            "subtitle": None,
            "form": form,
            "narrow": narrow,
            "shown_max": admin_forms.SHOWN_MAX,
            "has_view_permission": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/feedback/feedback/draft.html", context, status=status)

    # --- the dip sample's "draft feedback" button (the page is disclosure's) -------------------------

    def draft_from_sample_view(self, request, sample_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        sample_id = unquote(sample_id)
        dip_sample = (
            disclosure_selectors.dip_sample_list(user=request.user).filter(pk=sample_id).first()
            if is_valid_id(sample_id)
            else None
        )
        if dip_sample is None:
            raise Http404
        try:
            created = services.feedback_drafts_from_sample(actor=request.user, dip_sample=dip_sample)
        except PermissionDenied as error:
            return self._refused(request, dip_sample, str(error), status=403)
        except InvalidStateError as error:
            return self._refused(request, dip_sample, _conflict_message(error), status=409)
        listed = reverse("admin:feedback_feedback_changelist") + f"?dip_sample__id__exact={dip_sample.pk}"
        if not created:
            messages.info(
                request,
                f"Nothing new to draft: the police-side defects of sample {dip_sample.pk} already have feedback.",
            )
            return redirect(listed)
        messages.success(
            request,
            f"Drafted {len(created)} feedback item(s) from sample {dip_sample.pk}: check, then send each.",
        )
        if len(created) == 1:
            return redirect(reverse("admin:feedback_feedback_change", args=[created[0].pk]))
        return redirect(listed)

    def _refused(self, request, dip_sample, message: str, *, status: int):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Feedback not drafted",
            "message": message,
            "dip_sample": dip_sample,
        }
        return TemplateResponse(request, "admin/feedback/feedback/refused.html", context, status=status)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "dip_sample__id__exact" or super().lookup_allowed(lookup, value, request)


def _conflict_message(error: InvalidStateError) -> str:
    if error.code == "concurrent_update":
        return "Someone changed this feedback after you opened the page: nothing was done. Here it is as it is now."
    return error.message


def _administered_forces(user):
    """Forces whose response time ``user`` sets: those of the Areas it administers (all for a superuser), the
    rule of ``services.force_feedback_settings_set`` (an org admin of the force's Area, or a superuser)."""
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE)
    if user.is_superuser:
        return forces
    return forces.filter(area__in=organisations_administered_by(user=user))


@admin.register(ForceFeedbackSettings)
class ForceFeedbackSettingsAdmin(ServiceSaveMixin, NotFoundOutsideScopeMixin, admin.ModelAdmin):
    """The working days each force has to respond; an Area's org admins set them for the Area's forces.

    As the membership admin does (forces/admin.py; both are ``backend.admin.ServiceSaveMixin``): who may open
    these pages is the service's rule (there is no API endpoint for these settings; the service is the one
    rule), the staff flag adds nothing; every save is ``services.force_feedback_settings_set``, and a refusal
    is shown with the service's words, nothing written and nothing logged as changed.
    """

    list_display = ["force", "response_working_days", "updated_at"]
    list_select_related = ["force"]

    def _allowed(self, request) -> bool:
        return once_per_request(
            request,
            "sets_feedback_response_times",
            lambda: request.user.is_active and _administered_forces(request.user).exists(),
        )

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

    # --- the save is the service's ----------------------------------------------------------------

    def save_with_service(self, request, obj, change):
        saved = services.force_feedback_settings_set(
            actor=request.user, force=obj.force, response_working_days=obj.response_working_days
        )
        # The service saved its own row (get_or_create): the page links and logs that one.
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
