"""Reads of case-level records are logged as consultations (DPA 2018 s.62), API writes with their actor."""

from unittest import mock

import pytest
from django.db import transaction
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from disclosure import services
from disclosure.models import DefectCategory
from tests.audit.hashing import expected_hash
from tests.factories import assess, make_sample

ACCESS = AuditEvent.Action.ACCESS


def token_client(user, address):
    _, key = AuthToken.objects.create(user)
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(
    ("resource", "row"),
    [("cases", "case"), ("schedules", "schedule"), ("dip-samples", "planned"), ("assessments", "assessment")],
)
def test_a_detail_read_is_logged_with_actor_and_address(world, rows, resource, row):
    obj = getattr(rows["GMP"], row)
    client = token_client(world.cps_quality, "198.51.100.7")
    assert client.get(f"/api/v1/{resource}/{obj.pk}/").status_code == 200
    event = AuditEvent.objects.filter(
        action=ACCESS, object_pk=str(obj.pk), content_type__model=obj._meta.model_name
    ).get()
    assert event.actor == world.cps_quality
    assert event.remote_addr == "198.51.100.7"
    assert (event.area, event.force) == (world.nw, world.gmp)


def test_a_refused_read_is_not_logged_as_a_consultation(world, rows):
    case = rows["LANCS"].case
    assert token_client(world.gmp_lead, "198.51.100.8").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action=ACCESS, object_pk=str(case.pk)).exists()


def test_an_api_write_records_the_token_user_as_actor(world):
    client = token_client(world.gmp_lead, "198.51.100.9")
    response = client.post("/api/v1/cases/", {"urn": "06AB4242425", "force": "GMP", "stream": "cc"}, format="json")
    assert response.status_code == 201
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.CREATE, content_type__model="case", object_pk=str(response.json()["id"])
    )
    assert event.actor == world.gmp_lead
    assert event.remote_addr == "198.51.100.9"
    assert event.changes["urn"] == [None, "06AB4242425"]


def test_the_quality_group_can_query_the_consultations_of_its_area(world, rows, client_for):
    token_client(world.gmp_lead, "198.51.100.10").get(f"/api/v1/cases/{rows['GMP'].case.pk}/")
    token_client(world.kent_lead, "198.51.100.11").get(f"/api/v1/cases/{rows['KENT'].case.pk}/")
    results = client_for(world.cps_quality).get("/api/v1/audit-events/", {"action": "access"}).json()["results"]
    assert [(e["actor"], e["force"], e["model"]) for e in results] == [("gmp-lead", "GMP", "disclosure.case")]


# --- list reads (finding 7): one entry per force on the page, naming the query and the ids ---------


def list_entries(model_name):
    return AuditEvent.objects.filter(action=ACCESS, content_type__model=model_name, object_pk="").order_by("id")


def test_a_list_narrowed_by_urn_logs_the_case_it_returned(world, rows):
    case = rows["GMP"].case
    client = token_client(world.gmp_lead, "198.51.100.12")
    response = client.get("/api/v1/cases/", {"urn": case.urn})
    assert [row["id"] for row in response.json()["results"]] == [case.pk]
    event = list_entries("case").get()
    assert event.additional_data["list"]["ids"] == [case.pk]
    # The URN is a text filter: the query names it, with the keyed hash of what was sent.
    assert event.additional_data["list"]["query"] == {"urn": expected_hash(case.urn)}
    assert case.urn not in str(event.additional_data)
    assert event.actor == world.gmp_lead
    assert event.remote_addr == "198.51.100.12"
    assert (event.area, event.force) == (world.nw, world.gmp)


@pytest.mark.parametrize(
    ("resource", "model", "parameter", "value", "expected"),
    [
        ("defects", "defect", "dip_sample", lambda r: r.in_progress.pk, lambda r: [r.defect.pk]),
        ("assessments", "assessment", "dip_sample", lambda r: r.in_progress.pk, lambda r: [r.assessment.pk]),
        ("schedules", "schedule", "case", lambda r: r.case.pk, lambda r: [r.schedule.pk]),
        ("dip-samples", "dipsample", "status", lambda r: "signed_off", lambda r: [r.signed_off.pk]),
    ],
)
def test_a_narrowed_list_logs_the_filter_and_the_ids_it_returned(
    world, rows, client_for, resource, model, parameter, value, expected
):
    gmp = rows["GMP"]
    response = client_for(world.gmp_lead).get(f"/api/v1/{resource}/", {parameter: value(gmp)})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == expected(gmp)
    event = list_entries(model).get()
    # Ids, choices, numbers and dates are validated filters: their values are logged as sent.
    assert event.additional_data["list"] == {"query": {parameter: str(value(gmp))}, "ids": expected(gmp)}
    assert (event.actor, event.force) == (world.gmp_lead, world.gmp)


def test_a_page_spanning_forces_gets_one_entry_per_force(world, rows, client_for):
    response = client_for(world.cps_lead).get("/api/v1/dip-samples/", {"status": "planned", "page_size": 200})
    returned = {row["id"] for row in response.json()["results"]}
    assert returned == {rows["GMP"].planned.pk, rows["LANCS"].planned.pk}
    by_force = {event.force.code: event.additional_data["list"] for event in list_entries("dipsample")}
    assert by_force == {
        "GMP": {"query": {"page_size": "200", "status": "planned"}, "ids": [rows["GMP"].planned.pk]},
        "LANCS": {"query": {"page_size": "200", "status": "planned"}, "ids": [rows["LANCS"].planned.pk]},
    }

    # Each force's org admin reads the entry about its own rows; the Area's readers read both.
    def visible(user):
        found = client_for(user).get("/api/v1/audit-events/", {"action": "access", "model": "disclosure.dipsample"})
        return sorted((e["force"], tuple(e["additional_data"]["list"]["ids"])) for e in found.json()["results"])

    assert visible(world.gmp_admin) == [("GMP", (rows["GMP"].planned.pk,))]
    assert [force for force, _ in visible(world.cps_admin)] == ["GMP", "LANCS"]


def test_an_empty_or_refused_list_logs_nothing(world, rows, client_for):
    client = client_for(world.gmp_lead)
    assert client.get("/api/v1/cases/", {"urn": rows["LANCS"].case.urn}).json()["results"] == []
    assert client.get("/api/v1/defects/", {"dip_sample": "not-a-number"}).status_code == 400
    assert not AuditEvent.objects.filter(action=ACCESS).exists()


def test_lists_of_reference_data_are_not_consultations(world, client_for):
    client = client_for(world.gmp_lead)
    assert client.get("/api/v1/defect-categories/").status_code == 200
    assert client.get("/api/v1/organisations/").status_code == 200
    assert not AuditEvent.objects.filter(action=ACCESS).exists()


@pytest.mark.parametrize("resource", ["cases", "dip-samples", "defects"])
def test_list_logging_costs_one_insert_however_many_rows_and_forces(world, client_for, count_queries, resource):
    """cps_lead reads GMP and LANCS rows: the page's entries (one per force) go in one INSERT."""

    def more_rows(months):
        for month in months:
            for force, police in ((world.gmp, world.gmp_lead), (world.lancs, world.lancs_lead)):
                sample = make_sample(cps_lead=world.cps_lead, police_lead=police, force=force, month=month)
                assessment = assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
                services.defect_create(
                    actor=world.cps_lead,
                    assessment=assessment,
                    category=DefectCategory.objects.get(code="D04"),
                    description="Numbering jumps from item 4 to item 9.",
                )

    client = client_for(world.cps_lead)
    more_rows([1, 2])
    with count_queries() as small:
        small_count = client.get(f"/api/v1/{resource}/", {"page_size": 200}).json()["count"]
    more_rows([3, 4, 5, 6])
    with count_queries() as large:
        large_count = client.get(f"/api/v1/{resource}/", {"page_size": 200}).json()["count"]
    assert large_count >= 2 * small_count > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    inserts = [q["sql"] for q in large.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1
    last_entries = list_entries(resource.rstrip("s").replace("-", "")).order_by("-id")[:2]
    assert {event.force.code for event in last_entries} == {"GMP", "LANCS"}
    assert sum(len(event.additional_data["list"]["ids"]) for event in last_entries) == large_count


def test_a_list_read_logs_its_page_in_one_insert_and_opens_no_transaction(world, client_for, count_queries):
    """The entries of a page spanning two forces go in one INSERT, with no transaction opened around it: in
    production (autocommit, no request-wide transaction) an atomic block costs a BEGIN and a COMMIT, and a
    single statement is atomic by itself. (The test itself runs in a transaction: the blocks are counted.)"""
    for force, police in ((world.gmp, world.gmp_lead), (world.lancs, world.lancs_lead)):
        make_sample(cps_lead=world.cps_lead, police_lead=police, force=force, month=1, draw=False)
    client = client_for(world.cps_lead)
    with (
        mock.patch.object(
            transaction.Atomic, "__enter__", autospec=True, side_effect=transaction.Atomic.__enter__
        ) as opened,
        count_queries() as queries,
    ):
        response = client.get("/api/v1/dip-samples/", {"status": "planned"})
    assert response.json()["count"] == 2
    assert opened.call_count == 0
    statements = [q["sql"] for q in queries.captured_queries]
    assert len([sql for sql in statements if sql.startswith('INSERT INTO "audit_auditevent"')]) == 1
    assert sorted(event.force.code for event in list_entries("dipsample")) == ["GMP", "LANCS"]
