"""Dip sampling in the browser: the DipSample admin is where leads plan, draw, assess, complete and sign.

The rules are the API's, not a second set:

- who reads: ``DipSample.objects.visible_to(user)`` (the API's scoping); a sample or schedule
  outside it answers 404, and a member whose roles read no case-level rows (a chief officer)
  gets 403 on every page here;
- who may press a button: the predicates the services themselves apply
  (``may_change_dip_sample``: the sample's two leads; ``lead_may_write_for_force``: any lead of the
  stream, to assess; ``lead_side_for_force``: a lead of a side, to sign for it or name its lead). A button shows
  only to those; a POST by anyone else is a 403;
- every write is a service call; what a service refuses (``ValidationError``, ``PermissionDenied``,
  ``InvalidStateError`` and its 409s, screening) is shown as a form error or a message, and the
  service's transaction leaves nothing written. Forms carry the ``row_version`` the page was
  built from, so a change made meanwhile is refused rather than overwritten.
"""

from typing import cast

from auditlog.signals import accessed
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_POST

from backend.admin import SCOPED, ScopedAdmin, asked_once_per_request, uk_date
from backend.errors import ConcurrentUpdateError, InvalidStateError
from backend.filters import is_valid_id
from backend.querysets import related_count
from disclosure import selectors, services
from disclosure.admin_forms import (
    ActionForm,
    AssessmentForm,
    ChangePlanForm,
    DefectForm,
    DrawForm,
    NameLeadForm,
    PlanForm,
    ReasonForm,
    ScheduleReasonForm,
    hand_pick_choices,
)
from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Defect,
    DipSample,
    DipSampleStatus,
    Rating,
    SampledSchedule,
    Schedule,
)
from disclosure.rating import RATING_RULE
from disclosure.selectors import checklist_current, dip_sample_draw_preview
from disclosure.services.common import check_row_version, lock_sample
from disclosure.services.samples import assessing_unfinished, may_change_dip_sample
from forces.models import Organisation, Role, Side
from forces.selectors import lead_may_write_for_force, lead_side_for_force, reads_case_level_rows, user_is_org_admin


def may_read_samples(request) -> bool:
    """Whom the API serves samples: ``forces.selectors.reads_case_level_rows`` (case-level readers and superusers;
    the staff flag adds nothing), asked once per request."""
    return asked_once_per_request(request, reads_case_level_rows)


def may_plan_samples(user) -> bool:
    """Disclosure leads plan samples (the service then checks the force and stream they lead)."""
    if not user.is_active:
        return False
    return user.is_superuser or user.memberships.filter(role=Role.DISCLOSURE_LEAD).exists()


class Abilities:
    """What ``user`` may do with ``dip_sample``, by the services' own rules (computed once per page)."""

    def __init__(self, user, dip_sample: DipSample, *, has_assessments: bool = False):
        self.change = may_change_dip_sample(actor=user, dip_sample=dip_sample)
        self.side = lead_side_for_force(user=user, force=dip_sample.force, stream=dip_sample.stream)
        self.assess_role = lead_may_write_for_force(user=user, force=dip_sample.force, stream=dip_sample.stream)
        self.area_admin = user.is_superuser or (
            dip_sample.status in (DipSampleStatus.COMPLETED, DipSampleStatus.SIGNED_OFF)
            and user_is_org_admin(user=user, organisation=Organisation(pk=dip_sample.area_id))
        )
        status = dip_sample.status
        self.draw = self.change and status == DipSampleStatus.PLANNED
        self.change_plan = self.delete = self.draw  # the API's PATCH and DELETE of a planned sample
        # The PATCH of a side's own lead alone (no grant needed, until signed off); Change plan names it while planned.
        self.name_lead = (
            (user.is_superuser or self.side is not None)
            and status != DipSampleStatus.SIGNED_OFF
            and not self.change_plan
        )
        self.undraw = self.change and status == DipSampleStatus.IN_PROGRESS and not has_assessments
        self.add_schedule = self.change and status == DipSampleStatus.IN_PROGRESS
        self.mark_not_assessable = self.add_schedule
        self.assess = self.assess_role and status == DipSampleStatus.IN_PROGRESS
        self.edit_assessment = self.assess_role and status in (DipSampleStatus.IN_PROGRESS, DipSampleStatus.COMPLETED)
        self.complete = self.change and status == DipSampleStatus.IN_PROGRESS
        self.sign_off = (
            self.side is not None
            and status == DipSampleStatus.COMPLETED
            and not getattr(dip_sample, f"{self.side}_signed_off_by_id")
        )
        self.reopen = (status == DipSampleStatus.COMPLETED and (self.change or self.area_admin)) or (
            status == DipSampleStatus.SIGNED_OFF and self.area_admin
        )


def _field_label(form, field: str) -> str:
    if form is not None and field in form.fields and form.fields[field].label:
        return str(form.fields[field].label)
    return capfirst(field.split("[")[0].replace("_", " "))


def in_plain_words(error: InvalidStateError) -> str:
    """The service's 409 message, with the API's instructions (fields, headers) put as the page's."""
    if error.code == "overlapping_sample":
        found = error.message.partition(" Send allow_overlap")[0]
        return f"{found} To plan it anyway, tick the box about another sample below and say why."
    if error.code == "row_version_required":
        return "The page was out of date: reload it and try again."
    return error.message


def report_refusal(request, error: Exception, form=None, aliases: dict[str, str] | None = None) -> None:
    """A service's refusal in plain words: on the form's fields where it names one, else as a message.

    ``aliases`` maps a service's argument to the form field that fed it (``police_lead`` -> ``other_lead``).
    """
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                field = (aliases or {}).get(name, name)
                if form is not None and field in form.fields:
                    form.add_error(field, texts)
                    continue
                for text in texts:
                    line = text if field == "__all__" else f"{_field_label(form, field)}: {text}"
                    if form is not None:
                        form.add_error(None, line)
                    else:
                        messages.error(request, line)
        else:
            for text in error.messages:
                form.add_error(None, text) if form is not None else messages.error(request, text)
        if form is None:
            return
        messages.error(request, "Nothing was saved: see the errors below.")
    elif isinstance(error, PermissionDenied):
        messages.error(request, f"Not allowed: {error}" if str(error) else "You may not do this.")
    elif isinstance(error, InvalidStateError):
        messages.error(request, in_plain_words(error))
    else:  # pragma: no cover - run_service catches only the three above
        raise error


def run_service(request, call, form=None, aliases: dict[str, str] | None = None):
    """``call()`` (a service call); its refusal reported as ``report_refusal`` does, and ``None`` returned."""
    try:
        return call()
    except (ValidationError, PermissionDenied, InvalidStateError) as error:
        report_refusal(request, error, form, aliases)
        return None


def with_row_version(dip_sample: DipSample, row_version: int | None, service, **kwargs):
    """Run ``service`` on the sample if it is still at ``row_version`` (the version the button was shown with)."""
    with transaction.atomic():
        locked = lock_sample(dip_sample)
        check_row_version(locked, row_version)
        return service(dip_sample=locked, **kwargs)


def stale_page(outcome: str) -> str:
    """The service's 409 for a stale ``row_version`` (``ConcurrentUpdateError``), as the page puts it."""
    return f"Someone changed this sample after you opened the page: {outcome}. Here it is as it is now."


SIDE_LABELS = {Side.CPS: "CPS", Side.POLICE: "police"}


def lead_form_title(form: NameLeadForm) -> str:
    sides = form.sides
    return f"Name the {SIDE_LABELS[sides[0]]} lead" if len(sides) == 1 else "Name the sample's leads"


#: The plain buttons of a sample's page (``dip_sample_<verb>`` services): verb -> what success says.
SAMPLE_ACTIONS = {
    "undraw": "The draw is undone: the schedules are eligible again.",
    "complete": "The sample is completed: both sides can now sign it off.",
    "sign_off": "You signed the sample off for your side.",
}


class DipSampleAdmin(ScopedAdmin):
    """The dip sample's changelist, its plan form (the add view) and its workspace (the change view)."""

    list_display = ["sample", "force_name", "stream", "period", "status", "leads", "assessed"]
    list_display_links = ["sample"]
    list_filter = ["status", "stream", ("force", SCOPED)]
    list_select_related = ["force", "cps_lead", "police_lead"]
    date_hierarchy = "period_start"
    change_form_template = "admin/disclosure/dipsample/workspace.html"
    add_form_template = "admin/disclosure/dipsample/plan.html"
    log_consultation = True  # the list's pages (ScopedAdmin); the workspace logs its own read

    # --- who ----------------------------------------------------------------------------------

    def has_view_permission(self, request, obj=None):
        return may_read_samples(request)

    def has_add_permission(self, request):
        return may_plan_samples(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # the workspace's buttons write, through the services; there is no model form

    def get_queryset(self, request):
        """The API's read of samples (``dip_sample_list``: ``visible_to(user)``, leads, number assessed)."""
        return selectors.dip_sample_list(user=request.user)

    # --- the list -----------------------------------------------------------------------------

    @admin.display(description="Joint dip sample", ordering="id")
    def sample(self, obj):
        return f"No. {obj.pk}: {obj.force.code}, {obj.get_stream_display()}"

    @admin.display(description="Police force", ordering="force__name")
    def force_name(self, obj):
        return obj.force.name

    @admin.display(description="Schedules received", ordering="period_start")
    def period(self, obj):
        return f"{uk_date(obj.period_start)} to {uk_date(obj.period_end)}"

    @admin.display(description="Leads (CPS / police)")
    def leads(self, obj):
        # The usernames come annotated with the row (``dip_sample_list``): no query per sample.
        return f"{obj.cps_lead_username or '(none)'} / {obj.police_lead_username or '(none)'}"

    @admin.display(description="Assessed", ordering="assessment_count")
    def assessed(self, obj):
        return obj.assessment_count

    # --- urls ---------------------------------------------------------------------------------

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"

        def wrap(view):
            return self.admin_site.admin_view(view)

        extra = [
            path("<int:object_id>/draw/", wrap(require_POST(self.draw_view)), name=f"{info}_draw"),
            *(
                path(
                    f"<int:object_id>/{verb.replace('_', '-')}/",
                    wrap(require_POST(self.sample_action_view)),
                    {"verb": verb},
                    name=f"{info}_{verb.replace('_', '')}",
                )
                for verb in SAMPLE_ACTIONS
            ),
            path(
                "<int:object_id>/add-schedule/", wrap(require_POST(self.add_schedule_view)), name=f"{info}_addschedule"
            ),
            path("<int:object_id>/reopen/", wrap(require_POST(self.reopen_view)), name=f"{info}_reopen"),
            path("<int:object_id>/change-plan/", wrap(require_POST(self.change_plan_view)), name=f"{info}_changeplan"),
            path("<int:object_id>/name-lead/", wrap(require_POST(self.name_lead_view)), name=f"{info}_namelead"),
            path(
                "<int:object_id>/delete-planned/",
                wrap(require_http_methods(["GET", "POST"])(self.delete_planned_view)),
                name=f"{info}_deleteplanned",
            ),
            path(
                "<int:object_id>/schedules/<int:schedule_id>/",
                wrap(self.assess_view),
                name=f"{info}_assess",
            ),
            path(
                "<int:object_id>/schedules/<int:schedule_id>/not-assessable/",
                wrap(require_POST(self.not_assessable_view)),
                name=f"{info}_notassessable",
            ),
            path(
                "<int:object_id>/schedules/<int:schedule_id>/defects/",
                wrap(require_POST(self.defect_add_view)),
                name=f"{info}_adddefect",
            ),
            path(
                "<int:object_id>/schedules/<int:schedule_id>/defects/<int:defect_id>/withdraw/",
                wrap(require_POST(self.defect_withdraw_view)),
                name=f"{info}_withdrawdefect",
            ),
        ]
        return extra + super().get_urls()

    # --- lookups: 403 without the role to read samples, 404 outside visible_to -----------------

    def _sample(self, request, object_id) -> DipSample:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not is_valid_id(str(object_id)):
            raise Http404("No such dip sample.")  # the change page's route takes any text
        sample = (
            DipSample.objects.visible_to(request.user)
            .select_related("force", "cps_lead", "police_lead", "cps_signed_off_by", "police_signed_off_by")
            .filter(pk=object_id)
            .first()
        )
        if sample is None:
            raise Http404("No such dip sample.")
        return sample

    def _schedule(self, request, sample: DipSample, schedule_id) -> tuple[Schedule, SampledSchedule]:
        sampled = (
            SampledSchedule.objects.filter(
                dip_sample=sample,
                schedule__in=Schedule.objects.visible_to(request.user).filter(pk=schedule_id),
            )
            .select_related("schedule__case")
            .first()
        )
        if sampled is None:
            raise Http404("This schedule is not in the sample.")
        return sampled.schedule, sampled

    def _assessment(self, request, sample: DipSample, schedule: Schedule) -> Assessment | None:
        return (
            Assessment.objects.visible_to(request.user)
            .filter(dip_sample=sample, schedule=schedule)
            .select_related("checklist", "assessed_by")
            .first()
        )

    def _sample_url(self, sample: DipSample) -> str:
        return reverse("admin:disclosure_dipsample_change", args=[sample.pk])

    def _assess_url(self, sample: DipSample, schedule_id: int) -> str:
        return reverse("admin:disclosure_dipsample_assess", args=[sample.pk, schedule_id])

    def _context(self, request, title: str, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    # --- plan ---------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PlanForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            force, stream = form.cleaned_data["force"], form.cleaned_data["stream"]
            side = lead_side_for_force(user=request.user, force=force, stream=stream)
            sample = run_service(
                request,
                lambda: services.dip_sample_create(actor=request.user, **form.service_arguments(side=side)),
                form,
                aliases={"cps_lead": "other_lead", "police_lead": "other_lead"},
            )
            if sample is not None:
                messages.success(
                    request, f"Dip sample No. {sample.pk} is planned. Check the eligible schedules, then draw."
                )
                return HttpResponseRedirect(self._sample_url(sample))
        context = self._context(request, "Plan a joint dip sample", form=form)
        return TemplateResponse(request, self.add_form_template, context)

    # --- the workspace ------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        sample = self._sample(request, object_id)
        accessed.send(sender=DipSample, instance=sample)  # a consultation, as the API's detail read
        return self._render_workspace(request, sample)

    def _render_workspace(
        self,
        request,
        sample: DipSample,
        *,
        draw_form=None,
        pick_form=None,
        reopen_form=None,
        plan_form=None,
        lead_form=None,
    ):
        user = request.user
        sampled = list(sample.sampled.select_related("schedule__case").order_by("position"))
        assessments = {
            assessment.schedule_id: assessment
            for assessment in Assessment.objects.visible_to(user)
            .filter(dip_sample=sample)
            .select_related("assessed_by")
            .annotate(defect_count=related_count(Defect.objects.all(), "assessment"))
        }
        can = Abilities(user, sample, has_assessments=bool(assessments))
        rows = [(entry, assessments.get(entry.schedule_id)) for entry in sampled]
        preview = None
        if sample.status == DipSampleStatus.PLANNED:
            preview = dip_sample_draw_preview(dip_sample=sample)
            if can.draw and draw_form is None:
                cap = cast(int, preview["cap"])
                draw_form = DrawForm(initial={"row_version": sample.row_version, "size": cap}, cap=cap)
        if can.add_schedule and pick_form is None:
            pick_form = ScheduleReasonForm(
                initial={"row_version": sample.row_version},
                schedules=hand_pick_choices(user=user, dip_sample=sample),
            )
        if can.reopen and reopen_form is None:
            reopen_form = ReasonForm(initial={"row_version": sample.row_version})
        if can.change_plan and plan_form is None:
            plan_form = ChangePlanForm(user=user, dip_sample=sample)
        if can.name_lead and lead_form is None:
            lead_form = NameLeadForm(user=user, dip_sample=sample)
        if lead_form is not None and not (can.name_lead or lead_form.is_bound):
            lead_form = None  # a refused form stays on the page with its errors; else only who may use it sees it
        done = sum(1 for entry, assessment in rows if assessment or entry.not_assessable_reason)
        complete_blocked = None  # why the Complete button is disabled: the service's completion rule, not yet met
        if can.complete:
            unfinished = assessing_unfinished(
                sampled=[(entry.schedule_id, entry.not_assessable_reason) for entry in sampled],
                assessed=set(assessments),
            )
            if unfinished and done < len(rows):
                complete_blocked = (
                    f"{done} of {len(rows)} schedules assessed or marked not assessable: "
                    "the sample can be completed once every one is."
                )
            elif unfinished:
                complete_blocked = unfinished
        context = self._context(
            request,
            f"Joint dip sample No. {sample.pk}: {sample.force.name}, {sample.get_stream_display()}",
            original=sample,
            sample=sample,
            rows=rows,
            done=done,
            can=can,
            complete_blocked=complete_blocked,
            preview=preview,
            draw_form=draw_form,
            pick_form=pick_form,
            reopen_form=reopen_form,
            plan_form=plan_form if can.change_plan else None,
            lead_form=lead_form,
            lead_form_title=lead_form_title(lead_form) if lead_form is not None else "",
            action_form=ActionForm(initial={"row_version": sample.row_version}),
            side_label=SIDE_LABELS[can.side] if can.side else "",
        )
        return TemplateResponse(request, self.change_form_template, context)

    def draw_view(self, request, object_id):
        sample = self._sample(request, object_id)
        if not may_change_dip_sample(actor=request.user, dip_sample=sample):
            raise PermissionDenied
        cap = cast(int, dip_sample_draw_preview(dip_sample=sample)["cap"])
        form = DrawForm(request.POST, cap=cap)
        if form.is_valid():
            drawn = run_service(
                request,
                lambda: with_row_version(
                    sample,
                    form.cleaned_data["row_version"],
                    services.dip_sample_draw,
                    actor=request.user,
                    size=form.cleaned_data["size"],
                ),
                form,
            )
            if drawn is not None:
                messages.success(
                    request,
                    f"Drew {drawn.sampled.count()} schedule(s) at random from {drawn.eligible_count} eligible. "
                    "The seed is recorded so the draw can be checked.",
                )
                return HttpResponseRedirect(self._sample_url(drawn))
        else:
            messages.error(request, "Nothing was drawn: see the errors below.")
        return self._render_workspace(request, sample, draw_form=form)

    def sample_action_view(self, request, object_id, verb):
        sample = self._sample(request, object_id)
        allowed = (
            lead_side_for_force(user=request.user, force=sample.force, stream=sample.stream) is not None
            if verb == "sign_off"
            else may_change_dip_sample(actor=request.user, dip_sample=sample)
        )
        if not allowed:
            raise PermissionDenied
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The page was out of date: reload it and try again.")
            return HttpResponseRedirect(self._sample_url(sample))
        service = getattr(services, f"dip_sample_{verb}")
        done = run_service(
            request,
            lambda: with_row_version(sample, form.cleaned_data["row_version"], service, actor=request.user),
        )
        if done is not None:
            message = SAMPLE_ACTIONS[verb]
            if verb == "sign_off" and done.status == DipSampleStatus.SIGNED_OFF:
                message = "You signed the sample off for your side: both sides have now signed, it is signed off."
            messages.success(request, message)
        return HttpResponseRedirect(self._sample_url(sample))

    def add_schedule_view(self, request, object_id):
        sample = self._sample(request, object_id)
        if not may_change_dip_sample(actor=request.user, dip_sample=sample):
            raise PermissionDenied
        form = ScheduleReasonForm(request.POST, schedules=hand_pick_choices(user=request.user, dip_sample=sample))
        if form.is_valid():
            data = form.cleaned_data
            done = run_service(
                request,
                lambda: with_row_version(
                    sample,
                    data["row_version"],
                    services.dip_sample_add_schedule,
                    actor=request.user,
                    schedule=data["schedule"],
                    reason=data["reason"],
                ),
                form,
            )
            if done is not None:
                messages.success(request, f"Schedule {data['schedule'].case.urn} was added by hand, with your reason.")
                return HttpResponseRedirect(self._sample_url(sample))
        else:
            messages.error(request, "Nothing was added: see the errors below.")
        return self._render_workspace(request, sample, pick_form=form)

    def reopen_view(self, request, object_id):
        sample = self._sample(request, object_id)
        if not Abilities(request.user, sample).reopen:
            raise PermissionDenied
        form = ReasonForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                lambda: with_row_version(
                    sample,
                    form.cleaned_data["row_version"],
                    services.dip_sample_reopen,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                form,
            )
            if done is not None:
                messages.success(request, "The sample is reopened; both sides must sign it off again.")
                return HttpResponseRedirect(self._sample_url(sample))
        else:
            messages.error(request, "The sample was not reopened: see the errors below.")
        return self._render_workspace(request, sample, reopen_form=form)

    # --- change or delete a planned sample (the API's PATCH and DELETE) ------------------------

    def change_plan_view(self, request, object_id):
        """The API's ``PATCH .../dip-samples/{id}/``: ``dip_sample_update`` with the fields its serializer takes."""
        sample = self._sample(request, object_id)
        if not may_change_dip_sample(actor=request.user, dip_sample=sample):
            raise PermissionDenied
        form = ChangePlanForm(request.POST, user=request.user, dip_sample=sample)
        if not form.is_valid():
            messages.error(request, "Nothing was changed: see the errors below.")
            return self._render_workspace(request, sample, plan_form=form)
        try:
            changed = services.dip_sample_update(
                actor=request.user,
                dip_sample=sample,
                row_version=form.cleaned_data["row_version"],
                **form.service_arguments(),
            )
        except ConcurrentUpdateError:
            messages.error(request, stale_page("nothing was changed"))
            return HttpResponseRedirect(self._sample_url(sample))
        except (ValidationError, PermissionDenied, InvalidStateError) as error:
            report_refusal(request, error, form)
            return self._render_workspace(request, sample, plan_form=form)
        if changed.row_version == form.cleaned_data["row_version"]:
            messages.info(request, "Nothing was changed: the plan already says that.")
        else:
            messages.success(request, "The plan is changed.")
        return HttpResponseRedirect(self._sample_url(sample))

    def name_lead_view(self, request, object_id):
        """The API's ``PATCH .../dip-samples/{id}/`` with only ``cps_lead`` or ``police_lead``: a lead of a side names
        its side's lead at any status until signed off, with no grant on the sample (``dip_sample_update``'s rule: the
        lead named may have left). The service decides; the page offers only the user's own side's field."""
        sample = self._sample(request, object_id)
        user = request.user
        if not (user.is_superuser or lead_side_for_force(user=user, force=sample.force, stream=sample.stream)):
            raise PermissionDenied
        form = NameLeadForm(request.POST, user=user, dip_sample=sample)
        if not form.is_valid():
            messages.error(request, "Nothing was changed: see the errors below.")
            return self._render_workspace(request, sample, lead_form=form)
        wanted = form.service_arguments()
        try:
            changed = services.dip_sample_update(
                actor=user, dip_sample=sample, row_version=form.cleaned_data["row_version"], **wanted
            )
        except ConcurrentUpdateError:
            messages.error(request, stale_page("nothing was changed"))
            return HttpResponseRedirect(self._sample_url(sample))
        except (ValidationError, PermissionDenied, InvalidStateError) as error:
            report_refusal(request, error, form)
            if form.errors:
                return self._render_workspace(request, sample, lead_form=form)
            return HttpResponseRedirect(self._sample_url(sample))
        if changed.row_version == form.cleaned_data["row_version"]:
            named_now = "that is the lead" if len(wanted) == 1 else "those are the leads"
            messages.info(request, f"Nothing was changed: {named_now} named now.")
            return HttpResponseRedirect(self._sample_url(sample))
        changed_sides = [
            name for name, lead in wanted.items() if getattr(sample, f"{name}_id") != (lead.pk if lead else None)
        ]
        for name in changed_sides:
            lead = getattr(changed, name)
            side = SIDE_LABELS[Side(name.removesuffix("_lead"))]
            if lead is None:
                messages.success(request, f"No {side} lead is named now.")
            else:
                messages.success(request, f"{lead.username} is now the {side} lead.")
        if getattr(changed, "signatures_voided", False):
            messages.warning(request, "The change voided the signatures: each side must sign the sample off again.")
        return HttpResponseRedirect(self._sample_url(sample))

    def delete_planned_view(self, request, object_id):
        """The API's ``DELETE .../dip-samples/{id}/`` (``dip_sample_delete``), asked for on a confirmation page."""
        sample = self._sample(request, object_id)
        if not may_change_dip_sample(actor=request.user, dip_sample=sample):
            raise PermissionDenied
        if request.method == "GET" and sample.status != DipSampleStatus.PLANNED:
            # No confirmation for what the service would refuse: the page says so (the POST is refused all the same).
            messages.error(request, "Only a planned sample with no assessments can be deleted.")
            return HttpResponseRedirect(self._sample_url(sample))
        if request.method == "GET":
            context = self._context(
                request,
                f"Delete dip sample No. {sample.pk}?",
                sample=sample,
                form=ActionForm(initial={"row_version": sample.row_version}),
            )
            return TemplateResponse(request, "admin/disclosure/dipsample/delete_planned.html", context)
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The page was out of date: reload it and try again.")
            return HttpResponseRedirect(self._sample_url(sample))
        try:
            with_row_version(sample, form.cleaned_data["row_version"], services.dip_sample_delete, actor=request.user)
        except ConcurrentUpdateError:
            messages.error(request, stale_page("it was not deleted"))
            return HttpResponseRedirect(self._sample_url(sample))
        except (ValidationError, PermissionDenied, InvalidStateError) as error:
            report_refusal(request, error)
            return HttpResponseRedirect(self._sample_url(sample))
        messages.success(
            request, f"Dip sample No. {object_id} ({sample.force.code}, {sample.get_stream_display()}) is deleted."
        )
        return HttpResponseRedirect(reverse("admin:disclosure_dipsample_changelist"))

    # --- assessing one schedule ----------------------------------------------------------------

    def _criteria(self, schedule: Schedule, assessment: Assessment | None):
        checklist = assessment.checklist if assessment is not None else checklist_current()
        return [
            criterion
            for criterion in checklist.criteria.order_by("position", "code")
            if criterion.applies_to_kind(schedule.kind)
        ], checklist

    def _assessment_form(self, request, schedule, assessment, data=None):
        criteria, _ = self._criteria(schedule, assessment)
        initial = {}
        if assessment is not None:
            answers = AssessmentAnswer.objects.filter(assessment=assessment).select_related("criterion")
            initial = {f"answer_{answer.criterion.code}": answer.result for answer in answers}
            initial.update(
                row_version=assessment.row_version,
                drs_complete=assessment.drs_complete,
                prosecutor_fed_back=assessment.prosecutor_fed_back,
                notes=assessment.notes,
            )
        return AssessmentForm(data, initial=initial, criteria=criteria)

    def assess_view(self, request, object_id, schedule_id):
        sample = self._sample(request, object_id)
        schedule, sampled = self._schedule(request, sample, schedule_id)
        assessment = self._assessment(request, sample, schedule)
        if request.method != "POST":
            accessed.send(sender=Schedule, instance=schedule)
            if assessment is not None:
                accessed.send(sender=Assessment, instance=assessment)
            return self._render_assess(request, sample, schedule, sampled, assessment)
        if not lead_may_write_for_force(user=request.user, force=sample.force, stream=sample.stream):
            raise PermissionDenied
        form = self._assessment_form(request, schedule, assessment, data=request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was saved: answer every criterion (see below).")
            return self._render_assess(request, sample, schedule, sampled, assessment, assessment_form=form)
        data = form.cleaned_data
        fields = {
            "answers": form.answers(),
            "drs_complete": data["drs_complete"],
            "prosecutor_fed_back": data["prosecutor_fed_back"],
            "notes": data["notes"],
        }
        if assessment is None:
            saved = run_service(
                request,
                lambda: services.assessment_create(actor=request.user, dip_sample=sample, schedule=schedule, **fields),
                form,
            )
        else:
            saved = run_service(
                request,
                lambda: services.assessment_update(
                    actor=request.user, assessment=assessment, row_version=data["row_version"], **fields
                ),
                form,
            )
        if saved is None:
            return self._render_assess(request, sample, schedule, sampled, assessment, assessment_form=form)
        messages.success(request, f"Saved. The answers give: {saved.get_rating_display()}.")
        if getattr(saved, "signatures_voided", False):
            messages.warning(request, "The change voided both signatures: each side must sign the sample off again.")
        return HttpResponseRedirect(self._assess_url(sample, schedule.pk))

    def _render_assess(
        self,
        request,
        sample,
        schedule,
        sampled,
        assessment,
        *,
        assessment_form=None,
        defect_form=None,
        reason_form=None,
    ):
        user = request.user
        can = Abilities(user, sample, has_assessments=True)
        may_edit = can.assess if assessment is None else can.edit_assessment
        may_edit = may_edit and not sampled.not_assessable_reason
        if assessment_form is None:
            assessment_form = self._assessment_form(request, schedule, assessment)
        criteria, checklist = self._criteria(schedule, assessment)
        shown_rating = None
        if assessment_form.is_bound:
            computed = assessment_form.rating_of_input()
            shown_rating = Rating(computed).label if computed else None
        elif assessment is not None:
            shown_rating = assessment.get_rating_display()
        defects = []
        if assessment is not None:
            defects = list(
                Defect.objects.visible_to(user).filter(assessment=assessment).select_related("category").order_by("id")
            )
        if assessment is not None and can.assess and defect_form is None:
            defect_form = DefectForm(user=user)
        if assessment is None and can.mark_not_assessable and not sampled.not_assessable_reason and reason_form is None:
            reason_form = ReasonForm(initial={"row_version": sample.row_version})
        entries = list(sample.sampled.order_by("position").values_list("schedule_id", flat=True))
        index = entries.index(schedule.pk)
        context = self._context(
            request,
            f"Assess {schedule.kind.upper()} of case {schedule.case.urn}",
            sample=sample,
            schedule=schedule,
            sampled=sampled,
            assessment=assessment,
            checklist=checklist,
            form=assessment_form,
            may_edit=may_edit,
            shown_rating=shown_rating,
            rating_rule=RATING_RULE,
            defects=defects,
            defect_form=defect_form if assessment is not None and can.assess else None,
            may_withdraw_defects=can.assess,
            reason_form=reason_form if can.mark_not_assessable else None,
            position=index + 1,
            total=len(entries),
            previous_url=self._assess_url(sample, entries[index - 1]) if index > 0 else None,
            next_url=self._assess_url(sample, entries[index + 1]) if index + 1 < len(entries) else None,
            critical_codes={criterion.code for criterion in criteria if criterion.is_critical},
        )
        return TemplateResponse(request, "admin/disclosure/dipsample/assess.html", context)

    def not_assessable_view(self, request, object_id, schedule_id):
        sample = self._sample(request, object_id)
        schedule, sampled = self._schedule(request, sample, schedule_id)
        if not may_change_dip_sample(actor=request.user, dip_sample=sample):
            raise PermissionDenied
        form = ReasonForm(request.POST)
        if form.is_valid():
            done = run_service(
                request,
                lambda: with_row_version(
                    sample,
                    form.cleaned_data["row_version"],
                    services.dip_sample_mark_not_assessable,
                    actor=request.user,
                    schedule=schedule,
                    reason=form.cleaned_data["reason"],
                ),
                form,
            )
            if done is not None:
                messages.success(
                    request, f"Schedule {schedule.case.urn} {schedule.kind.upper()} is marked not assessable."
                )
                return HttpResponseRedirect(self._sample_url(sample))
        else:
            messages.error(request, "Nothing was saved: see the errors below.")
        assessment = self._assessment(request, sample, schedule)
        return self._render_assess(request, sample, schedule, sampled, assessment, reason_form=form)

    def defect_add_view(self, request, object_id, schedule_id):
        sample = self._sample(request, object_id)
        schedule, sampled = self._schedule(request, sample, schedule_id)
        if not lead_may_write_for_force(user=request.user, force=sample.force, stream=sample.stream):
            raise PermissionDenied
        assessment = self._assessment(request, sample, schedule)
        if assessment is None:
            messages.error(request, "Assess the schedule first; then log its defects.")
            return HttpResponseRedirect(self._assess_url(sample, schedule.pk))
        form = DefectForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            defect = run_service(
                request,
                lambda: services.defect_create(
                    actor=request.user,
                    assessment=assessment,
                    category=data["category"],
                    severity=data["severity"] or None,
                    item_reference=data["item_reference"],
                    description=data["description"],
                ),
                form,
            )
            if defect is not None:
                messages.success(
                    request, f"Defect {defect.category.code} logged: {defect.get_severity_display().lower()}."
                )
                return HttpResponseRedirect(self._assess_url(sample, schedule.pk))
        else:
            messages.error(request, "The defect was not logged: see the errors below.")
        return self._render_assess(request, sample, schedule, sampled, assessment, defect_form=form)

    def defect_withdraw_view(self, request, object_id, schedule_id, defect_id):
        sample = self._sample(request, object_id)
        schedule, _ = self._schedule(request, sample, schedule_id)
        defect = (
            Defect.objects.visible_to(request.user)
            .filter(pk=defect_id, assessment__dip_sample=sample, assessment__schedule=schedule)
            .select_related("assessment", "category")
            .first()
        )
        if defect is None:
            raise Http404("No such defect on this schedule.")
        if not lead_may_write_for_force(user=request.user, force=sample.force, stream=sample.stream):
            raise PermissionDenied
        try:
            services.defect_delete(actor=request.user, defect=defect)
        except (ValidationError, PermissionDenied, InvalidStateError) as error:
            report_refusal(request, error)
        else:
            messages.success(request, f"Defect {defect.category.code} withdrawn.")
        return HttpResponseRedirect(self._assess_url(sample, schedule.pk))
