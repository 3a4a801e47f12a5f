"""``send_feedback_reminders``: each notice recorded and e-mailed exactly once, however often it runs.

Feedback sent on Monday 2 Mar 2026 is due on Monday 16 Mar (10 working days: 3-6, 9-13, 16).
By hand: due_soon from Thursday 12 Mar (2 working days before); overdue from Tuesday 17 Mar;
escalated from Monday 23 Mar (5 working days overdue: 17, 18, 19, 20, 23).
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback.models import Notice, NoticeStatus
from feedback.reminders import CLAIM_TIMEOUT, notices_record, notices_send
from forces.models import Role
from tests.factories import UserFactory, member


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 7, 0, tzinfo=datetime.UTC), tick=False)


def run():
    call_command("send_feedback_reminders", stdout=StringIO())


@pytest.fixture
def sent(world, feedback_in):
    with at(2026, 3, 2):
        return feedback_in("sent")


def notices():
    return sorted((n.kind, n.recipient.username, n.status) for n in Notice.objects.select_related("recipient"))


def test_nothing_before_two_working_days_ahead_then_due_soon_to_the_forces_leads(world, sent, mailoutbox):
    with at(2026, 3, 11):
        run()
    assert notices() == [] and mailoutbox == []
    with at(2026, 3, 12):
        run()
        run()
    assert notices() == [("due_soon", "gmp-lead", "sent")]
    assert [m.to for m in mailoutbox] == [["gmp-lead@example.org"]]
    assert f"Feedback {sent.pk} to GMP" in mailoutbox[0].subject
    assert sent.summary not in mailoutbox[0].body  # ids, codes and dates only


def test_run_twice_every_notice_goes_exactly_once(world, sent, mailoutbox):
    for day in (12, 13, 17, 17, 20, 23, 23, 24):
        with at(2026, 3, day):
            run()
    assert notices() == [
        ("due_soon", "gmp-lead", "sent"),
        ("escalated", "gmp-chief", "sent"),
        ("overdue", "cps-lead", "sent"),
        ("overdue", "gmp-lead", "sent"),
    ]
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mailoutbox) == [
        ("cps-lead@example.org", f"Feedback {sent.pk} to GMP"),
        ("gmp-chief@example.org", "Escalation"),
        ("gmp-lead@example.org", f"Feedback {sent.pk} to GMP"),
        ("gmp-lead@example.org", f"Feedback {sent.pk} to GMP"),
    ]


def test_escalation_waits_for_five_working_days_overdue(world, sent, mailoutbox):
    with at(2026, 3, 20):
        run()
    assert {kind for kind, _, _ in notices()} == {"overdue"}
    with at(2026, 3, 23):
        run()
    assert {kind for kind, _, _ in notices()} == {"overdue", "escalated"}


def test_a_failed_send_stays_pending_and_is_sent_once_on_the_next_run(world, sent, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.feedback.failing_mail.FailingEmailBackend"
    with at(2026, 3, 12):
        run()
        run()
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts, notice.last_error) == ("pending", 2, "ConnectionRefusedError")
    assert mailoutbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(2026, 3, 13):
        run()
        run()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1


def test_a_notice_claimed_by_another_run_is_left_to_it_until_the_claim_is_stale(world, sent, mailoutbox):
    with at(2026, 3, 12):
        notices_record()
        Notice.objects.update(status=NoticeStatus.SENDING, claimed_at=timezone.now())
        assert notices_send() == {"sent": 0, "failed": 0, "no_address": 0}
    assert mailoutbox == []
    with time_machine.travel(datetime.datetime(2026, 3, 12, 7, 0, tzinfo=datetime.UTC) + CLAIM_TIMEOUT * 2):
        assert notices_send()["sent"] == 1
    assert len(mailoutbox) == 1


def test_no_notices_once_the_force_has_responded(world, client_for, sent, mailoutbox):
    client_for(world.gmp_lead).post(
        f"/api/v1/feedback/{sent.pk}/respond/", {"outcome": "accepted", "action_taken": "Re-served."}, format="json"
    )
    with at(2026, 3, 24):
        run()
    assert notices() == []


def test_a_recipient_without_an_address_is_recorded_not_mailed(world, sent, mailoutbox):
    world.gmp_lead.email = ""
    world.gmp_lead.save()
    with at(2026, 3, 12):
        run()
    assert notices() == [("due_soon", "gmp-lead", "no_address")]
    assert mailoutbox == []


def test_each_recipient_sees_only_their_own_notices(world, sent, client_for):
    other_chief = UserFactory(username="lancs-chief")
    member(other_chief, world.lancs, Role.CHIEF_OFFICER)
    with at(2026, 3, 23):
        run()
    seen = {
        who: sorted(n["kind"] for n in client_for(getattr(world, who)).get("/api/v1/notices/").json()["results"])
        for who in ("gmp_lead", "cps_lead", "gmp_chief", "lancs_lead", "cps_admin", "superuser")
    }
    assert seen == {
        "gmp_lead": ["overdue"],
        "cps_lead": ["overdue"],
        "gmp_chief": ["escalated"],
        "lancs_lead": [],
        "cps_admin": [],
        "superuser": [],
    }
    assert client_for(other_chief).get("/api/v1/notices/").json()["count"] == 0
    chief_notice = Notice.objects.get(kind="escalated")
    assert client_for(world.gmp_lead).get(f"/api/v1/notices/{chief_notice.pk}/").status_code == 404
    body = client_for(world.gmp_chief).get(f"/api/v1/notices/{chief_notice.pk}/").json()
    assert (body["kind"], body["force"], body["feedback"], body["due_on"]) == (
        "escalated",
        "GMP",
        sent.pk,
        "2026-03-16",
    )


def test_a_reopened_item_due_again_is_reminded_about_again(world, sent, mailoutbox):
    from feedback import services

    with at(2026, 3, 17):  # overdue since the 16th
        run()
    assert [(kind, who) for kind, who, _ in notices() if kind == "overdue"] == [
        ("overdue", "cps-lead"),
        ("overdue", "gmp-lead"),
    ]
    with at(2026, 3, 18):
        answered = services.feedback_respond(
            actor=world.gmp_lead, feedback=sent, outcome="accepted", action_taken="Schedule re-served."
        )
        services.feedback_reopen(actor=world.cps_lead, feedback=answered, reason="Items 3-7 are still block listed.")
    # Due again ten working days on (1 April, before Easter); overdue again after it.
    with at(2026, 4, 8):
        run()
    overdue = Notice.objects.filter(kind="overdue", recipient=world.gmp_lead).order_by("due_on")
    assert [notice.due_on for notice in overdue] == [datetime.date(2026, 3, 16), datetime.date(2026, 4, 1)]
    to_the_lead = [message for message in mailoutbox if message.to == ["gmp-lead@example.org"]]
    assert sum(1 for message in to_the_lead if "overdue" in message.subject) == 2


def test_an_escalation_points_the_chief_officer_at_the_force_dashboard(world, sent, mailoutbox):
    with at(2026, 3, 23):
        run()
    (escalation,) = [message for message in mailoutbox if message.to == ["gmp-chief@example.org"]]
    assert "/admin/dashboards/force/GMP/" in escalation.body
    assert "/api/v1/feedback/" not in escalation.body  # a case-level page a chief officer cannot open
