"""Two conflicting responses fired at once, on PostgreSQL with real transactions: exactly one wins.

The services lock the row (``select_for_update``) before checking its state, so the second
request waits for the first to commit, then finds the feedback already answered (409).

The rows are committed (each thread has its own connection), so this test cannot run inside
the usual rolled-back transaction. Per docs/decisions/0008-audit-integrity.md, the append-only
trigger is never weakened: this test's own fixture removes what it committed, with the trigger
dropped in this throw-away test database and re-created from the migration's SQL at once.
"""

import importlib
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from rest_framework.test import APIClient

from audit.models import AuditEvent
from disclosure.models import Checklist, Criterion, DefectCategory
from feedback.models import Feedback
from forces.models import Role, Stream
from tests.conftest import make_world
from tests.factories import UserFactory, make_feedback, make_sample, member
from tests.feedback.conftest import log_defects

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent transactions")

APPEND_ONLY = importlib.import_module("audit.migrations.0002_append_only")
#: Rows the migrations put in an empty test database: kept.
REFERENCE = {ContentType, Permission, DefectCategory, Checklist, Criterion}


def _remove_committed_rows(audit_before: int) -> None:
    """Delete every row written since the test began (foreign keys are checked at commit, so order is free)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY.DROP)
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            if model is AuditEvent:
                cursor.execute(f"DELETE FROM {table} WHERE id > %s", [audit_before])  # noqa: S608 - a model's table
            elif model not in REFERENCE and not model._meta.proxy and model._meta.managed:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
        cursor.execute(APPEND_ONLY.CREATE)


@pytest.fixture
def committed_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        audit_before = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
        try:
            yield make_world()
        finally:
            connection.close()
            _remove_committed_rows(audit_before)
            connection.close()


def test_two_conflicting_responses_at_once_exactly_one_wins(committed_world):
    world = committed_world
    colleague = UserFactory(username="gmp-cc-colleague")
    member(colleague, world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=2)
    defects = log_defects(world=world, sample=sample, codes_by_schedule=[["D02"]])
    feedback = make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=defects, status="acknowledged")

    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def respond(user, outcome):
        try:
            client = APIClient()
            client.force_authenticate(user)
            body = {"outcome": outcome, "action_taken": "Schedule re-served.", "reasons": "Items were listed."}
            barrier.wait(timeout=30)
            results[outcome] = client.post(f"/api/v1/feedback/{feedback.pk}/respond/", body, format="json").status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=respond, args=(world.gmp_lead, "accepted")),
        threading.Thread(target=respond, args=(colleague, "disputed")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results.values()) == [200, 409], results
    winner = next(outcome for outcome, status in results.items() if status == 200)
    feedback = Feedback.objects.get(pk=feedback.pk)
    assert (feedback.status, feedback.outcome, feedback.row_version) == ("responded", winner, 4)
