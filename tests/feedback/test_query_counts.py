"""The feedback and notices lists run the same number of queries however many rows they page over."""

import datetime

import time_machine
from django.core.management import call_command

from tests.feedback.conftest import more_feedback


def test_the_feedback_list_query_count_is_constant_when_rows_double(world, client_for, count_queries):
    client = client_for(world.cps_lead)
    more_feedback(world, [1, 2])
    with count_queries() as small:
        small_count = client.get("/api/v1/feedback/", {"page_size": 200}).json()["count"]
    more_feedback(world, [3, 4, 5, 6])
    with count_queries() as large:
        large_count = client.get("/api/v1/feedback/", {"page_size": 200}).json()["count"]
    assert large_count >= 2 * small_count > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    # 1: the forces the lead reads (once per request); 2: the page's ids with the bounded count as a column
    # (backend.api.pagination.page_ids_and_count); 3: those rows with forces, case, authors joined and
    # overdue and message count annotated; 4: the defects of the page with their categories (prefetch);
    # 5: the consultation entry (audit log).
    assert len(small) == 5


def test_the_notice_list_query_count_is_constant_when_rows_double(world, client_for, count_queries):
    client = client_for(world.gmp_lead)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        more_feedback(world, [1, 2])
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC), tick=False):
        call_command("send_feedback_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with count_queries() as small:
        small_count = client.get("/api/v1/notices/", {"page_size": 200}).json()["count"]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        more_feedback(world, [3, 4, 5, 6])
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC), tick=False):
        call_command("send_feedback_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with count_queries() as large:
        large_count = client.get("/api/v1/notices/", {"page_size": 200}).json()["count"]
    assert large_count >= 2 * small_count > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
