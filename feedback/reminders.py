"""Reminders and escalation about feedback the force has not answered (``manage.py send_feedback_reminders``).

Two steps, both safe to run as often, and in as many copies at once, as anyone likes:

1. ``notices_record``: one ``Notice`` per (feedback, kind, recipient) that is due, under a unique
   constraint, so a notice is recorded once whatever runs race.
2. ``notices_send``: every pending notice is *claimed* by a conditional UPDATE (only one run's
   UPDATE matches a pending row), e-mailed, then marked sent. A failed send puts it back to
   pending (retried next run). A run that dies between sending and marking leaves it claimed;
   it is retried after ``CLAIM_TIMEOUT`` (at-least-once for that crash only: an SMTP server
   cannot take part in a database transaction).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from feedback.models import AWAITING_POLICE, Feedback, Notice, NoticeKind, NoticeStatus
from feedback.services import users_with_respond_grant
from feedback.workdays import add_working_days, working_days_between
from forces.models import Membership, Role

logger = logging.getLogger(__name__)

#: ``due_soon`` from this many working days before the due date.
DUE_SOON_WORKING_DAYS = 2
#: ``escalated`` to the force's chief officers once this many working days overdue.
ESCALATE_AFTER_WORKING_DAYS = 5
#: A claimed notice whose run never marked it is retried after this long.
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)


def notice_kinds_due(*, due_on: datetime.date, today: datetime.date) -> list[str]:
    """Which notices an unanswered item due on ``due_on`` calls for on ``today``."""
    if due_on < today:
        kinds = [NoticeKind.OVERDUE]
        if working_days_between(due_on, today) >= ESCALATE_AFTER_WORKING_DAYS:
            kinds.append(NoticeKind.ESCALATED)
        return kinds
    if today >= add_working_days(due_on, -DUE_SOON_WORKING_DAYS):
        return [NoticeKind.DUE_SOON]
    return []


def _recipients(feedback: Feedback, kind: str):
    if kind == NoticeKind.ESCALATED:
        return list(
            Membership.objects.filter(
                organisation_id=feedback.force_id, role=Role.CHIEF_OFFICER, user__is_active=True
            ).select_related("user")
        )
    users = list(users_with_respond_grant(feedback=feedback))
    if kind == NoticeKind.OVERDUE and feedback.created_by is not None and feedback.created_by.is_active:
        users.append(feedback.created_by)
    return users


def notices_record(*, today: datetime.date | None = None) -> int:
    """Record the notices due today for unanswered feedback; returns how many were new."""
    today = today or timezone.localdate()
    created = 0
    open_items = Feedback.objects.filter(status__in=AWAITING_POLICE, due_on__isnull=False).select_related("created_by")
    for feedback in open_items.order_by("id"):
        for kind in notice_kinds_due(due_on=feedback.due_on, today=today):
            for recipient in _recipients(feedback, kind):
                user = getattr(recipient, "user", recipient)
                # get_or_create retries the read when a concurrent run's INSERT wins the unique constraint.
                _, was_created = Notice.objects.get_or_create(
                    feedback=feedback,
                    kind=kind,
                    recipient=user,
                    due_on=feedback.due_on,
                    defaults={"force_id": feedback.force_id, "area_id": feedback.area_id},
                )
                created += was_created
    return created


def _claimable(now: datetime.datetime) -> Q:
    return Q(status=NoticeStatus.PENDING) | Q(status=NoticeStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)


SUBJECTS = {
    NoticeKind.DUE_SOON: "Feedback {id} to {force}: response due on {due_on:%d %b %Y}",
    NoticeKind.OVERDUE: "Feedback {id} to {force}: response overdue since {due_on:%d %b %Y}",
    NoticeKind.ESCALATED: "Escalation: feedback {id} to {force} unanswered since {due_on:%d %b %Y}",
}


def _message(notice: Notice) -> tuple[str, str]:
    """Subject and body: ids, codes and dates only, never the feedback's text."""
    feedback = notice.feedback
    values = {"id": feedback.pk, "force": notice.force.code, "due_on": feedback.due_on}
    subject = SUBJECTS[notice.kind].format(**values)
    if notice.kind == NoticeKind.ESCALATED:
        # Chief officers read no case-level rows: they follow it on their force's dashboard.
        dashboard = f"/admin/dashboards/force/{notice.force.code}/"
        where = f"See your force's figures in the disclosure quality portal: {dashboard}"
    else:
        where = f"Read it and answer in the disclosure quality portal: /api/v1/feedback/{feedback.pk}/"
    body = (
        f"{subject}.\n\nStream: {feedback.stream}. Status: {feedback.status}.\n{where}\n"
        "You receive this because of your role in the joint disclosure action plan."
    )
    return subject, body


def notices_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """E-mail every pending notice once; returns counts of ``sent``, ``failed`` and ``no_address``.

    Runs outside any transaction: each claim and each mark is committed at once, so another
    run never claims a notice this one holds.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "no_address": 0}
    for pk in list(Notice.objects.filter(_claimable(now)).order_by("id").values_list("pk", flat=True)):
        claimed = Notice.objects.filter(_claimable(now), pk=pk).update(status=NoticeStatus.SENDING, claimed_at=now)
        if not claimed:
            continue  # another run has it
        notice = Notice.objects.select_related("feedback", "force", "recipient").get(pk=pk)
        mine = Notice.objects.filter(pk=pk, status=NoticeStatus.SENDING, claimed_at=now)
        if not notice.recipient.email:
            mine.update(status=NoticeStatus.NO_ADDRESS, claimed_at=None)
            counts["no_address"] += 1
            continue
        subject, body = _message(notice)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.recipient.email], fail_silently=False)
        except Exception as error:
            logger.warning("Notice %s not sent (%s); it will be retried.", pk, type(error).__name__)
            mine.update(
                status=NoticeStatus.PENDING,
                claimed_at=None,
                attempts=F("attempts") + 1,
                last_error=type(error).__name__[:200],
            )
            counts["failed"] += 1
            continue
        mine.update(status=NoticeStatus.SENT, claimed_at=None, attempts=F("attempts") + 1, sent_at=timezone.now())
        counts["sent"] += 1
    return counts
