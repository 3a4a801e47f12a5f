"""On PostgreSQL the audit table refuses UPDATE, DELETE and TRUNCATE, whoever sends them (migration audit 0002).

These tests are about a PostgreSQL trigger, so they run only there: CI runs the suite on
PostgreSQL (scripts/test-postgres.sh). The app-level refusals are tested on every database
in test_audit_log.py and test_free_text_masking.py.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction

from audit.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists only on PostgreSQL"
)

REFUSED = "The audit log is append-only"


@pytest.fixture
def event(world):
    return AuditEvent.objects.filter(force=world.gmp).earliest("id")


def refused(sql, params=()):
    """Run ``sql`` in a savepoint; True if the trigger refused it."""
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        # Fire the deferred foreign-key checks of the rows written so far: PostgreSQL refuses
        # TRUNCATE of a table with pending trigger events for another reason than ours.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)
    return True


def test_raw_update_is_refused(event):
    assert refused("UPDATE audit_auditevent SET object_repr = 'tampered' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.object_repr != "tampered"


def test_raw_delete_is_refused(event):
    count = AuditEvent.objects.count()
    assert refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == count


def test_truncate_is_refused_also_through_a_cascade(event):
    count = AuditEvent.objects.count()
    assert refused("TRUNCATE audit_auditevent")
    # Truncating a table the log points at, with CASCADE, would truncate the log too.
    assert refused("TRUNCATE auth_user CASCADE")
    assert AuditEvent.objects.count() == count


def test_orm_writes_that_bypass_the_queryset_guard_are_refused(event):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), object_repr="tampered")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        models.QuerySet.delete(AuditEvent.objects.filter(pk=event.pk))
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        event.object_repr = "tampered"
        models.Model.save(event)
    event.refresh_from_db()
    assert event.object_repr != "tampered"
    assert AuditEvent.objects.count() == count


def test_auditlogs_flush_command_cannot_truncate_the_log(event):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("auditlogflush", "--yes", "--truncate")
    assert AuditEvent.objects.count() == count
