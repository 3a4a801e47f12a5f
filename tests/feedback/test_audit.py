"""Feedback's free text never enters the audit log: each step is logged, its texts only as keyed hashes."""

from audit.models import AuditEvent
from feedback import services
from tests.audit.hashing import expected_hash
from tests.audit.test_free_text_masking import whole_log_text

SUMMARY = "Items 3-7 on the MG6C are block listed as 'assorted paperwork'."
ACTION = "Disclosure officer coached by the sergeant; MG6C re-served."
REASONS = "Each of items 3-7 appears on the continuation sheet."
MESSAGE = "Which continuation sheet is meant?"
REOPEN = "The continuation sheet was never served."


def test_no_entry_holds_the_text_of_feedback_its_response_or_its_thread(world, gmp_defects):
    feedback = services.feedback_create(
        actor=world.cps_lead, defects=[gmp_defects["D02"]], summary=SUMMARY, requested_action="Re-serve it."
    )
    feedback = services.feedback_send(actor=world.cps_lead, feedback=feedback)
    services.feedback_message_create(actor=world.cps_lead, feedback=feedback, body=MESSAGE)
    feedback = services.feedback_respond(
        actor=world.gmp_lead, feedback=feedback, outcome="disputed", action_taken=ACTION, reasons=REASONS
    )
    services.feedback_reopen(actor=world.cps_lead, feedback=feedback, reason=REOPEN)

    log = whole_log_text()
    for text in (SUMMARY, ACTION, REASONS, MESSAGE, REOPEN, "assorted paperwork", "sergeant"):
        assert text not in log
    entries = AuditEvent.objects.filter(content_type__model="feedback", object_pk=str(feedback.pk)).order_by("id")
    assert entries[0].changes["summary"] == [None, expected_hash(SUMMARY)]
    assert entries[0].changes["status"] == [None, "draft"]
    statuses = [entry.changes["status"][1] for entry in entries if "status" in entry.changes]
    assert statuses == ["draft", "sent", "responded", "sent"]
