"""The rules that keep a dip sample's figures meaningful (issue: "figures that mean nothing").

One test (at least) per way the workflow could be gamed: assessing undrawn schedules,
closing an empty sample, ratings that contradict their answers, one side acting for both,
no-op writes with side effects, and silent duplicate samples.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from disclosure import services
from disclosure.models import Assessment, DefectCategory, DipSample, SampledSchedule
from disclosure.rating import rating_from_answers
from tests.factories import answers_for, answers_rated, last_year_month, make_case, make_schedule

SAMPLES = "/api/v1/dip-samples/"
ASSESSMENTS = "/api/v1/assessments/"
DEFECTS = "/api/v1/defects/"


@pytest.fixture
def cps(world, client_for):
    return client_for(world.cps_lead)


@pytest.fixture
def police(world, client_for):
    return client_for(world.gmp_lead)


@pytest.fixture
def july(world):
    """Three GMP Crown Court MG6Cs received in July of last year, and one received the day after July."""
    first, last = last_year_month(7)
    schedules = [
        make_schedule(actor=world.gmp_lead, case=make_case(actor=world.gmp_lead, force=world.gmp), received_on=first)
        for _ in range(3)
    ]
    outside = make_schedule(
        actor=world.gmp_lead,
        case=make_case(actor=world.gmp_lead, force=world.gmp),
        received_on=last + datetime.timedelta(days=1),
    )
    return first, last, schedules, outside


def _plan(cps, first, last, **extra):
    body = {"force": "GMP", "stream": "cc", "period_start": str(first), "period_end": str(last)}
    response = cps.post(SAMPLES, {**body, "police_lead": "gmp-lead", **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _assess(client, sample_id, schedule_id, rating="partially_meets", **extra):
    body = {
        "dip_sample": sample_id,
        "schedule": schedule_id,
        "rating": rating,
        "answers": answers_rated("mg6c", rating),
        "drs_complete": True,
        **extra,
    }
    return client.post(ASSESSMENTS, body, format="json")


def _drawn(cps, july, size=2):
    first, last, _, _ = july
    sample = _plan(cps, first, last)
    drawn = cps.post(f"{SAMPLES}{sample['id']}/draw/", {"size": size}, format="json")
    assert drawn.status_code == 200, drawn.json()
    return drawn.json()


# --- 1. only drawn schedules are assessed -------------------------------------------------


def test_a_planned_sample_cannot_be_assessed_before_the_draw(world, cps, july):
    first, last, schedules, _ = july
    sample = _plan(cps, first, last)
    response = _assess(cps, sample["id"], schedules[0].pk)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "not_drawn"
    assert DipSample.objects.get(pk=sample["id"]).status == "planned"
    assert not Assessment.objects.exists()


def test_a_schedule_that_was_not_drawn_cannot_be_assessed(world, cps, july):
    sample = _drawn(cps, july, size=1)
    not_drawn = next(s for s in july[2] if s.pk not in sample["selection"])
    response = _assess(cps, sample["id"], not_drawn.pk)
    assert response.status_code == 400, response.json()
    assert "not drawn" in response.json()["fields"]["schedule"][0]
    out_of_period = _assess(cps, sample["id"], july[3].pk)
    assert out_of_period.status_code == 400
    assert "schedule" in out_of_period.json()["fields"]
    assert not Assessment.objects.exists()


def test_a_lead_adds_a_schedule_by_hand_only_with_a_reason_and_only_an_eligible_one(world, cps, police, july):
    sample = _drawn(cps, july, size=1)
    url = f"{SAMPLES}{sample['id']}/add-schedule/"
    extra = next(s for s in july[2] if s.pk not in sample["selection"])
    no_reason = cps.post(url, {"schedule": extra.pk, "reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    outside = cps.post(url, {"schedule": july[3].pk, "reason": "Looks interesting."}, format="json")
    assert outside.status_code == 400
    assert "schedule" in outside.json()["fields"]
    added = cps.post(url, {"schedule": extra.pk, "reason": "Revised schedule served after the draw."}, format="json")
    assert added.status_code == 200, added.json()
    entries = {entry["schedule"]: entry for entry in added.json()["sampled"]}
    assert entries[sample["selection"][0]]["method"] == "random"
    assert entries[extra.pk]["method"] == "hand_picked"
    assert entries[extra.pk]["reason"] == "Revised schedule served after the draw."
    assert _assess(police, sample["id"], extra.pk).status_code == 201
    twice = cps.post(url, {"schedule": extra.pk, "reason": "Again."}, format="json")
    assert twice.status_code == 400  # sampled already


def test_only_the_samples_leads_add_schedules_by_hand(world, client_for, july, cps):
    sample = _drawn(cps, july, size=1)
    extra = next(s for s in july[2] if s.pk not in sample["selection"])
    response = client_for(world.cps_quality).post(
        f"{SAMPLES}{sample['id']}/add-schedule/", {"schedule": extra.pk, "reason": "Curious."}, format="json"
    )
    assert response.status_code == 403
    assert SampledSchedule.objects.filter(dip_sample_id=sample["id"]).count() == 1


# --- 3. complete and sign off need every sampled schedule dealt with ---------------------


def test_assessments_cannot_be_withdrawn_or_added_after_complete(world, cps, police, july):
    sample = _drawn(cps, july, size=2)
    url = f"{SAMPLES}{sample['id']}/"
    ids = [_assess(cps, sample["id"], schedule_id).json()["id"] for schedule_id in sample["selection"]]
    assert cps.post(f"{url}complete/").status_code == 200
    withdrawn = police.delete(f"{ASSESSMENTS}{ids[0]}/")
    assert withdrawn.status_code == 409
    assert withdrawn.json()["code"] == "completed"
    defect = cps.post(DEFECTS, {"assessment": ids[0], "category": "D01", "description": "Vague."}, format="json")
    assert defect.status_code == 409
    assert Assessment.objects.filter(dip_sample_id=sample["id"]).count() == 2
    # Reopened by one of its leads, it can be corrected again.
    reopened = cps.post(f"{url}reopen/", {"reason": "One schedule was assessed against the wrong case."})
    assert reopened.status_code == 200, reopened.json()
    assert police.delete(f"{ASSESSMENTS}{ids[0]}/").status_code == 204
    assert cps.post(f"{url}complete/").status_code == 409  # one sampled schedule is unassessed again


def test_a_sample_whose_assessments_vanished_cannot_be_signed_off(world, cps, police, july):
    sample = _drawn(cps, july, size=1)
    url = f"{SAMPLES}{sample['id']}/"
    _assess(cps, sample["id"], sample["selection"][0])
    assert cps.post(f"{url}complete/").status_code == 200
    Assessment.objects.filter(dip_sample_id=sample["id"]).delete()  # behind the API's back
    refused = cps.post(f"{url}sign-off/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "assessments_missing"
    assert DipSample.objects.get(pk=sample["id"]).cps_signed_off_by is None


def test_a_schedule_marked_not_assessable_with_a_reason_counts_as_done(world, cps, july):
    sample = _drawn(cps, july, size=2)
    url = f"{SAMPLES}{sample['id']}/"
    first, second = sample["selection"]
    assert cps.post(f"{url}not-assessable/", {"schedule": first, "reason": ""}, format="json").status_code == 400
    assert cps.post(f"{url}complete/").status_code == 409  # nothing assessed
    marked = cps.post(f"{url}not-assessable/", {"schedule": first, "reason": "Only page 1 supplied."}, format="json")
    assert marked.status_code == 200, marked.json()
    entry = next(e for e in marked.json()["sampled"] if e["schedule"] == first)
    assert (entry["assessable"], entry["not_assessable_reason"]) == (False, "Only page 1 supplied.")
    assert _assess(cps, sample["id"], first).status_code == 400  # not assessable now
    assert cps.post(f"{url}complete/").status_code == 409  # at least one assessment is needed
    assert _assess(cps, sample["id"], second).status_code == 201
    assert cps.post(f"{url}complete/").status_code == 200


# --- 4. ratings follow the answers --------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([(False, "fully_meets"), (True, "fully_meets")], "fully_meets"),
        ([(False, "fully_meets"), (True, "not_applicable")], "fully_meets"),
        ([(False, "partially_meets"), (True, "fully_meets")], "partially_meets"),
        ([(False, "not_meeting"), (True, "fully_meets")], "partially_meets"),  # not critical
        ([(True, "partially_meets"), (False, "fully_meets")], "partially_meets"),
        ([(True, "not_meeting"), (False, "fully_meets")], "not_meeting"),
        ([(True, "not_meeting"), (False, "partially_meets")], "not_meeting"),
        ([(True, "not_applicable"), (False, "not_applicable")], None),
        ([], None),
    ],
)
def test_rating_from_answers(answers, expected):
    assert rating_from_answers(answers) == expected


def test_fully_meets_without_answers_is_refused(world, cps, july):
    sample = _drawn(cps, july, size=1)
    body = {"dip_sample": sample["id"], "schedule": sample["selection"][0], "rating": "fully_meets"}
    for answers in ([], [{"criterion": "N1", "result": "fully_meets"}]):
        response = cps.post(ASSESSMENTS, {**body, "answers": answers, "drs_complete": True}, format="json")
        assert response.status_code == 400, response.json()
        assert "answers" in response.json()["fields"]
    missing = cps.post(ASSESSMENTS, {**body, "drs_complete": True}, format="json")
    assert missing.status_code == 400
    assert "answers" in missing.json()["fields"]
    assert not Assessment.objects.exists()


def test_the_missing_criteria_are_named(world, cps, july):
    sample = _drawn(cps, july, size=1)
    answers = [a for a in answers_for("mg6c") if a["criterion"] not in ("N5", "R2")]
    response = _assess(cps, sample["id"], sample["selection"][0], answers=answers)
    assert response.status_code == 400
    message = response.json()["fields"]["answers"][0]
    assert "N5" in message and "R2" in message


def test_a_rating_contradicting_the_answers_is_refused_naming_both(world, cps, july):
    sample = _drawn(cps, july, size=1)
    answers = answers_for("mg6c", N8="not_meeting")  # N8 (all relevant material revealed) is critical
    response = _assess(cps, sample["id"], sample["selection"][0], rating="fully_meets", answers=answers)
    assert response.status_code == 400, response.json()
    assert {"rating", "answers"} <= set(response.json()["fields"])
    assert not Assessment.objects.exists()


def test_the_rating_is_computed_from_the_answers(world, cps, july):
    sample = _drawn(cps, july, size=1)
    body = {
        "dip_sample": sample["id"],
        "schedule": sample["selection"][0],
        "answers": answers_for("mg6c", N3="not_meeting"),  # N3 (block listing) is not critical
        "drs_complete": True,
    }
    response = cps.post(ASSESSMENTS, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["rating"] == "partially_meets"


def test_a_critical_police_defect_cannot_sit_on_a_fully_meets_assessment(world, cps, july):
    sample = _drawn(cps, july, size=1)
    created = _assess(cps, sample["id"], sample["selection"][0], rating="fully_meets")
    assert created.status_code == 201, created.json()
    assessment_id = created.json()["id"]
    critical = {"assessment": assessment_id, "category": "C01", "description": "Pocket notebook not scheduled."}
    response = cps.post(DEFECTS, critical, format="json")
    assert response.status_code == 400
    assert "severity" in response.json()["fields"]
    # Minor police defects and CPS-side defects may; raising one to critical may not.
    minor = cps.post(DEFECTS, {**critical, "category": "D03", "description": "Abbreviations."}, format="json")
    assert minor.status_code == 201
    raised = cps.patch(f"{DEFECTS}{minor.json()['id']}/", {"severity": "critical", "row_version": 1}, format="json")
    assert raised.status_code == 400
    assert "severity" in raised.json()["fields"]


def test_answers_cannot_turn_an_assessment_with_a_critical_police_defect_into_fully_meets(world, cps, july):
    sample = _drawn(cps, july, size=1)
    created = _assess(cps, sample["id"], sample["selection"][0], rating="not_meeting").json()
    category = DefectCategory.objects.get(code="C01")
    services.defect_create(
        actor=world.cps_lead,
        assessment=Assessment.objects.get(pk=created["id"]),
        category=category,
        description="Pocket notebook not scheduled.",
    )
    response = cps.patch(
        f"{ASSESSMENTS}{created['id']}/", {"answers": answers_for("mg6c"), "row_version": 1}, format="json"
    )
    assert response.status_code == 400
    assert {"rating", "answers"} <= set(response.json()["fields"])
    assert Assessment.objects.get(pk=created["id"]).rating == "not_meeting"


# --- 5. joint means joint -----------------------------------------------------------------


def _signed_by_cps(cps, july):
    sample = _drawn(cps, july, size=1)
    url = f"{SAMPLES}{sample['id']}/"
    _assess(cps, sample["id"], sample["selection"][0])
    cps.post(f"{url}complete/")
    signed = cps.post(f"{url}sign-off/").json()
    assert signed["cps_signed_off_by"] == "cps-lead"
    return url, signed


def test_one_side_cannot_remove_or_replace_the_other_sides_lead(world, cps, police, july):
    url, signed = _signed_by_cps(cps, july)
    removed = cps.patch(url, {"police_lead": None, "row_version": signed["row_version"]}, format="json")
    assert removed.status_code == 403
    assert "police_lead" in removed.json()["detail"]
    replaced = police.patch(url, {"cps_lead": None, "row_version": signed["row_version"]}, format="json")
    assert replaced.status_code == 403
    sample = DipSample.objects.get(pk=signed["id"])
    assert (sample.cps_lead.username, sample.police_lead.username) == ("cps-lead", "gmp-lead")
    assert sample.cps_signed_off_by.username == "cps-lead"


def test_a_change_of_lead_voids_the_signatures_and_says_so(world, cps, police, july):
    from forces.models import Role
    from tests.factories import UserFactory, member

    url, signed = _signed_by_cps(cps, july)
    deputy = UserFactory(username="gmp-deputy-lead")
    member(deputy, world.gmp, Role.DISCLOSURE_LEAD, "cc")
    # The police side hands over to another of its leads: the CPS signature is void.
    changed = police.patch(url, {"police_lead": "gmp-deputy-lead", "row_version": signed["row_version"]}, format="json")
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["signatures_voided"] is True
    assert (body["police_lead"], body["cps_signed_off_by"], body["status"]) == ("gmp-deputy-lead", None, "completed")
    # The new lead now holds the sample's grant; the old one does not.
    sample = DipSample.objects.get(pk=signed["id"])
    users = get_user_model().objects
    assert users.get(pk=deputy.pk).has_perm("disclosure.change_dipsample", sample)
    assert not users.get(pk=world.gmp_lead.pk).has_perm("disclosure.change_dipsample", sample)


def test_a_patch_that_changes_nothing_changes_nothing(world, cps, july):
    url, signed = _signed_by_cps(cps, july)
    before_events = AuditEvent.objects.count()
    same = cps.patch(
        url,
        {"cps_lead": "cps-lead", "police_lead": "gmp-lead", "row_version": signed["row_version"]},
        format="json",
    )
    assert same.status_code == 200, same.json()
    assert same.json()["signatures_voided"] is False
    sample = DipSample.objects.get(pk=signed["id"])
    assert sample.row_version == signed["row_version"]
    assert sample.cps_signed_off_by.username == "cps-lead"
    assert AuditEvent.objects.count() == before_events


def test_an_assessment_patch_that_changes_nothing_keeps_the_signature(world, cps, july):
    _, signed = _signed_by_cps(cps, july)
    assessment = Assessment.objects.get(dip_sample_id=signed["id"])
    same = cps.patch(
        f"{ASSESSMENTS}{assessment.pk}/",
        {"answers": answers_rated("mg6c", "partially_meets"), "notes": "", "row_version": 1},
        format="json",
    )
    assert same.status_code == 200, same.json()
    assert same.json()["row_version"] == 1
    assert same.json()["signatures_voided"] is False
    assert DipSample.objects.get(pk=signed["id"]).cps_signed_off_by is not None


def test_each_side_signs_only_for_itself(world, cps, police, july, client_for):
    url, signed = _signed_by_cps(cps, july)
    # Another CPS lead cannot add a police signature: it can only sign for the CPS, already signed.
    assert cps.post(f"{url}sign-off/").json()["code"] == "already_signed"
    sample = DipSample.objects.get(pk=signed["id"])
    assert sample.police_signed_off_by is None
    done = police.post(f"{url}sign-off/").json()
    assert (done["status"], done["police_signed_off_by"]) == ("signed_off", "gmp-lead")


# --- 6. no silent duplicates --------------------------------------------------------------


def test_an_overlapping_sample_is_refused_naming_the_existing_one(world, cps, july):
    first, last, _, _ = july
    existing = _plan(cps, first, last)
    body = {
        "force": "GMP",
        "stream": "cc",
        "period_start": str(last - datetime.timedelta(days=3)),
        "period_end": str(last + datetime.timedelta(days=10)),
    }
    refused = cps.post(SAMPLES, body, format="json")
    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "overlapping_sample"
    assert str(existing["id"]) in refused.json()["detail"]
    no_reason = cps.post(SAMPLES, {**body, "allow_overlap": True}, format="json")
    assert no_reason.status_code == 400
    assert "overlap_reason" in no_reason.json()["fields"]
    assert DipSample.objects.count() == 1
    allowed = cps.post(
        SAMPLES, {**body, "allow_overlap": True, "overlap_reason": "Thematic re-sample of late schedules."}
    )
    assert allowed.status_code == 201, allowed.json()
    assert allowed.json()["overlap_reason"] == "Thematic re-sample of late schedules."
    # Another stream or force for the same period is no duplicate.
    assert cps.post(SAMPLES, {**body, "force": "LANCS"}, format="json").status_code == 201


def test_moving_a_planned_sample_onto_another_is_refused_too(world, cps, july):
    first, last, _, _ = july
    july_sample = _plan(cps, first, last)
    august_first, august_last = last_year_month(8)
    august = _plan(cps, august_first, august_last)
    moved = cps.patch(
        f"{SAMPLES}{august['id']}/", {"period_start": str(last), "row_version": august["row_version"]}, format="json"
    )
    assert moved.status_code == 409, moved.json()
    assert str(july_sample["id"]) in moved.json()["detail"]
    assert DipSample.objects.get(pk=august["id"]).period_start == august_first
