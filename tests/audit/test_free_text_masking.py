"""Free text never enters the audit log: erasing a row leaves nothing of its text readable (DPA 2018 s.62).

A masked field is logged as changed, with a keyed hash standing in for its value
(``tests.audit.hashing`` recomputes it from its definition).
"""

import json

import pytest
from auditlog.registry import auditlog
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.test import override_settings

from audit.models import AuditEvent
from disclosure import services
from disclosure.models import Assessment, Defect, DefectCategory, DipSample
from forces.models import Membership
from tests.audit.hashing import expected_hash
from tests.factories import UserFactory, assess, make_sample

CREATE, UPDATE, DELETE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE
DESCRIPTION = "Items 3-7 block listed as 'various' with no description of contents."
NEW_DESCRIPTION = "Item 12 described as 'misc papers'; the papers are not identified."
ITEM_REFERENCE = "MG6C items 3-7"
NEW_ITEM_REFERENCE = "MG6C item 12"


def whole_log_text() -> str:
    """Everything the audit table holds that could carry text, as one string."""
    columns = ("object_repr", "changes", "changes_text", "serialized_data", "additional_data", "object_pk")
    return json.dumps(list(AuditEvent.objects.values_list(*columns)), ensure_ascii=False)


def entries(obj, pk=None):
    pk = obj.pk if pk is None else pk
    return AuditEvent.objects.filter(content_type__model=obj._meta.model_name, object_pk=str(pk)).order_by("id")


@pytest.fixture
def assessment(world):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=2)
    return assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())


def test_no_entry_holds_the_text_of_a_defect_created_changed_and_deleted(world, assessment):
    defect = services.defect_create(
        actor=world.cps_lead,
        assessment=assessment,
        category=DefectCategory.objects.get(code="D02"),
        description=DESCRIPTION,
        item_reference=ITEM_REFERENCE,
    )
    pk = defect.pk
    defect = services.defect_update(
        actor=world.gmp_lead,
        defect=defect,
        row_version=defect.row_version,
        description=NEW_DESCRIPTION,
        item_reference=NEW_ITEM_REFERENCE,
    )
    services.defect_delete(actor=world.cps_lead, defect=defect)

    created, updated, deleted = entries(defect, pk)
    assert [created.action, updated.action, deleted.action] == [CREATE, UPDATE, DELETE]
    log = whole_log_text()
    for text in (DESCRIPTION, NEW_DESCRIPTION, ITEM_REFERENCE, NEW_ITEM_REFERENCE, "various", "misc papers"):
        assert text not in log
    # ... yet each entry shows the text changed, and what it was equal to can be proven with the key.
    assert created.changes["description"] == [None, expected_hash(DESCRIPTION)]
    assert created.changes["item_reference"] == [None, expected_hash(ITEM_REFERENCE)]
    assert updated.changes["description"] == [expected_hash(DESCRIPTION), expected_hash(NEW_DESCRIPTION)]
    assert updated.changes["item_reference"] == [expected_hash(ITEM_REFERENCE), expected_hash(NEW_ITEM_REFERENCE)]
    # Values of non-personal fields are kept.
    assert created.changes["severity"] == [None, "significant"]
    assert created.changes["assessment"] == [None, assessment.pk]


def test_no_entry_holds_assessment_notes_or_a_reopen_reason(world):
    notes = "The DRS does not record why item 9 was withheld."
    reason = "D02 logged against the wrong schedule by mistake."
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3)
    assessment = assess(actor=world.gmp_lead, sample=sample, schedule=sample.schedules.get(), notes=notes)
    services.dip_sample_complete(actor=world.cps_lead, dip_sample=sample)
    services.dip_sample_sign_off(actor=world.cps_lead, dip_sample=sample)
    services.dip_sample_sign_off(actor=world.gmp_lead, dip_sample=sample)
    services.dip_sample_reopen(actor=world.cps_admin, dip_sample=sample, reason=reason)

    log = whole_log_text()
    assert notes not in log
    assert reason not in log
    assert entries(assessment).get(action=CREATE).changes["notes"] == [None, expected_hash(notes)]
    reopened = entries(sample).filter(action=UPDATE).latest("id")
    assert reopened.changes["reopen_reason"] == ["", expected_hash(reason)]
    assert reopened.changes["status"] == ["signed_off", "in_progress"]


def test_the_hash_key_is_audit_hash_key_when_set(world, assessment):
    with override_settings(AUDIT_HASH_KEY="a-separate-audit-hash-key"):
        defect = services.defect_create(
            actor=world.cps_lead,
            assessment=assessment,
            category=DefectCategory.objects.get(code="D02"),
            description=DESCRIPTION,
        )
    logged = entries(defect).get(action=CREATE).changes["description"][1]
    assert logged == expected_hash(DESCRIPTION, secret="a-separate-audit-hash-key")
    assert logged != expected_hash(DESCRIPTION)


def test_a_dip_sample_creation_logs_its_own_columns_only(world, client_for):
    response = client_for(world.cps_lead).post(
        "/api/v1/dip-samples/",
        {"force": "GMP", "stream": "cc", "period_start": "2025-01-01", "period_end": "2025-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = entries(DipSample(pk=response.json()["id"])).get(action=CREATE)
    columns = {field.name for field in DipSample._meta.concrete_fields}
    assert set(created.changes) <= columns
    # Many-to-many and reverse relations (schedules, sampled, assessments) are not fields of the entry.
    for relation in ("schedules", "sampled", "assessments", "dipsampleuserobjectpermission"):
        assert relation not in created.changes
    assert ".None" not in json.dumps(created.changes)


def test_every_audited_model_is_registered_under_the_masking_rule():
    """Any model registered with auditlog directly (not ``audit_register``) would log free text."""
    models = auditlog.get_models()
    assert {Defect, Assessment, DipSample, Membership} <= set(models)
    for model in models:
        options = auditlog.get_model_fields(model)
        assert options["mask_callable"] == "backend.audit.keyed_hash", model
        assert options["include_fields"] == [field.name for field in model._meta.concrete_fields], model
    masked = {model.__name__: set(auditlog.get_model_fields(model)["mask_fields"]) for model in models}
    assert masked["Defect"] == {"description", "item_reference"}
    assert masked["Assessment"] == {"notes"}
    assert masked["DipSample"] == {"reopen_reason", "overlap_reason"}
    assert masked["SampledSchedule"] == {"reason", "not_assessable_reason"}
    assert masked["Case"] == set()  # the URN is a reference, logged as it is


def test_object_reprs_of_rows_with_free_text_hold_none_of_it(world, assessment):
    defect = services.defect_create(
        actor=world.cps_lead,
        assessment=assessment,
        category=DefectCategory.objects.get(code="D02"),
        description=DESCRIPTION,
        item_reference=ITEM_REFERENCE,
    )
    assert DESCRIPTION not in str(defect) and ITEM_REFERENCE not in str(defect)
    assert entries(defect).get(action=CREATE).object_repr == f"Defect {defect.pk} on assessment {assessment.pk}"


def test_a_user_with_audit_entries_cannot_be_deleted(world):
    """Deleting the actor would rewrite entries (auditlog's SET_NULL): it is refused; accounts are deactivated."""
    actor = world.gmp_admin
    newcomer = UserFactory(username="newcomer3")
    from backend.audit import audit_as

    with audit_as(actor):
        Membership.objects.create(user=newcomer, organisation=world.gmp, role="org_admin")
    assert AuditEvent.objects.filter(actor=actor).exists()
    with pytest.raises(ProtectedError):
        actor.delete()
    assert AuditEvent.objects.filter(actor=actor).exists()


def test_auditlogs_flush_command_deletes_nothing(world):
    from django.core.management import call_command

    before = AuditEvent.objects.count()
    assert before > 0
    with pytest.raises(PermissionDenied):
        call_command("auditlogflush", "--yes")
    with pytest.raises(PermissionDenied):
        call_command("auditlogflush", "--yes", "--before-date", "2100-01-01")
    assert AuditEvent.objects.count() == before
