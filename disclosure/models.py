"""Dip sampling of police unused material schedules (docs/domain.md words throughout)."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from guardian.models import UserObjectPermissionBase

from backend.models import RowVersioned
from backend.querysets import ReferenceDataQuerySet
from forces.models import Side, Stream, TenantModel

URN_PATTERN = re.compile(r"^[0-9]{2}[A-Z0-9]{2}[0-9]{5}[0-9]{2}$")
urn_validator = RegexValidator(
    URN_PATTERN,
    message=(
        "A URN is 11 characters: a 2-digit force code, a 2-character unit code, "
        "a 5-digit serial and a 2-digit year, e.g. 06AB1234525."
    ),
    code="invalid_urn",
)


def normalise_urn(value: str) -> str:
    """Upper-case and drop spaces, slashes and dashes people type into URNs (``06 AB 12345/25``)."""
    return re.sub(r"[\s/-]", "", value or "").upper()


class ScheduleKind(models.TextChoices):
    MG6C = "mg6c", "MG6C - non-sensitive unused material"
    MG6D = "mg6d", "MG6D - sensitive material"
    MG6E = "mg6e", "MG6E - disclosure officer's report"
    SDC = "sdc", "SDC - streamlined disclosure certificate"
    DMD = "dmd", "DMD - disclosure management document"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor (form)"
    SIGNIFICANT = "significant", "Significant (could delay the case)"
    CRITICAL = "critical", "Critical (could cause a miscarriage of justice or a failed trial)"


class Rating(models.TextChoices):
    FULLY_MEETS = "fully_meets", "Fully meeting the standard"
    PARTIALLY_MEETS = "partially_meets", "Partially meeting the standard"
    NOT_MEETING = "not_meeting", "Not meeting the standard"


class CriterionResult(models.TextChoices):
    FULLY_MEETS = "fully_meets", "Fully meeting"
    PARTIALLY_MEETS = "partially_meets", "Partially meeting"
    NOT_MEETING = "not_meeting", "Not meeting"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class SelectionMethod(models.TextChoices):
    RANDOM = "random", "Drawn at random"
    HAND_PICKED = "hand_picked", "Added by hand, with a reason"


class DipSampleStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    SIGNED_OFF = "signed_off", "Signed off"


class TimestampedTenantModel(TenantModel):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class Case(TimestampedTenantModel):
    """A prosecution case, known here only by its URN: the portal keeps no names."""

    urn = models.CharField("URN", max_length=11, validators=[urn_validator])
    stream = models.CharField(max_length=8, choices=Stream.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["force", "urn"], name="%(app_label)s_%(class)s_urn_unique_per_force"),
        ]
        indexes = [models.Index(fields=["force", "-created_at"], name="disclosure_case_force_created")]

    def __str__(self):
        return self.urn

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.urn = normalise_urn(self.urn)
        super().save(*args, **kwargs)


class Schedule(TimestampedTenantModel):
    """One unused material schedule (or SDC/DMD) as received by the CPS."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="schedules")
    kind = models.CharField(max_length=8, choices=ScheduleKind.choices)
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first schedule, 2 for its first revision..."
    )
    received_on = models.DateField(help_text="Date the CPS received the schedule.")
    item_count = models.PositiveIntegerField(help_text="Number of items listed; 0 for a nil return.")

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "revision"], name="%(app_label)s_%(class)s_one_per_kind_and_revision"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="%(app_label)s_%(class)s_revision_from_one"),
        ]
        # A list page reads each force's schedules newest first from this index (backend.api.pagination).
        indexes = [models.Index(fields=["force", "received_on", "id"], name="disclosure_sched_force_recv_id")]

    def __str__(self):
        # Ids only: audit entries render this for every write, and must not cost a query each.
        return f"{self.kind.upper()} rev {self.revision} of case {self.case_id}"


class DefectCategory(models.Model):
    """The defect taxonomy of docs/domain.md; codes are stable, names may be edited."""

    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    default_severity = models.CharField(max_length=12, choices=Severity.choices)

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "defect categories"
        constraints = [
            # Upper-case, so a code matched whatever its case (?category=d02) is one category at most.
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]+$"),
                name="%(app_label)s_%(class)s_code_upper",
                violation_error_message="A category code is upper-case letters and digits, e.g. D02.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Checklist(models.Model):
    """A versioned checklist. Once published a version is never edited: a change makes a new version."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and Checklist.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ValidationError("A published checklist version cannot be edited; publish a new version.")
        super().save(*args, **kwargs)


class Criterion(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="criteria")
    code = models.CharField(max_length=16)
    text = models.CharField(max_length=400)
    applies_to = models.JSONField(help_text="Schedule kinds the criterion applies to, plus 'drs' for the DRS.")
    position = models.PositiveSmallIntegerField(default=0)
    is_critical = models.BooleanField(
        default=False,
        help_text="A 'not meeting' answer on a critical criterion makes the whole schedule 'not meeting'.",
    )

    class Meta:
        ordering = ["checklist", "position", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "code"], name="%(app_label)s_%(class)s_code_unique_in_version"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if Checklist.objects.filter(pk=self.checklist_id, published_at__isnull=False).exists():
            raise ValidationError("A published checklist version cannot be edited; publish a new version.")
        super().save(*args, **kwargs)

    def applies_to_kind(self, kind: str) -> bool:
        return kind in self.applies_to or "drs" in self.applies_to


class DipSample(RowVersioned, TimestampedTenantModel):
    """A joint CPS-police dip sample of one force's schedules for one stream and period."""

    #: Not stored: set by the service whose change voided the sample's signatures, for the API to say so.
    signatures_voided = False

    stream = models.CharField(max_length=8, choices=Stream.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=DipSampleStatus.choices, default=DipSampleStatus.PLANNED)
    cps_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    police_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The draw, kept so anyone can reproduce it.
    size = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    eligible_count = models.PositiveIntegerField(null=True, blank=True)
    eligible_ids = models.JSONField(
        null=True, blank=True, editable=False, help_text="Sorted ids of the schedules eligible at the draw."
    )
    drawn_at = models.DateTimeField(null=True, blank=True)
    draw_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="How many draws were made (an undone draw still counts)."
    )
    overlap_reason = models.TextField(
        blank=True, help_text="Why this sample overlaps another of the same force and stream, if it does."
    )
    schedules = models.ManyToManyField(Schedule, through="SampledSchedule", related_name="dip_samples", blank=True)
    # Sign-off: one disclosure lead of each side.
    cps_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cps_signed_off_at = models.DateTimeField(null=True, blank=True)
    police_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    police_signed_off_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_in_order"
            ),
        ]
        indexes = [
            models.Index(fields=["force", "stream", "status"], name="disclosure_sample_force_stream"),
            # The list's order within a force (backend.api.pagination reads a page per force).
            models.Index(fields=["force", "period_start", "id"], name="disclosure_sample_force_period"),
        ]

    def __str__(self):
        return f"Dip sample {self.pk} ({self.stream}, {self.period_start}..{self.period_end})"


class DipSampleUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions on dip samples (its two leads may change it)."""

    content_object = models.ForeignKey(DipSample, on_delete=models.CASCADE)


class SampledSchedule(models.Model):
    """A schedule in a sample, in draw order: drawn at random, or added by a lead with a reason."""

    dip_sample = models.ForeignKey(DipSample, on_delete=models.CASCADE, related_name="sampled")
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="sampled")
    position = models.PositiveIntegerField()
    method = models.CharField(max_length=12, choices=SelectionMethod.choices, default=SelectionMethod.RANDOM)
    reason = models.TextField(blank=True, help_text="Why a lead added the schedule by hand.")
    not_assessable_reason = models.TextField(
        blank=True, help_text="Why the schedule cannot be assessed; blank while it can."
    )

    class Meta:
        ordering = ["dip_sample", "position"]
        constraints = [
            # A schedule is sampled once, ever: "not already sampled" holds in the database too.
            models.UniqueConstraint(fields=["schedule"], name="%(app_label)s_%(class)s_schedule_sampled_once"),
            models.UniqueConstraint(fields=["dip_sample", "position"], name="%(app_label)s_%(class)s_position_unique"),
            models.CheckConstraint(
                condition=Q(method="random") | ~Q(reason=""), name="%(app_label)s_%(class)s_hand_picked_has_reason"
            ),
        ]

    def __str__(self):
        return f"Schedule {self.schedule_id} at position {self.position} of dip sample {self.dip_sample_id}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.dip_sample.audit_scope()


class Assessment(RowVersioned, TimestampedTenantModel):
    """The rating of one schedule within a dip sample, against one checklist version."""

    #: Not stored: set by the service whose change voided the sample's signatures, for the API to say so.
    signatures_voided = False

    dip_sample = models.ForeignKey(DipSample, on_delete=models.CASCADE, related_name="assessments")
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="assessments")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="assessments")
    rating = models.CharField(max_length=16, choices=Rating.choices)
    drs_complete = models.BooleanField(
        "DRS complete", help_text="The CPS disclosure record sheet records every decision and disclosure."
    )
    prosecutor_fed_back = models.BooleanField(
        default=False, help_text="The prosecutor had already fed back to the police on these defects."
    )
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["dip_sample", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dip_sample", "schedule"], name="%(app_label)s_%(class)s_schedule_once_per_sample"
            ),
        ]
        # The list's order (id) within a force: a page is read per force (backend.api.pagination).
        indexes = [models.Index(fields=["force", "id"], name="disclosure_assess_force_id")]

    def __str__(self):
        return f"Assessment {self.pk} of schedule {self.schedule_id} ({self.rating})"


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=16, choices=CriterionResult.choices)

    class Meta:
        ordering = ["assessment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="%(app_label)s_%(class)s_one_answer_per_criterion"
            ),
        ]

    def __str__(self):
        return f"Answer to criterion {self.criterion_id} in assessment {self.assessment_id}: {self.result}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.assessment.audit_scope()


class Defect(RowVersioned, TimestampedTenantModel):
    #: Not stored: set by the service whose change voided the sample's signatures, for the API to say so.
    signatures_voided = False

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="defects")
    category = models.ForeignKey(DefectCategory, on_delete=models.PROTECT, related_name="defects")
    severity = models.CharField(max_length=12, choices=Severity.choices)
    item_reference = models.CharField(
        max_length=60, blank=True, help_text="Where on the schedule, e.g. 'MG6C item 12' or 'items 3-7'."
    )
    description = models.TextField(help_text="What is wrong. No names, addresses or other personal data.")

    class Meta:
        ordering = ["assessment", "id"]
        # The list's order (id) within a force, and within a force and category (?category=): a page is
        # read per force from these (backend.api.pagination); the summaries count by (force, category).
        indexes = [
            models.Index(fields=["force", "id"], name="disclosure_defect_force_id"),
            models.Index(fields=["force", "category", "id"], name="disclosure_defect_force_cat_id"),
        ]

    def __str__(self):
        return f"Defect {self.pk} on assessment {self.assessment_id}"
