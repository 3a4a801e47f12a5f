"""Forms of the feedback pages in the admin: they parse input; the services decide (feedback/services.py).

Each form carries the ``row_version`` the page was drawn from, so a step taken on a page that
someone else has changed since is refused (409) instead of acting on what the user did not see.
A service's ``ValidationError`` is put back on the form's fields (``add_service_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError

from disclosure.models import Schedule
from feedback.api.serializers import TEXT_MAX
from feedback.models import Feedback, IcoReported, Outcome

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


class StepForm(forms.Form):
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


class SendForm(StepForm):
    pass


class AcknowledgeForm(StepForm):
    pass


class CloseForm(StepForm):
    pass


class ReopenForm(StepForm):
    reason = _text("Why reopen it", help_text="The force answers afresh, with a new due date.")


class EditDraftForm(StepForm):
    summary = _text("Summary", rows=5)
    requested_action = _text("What the force should do", rows=4)

    def __init__(self, *args, feedback: Feedback, user, **kwargs):
        kwargs.setdefault("initial", {}).update(summary=feedback.summary, requested_action=feedback.requested_action)
        super().__init__(*args, feedback=feedback, user=user, **kwargs)


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
