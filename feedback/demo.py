"""A year of demo feedback (docs/architecture.md "Demo data"): every state, some overdue, some disputed, one breach.

Each force has its own response culture (how fast it answers, how often it disputes, how much
it leaves unanswered). Every step goes through the services and is then dated when it would
have happened (the audit log keeps the true time of the seeding). Deterministic and free of
personal data; idempotent: once any demo feedback exists, nothing more is added.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory, DipSample, DipSampleStatus
from feedback import services
from feedback.models import Feedback, FeedbackStatus
from feedback.workdays import add_working_days, is_working_day

#: How often the force acknowledges first, working days to answer (a range), how often a response disputes,
#: how often feedback is left unanswered, and how often the CPS closes an answered item.
CULTURES = {
    "GMP": {"acknowledges": 0.6, "answer_in": (8, 16), "disputes": 0.35, "unanswered": 0.15, "closes": 0.7},
    "LANCS": {"acknowledges": 0.95, "answer_in": (2, 7), "disputes": 0.1, "unanswered": 0.03, "closes": 0.9},
    "CUMBRIA": {"acknowledges": 0.4, "answer_in": (5, 12), "disputes": 0.2, "unanswered": 0.3, "closes": 0.8},
}

ACTIONS = [
    "Schedule re-served with each item described separately.",
    "Disclosure officer given feedback by the unit supervisor; schedule revised.",
    "Missing items added to the MG6C and the MG6E updated.",
    "Force disclosure champion briefed the team on block listing.",
]
DISPUTES = [
    "The items are listed separately on the continuation sheet served with the file.",
    "The material was not in the possession of the investigation when the schedule was prepared.",
]
MESSAGES = [
    ("cps", "Could you confirm when the revised schedule will be served?"),
    ("police", "The officer is on rest days; we expect to re-serve by the end of the week."),
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _working_day_on_or_after(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def seed_feedback(*, stdout) -> None:
    forces = list(CULTURES)
    if Feedback.objects.filter(force__code__in=forces).exists():
        stdout.write("Demo feedback already present: nothing added.")
        return
    users = {user.username: user for user in get_user_model().objects.filter(username__endswith="-lead")}
    today = timezone.localdate()
    counts: dict[str, int] = {}
    samples = (
        DipSample.objects.filter(force__code__in=forces, status=DipSampleStatus.SIGNED_OFF)
        .select_related("force")
        .order_by("period_start", "force__code", "stream")
    )
    for sample in samples:
        code = sample.force.code
        culture = CULTURES[code]
        rng = random.Random(f"demo-feedback-{sample.force.code}-{sample.stream}-{sample.period_start}")  # noqa: S311
        cps = users[f"cps-{sample.stream}-lead"]
        police = users[f"{code.lower()}-{sample.stream}-lead"]
        for feedback in services.feedback_drafts_from_sample(actor=cps, dip_sample=sample):
            drafted_on = _working_day_on_or_after(sample.period_end + datetime.timedelta(days=rng.randint(5, 12)))
            status = _walk(
                feedback, cps=cps, police=police, culture=culture, rng=rng, drafted_on=drafted_on, today=today
            )
            counts[status] = counts.get(status, 0) + 1
    breach = _seed_breach(users=users, today=today)
    if breach is not None:
        counts["breach"] = 1
    stdout.write("Demo feedback: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")


def _walk(feedback, *, cps, police, culture, rng, drafted_on, today) -> str:
    """Take a draft as far as it would have got by ``today`` under the force's culture; date each step."""
    dates = {"created_at": _at(drafted_on, 9)}
    sent_on = add_working_days(drafted_on, rng.choice([0, 1, 2])) if rng.random() > 0.04 else None
    if sent_on is None or sent_on > today:
        Feedback.objects.filter(pk=feedback.pk).update(**dates)
        return FeedbackStatus.DRAFT
    feedback = services.feedback_send(actor=cps, feedback=feedback)
    due_on = add_working_days(sent_on, services.response_working_days(force_id=feedback.force_id))
    dates.update(sent_at=_at(sent_on, 10), first_sent_at=_at(sent_on, 10), due_on=due_on)
    acknowledged_on = add_working_days(sent_on, rng.randint(1, 3))
    if acknowledged_on <= today and rng.random() < culture["acknowledges"]:
        feedback = services.feedback_acknowledge(actor=police, feedback=feedback)
        dates["acknowledged_at"] = _at(acknowledged_on, 11)
    answered_on = add_working_days(sent_on, rng.randint(*culture["answer_in"]))
    if rng.random() < culture["unanswered"] or answered_on > today:
        if rng.random() < 0.5 and "acknowledged_at" in dates:
            for side, body in MESSAGES:
                services.feedback_message_create(actor=cps if side == "cps" else police, feedback=feedback, body=body)
        Feedback.objects.filter(pk=feedback.pk).update(**dates)
        return feedback.status
    disputed = rng.random() < culture["disputes"]
    feedback = services.feedback_respond(
        actor=police,
        feedback=feedback,
        outcome="disputed" if disputed else "accepted",
        action_taken=rng.choice(ACTIONS),
        reasons=rng.choice(DISPUTES) if disputed else "",
        ico_reported="not_required" if feedback.is_breach else None,
    )
    dates["responded_at"] = _at(answered_on, 15)
    closed_on = add_working_days(answered_on, rng.randint(1, 4))
    if closed_on <= today and rng.random() < culture["closes"]:
        feedback = services.feedback_close(actor=cps, feedback=feedback)
        dates["closed_at"] = _at(closed_on, 12)
    Feedback.objects.filter(pk=feedback.pk).update(**dates)
    return feedback.status


def _seed_breach(*, users, today) -> Feedback | None:
    """One personal-data breach: an X03 defect on LANCS's latest Crown Court sample, answered with the ICO told."""
    sample = DipSample.objects.filter(force__code="LANCS", stream="cc", status=DipSampleStatus.IN_PROGRESS).first()
    assessment = sample.assessments.order_by("id").first() if sample else None
    if assessment is None:
        return None
    cps, police = users["cps-cc-lead"], users["lancs-cc-lead"]
    defect = disclosure_services.defect_create(
        actor=cps,
        assessment=assessment,
        category=DefectCategory.objects.get(code="X03"),
        item_reference="MG6C item 14",
        description="Item 14 description on the MG6C includes personal details of a witness; redact and re-serve.",
    )
    feedback = services.feedback_create(
        actor=cps,
        defects=[defect],
        summary="Personal-data breach: MG6C item 14 carries a witness's personal details in a disclosable schedule.",
        requested_action="Withdraw and redact the schedule, re-serve it, and consider reporting the breach to the ICO.",
    )
    feedback = services.feedback_send(actor=cps, feedback=feedback)
    feedback = services.feedback_acknowledge(actor=police, feedback=feedback)
    sent_on = _working_day_on_or_after(max(sample.period_start, today - datetime.timedelta(days=20)))
    reported_on = min(add_working_days(sent_on, 2), today)
    feedback = services.feedback_respond(
        actor=police,
        feedback=feedback,
        outcome="accepted",
        action_taken="Schedule withdrawn, redacted and re-served; the data protection officer was told the same day.",
        ico_reported="yes",
        ico_reported_on=reported_on,
    )
    Feedback.objects.filter(pk=feedback.pk).update(
        sent_at=_at(sent_on, 10),
        first_sent_at=_at(sent_on, 10),
        due_on=add_working_days(sent_on, 10),
        acknowledged_at=_at(add_working_days(sent_on, 1), 9),
        responded_at=_at(reported_on, 16),
    )
    return feedback
