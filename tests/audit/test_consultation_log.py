"""Reads of case-level records are logged as consultations (DPA 2018 s.62), API writes with their actor."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent

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
