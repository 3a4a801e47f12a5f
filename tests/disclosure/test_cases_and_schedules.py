import pytest

from disclosure.models import Case, Schedule

CASES = "/api/v1/cases/"
SCHEDULES = "/api/v1/schedules/"


def test_it_records_a_case_with_its_urn_upper_cased(world, client_for):
    response = client_for(world.gmp_lead).post(CASES, {"urn": "06ab 12345/25", "force": "gmp", "stream": "cc"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["urn"] == "06AB1234525"
    assert body["force"] == "GMP"
    assert body["area"] == "CPS-NW"
    assert Case.objects.get(pk=body["id"]).created_by == world.gmp_lead


@pytest.mark.parametrize(
    "urn",
    ["06AB123452", "06AB123452567", "AB061234525", "06AB12345X5", "", "06A!1234525"],
)
def test_it_refuses_a_malformed_urn_naming_the_field(world, client_for, urn):
    response = client_for(world.gmp_lead).post(CASES, {"urn": urn, "force": "GMP", "stream": "cc"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["urn"]
    assert not Case.objects.exists()


def test_a_urn_is_unique_per_force_but_not_across_forces(world, client_for):
    client = client_for(world.cps_lead)
    assert client.post(CASES, {"urn": "06AB1234525", "force": "GMP", "stream": "cc"}).status_code == 201
    again = client.post(CASES, {"urn": "06ab1234525", "force": "GMP", "stream": "cc"})
    assert again.status_code == 400
    assert "already has a case" in again.json()["fields"]["urn"][0]
    assert client.post(CASES, {"urn": "06AB1234525", "force": "LANCS", "stream": "cc"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"urn": "06AB1234525", "force": "GMP", "stream": "youth"}, "stream"),
        ({"urn": "06AB1234525", "force": "NOWHERE", "stream": "cc"}, "force"),
        ({"urn": "06AB1234525", "force": "CPS-NW", "stream": "cc"}, "force"),  # an Area is not a force
        ({"urn": ["06AB1234525"], "force": "GMP", "stream": "cc"}, "urn"),
        ({"force": "GMP", "stream": "cc"}, "urn"),
    ],
)
def test_it_names_each_bad_case_field(world, client_for, body, field):
    response = client_for(world.cps_lead).post(CASES, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_lead_of_another_stream_may_not_record_a_case(world, client_for):
    response = client_for(world.gmp_mc_lead).post(CASES, {"urn": "06AB1234525", "force": "GMP", "stream": "cc"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def _case(client, force="GMP"):
    return client.post(CASES, {"urn": "06AB1234525", "force": force, "stream": "cc"}).json()["id"]


def test_it_records_a_schedule_for_a_case(world, client_for):
    client = client_for(world.gmp_lead)
    case_id = _case(client)
    response = client.post(
        SCHEDULES, {"case": case_id, "kind": "mg6c", "received_on": "2025-03-04", "item_count": 41}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["revision"], body["urn"], body["stream"], body["force"]) == (
        "mg6c",
        1,
        "06AB1234525",
        "cc",
        "GMP",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "mg6z"}, "kind"),
        ({"item_count": -1}, "item_count"),
        ({"item_count": "many"}, "item_count"),
        ({"revision": 0}, "revision"),
        ({"received_on": "2025-02-30"}, "received_on"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"case": 999999}, "case"),
    ],
)
def test_it_names_each_bad_schedule_field(world, client_for, change, field):
    client = client_for(world.gmp_lead)
    body = {"case": _case(client), "kind": "mg6c", "received_on": "2025-03-04", "item_count": 3, **change}
    response = client.post(SCHEDULES, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Schedule.objects.exists()


def test_a_second_schedule_of_the_same_kind_needs_the_next_revision(world, client_for):
    client = client_for(world.gmp_lead)
    body = {"case": _case(client), "kind": "mg6c", "received_on": "2025-03-04", "item_count": 3}
    assert client.post(SCHEDULES, body, format="json").status_code == 201
    duplicate = client.post(SCHEDULES, body, format="json")
    assert duplicate.status_code == 400
    assert "revision" in duplicate.json()["fields"]
    assert client.post(SCHEDULES, {**body, "revision": 2}, format="json").status_code == 201
    assert client.get(f"{CASES}{body['case']}/").json()["schedule_count"] == 2
    assert client.get(CASES).json()["results"][0]["schedule_count"] == 2


def test_a_schedule_cannot_be_added_to_a_case_of_a_force_you_cannot_see(world, client_for):
    case_id = _case(client_for(world.cps_lead), force="LANCS")
    response = client_for(world.gmp_lead).post(
        SCHEDULES, {"case": case_id, "kind": "mg6c", "received_on": "2025-03-04", "item_count": 3}, format="json"
    )
    assert response.status_code == 400
    assert "case" in response.json()["fields"]


def test_schedules_are_filtered_by_kind_stream_and_dates(world, client_for, rows):
    client = client_for(world.superuser)
    gmp_schedules = Schedule.objects.filter(force=world.gmp)
    response = client.get(SCHEDULES, {"force": "gmp", "kind": "mg6c", "stream": "cc"})
    assert response.json()["count"] == gmp_schedules.filter(kind="mg6c").count()
    first = gmp_schedules.order_by("received_on").first().received_on
    after = client.get(SCHEDULES, {"force": "GMP", "received_after": str(first)}).json()["count"]
    before = client.get(SCHEDULES, {"force": "GMP", "received_before": str(first)}).json()["count"]
    assert after == gmp_schedules.filter(received_on__gte=first).count()
    assert before == gmp_schedules.filter(received_on__lte=first).count()
    never_sampled = client.get(SCHEDULES, {"force": "GMP", "sampled": "false"}).json()["count"]
    assert never_sampled == gmp_schedules.filter(sampled__isnull=True).count()


def test_it_publishes_the_defect_taxonomy_of_the_domain_notes(world, client_for):
    body = client_for(world.gmp_chief).get("/api/v1/defect-categories/").json()
    # The 21 codes of docs/domain.md, with their sides; CPS-side ones are P01-P04.
    police = [
        "S01",
        "S02",
        "S03",
        "D01",
        "D02",
        "D03",
        "D04",
        "D05",
        "C01",
        "C02",
        "C03",
        "X01",
        "X02",
        "X03",
        "E01",
        "E02",
        "T01",
    ]
    cps = ["P01", "P02", "P03", "P04"]
    assert {c["code"]: c["side"] for c in body} == {**dict.fromkeys(police, "police"), **dict.fromkeys(cps, "cps")}
    critical = {c["code"] for c in body if c["default_severity"] == "critical"}
    assert {"C01", "C02", "X01", "X03", "E02"} <= critical


def test_the_first_checklist_covers_every_schedule_kind_and_the_drs(world, client_for):
    checklists = client_for(world.gmp_lead).get("/api/v1/checklists/").json()["results"]
    assert [c["version"] for c in checklists] == [1]
    covered = {kind for criterion in checklists[0]["criteria"] for kind in criterion["applies_to"]}
    assert covered == {"mg6c", "mg6d", "mg6e", "sdc", "dmd", "drs"}
