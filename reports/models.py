"""Meetings where the figures are presented, and the action items they agree.

A meeting belongs to a CPS Area and covers some of its forces. Its ``snapshot`` keeps the force
summaries as they were presented (docs/decisions/0011-summaries-and-meetings.md).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from backend.querysets import ScopedQuerySet, scoping
from forces.models import Membership, Organisation, OrganisationKind, is_anonymous


class MeetingKind(models.TextChoices):
    JOINT_FORUM = "joint_forum", "Joint disclosure forum"
    CHIEF_OFFICER = "chief_officer", "Chief officer meeting"
    QUALITY_GROUP = "quality_group", "Casework Quality Group"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


def _member_of(user):
    return Membership.objects.filter(user=user).values("organisation_id")


class MeetingQuerySet(ScopedQuerySet):
    @scoping
    def visible_to(self, user):
        """Meetings ``user`` may read: every member of the Area its Area's; a force's members
        (chief officers included) the meetings that cover their force."""
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        member_of = _member_of(user)
        covering = Meeting.forces.through.objects.filter(organisation_id__in=member_of).values("meeting_id")
        return self.filter(Q(area_id__in=member_of) | Q(pk__in=covering))


class Meeting(models.Model):
    area = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.CPS_AREA},
    )
    forces = models.ManyToManyField(
        Organisation, related_name="+", limit_choices_to={"kind": OrganisationKind.POLICE_FORCE}
    )
    kind = models.CharField(max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField()
    period_start = models.DateField(help_text="First day of the period whose figures the meeting reviews.")
    period_end = models.DateField(help_text="Last day of that period.")
    notes = models.TextField(blank=True)
    snapshot = models.JSONField(
        default=dict, editable=False, help_text="The force summaries as presented: {force code: summary}."
    )
    snapshot_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_in_order"
            ),
        ]
        indexes = [models.Index(fields=["area", "-held_on"], name="reports_meeting_area_held")]

    def __str__(self):
        return f"Meeting {self.pk} ({self.kind}, {self.held_on})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return (self.area_id, None)

    def is_held(self, today: datetime.date) -> bool:
        return self.held_on <= today


class ActionItemQuerySet(ScopedQuerySet):
    @scoping
    def visible_to(self, user):
        """Action items of the meetings ``user`` may read."""
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))

    def overdue(self, today: datetime.date):
        return self.filter(status=ActionItemStatus.OPEN, due_on__lt=today)


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="The organisation that must act."
    )
    description = models.TextField()
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="reports_actionitem_owner_due")]

    def __str__(self):
        return f"Action item {self.pk} of meeting {self.meeting_id} ({self.status})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        owner = Organisation.objects.values_list("kind", "area_id").get(pk=self.owner_id)
        force_id = self.owner_id if owner[0] == OrganisationKind.POLICE_FORCE else None
        return (owner[1] or self.owner_id, force_id)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ActionItemStatus.OPEN and self.due_on < today
