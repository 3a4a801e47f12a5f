"""Due dates in working days (weekends and England-and-Wales bank holidays excluded), overdue derived when read.

Expected dates are counted by hand on the calendar, written out in each test.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from feedback.models import ForceFeedbackSettings
from feedback.services import force_feedback_settings_set
from feedback.workdays import add_working_days, working_days_between

NOON = datetime.time(12, 0)


def at(date):
    return time_machine.travel(datetime.datetime.combine(date, NOON, tzinfo=datetime.UTC), tick=False)


def _send(client, feedback):
    return client.post(f"/api/v1/feedback/{feedback.pk}/send/").json()


def test_ten_working_days_across_christmas(world, client_for, feedback_in):
    feedback = feedback_in("draft")
    # Sent Friday 18 Dec 2026. Counting: Mon 21, Tue 22, Wed 23, Thu 24 (4); Fri 25 Christmas, Sat 26 Boxing Day,
    # Sun 27, Mon 28 Boxing Day substitute; Tue 29, Wed 30, Thu 31 (7); Fri 1 Jan New Year; Mon 4, Tue 5, Wed 6 (10).
    with at(datetime.date(2026, 12, 18)):
        assert _send(client_for(world.cps_lead), feedback)["due_on"] == "2027-01-06"


def test_ten_working_days_across_easter(world, client_for, feedback_in):
    feedback = feedback_in("draft")
    # Sent Monday 30 Mar 2026: Tue 31, Wed 1, Thu 2 (3); Fri 3 Good Friday, Mon 6 Easter Monday;
    # Tue 7 .. Fri 10 (7); Mon 13, Tue 14, Wed 15 (10).
    with at(datetime.date(2026, 3, 30)):
        assert _send(client_for(world.cps_lead), feedback)["due_on"] == "2026-04-15"


def test_the_areas_org_admin_sets_a_forces_response_time(world, client_for, feedback_in):
    force_feedback_settings_set(actor=world.cps_admin, force=world.gmp, response_working_days=3)
    feedback = feedback_in("draft")
    # Sent Wednesday 23 Dec 2026: Thu 24 (1); 25, 26, 27, 28 not working days; Tue 29 (2), Wed 30 (3).
    with at(datetime.date(2026, 12, 23)):
        assert _send(client_for(world.cps_lead), feedback)["due_on"] == "2026-12-30"
    assert ForceFeedbackSettings.objects.get(force=world.gmp).response_working_days == 3


@pytest.mark.parametrize("who", ["gmp_admin", "cps_lead", "cps_quality"])
def test_only_an_area_org_admin_sets_the_response_time(world, who):
    with pytest.raises(PermissionDenied):
        force_feedback_settings_set(actor=getattr(world, who), force=world.gmp, response_working_days=3)
    assert not ForceFeedbackSettings.objects.exists()


def test_reopening_sets_a_new_due_date_from_the_day_of_reopening(world, client_for, feedback_in):
    with at(datetime.date(2026, 3, 2)):
        feedback = feedback_in("closed")
    # Reopened Monday 13 Apr 2026: 14..17 (4), 20..24 (9), Mon 27 (10).
    with at(datetime.date(2026, 4, 13)):
        reopened = client_for(world.cps_lead).post(
            f"/api/v1/feedback/{feedback.pk}/reopen/", {"reason": "Items 3-7 still block listed."}, format="json"
        )
    assert reopened.json()["due_on"] == "2026-04-27"


def test_overdue_is_derived_when_read_and_filters_follow_it(world, client_for, feedback_in):
    with at(datetime.date(2026, 3, 2)):
        late = feedback_in("sent")  # due Mon 16 Mar 2026: 3..6 (4), 9..13 (9), 16 (10)
        answered = feedback_in("responded")
    client = client_for(world.cps_lead)
    with at(datetime.date(2026, 3, 16)):
        assert client.get(f"/api/v1/feedback/{late.pk}/").json()["is_overdue"] is False
        assert client.get("/api/v1/feedback/", {"overdue": "true"}).json()["count"] == 0
    with at(datetime.date(2026, 3, 17)):
        assert client.get(f"/api/v1/feedback/{late.pk}/").json()["is_overdue"] is True
        assert [r["id"] for r in client.get("/api/v1/feedback/", {"overdue": "true"}).json()["results"]] == [late.pk]
        not_overdue = client.get("/api/v1/feedback/", {"overdue": "false"}).json()["results"]
        assert answered.pk in {r["id"] for r in not_overdue} and late.pk not in {r["id"] for r in not_overdue}
        assert client.get("/api/v1/feedback/", {"due_before": "2026-03-15"}).json()["count"] == 0
        assert client.get("/api/v1/feedback/", {"due_before": "2026-03-16"}).json()["count"] == 2
        assert client.get("/api/v1/feedback/", {"force": "LANCS"}).json()["count"] == 0
        assert client.get("/api/v1/feedback/", {"stream": "cc", "status": "sent"}).json()["count"] == 1


def test_working_day_arithmetic_by_hand():
    assert add_working_days(datetime.date(2026, 5, 1), 1) == datetime.date(2026, 5, 5)  # Mon 4 May is May Day
    assert add_working_days(datetime.date(2026, 12, 31), -2) == datetime.date(2026, 12, 29)
    assert working_days_between(datetime.date(2026, 3, 16), datetime.date(2026, 3, 23)) == 5
    assert working_days_between(datetime.date(2026, 3, 23), datetime.date(2026, 3, 16)) == 0
