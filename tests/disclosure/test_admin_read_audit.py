"""The web interface's read-only lists of case-level rows log their reads as the API does (DPA 2018 s.62).

A lead who reads cases, schedules, assessments or defects in the browser leaves the same trace as one
who reads them through the API: a list page is one consultation entry per force naming its rows, a
row's page (and its history) an access of that row. Meetings, whose API reads are not logged, are not
logged in the browser either.
"""

import pytest
from django.test import Client

from audit.models import AuditEvent

ACCESS = AuditEvent.Action.ACCESS


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def reads_by(user):
    return AuditEvent.objects.filter(action=ACCESS, actor=user)


@pytest.mark.parametrize("model", ["case", "schedule", "assessment", "defect"])
def test_a_list_page_and_a_rows_page_are_logged_as_the_apis_reads_are(world, rows, model):
    row = getattr(rows["GMP"], model)
    client = signed_in(world.gmp_lead)
    listing = client.get(f"/admin/disclosure/{model}/")
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert row.pk in shown
    (entry,) = reads_by(world.gmp_lead).filter(content_type__model=model, object_pk="")
    assert set(entry.additional_data["list"]["ids"]) == shown
    assert entry.force == world.gmp
    assert client.get(f"/admin/disclosure/{model}/{row.pk}/change/").status_code == 200
    assert client.get(f"/admin/disclosure/{model}/{row.pk}/history/").status_code == 200
    opened = reads_by(world.gmp_lead).filter(content_type__model=model, object_pk=str(row.pk))
    assert opened.count() == 2


def test_a_row_outside_scope_or_a_refused_page_logs_nothing(world, rows):
    kent_case = rows["KENT"].case
    assert signed_in(world.gmp_lead).get(f"/admin/disclosure/case/{kent_case.pk}/change/").status_code == 404
    assert signed_in(world.gmp_chief).get("/admin/disclosure/case/").status_code == 403
    assert not AuditEvent.objects.filter(action=ACCESS, actor__in=[world.gmp_lead, world.gmp_chief]).exists()


def test_meeting_pages_are_not_logged_as_the_apis_meeting_reads_are_not(world, rows):
    assert signed_in(world.gmp_lead).get("/admin/reports/meeting/").status_code == 200
    assert not reads_by(world.gmp_lead).exists()


def test_a_page_read_records_the_readers_address_as_the_apis_reads_do(world, rows, settings):
    # Behind our TLS proxy the reader is the address the proxy saw (backend.net.client_address), as the API's
    # entries record it, not the proxy's own.
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    client.force_login(world.gmp_lead)
    assert client.get("/admin/disclosure/case/").status_code == 200
    (entry,) = reads_by(world.gmp_lead).filter(content_type__model="case", object_pk="")
    assert entry.remote_addr == "203.0.113.9"
