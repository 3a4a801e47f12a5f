"""``feedback_summary`` for the reports: figures counted by hand from the items built here."""

import datetime

import time_machine

from disclosure.models import Defect
from feedback.selectors import feedback_summary
from tests.factories import make_feedback, make_sample
from tests.feedback.conftest import log_defects


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC), tick=False)


def _walk(world, defects, *, sent_on, responded_on=None, **respond):
    with at(*sent_on):
        feedback = make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=defects, status="sent")
    if responded_on:
        from feedback import services

        with at(*responded_on):
            respond.setdefault("outcome", "accepted")
            respond.setdefault("action_taken", "Re-served.")
            if feedback.is_breach:
                respond.setdefault("ico_reported", "no")
            feedback = services.feedback_respond(actor=world.gmp_lead, feedback=feedback, **respond)
    return feedback


def build(world, gmp_defects, *, other_month=8):
    d02, d01, x03 = gmp_defects["D02"], gmp_defects["D01"], gmp_defects["X03"]
    # A: on D02 and D01 (counted once), sent Mon 2 Mar 2026 (due Mon 16), answered Wed 4 Mar: 2 working days, on time.
    a = _walk(world, [d02, d01], sent_on=(2026, 3, 2), responded_on=(2026, 3, 4))
    from feedback import services

    services.feedback_close(actor=world.cps_lead, feedback=a)
    # B: on D01, sent 2 Mar, disputed Fri 20 Mar: 3-6 (4), 9-13 (9), 16-20 (14) working days; late.
    _walk(world, [d01], sent_on=(2026, 3, 2), responded_on=(2026, 3, 20), outcome="disputed", reasons="Listed.")
    # C: on X03 (a breach), sent 2 Mar, unanswered: overdue on 25 Mar.
    _walk(world, [x03], sent_on=(2026, 3, 2))
    # D: a draft on D02: never sent.
    make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[d02], status="draft")
    # E: on a defect outside the set asked about.
    other = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=other_month)
    (outside,) = log_defects(world=world, sample=other, codes_by_schedule=[["D05"]])
    _walk(world, [outside], sent_on=(2026, 3, 2), responded_on=(2026, 3, 3), outcome="disputed", reasons="Listed.")
    return Defect.objects.filter(pk__in=[d02.pk, d01.pk, x03.pk])


def test_it_counts_each_item_once_with_hand_computed_figures(world, gmp_defects):
    defects = build(world, gmp_defects)
    assert feedback_summary(defects=defects, today=datetime.date(2026, 3, 25)) == {
        "sent": 3,
        "responded": 2,
        "responded_on_time": 1,
        "overdue": 1,
        "disputed": 1,
        "breaches": 1,
        "median_days_to_response": 8.0,  # median of 2 and 14
    }


def test_nothing_to_summarise(world, gmp_defects):
    assert feedback_summary(defects=Defect.objects.none(), today=datetime.date(2026, 3, 25)) == {
        "sent": 0,
        "responded": 0,
        "responded_on_time": 0,
        "overdue": 0,
        "disputed": 0,
        "breaches": 0,
        "median_days_to_response": None,
    }


def test_it_runs_one_query_whatever_the_number_of_items(world, gmp_defects, count_queries):
    """One statement grouped by (day sent, day answered): the counts add up over the groups, the median reads them."""
    defects = build(world, gmp_defects)
    with count_queries() as small:
        feedback_summary(defects=defects, today=datetime.date(2026, 3, 25))
    build(world, gmp_defects, other_month=9)
    with count_queries() as large:
        figures = feedback_summary(defects=defects, today=datetime.date(2026, 3, 25))
    assert figures["sent"] == 6
    assert len(small) == len(large) == 1


def test_the_median_counts_every_item_in_local_working_days(world, gmp_defects):
    """Items answered on the same days count once each; a day is a London day (23:30 UTC in July is the next day)."""
    d02, d01, x03 = gmp_defects["D02"], gmp_defects["D01"], gmp_defects["X03"]
    for defect in (d02, d01):
        # Mon 6 Jul 2026 23:30 UTC is Tue 7 Jul 00:30 in London; answered Wed 8 Jul: 1 working day (2 by UTC days).
        with time_machine.travel(datetime.datetime(2026, 7, 6, 23, 30, tzinfo=datetime.UTC), tick=False):
            feedback = make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[defect], status="sent")
        from feedback import services

        with at(2026, 7, 8):
            services.feedback_respond(actor=world.gmp_lead, feedback=feedback, outcome="accepted", action_taken="Done.")
    # Sent Mon 2 Mar, answered Fri 20 Mar: 14 working days.
    _walk(world, [x03], sent_on=(2026, 3, 2), responded_on=(2026, 3, 20))
    figures = feedback_summary(
        defects=Defect.objects.filter(pk__in=[d02.pk, d01.pk, x03.pk]), today=datetime.date(2026, 7, 9)
    )
    assert figures["responded"] == 3
    assert figures["median_days_to_response"] == 1.0  # the median of 1, 1 and 14


def test_the_working_days_of_many_pairs_agree_with_counting_each_pair_day_by_day():
    """The median's working days come from one pass over the calendar (``working_days_counter``): for every pair of
    days around Christmas, New Year and Easter 2026 (bank holidays, weekends, a pair in either order) the same
    count as ``working_days_between``, which walks each pair."""
    from feedback.workdays import working_days_between, working_days_counter

    first = datetime.date(2025, 12, 20)
    days = [first + datetime.timedelta(days=n) for n in range(0, 120, 3)]
    between = working_days_counter(days)
    for start in days:
        for end in days:
            assert between(start, end) == working_days_between(start, end), (start, end)
    assert between(datetime.date(2025, 12, 23), datetime.date(2026, 1, 2)) == 5  # 24, 29, 30, 31 Dec and 2 Jan
