"""Feedback from the CPS to a force about defective schedules, the force's response, the thread and notices.

Words from docs/domain.md. A feedback item belongs to one force and one stream (a tenant row);
its ``is_overdue`` is derived when it is read (``FeedbackQuerySet.with_overdue``), never stored.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from guardian.models import UserObjectPermissionBase

from backend.models import RowVersioned
from backend.querysets import scoping
from disclosure.models import Case as ProsecutionCase
from disclosure.models import Defect, DipSample, Schedule, TimestampedTenantModel
from forces.models import (
    CASE_LEVEL_READER_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    Stream,
    TenantModel,
    TenantQuerySet,
    is_anonymous,
)

#: The defect category that makes feedback a personal-data breach (inspection item 11).
BREACH_CATEGORY = "X03"
#: Working days a force has to respond when its Area has not set another figure.
DEFAULT_RESPONSE_WORKING_DAYS = 10


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESPONDED = "responded", "Responded"
    CLOSED = "closed", "Closed"


#: Statuses in which the force owes a response (and so can be overdue).
AWAITING_POLICE = (FeedbackStatus.SENT, FeedbackStatus.ACKNOWLEDGED)
#: Statuses in which the CPS side has the next move.
AWAITING_CPS = (FeedbackStatus.DRAFT, FeedbackStatus.RESPONDED)
#: Statuses in which either side may write in the thread.
THREAD_OPEN = (FeedbackStatus.SENT, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.RESPONDED)


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISPUTED = "disputed", "Disputed"


class IcoReported(models.TextChoices):
    YES = "yes", "Reported to the ICO"
    NO = "no", "Not reported"
    NOT_REQUIRED = "not_required", "Not required"


def cps_reader_organisation_ids(user):
    """Subquery of the CPS Areas where ``user`` reads case-level rows (its CPS-side memberships)."""
    return Membership.objects.filter(
        user=user, role__in=CASE_LEVEL_READER_ROLES, organisation__kind=OrganisationKind.CPS_AREA
    ).values("organisation_id")


class FeedbackQuerySet(TenantQuerySet):
    @scoping
    def visible_to(self, user):
        """Case-level readers of the force, as for every tenant row; drafts only on the CPS side.

        A draft is the CPS's own working copy: the force sees feedback once it is sent.
        """
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        rows = super().visible_to(user)
        return rows.filter(~Q(status=FeedbackStatus.DRAFT) | Q(area_id__in=cps_reader_organisation_ids(user)))

    def with_overdue(self, today: datetime.date):
        """Annotate ``is_overdue``: awaiting the force's response and past its due date on ``today``."""
        return self.annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)), default=Value(False), output_field=models.BooleanField()
            )
        )


def overdue_q(today: datetime.date) -> Q:
    return Q(status__in=AWAITING_POLICE, due_on__lt=today)


class Feedback(RowVersioned, TimestampedTenantModel):
    """Feedback from the CPS to one force about one or more defects of one stream."""

    stream = models.CharField(max_length=8, choices=Stream.choices)
    case = models.ForeignKey(
        ProsecutionCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text="The case, when every defect is on schedules of the same case.",
    )
    dip_sample = models.ForeignKey(
        DipSample,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text="The sample this draft was made from (draft-feedback).",
    )
    status = models.CharField(max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.DRAFT)
    defects = models.ManyToManyField(Defect, related_name="feedback")
    summary = models.TextField()
    requested_action = models.TextField()
    is_breach = models.BooleanField(
        default=False, editable=False, help_text=f"An {BREACH_CATEGORY} defect: a personal-data breach."
    )
    due_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    # The force's response.
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    action_taken = models.TextField(blank=True)
    reasons = models.TextField(blank=True, help_text="Why the force disputes the feedback.")
    revised_schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ico_reported = models.CharField(max_length=16, choices=IcoReported.choices, blank=True)
    ico_reported_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FeedbackQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager than TenantModel's

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        permissions = [("respond_feedback", "Can acknowledge and respond to feedback")]
        constraints = [
            # draft-feedback makes one draft per case of a sample, even when two clicks race.
            models.UniqueConstraint(
                fields=["dip_sample", "case"],
                condition=Q(dip_sample__isnull=False),
                name="%(app_label)s_%(class)s_one_draft_per_sampled_case",
            ),
            models.CheckConstraint(
                condition=~Q(ico_reported=IcoReported.YES) | Q(ico_reported_on__isnull=False),
                name="%(app_label)s_%(class)s_ico_yes_has_date",
            ),
        ]
        indexes = [models.Index(fields=["force", "status", "due_on"], name="feedback_force_status_due")]

    def __str__(self):
        return f"Feedback {self.pk} to force {self.force_id} ({self.status})"


class FeedbackUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions on feedback (the force's leads of the stream respond)."""

    content_object = models.ForeignKey(Feedback, on_delete=models.CASCADE)


class Side(models.TextChoices):
    CPS = "cps", "CPS"
    POLICE = "police", "Police"


class FeedbackMessage(TenantModel):
    """One message in a feedback item's thread. Append-only: never edited or deleted."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=Side.choices)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["feedback", "created_at", "id"]

    def __str__(self):
        return f"Message {self.pk} on feedback {self.feedback_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A message cannot be edited once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A message cannot be deleted.")


class ForceFeedbackSettings(models.Model):
    """How many working days a force has to respond to feedback; set by its Area's org admins."""

    force = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="feedback_settings",
        limit_choices_to={"kind": OrganisationKind.POLICE_FORCE},
    )
    response_working_days = models.PositiveSmallIntegerField(default=DEFAULT_RESPONSE_WORKING_DAYS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "force feedback settings"
        verbose_name_plural = "force feedback settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(response_working_days__gte=1, response_working_days__lte=60),
                name="%(app_label)s_%(class)s_days_in_range",
            )
        ]

    def __str__(self):
        return f"Feedback settings of force {self.force_id}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.force.audit_scope()


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", "Response due soon"
    OVERDUE = "overdue", "Response overdue"
    ESCALATED = "escalated", "Escalated to the chief officer"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    NO_ADDRESS = "no_address", "Recorded; the recipient has no e-mail address"


class NoticeQuerySet(TenantQuerySet):
    @scoping
    def visible_to(self, user):
        """A user's own notices only (superusers too: a notice is a message to one person)."""
        if is_anonymous(user):
            return self.none()
        return self.filter(recipient=user)


class Notice(TenantModel):
    """A reminder or escalation about one feedback item to one person, sent once by e-mail."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    due_on = models.DateField(
        help_text="The due date the notice is about: a reopened item, due again, is reminded about again."
    )
    status = models.CharField(max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager than TenantModel's

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "kind", "recipient", "due_on"],
                name="%(app_label)s_%(class)s_once_per_kind_recipient_and_due_date",
            )
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="feedback_notice_recipient")]

    def __str__(self):
        return f"Notice {self.pk} ({self.kind}) on feedback {self.feedback_id}"
