"""A year of demo meetings for CPS North West (docs/architecture.md "Demo data").

Monthly joint disclosure forums (every force) review the month before last once its sample is
signed off; quarterly chief officer meetings, one per force, review the quarter. Each meeting
agrees an action item or two, most done on time, some still open past their due date. Every
meeting is recorded a week before it is held (its figures frozen then) and every timestamp is
backdated accordingly; meetings still to come are recorded now. Deterministic (seeded) and
free of personal data. Idempotent: once the Area has a meeting, nothing more is added.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from forces.models import Organisation
from reports import services
from reports.models import ActionItem, ActionItemStatus, Meeting, MeetingKind

AREA = "CPS-NW"
FORCES = ("GMP", "LANCS", "CUMBRIA")
#: Days after the end of the reviewed period on which a forum and a chief officer meeting are held:
#: after the samples are signed off (disclosure/demo.py signs them off 17 days after the month).
FORUM_AFTER, CHIEF_AFTER = 24, 30

ACTIONS = [
    "Brief disclosure officers on listing items separately instead of block listing.",
    "Re-issue the MG6E guidance note to case progression units.",
    "Add a schedule quality check to the supervisor's file review.",
    "Report back on late schedules against the case progression plans.",
    "Share the anonymised examples of good MG6C descriptions with all stations.",
    "Agree a single contact for DRS queries between the CPS unit and the force.",
]


def _months(today: datetime.date, count: int = 12) -> list[tuple[datetime.date, datetime.date]]:
    """The ``count`` whole calendar months before ``today``'s month, oldest first."""
    months, first = [], today.replace(day=1)
    for _ in range(count):
        last = first - datetime.timedelta(days=1)
        first = last.replace(day=1)
        months.append((first, last))
    return list(reversed(months))


def _at(day: datetime.date, now: datetime.datetime, hour: int = 10) -> datetime.datetime:
    return min(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), now)


def seed_meetings(*, stdout) -> None:
    area = Organisation.objects.filter(code=AREA).first()
    if area is None or Meeting.objects.filter(area=area).exists():
        stdout.write("Demo meetings already present (or no demo Area): nothing added.")
        return
    organiser = get_user_model().objects.get(username="cps-admin")
    forces = list(Organisation.objects.filter(code__in=FORCES).order_by("code"))
    today = timezone.localdate()
    now = timezone.now()
    rng = random.Random("demo-meetings")  # noqa: S311 - synthetic data, reproducible on purpose
    months = _months(today)

    def held(last: datetime.date, days: int) -> datetime.date:
        # The latest month's sample is not signed off yet: the meetings that review it are still to come.
        return (
            max(last + datetime.timedelta(days=days), today + datetime.timedelta(days=7))
            if last == latest
            else (last + datetime.timedelta(days=days))
        )

    latest = months[-1][1]
    plan = []  # (kind, forces, period_start, period_end, held_on)
    for first, last in months:
        plan.append((MeetingKind.JOINT_FORUM, forces, first, last, held(last, FORUM_AFTER)))
    for quarter in range(4):
        first, last = months[3 * quarter][0], months[3 * quarter + 2][1]
        for force in forces:
            plan.append((MeetingKind.CHIEF_OFFICER, [force], first, last, held(last, CHIEF_AFTER)))

    counts = {"meetings": 0, "items": 0, "overdue": 0}
    for kind, covered, first, last, held_on in plan:
        meeting = services.meeting_create(
            actor=organiser,
            area=area,
            forces=covered,
            kind=kind,
            held_on=held_on,
            period_start=first,
            period_end=last,
            notes="Figures reviewed; actions agreed below.",
        )
        recorded = _at(held_on - datetime.timedelta(days=7), now)
        Meeting.objects.filter(pk=meeting.pk).update(
            created_at=recorded, updated_at=recorded, snapshot_taken_at=recorded
        )
        counts["meetings"] += 1
        if held_on > today:
            continue  # still to come: no actions agreed yet
        for _ in range(rng.randint(1, 2)):
            owner = rng.choice(covered)
            due_on = held_on + datetime.timedelta(days=rng.choice([28, 42, 56]))
            item = services.action_item_create(
                actor=organiser, meeting=meeting, owner=owner, description=rng.choice(ACTIONS), due_on=due_on
            )
            held_at = _at(held_on, now, hour=15)
            done_on = due_on - datetime.timedelta(days=rng.randint(0, 20))
            # Most actions are done by their due date; about one in four is still open.
            if done_on <= today and rng.random() < 0.75:
                done_at = _at(done_on, now)
                ActionItem.objects.filter(pk=item.pk).update(
                    status=ActionItemStatus.DONE, done_at=done_at, created_at=held_at, updated_at=done_at
                )
            else:
                ActionItem.objects.filter(pk=item.pk).update(created_at=held_at, updated_at=held_at)
                counts["overdue"] += due_on < today
            counts["items"] += 1
    stdout.write(
        f"Demo meetings: {counts['meetings']} meetings, {counts['items']} action items ({counts['overdue']} overdue)."
    )
