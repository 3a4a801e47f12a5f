"""Forms of the dip-sampling pages in the admin. They parse input; the services decide.

Every choice over tenant rows comes from ``visible_to(user)`` (or a selector built on it); what
a service refuses comes back as a form error through ``admin_errors.apply_errors``.
"""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from disclosure.models import (
    CriterionResult,
    DefectCategory,
    Schedule,
    Severity,
)
from disclosure.rating import rating_from_answers
from disclosure.selectors import dip_sample_eligible_schedules
from forces.models import Membership, Organisation, OrganisationKind, Role, Side, Stream
from forces.selectors import lead_side_for_force

User = get_user_model()

UK_DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y"]


class UKDateField(forms.DateField):
    """A date typed the British way (31/01/2025), shown the same way whatever the browser's language."""

    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "size": 10})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", UK_DATE_INPUTS)
        kwargs.setdefault("help_text", "Day/month/year, e.g. 31/01/2025.")
        super().__init__(**kwargs)


class RowVersionField(forms.IntegerField):
    """The version of the row the page was built from: a change made meanwhile is refused (409)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = sorted(
            {
                f"{membership.organisation.code}"
                f" ({membership.get_stream_display() if membership.stream else 'all streams'})"
                for membership in obj.memberships.all()
                if membership.role == Role.DISCLOSURE_LEAD
            }
        )
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.username}) - disclosure lead, {', '.join(where)}"


class ForceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


def lead_choices(user) -> QuerySet:
    """Active disclosure leads of the other side, in the organisations ``user`` can see (as the API's LeadField).

    A CPS lead is offered the police leads of its Area's forces; a police lead the CPS leads of
    its force's Area (superusers: every lead they can see). The service still checks the stream.
    """
    visible = Organisation.objects.visible_to(user)
    if not user.is_superuser:
        mine = Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD)
        areas_led = mine.filter(organisation__kind=OrganisationKind.CPS_AREA).values("organisation_id")
        forces_led = mine.filter(organisation__kind=OrganisationKind.POLICE_FORCE).values("organisation_id")
        visible = visible.filter(
            Q(kind=OrganisationKind.POLICE_FORCE, area_id__in=areas_led)
            | Q(kind=OrganisationKind.CPS_AREA, pk__in=Organisation.objects.filter(pk__in=forces_led).values("area_id"))
        )
    leads = Membership.objects.filter(role=Role.DISCLOSURE_LEAD, organisation__in=visible)
    return (
        User.objects.filter(is_active=True, pk__in=leads.values("user_id"))
        .exclude(pk=user.pk)
        .prefetch_related(Prefetch("memberships", queryset=leads.select_related("organisation")))
        .order_by("username")
    )


def stream_choices(user) -> list[tuple[str, str]]:
    """The streams ``user`` leads (a lead of every stream, or a superuser: all of them)."""
    led = set(Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD).values_list("stream", flat=True))
    if user.is_superuser or None in led:
        return list(Stream.choices)
    return [(value, label) for value, label in Stream.choices if value in led]


class PlanForm(forms.Form):
    """Plan a joint dip sample: the force, the stream, the period and the other side's lead."""

    force = ForceChoiceField(queryset=Organisation.objects.none(), label="Police force")
    stream = forms.ChoiceField(choices=Stream.choices)
    period_start = UKDateField(label="Schedules received from")
    period_end = UKDateField(label="Schedules received to")
    other_lead = LeadChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="The other side's lead",
        help_text="A police disclosure lead if you are CPS, a CPS one if you are police. You lead your own side.",
    )
    allow_overlap = forms.BooleanField(
        required=False,
        label="Plan it although another sample of the force and stream covers part of the period",
    )
    overlap_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why a second sample",
        help_text="Needed with the box above. No names or other personal data.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        forces = Organisation.objects.visible_to(user).forces().order_by("name")
        if not user.is_superuser:
            lead_of = user.memberships.filter(role=Role.DISCLOSURE_LEAD).values("organisation_id")
            forces = forces.filter(Q(pk__in=lead_of) | Q(area_id__in=lead_of))
        cast(forms.ModelChoiceField, self.fields["force"]).queryset = forces
        cast(forms.ModelChoiceField, self.fields["other_lead"]).queryset = lead_choices(user)
        cast(forms.ChoiceField, self.fields["stream"]).choices = stream_choices(user)

    def service_arguments(self, *, side: Side | None) -> dict:
        """The service's keyword arguments: the other lead goes to the side opposite the actor's."""
        data = self.cleaned_data
        arguments = {
            name: data[name]
            for name in ("force", "stream", "period_start", "period_end", "allow_overlap", "overlap_reason")
        }
        other = data.get("other_lead")
        if other is not None:
            arguments["police_lead" if side == Side.CPS else "cps_lead"] = other
        return arguments


def side_lead_choices(*, user, dip_sample, side: Side) -> QuerySet:
    """Whom ``user`` may name as ``dip_sample``'s ``side`` lead: the service's rule (``lead_side_for_force``: a lead
    of the stream in the force, police, or its Area, CPS), among active members of organisations ``user`` can see
    (the API's LeadField). The lead named now stays a choice: keeping it is no change, which the service accepts."""
    organisation_id = dip_sample.force.area_id if side == Side.CPS else dip_sample.force_id
    leads = Membership.objects.filter(
        Q(stream=dip_sample.stream) | Q(stream__isnull=True),
        role=Role.DISCLOSURE_LEAD,
        organisation_id=organisation_id,
        organisation__in=Organisation.objects.visible_to(user),
    )
    current = getattr(dip_sample, f"{side}_lead_id")
    return (
        User.objects.filter(Q(is_active=True, pk__in=leads.values("user_id")) | Q(pk=current))
        .prefetch_related(Prefetch("memberships", queryset=leads.select_related("organisation")))
        .order_by("username")
    )


class SideLeadChoiceField(LeadChoiceField):
    def label_from_instance(self, obj):
        if not any(membership.role == Role.DISCLOSURE_LEAD for membership in obj.memberships.all()):
            return f"{obj.get_full_name() or obj.username} ({obj.username}) - named now, no longer a lead of the stream"
        return super().label_from_instance(obj)


class ChangePlanForm(forms.Form):
    """Change a planned sample: the fields the API's PATCH takes (``DipSampleUpdateInputSerializer``), no others.

    Each side names only its own lead (the service's ``_check_lead_change``): the other side's lead is shown,
    disabled, to anyone who does not lead that side, so the form cannot ask for a change the service refuses.
    """

    row_version = RowVersionField()
    period_start = UKDateField(label="Schedules received from")
    period_end = UKDateField(label="Schedules received to")
    cps_lead = SideLeadChoiceField(
        queryset=User.objects.none(), required=False, label="CPS lead", empty_label="(none named)"
    )
    police_lead = SideLeadChoiceField(
        queryset=User.objects.none(), required=False, label="Police lead", empty_label="(none named)"
    )
    allow_overlap = forms.BooleanField(
        required=False,
        label="Change it although another sample of the force and stream covers part of the new period",
    )
    overlap_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why a second sample",
        help_text="Needed with the box above. No names or other personal data.",
    )

    #: The service's keyword arguments, in the order the API's serializer declares them.
    FIELDS: tuple[str, ...] = (
        "period_start",
        "period_end",
        "cps_lead",
        "police_lead",
        "allow_overlap",
        "overlap_reason",
    )

    def __init__(self, *args, user, dip_sample, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "row_version": dip_sample.row_version,
                "period_start": dip_sample.period_start,
                "period_end": dip_sample.period_end,
                "cps_lead": dip_sample.cps_lead_id,
                "police_lead": dip_sample.police_lead_id,
                "overlap_reason": dip_sample.overlap_reason,
            },
        )
        super().__init__(*args, **kwargs)
        own_side = lead_side_for_force(user=user, force=dip_sample.force, stream=dip_sample.stream)
        for side in (Side.CPS, Side.POLICE):
            field = cast(forms.ModelChoiceField, self.fields[f"{side}_lead"])
            field.queryset = side_lead_choices(user=user, dip_sample=dip_sample, side=side)
            if not (user.is_superuser or own_side == side):
                field.disabled = True
                field.help_text = f"Only a lead of the {'CPS' if side == Side.CPS else 'police'} side changes it."

    def service_arguments(self) -> dict:
        """The changes for ``dip_sample_update``: every field but those the user may not change (the service
        itself ignores a value equal to the stored one)."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if not self.fields[name].disabled}


class NameLeadForm(ChangePlanForm):
    """Name the sample's lead of the user's own side, at any status until signed off: the API's PATCH with only
    ``cps_lead`` or ``police_lead`` (``dip_sample_update`` lets a lead of that side do it without the sample's grant:
    the lead named may have left). The Change plan form's lead fields and choices, and only those the user may change
    (both for a superuser); the other side's field is not on the form, so posting it changes nothing."""

    FIELDS = ("cps_lead", "police_lead")

    def __init__(self, *args, user, dip_sample, **kwargs):
        super().__init__(*args, user=user, dip_sample=dip_sample, **kwargs)
        for name in list(self.fields):
            if name != "row_version" and (name not in self.FIELDS or self.fields[name].disabled):
                del self.fields[name]

    @property
    def sides(self) -> list[Side]:
        """The sides whose lead the form names."""
        return [Side(name.removesuffix("_lead")) for name in self.FIELDS if name in self.fields]

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.fields}


class DrawForm(forms.Form):
    row_version = RowVersionField()

    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"] = forms.IntegerField(
            min_value=1, max_value=max(cap, 1), label="How many schedules to draw", help_text=f"At most {cap}."
        )


class ActionForm(forms.Form):
    """A button on the sample's page: it carries the version of the sample the user saw."""

    row_version = RowVersionField()


class ReasonForm(ActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="No names, addresses or other personal data."
    )


class ScheduleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return schedule_label(obj)


class ScheduleReasonForm(ReasonForm):
    """A schedule of the sample, with a reason (not assessable, or picked by hand)."""

    schedule = ScheduleChoiceField(queryset=Schedule.objects.none())

    def __init__(self, *args, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["schedule"]).queryset = schedules


def schedule_label(schedule: Schedule) -> str:
    return (
        f"{schedule.case.urn} {schedule.kind.upper()} rev {schedule.revision}, "
        f"received {schedule.received_on:%d/%m/%Y}, {schedule.item_count} items"
    )


def hand_pick_choices(*, user, dip_sample):
    """Schedules a lead may add by hand: the draw's eligibility rule, within what ``user`` may see."""
    eligible = dip_sample_eligible_schedules(dip_sample=dip_sample).values("pk")
    return (
        Schedule.objects.visible_to(user).filter(pk__in=eligible).select_related("case").order_by("received_on", "id")
    )


# --- assessing ---------------------------------------------------------------------------


class AnswerField(forms.ChoiceField):
    widget = forms.RadioSelect

    def __init__(self, *, criterion, **kwargs):
        super().__init__(choices=CriterionResult.choices, **kwargs)
        self.criterion = criterion
        self.label = f"{criterion.code}. {criterion.text}"


class AssessmentForm(forms.Form):
    """One answer per criterion that applies to the schedule's kind; the rating follows from them."""

    row_version = RowVersionField(required=False)
    drs_complete = forms.BooleanField(
        required=False, label="The disclosure record sheet (DRS) is complete for this schedule"
    )
    prosecutor_fed_back = forms.BooleanField(required=False, label="The prosecutor gave feedback to the police")
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you found, in general terms. No names, addresses or other personal data.",
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"answer_{criterion.code}"] = AnswerField(criterion=criterion)

    def schedule_fields(self):
        """Answers about the schedule itself (its kind's criteria)."""
        return [self[f"answer_{c.code}"] for c in self.criteria if "drs" not in c.applies_to]

    def drs_fields(self):
        """Answers about the disclosure record sheet (criteria that apply to every kind)."""
        return [self[f"answer_{c.code}"] for c in self.criteria if "drs" in c.applies_to]

    def answers(self) -> list[dict]:
        return [
            {"criterion": criterion.code, "result": self.cleaned_data[f"answer_{criterion.code}"]}
            for criterion in self.criteria
        ]

    def rating_of_input(self) -> str | None:
        """The rating the answers typed so far give (by ``rating_from_answers``), shown when the form is refused."""
        given = [
            (criterion.is_critical, str(self.data.get(self.add_prefix(f"answer_{criterion.code}"))))
            for criterion in self.criteria
        ]
        if not given or any(result not in CriterionResult.values for _, result in given):
            return None
        return rating_from_answers(given)


#: The taxonomy's groups, by the first letter of the code (docs/domain.md).
CATEGORY_GROUPS = {
    "S": "Schedules (police)",
    "D": "Item descriptions (police)",
    "C": "Completeness (police)",
    "X": "Sensitive material and personal data (police)",
    "E": "MG6E, disclosure officer's report (police)",
    "T": "Timeliness (police)",
    "P": "Prosecutor (CPS)",
}


class CategorySelect(forms.Select):
    """Each option says its category's default severity (``data-default-severity``), for defect_form.js."""

    def __init__(self, *args, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults = defaults or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        default = self.defaults.get(str(value))
        if default:
            option["attrs"]["data-default-severity"] = default
        return option


class DefectForm(forms.Form):
    category = forms.ChoiceField(label="Defect")
    severity = forms.ChoiceField(
        choices=[("", "The category's usual severity"), *Severity.choices],
        required=False,
        help_text="Set from the category; change it if this defect is more or less serious.",
    )
    item_reference = forms.CharField(
        required=False, max_length=100, label="Item number(s)", help_text="e.g. items 3-7 of the MG6C."
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What is wrong",
        help_text="No names, addresses or other personal data.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(DefectCategory.objects.visible_to(user).order_by("code"))
        self.categories = {str(category.pk): category for category in categories}
        grouped: dict[str, list] = {}
        for category in categories:
            group = CATEGORY_GROUPS.get(category.code[:1], f"Other ({category.get_side_display()})")
            grouped.setdefault(group, []).append((str(category.pk), f"{category.code} {category.name}"))
        choices = [("", "Choose a defect category"), *grouped.items()]
        cast(forms.ChoiceField, self.fields["category"]).choices = choices
        self.fields["category"].widget = CategorySelect(
            choices=choices,
            defaults={pk: category.default_severity for pk, category in self.categories.items()},
            attrs={"class": "defect-category"},
        )
        self.fields["severity"].widget.attrs["class"] = "defect-severity"

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]
