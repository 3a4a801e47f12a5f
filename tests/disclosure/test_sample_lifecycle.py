"""The whole life of a dip sample through the API, and every wrong-state step (409)."""

import pytest

from disclosure.models import Assessment, Defect, DipSample, Schedule
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
def june(world):
    """Three GMP Crown Court schedules received in June of last year."""
    first, last = last_year_month(6)
    schedules = []
    for kind in ("mg6c", "mg6d", "mg6e"):
        case = make_case(actor=world.gmp_lead, force=world.gmp)
        schedules.append(make_schedule(actor=world.gmp_lead, case=case, received_on=first, kind=kind))
    return first, last, schedules


def plan(client, first, last, **extra):
    body = {"force": "GMP", "stream": "cc", "period_start": str(first), "period_end": str(last), **extra}
    return client.post(SAMPLES, body, format="json")


def assess(client, sample_id, schedule_id, **extra):
    body = {
        "dip_sample": sample_id,
        "schedule": schedule_id,
        "rating": "partially_meets",
        "drs_complete": False,
        "answers": answers_rated(Schedule.objects.get(pk=schedule_id).kind, "partially_meets"),
        **extra,
    }
    return client.post(ASSESSMENTS, body, format="json")


def test_the_whole_life_of_a_sample(world, cps, police, june, client_for):
    first, last, schedules = june
    created = plan(cps, first, last, police_lead="gmp-lead")
    assert created.status_code == 201, created.json()
    sample = created.json()
    assert (sample["status"], sample["cps_lead"], sample["police_lead"]) == ("planned", "cps-lead", "gmp-lead")
    url = f"{SAMPLES}{sample['id']}/"

    drawn = police.post(f"{url}draw/", {"size": 3}, format="json")
    assert drawn.status_code == 200, drawn.json()
    assert drawn.json()["status"] == "in_progress"
    assert sorted(drawn.json()["selection"]) == sorted(s.pk for s in schedules)

    for index, schedule_id in enumerate(drawn.json()["selection"]):
        client = cps if index % 2 else police  # either side assesses
        response = assess(client, sample["id"], schedule_id)
        assert response.status_code == 201, response.json()
        assert response.json()["checklist_version"] == 1
    assessment_id = response.json()["id"]
    defect = cps.post(
        DEFECTS,
        {"assessment": assessment_id, "category": "D02", "item_reference": "items 3-7", "description": "Block listed."},
        format="json",
    )
    assert defect.status_code == 201, defect.json()
    assert defect.json()["severity"] == "significant"  # the category's default
    assert cps.get(f"{ASSESSMENTS}{assessment_id}/").json()["defect_count"] == 1
    assert cps.get(url).json()["assessment_count"] == 3

    completed = cps.post(f"{url}complete/")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"

    assert cps.post(f"{url}sign-off/").json()["status"] == "completed"  # one side is not enough
    signed = police.post(f"{url}sign-off/")
    assert signed.status_code == 200
    body = signed.json()
    assert (body["status"], body["cps_signed_off_by"], body["police_signed_off_by"]) == (
        "signed_off",
        "cps-lead",
        "gmp-lead",
    )

    # Read-only from now on: every write to its assessments and defects answers 409.
    assessment_url = f"{ASSESSMENTS}{assessment_id}/"
    assert police.patch(assessment_url, {"rating": "not_meeting", "row_version": 1}, format="json").status_code == 409
    assert police.delete(assessment_url).status_code == 409
    assert police.delete(f"{DEFECTS}{defect.json()['id']}/").status_code == 409
    assert cps.post(DEFECTS, {"assessment": assessment_id, "category": "D01", "description": "x"}).status_code == 409
    assert Assessment.objects.get(pk=assessment_id).rating == "partially_meets"
    assert Defect.objects.filter(pk=defect.json()["id"]).exists()

    # An Area org admin reopens it with a reason; then it can be corrected and signed again.
    reopened = client_for(world.cps_admin).post(f"{url}reopen/", {"reason": "D02 logged on the wrong schedule."})
    assert reopened.status_code == 200, reopened.json()
    body = reopened.json()
    assert (body["status"], body["cps_signed_off_by"], body["police_signed_off_by"]) == ("in_progress", None, None)
    assert body["reopen_reason"] == "D02 logged on the wrong schedule."
    assert police.delete(f"{DEFECTS}{defect.json()['id']}/").status_code == 204


@pytest.fixture
def drawn(world, cps, june):
    first, last, _ = june
    sample = plan(cps, first, last, police_lead="gmp-lead").json()
    return cps.post(f"{SAMPLES}{sample['id']}/draw/", {"size": 2}, format="json").json()


def test_steps_in_the_wrong_state_answer_409(world, cps, police, drawn, client_for):
    url = f"{SAMPLES}{drawn['id']}/"
    assert cps.post(f"{url}draw/", {"size": 1}, format="json").status_code == 409  # drawn already
    assert cps.post(f"{url}sign-off/").status_code == 409  # not completed
    assert client_for(world.cps_admin).post(f"{url}reopen/", {"reason": "why not"}).status_code == 409
    complete = cps.post(f"{url}complete/")
    assert complete.status_code == 409  # nothing assessed
    assert complete.json()["code"] == "assessments_missing"
    assess(cps, drawn["id"], drawn["selection"][0])
    assert "1 drawn schedule" in cps.post(f"{url}complete/").json()["detail"]  # one still to do
    assess(cps, drawn["id"], drawn["selection"][1])
    assert cps.post(f"{url}complete/").status_code == 200
    assert cps.post(f"{url}complete/").status_code == 409  # completed already
    assert cps.post(f"{url}sign-off/").status_code == 200
    again = cps.post(f"{url}sign-off/")
    assert again.status_code == 409  # the CPS side signed already
    assert again.json()["code"] == "already_signed"
    patch = cps.patch(url, {"period_start": "2020-01-01", "row_version": DipSample.objects.get().row_version})
    assert patch.status_code == 409  # the period is fixed once drawn
    assert cps.delete(url).status_code == 409


def test_a_change_after_one_side_signed_voids_the_signature(world, cps, police, drawn):
    url = f"{SAMPLES}{drawn['id']}/"
    ids = [assess(cps, drawn["id"], schedule_id).json()["id"] for schedule_id in drawn["selection"]]
    cps.post(f"{url}complete/")
    assert cps.post(f"{url}sign-off/").json()["cps_signed_off_by"] == "cps-lead"
    kind = Assessment.objects.get(pk=ids[0]).schedule.kind
    changed = police.patch(
        f"{ASSESSMENTS}{ids[0]}/", {"answers": answers_rated(kind, "not_meeting")}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["rating"] == "not_meeting"
    assert changed.json()["signatures_voided"] is True
    sample = cps.get(url).json()
    assert sample["cps_signed_off_by"] is None
    assert sample["status"] == "completed"


def test_only_an_area_org_admin_may_reopen_and_must_say_why(world, rows, client_for):
    url = f"{SAMPLES}{rows['GMP'].signed_off.pk}/reopen/"
    assert client_for(world.gmp_admin).post(url, {"reason": "x"}).status_code == 403
    assert client_for(world.cps_lead).post(url, {"reason": "x"}).status_code == 403
    missing = client_for(world.cps_admin).post(url, {"reason": "   "})
    assert missing.status_code == 400
    assert "reason" in missing.json()["fields"]
    assert DipSample.objects.get(pk=rows["GMP"].signed_off.pk).status == "signed_off"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": "2025-06-30", "period_end": "2025-06-01"}, "period_end"),
        ({"period_start": "2025-06-31", "period_end": "2025-07-01"}, "period_start"),
        ({"stream": "crown"}, "stream"),
        ({"force": "LANCS", "police_lead": "gmp-lead"}, "police_lead"),  # not a LANCS lead
        ({"cps_lead": "gmp-lead"}, "cps_lead"),  # a police lead cannot be the CPS lead
        ({"police_lead": "gmp-mc-lead"}, "police_lead"),  # leads another stream
        ({"police_lead": "no-such-user"}, "police_lead"),
    ],
)
def test_it_names_each_bad_sample_field(world, cps, body, field):
    full = {"force": "GMP", "stream": "cc", "period_start": "2025-06-01", "period_end": "2025-06-30", **body}
    response = cps.post(SAMPLES, full, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not DipSample.objects.exists()


def test_draw_refuses_a_bad_size(world, cps, june):
    first, last, _ = june
    sample = plan(cps, first, last).json()
    for size in (0, -1, 10_000, "ten"):
        response = cps.post(f"{SAMPLES}{sample['id']}/draw/", {"size": size}, format="json")
        assert response.status_code == 400
        assert "size" in response.json()["fields"]
    assert DipSample.objects.get().status == "planned"


def test_assessment_input_errors_name_the_field(world, cps, rows, june):
    first, last, _ = june
    sample = plan(cps, first, last, police_lead="gmp-lead").json()
    # All three drawn, so that the MG6C is among them whatever seed the server picks.
    drawn = cps.post(f"{SAMPLES}{sample['id']}/draw/", {"size": 3}, format="json").json()
    gmp = rows["GMP"]
    lancs_schedule = rows["LANCS"].unassessed
    cases = [
        ({"schedule": lancs_schedule.pk}, "schedule"),  # another force
        ({"rating": "excellent"}, "rating"),
        ({"answers": [{"criterion": "Z9", "result": "fully_meets"}]}, "answers[0].criterion"),
        ({"answers": [{"criterion": "N1", "result": "brilliant"}]}, "answers[0].result"),
        ({"answers": [{"criterion": "S1", "result": "fully_meets"}]}, "answers[0].criterion"),  # MG6D-only criterion
        (
            {"answers": [{"criterion": "T1", "result": "fully_meets"}, {"criterion": "T1", "result": "not_meeting"}]},
            "answers[1].criterion",
        ),
        ({"drs_complete": "perhaps"}, "drs_complete"),
    ]
    mg6c = next(s for s in DipSample.objects.get(pk=drawn["id"]).schedules.all() if s.kind == "mg6c")
    for change, field in cases:
        response = assess(cps, drawn["id"], mg6c.pk, **change)
        assert response.status_code == 400, (change, response.json())
        assert field in response.json()["fields"], (change, response.json())
    assert not Assessment.objects.filter(dip_sample_id=drawn["id"]).exists()
    assert gmp.assessment.dip_sample_id != drawn["id"]


def test_a_schedule_of_another_stream_cannot_be_assessed(world, cps, drawn):
    first, _ = last_year_month(6)
    mc_case = make_case(actor=world.cps_lead, force=world.gmp, stream="cc")
    mc_case.stream = "mc"
    mc_case.save()
    schedule = make_schedule(actor=world.superuser, case=mc_case, received_on=first)
    response = assess(cps, drawn["id"], schedule.pk)
    assert response.status_code == 400
    assert "stream" in response.json()["fields"]["schedule"][0]


def test_a_schedule_is_assessed_once_per_sample(world, cps, police, drawn):
    schedule_id = drawn["selection"][0]
    assert assess(cps, drawn["id"], schedule_id).status_code == 201
    second = assess(police, drawn["id"], schedule_id)
    assert second.status_code == 400
    assert "already been assessed" in second.json()["fields"]["schedule"][0]
    assert Assessment.objects.filter(dip_sample_id=drawn["id"]).count() == 1


def test_defect_input_errors_name_the_field(world, cps, rows):
    assessment = rows["GMP"].assessment
    for change, field in [
        ({"category": "Z99"}, "category"),
        ({"severity": "catastrophic"}, "severity"),
        ({"description": ""}, "description"),
        ({"assessment": 0}, "assessment"),
    ]:
        body = {"assessment": assessment.pk, "category": "D01", "description": "Item 4 described as 'statement'."}
        response = cps.post(DEFECTS, {**body, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()["fields"]
    assert Defect.objects.filter(assessment=assessment).count() == 1


def test_a_stale_update_is_refused_not_lost(world, cps, police, rows):
    url = f"{ASSESSMENTS}{rows['GMP'].assessment.pk}/"
    etag = cps.get(url)["ETag"]
    assert etag == '"1"'
    first = cps.patch(url, {"answers": answers_rated("mg6c", "not_meeting")}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] == '"2"'
    stale = police.patch(url, {"answers": answers_rated("mg6c", "fully_meets")}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_update"
    assert Assessment.objects.get(pk=rows["GMP"].assessment.pk).rating == "not_meeting"
    blind = police.patch(url, {"answers": answers_rated("mg6c", "fully_meets")}, format="json")
    assert blind.status_code == 409
    assert blind.json()["code"] == "row_version_required"


def test_answers_replace_the_previous_answers_and_keep_the_checklist_version(world, cps, rows):
    url = f"{ASSESSMENTS}{rows['GMP'].assessment.pk}/"
    answers = answers_for("mg6c", N2="not_applicable", N5="partially_meets")
    response = cps.patch(url, {"answers": answers, "row_version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["answers"], key=lambda a: a["criterion"]) == sorted(
        answers, key=lambda a: a["criterion"]
    )
    assert response.json()["checklist_version"] == 1


def test_samples_are_filtered_by_status_and_period(world, client_for, rows):
    client = client_for(world.cps_quality)
    signed = client.get(SAMPLES, {"status": "signed_off"}).json()["results"]
    assert {s["id"] for s in signed} == {rows["GMP"].signed_off.pk, rows["LANCS"].signed_off.pk}
    first, last = last_year_month(2)
    february = client.get(SAMPLES, {"period_after": str(first), "period_before": str(last), "force": "LANCS"})
    assert [s["id"] for s in february.json()["results"]] == [rows["LANCS"].in_progress.pk]


def test_a_lead_field_does_not_reveal_users_of_other_areas(world, cps):
    # kent-lead exists, but in an Area CPS North West cannot see: the same answer as a made-up name.
    known = cps.post(
        SAMPLES,
        {
            "force": "GMP",
            "stream": "cc",
            "period_start": "2025-06-01",
            "period_end": "2025-06-30",
            "police_lead": "kent-lead",
        },
        format="json",
    )
    unknown = cps.post(
        SAMPLES,
        {
            "force": "GMP",
            "stream": "cc",
            "period_start": "2025-06-01",
            "period_end": "2025-06-30",
            "police_lead": "no-such-user",
        },
        format="json",
    )
    assert known.json()["fields"]["police_lead"] == ["No user kent-lead in the organisations you can see."]
    assert unknown.json()["fields"]["police_lead"] == ["No user no-such-user in the organisations you can see."]
