"""Forms of the feedback pages in the admin: they parse input; the services decide (feedback/services.py).

Each form carries the ``row_version`` the page was drawn from, so a step taken on a page that
someone else has changed since is refused (409) instead of acting on what the user did not see.
A service's ``ValidationError`` is put back on the form's fields (``add_service_errors``).
"""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from backend.filters import is_valid_id
from disclosure.models import Defect, Schedule, normalise_urn
from feedback.api.serializers import TEXT_MAX
from feedback.models import Feedback, IcoReported, Outcome
from forces.models import OrganisationKind, Side
from forces.selectors import lead_sides_for_forces, organisation_list

#: UK dates typed by hand, and the ISO form a browser's date picker sends.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _text(label: str, *, required: bool = True, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 80}),
    )


# --- which defects a user may feed back on (the choices of the draft and edit forms) ----------------------


def feedback_targets(*, user) -> list[tuple[int, str]]:
    """The (force id, stream) pairs ``user`` may draft feedback to: the service's rule (``feedback_create`` lets a
    CPS lead of the stream for the force's Area draft, ``forces.selectors.lead_side_for_force``; superusers speak
    for neither side), asked of every police force ``user`` sees and every stream. Empty for everyone else.

    Two queries: the forces, and the user's lead memberships (``forces.selectors.lead_sides_for_forces``).
    """
    if user.is_superuser or not user.is_active:
        return []
    forces = organisation_list(user=user).filter(kind=OrganisationKind.POLICE_FORCE).order_by("code")
    sides = lead_sides_for_forces(user=user, forces=forces)
    return [pair for pair, side in sides.items() if side == Side.CPS]


def defects_for_feedback(*, user, targets: list[tuple[int, str]]) -> QuerySet[Defect]:
    """Police-side defects ``user`` sees (``visible_to``) of the forces and streams of ``targets``, newest sample
    first, with what a page shows to choose them. The service checks again (one force and stream per item)."""
    scope = Q(pk__in=[])
    for force_id, stream in targets:
        scope |= Q(force_id=force_id, assessment__dip_sample__stream=stream)
    return (
        Defect.objects.visible_to(user)
        .filter(scope, category__side=Side.POLICE)
        .select_related("category", "force", "assessment__dip_sample", "assessment__schedule__case")
        .order_by("-id")
    )


#: The most defects a page lists to tick: a lead narrows the list (by dip sample or case) to find older ones. The
#: field still accepts any defect of its whole queryset (as the API does), so the page costs the same at any scale.
SHOWN_MAX = 100


def _defect_label(defect: Defect) -> str:
    schedule = defect.assessment.schedule
    sample = defect.assessment.dip_sample
    item = f"item {defect.item_reference}" if defect.item_reference else "no item reference"
    return (
        f"Defect {defect.pk} \u2013 {defect.force.code} {sample.get_stream_display()}, dip sample {sample.pk}, "
        f"{schedule.kind.upper()} rev. {schedule.revision} (case {schedule.case.urn}): "
        f"{defect.category.code} {defect.category.name}, {defect.get_severity_display().lower()}, {item}"
    )


class DefectsField(forms.ModelMultipleChoiceField):
    """Defects to tick, each described by what one chooses it by (``_defect_label``)."""

    shown: list[Defect] = []

    def __init__(self, *, required: bool = True):
        super().__init__(
            label="Defects",
            queryset=Defect.objects.none(),
            required=required,
            widget=forms.CheckboxSelectMultiple,
            help_text="Police-side defects of one force and one stream.",
        )

    def label_from_instance(self, obj: Defect) -> str:
        return _defect_label(obj)

    def clean(self, value):
        # An id no database column can hold is refused here, before it reaches a query (SQLite overflows on it).
        for pk in value if isinstance(value, list | tuple) else ():
            if not is_valid_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)

    def show(self, defects: QuerySet[Defect], *, ticked=()) -> bool:
        """List at most ``SHOWN_MAX`` of ``defects``, and the ``ticked`` ones (those of the field's queryset), rather
        than the whole queryset; True when ``defects`` has more than were listed."""
        rows = list(defects[: SHOWN_MAX + 1])
        more = len(rows) > SHOWN_MAX
        rows = rows[:SHOWN_MAX]
        missing = {int(pk) for pk in ticked if is_valid_id(pk)} - {defect.pk for defect in rows}
        if missing and self.queryset is not None:
            rows += list(self.queryset.filter(pk__in=missing))
        self.shown = rows  # the rows the page lists: a read of case-level records, logged as such
        self.widget.choices = [(defect.pk, self.label_from_instance(defect)) for defect in rows]
        return more


def listed_defects(form: forms.Form) -> list[Defect]:
    """The defects ``form``'s ``defects`` field lists to tick (``DefectsField.show``)."""
    return cast(DefectsField, form.fields["defects"]).shown


class ServiceErrorsForm(forms.Form):
    """A form that puts a service's ``ValidationError`` back on its fields."""

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal on the fields it names (on the form when it names none of them)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.message_dict.items():
            if field in self.fields and not isinstance(self.fields[field].widget, forms.HiddenInput):
                self.add_error(field, errors)
            else:
                self.add_error(None, [f"{field.replace('_', ' ').capitalize()}: {message}" for message in errors])


class DraftForm(ServiceErrorsForm):
    """Feedback drafted from defects the user picks: the API's ``POST /feedback/`` fields (``feedback_create``)."""

    defects = DefectsField()
    summary = _text("Summary", rows=5)
    requested_action = _text("What the force should do", rows=4)

    def __init__(self, *args, defects: QuerySet[Defect], shown: QuerySet[Defect], **kwargs):
        """``defects``: every defect the user may pick; ``shown``: those the page lists (narrowed, at most
        ``SHOWN_MAX``; ``self.more`` says whether there were more), with any ticked in a refused post."""
        super().__init__(*args, **kwargs)
        field = cast(DefectsField, self.fields["defects"])
        field.queryset = defects
        self.more = field.show(shown, ticked=self["defects"].value() or ())

    def service_arguments(self) -> dict:
        return {**self.cleaned_data, "defects": list(self.cleaned_data["defects"])}


class StepForm(ServiceErrorsForm):
    """A workflow step on one feedback item: the version the page showed, and the step's own fields."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, feedback: Feedback, user, **kwargs):
        kwargs.setdefault("initial", {})["row_version"] = feedback.row_version
        super().__init__(*args, **kwargs)
        self.feedback = feedback
        self.user = user

    def service_arguments(self) -> dict:
        """The keyword arguments for the step's service, from the cleaned data."""
        return dict(self.cleaned_data)


class SendForm(StepForm):
    pass


class AcknowledgeForm(StepForm):
    pass


class CloseForm(StepForm):
    pass


class ReopenForm(StepForm):
    reason = _text("Why reopen it", help_text="The force answers afresh, with a new due date.")


class EditDraftForm(StepForm):
    """The API's ``PATCH /feedback/{id}/`` on a draft: its texts and its defects, at the version the page showed.

    ``defects`` offers the police-side defects of the draft's force and stream the user sees; the page's form
    always posts ``defects_shown``, so unticking every defect is a choice (refused by the service: at least one),
    while a post without it (as a PATCH without ``defects``) leaves them as they are.
    """

    defects = DefectsField(required=False)
    defects_shown = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)
    summary = _text("Summary", rows=5)
    requested_action = _text("What the force should do", rows=4)

    def __init__(self, *args, feedback: Feedback, user, **kwargs):
        kwargs.setdefault("initial", {}).update(summary=feedback.summary, requested_action=feedback.requested_action)
        super().__init__(*args, feedback=feedback, user=user, **kwargs)
        target = (feedback.force_id, feedback.stream)
        field = cast(DefectsField, self.fields["defects"])
        field.queryset = defects_for_feedback(user=user, targets=[target])
        current = [defect.pk for defect in feedback.defects.all()]
        if not self.is_bound:
            self.initial["defects"] = current
        # Listed: the defects of the draft's dip samples (others of its force and stream are accepted if posted).
        samples = Defect.objects.filter(pk__in=current).values("assessment__dip_sample_id")
        same_samples = field.queryset.filter(assessment__dip_sample_id__in=samples)
        field.show(same_samples, ticked=self["defects"].value() or ())

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        shown = data.pop("defects_shown")
        defects = data.pop("defects")
        if shown:
            data["defects"] = list(defects)
        return data


class RespondForm(StepForm):
    outcome = forms.ChoiceField(label="Your answer", choices=Outcome.choices, widget=forms.RadioSelect)
    action_taken = _text("What the force did", help_text="E.g. the schedule re-served, the officer given feedback.")
    reasons = _text("Reasons for the dispute", required=False, help_text="Needed when you dispute the feedback.")
    ico_reported = forms.ChoiceField(
        label="Reported to the Information Commissioner's Office?",
        choices=IcoReported.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="This feedback reports a personal-data breach (X03).",
    )
    ico_reported_on = forms.DateField(
        label="Date reported to the ICO",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Only when it was reported.",
    )
    revised_schedule = forms.ModelChoiceField(
        label="Revised schedule",
        queryset=Schedule.objects.none(),
        required=False,
        empty_label="(none)",
        help_text="A corrected schedule of this case, if one was served.",
    )

    def __init__(self, *args, feedback: Feedback, user, **kwargs):
        super().__init__(*args, feedback=feedback, user=user, **kwargs)
        if not feedback.is_breach:
            del self.fields["ico_reported"]
            del self.fields["ico_reported_on"]
        if feedback.case_id is None:
            del self.fields["revised_schedule"]
        else:
            schedules = Schedule.objects.visible_to(user).filter(case_id=feedback.case_id).select_related("case")
            self.fields["revised_schedule"].queryset = schedules.order_by("received_on", "id")
            self.fields["revised_schedule"].label_from_instance = _schedule_label

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if "ico_reported" in data:
            data["ico_reported"] = data["ico_reported"] or None
        return data


def _schedule_label(schedule: Schedule) -> str:
    return f"{schedule.get_kind_display()} rev. {schedule.revision}, received {schedule.received_on:%d/%m/%Y}"


class MessageForm(StepForm):
    """A message in the thread. No row_version: a message changes nothing on the item, and others may write too."""

    row_version = None
    body = _text("Message", rows=3)

    def service_arguments(self) -> dict:
        return {"body": self.cleaned_data["body"]}


class NarrowDefectsForm(forms.Form):
    """The draft page's search (GET): the defects of one dip sample, or of one case by its URN."""

    dip_sample = forms.IntegerField(label="Dip sample", required=False, min_value=1)
    urn = forms.CharField(label="Case URN", required=False, max_length=20)

    def narrowed(self, defects: QuerySet[Defect]) -> QuerySet[Defect]:
        """``defects`` narrowed as asked; all of them (newest first) when nothing valid is asked."""
        if not self.is_valid():
            return defects
        if self.cleaned_data["dip_sample"] and is_valid_id(self.cleaned_data["dip_sample"]):
            defects = defects.filter(assessment__dip_sample_id=self.cleaned_data["dip_sample"])
        if urn := normalise_urn(self.cleaned_data["urn"]):
            defects = defects.filter(assessment__schedule__case__urn=urn)
        return defects
