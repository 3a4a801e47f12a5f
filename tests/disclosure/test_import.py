"""All-or-nothing CSV intake of cases and schedules (API upload and management command)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from disclosure.models import Case, Schedule

IMPORT = "/api/v1/cases/import/"
HEADER = "force,urn,stream,kind,received_on,item_count,revision\n"


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        IMPORT, {"file": SimpleUploadedFile("intake.csv", data, content_type="text/csv")}, format="multipart"
    )


GOOD = HEADER + (
    "GMP,06AB1111125,cc,mg6c,2025-01-10,12,1\n"
    "GMP,06AB1111125,cc,mg6d,2025-01-10,0,\n"
    "gmp,06 ab 22222/25,CC,MG6E,2025-01-11,3,1\n"
    "LANCS,04LB3333325,cc,mg6c,2025-01-12,30,1\n"
)


def test_it_imports_good_rows(world, client_for):
    response = upload(client_for(world.cps_lead), GOOD)
    assert response.status_code == 201, response.json()
    assert response.json() == {"rows": 4, "cases_created": 3, "schedules_created": 4}
    assert set(Case.objects.values_list("force__code", "urn")) == {
        ("GMP", "06AB1111125"),
        ("GMP", "06AB2222225"),
        ("LANCS", "04LB3333325"),
    }
    assert Schedule.objects.get(case__urn="06AB1111125", kind="mg6d").revision == 1


def test_it_adds_schedules_to_a_known_case(world, client_for):
    client = client_for(world.cps_lead)
    upload(client, GOOD)
    response = upload(client, HEADER + "GMP,06AB1111125,cc,mg6c,2025-02-10,14,2\n")
    assert response.json() == {"rows": 1, "cases_created": 0, "schedules_created": 1}


def test_it_reports_every_bad_row_by_line_and_field_and_writes_nothing(world, client_for):
    text = HEADER + (
        "GMP,06AB1111125,cc,mg6c,2025-01-10,12,1\n"  # line 2: good
        "GMP,not-a-urn,cc,mg6c,2025-01-10,12,1\n"  # line 3: urn
        "GMP,06AB4444425,crown,mg6z,2025-13-40,-2,0\n"  # line 4: stream, kind, received_on, item_count, revision
        "KENT,06AB5555525,cc,mg6c,2025-01-10,1,1\n"  # line 5: a force the CPS-NW lead cannot see
        "GMP,06AB6666625,mc,mg6c,2025-01-10,1,1\n"  # line 6: a stream the lead does not lead
        "GMP,06AB1111125,cc,mg6c,2025-01-10,12,1\n"  # line 7: repeats line 2
        "GMP,06AB1111125,rasso,mg6d,2025-01-10,12,1\n"  # line 8: same case, another stream
    )
    response = upload(client_for(world.cps_lead), text)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {
        "line 3.urn",
        "line 4.stream",
        "line 4.kind",
        "line 4.received_on",
        "line 4.item_count",
        "line 4.revision",
        "line 5.force",
        "line 6.stream",
        "line 7.revision",
        "line 8.stream",
    }
    assert "line 2" not in " ".join(fields)
    assert not Case.objects.exists()
    assert not Schedule.objects.exists()


def test_a_row_clashing_with_stored_data_fails_the_whole_file(world, client_for):
    client = client_for(world.cps_lead)
    upload(client, GOOD)
    cases, schedules = Case.objects.count(), Schedule.objects.count()
    text = HEADER + "GMP,06AB9999925,cc,mg6c,2025-01-10,12,1\nGMP,06AB1111125,rasso,mg6c,2025-01-10,12,1\n"
    response = upload(client, text)
    assert set(response.json()["fields"]) == {"line 3.stream", "line 3.revision"}
    assert (Case.objects.count(), Schedule.objects.count()) == (cases, schedules)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("urn,stream\n06AB1111125,cc\n", "line 1"),
        (HEADER, "file"),
        (b"\xff\xfe\x00bad", "file"),
        (HEADER + "GMP,06AB1111125,cc,mg6c,2025-01-10,12,1,extra\n", "line 2"),
    ],
)
def test_it_refuses_a_malformed_file(world, client_for, content, field):
    response = upload(client_for(world.cps_lead), content)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


def test_an_upload_without_a_file_names_the_field(world, client_for):
    response = client_for(world.cps_lead).post(IMPORT, {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]


def test_the_management_command_imports_all_or_nothing(world, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command("import_cases", str(good), "--as", "cps-lead")
    assert Schedule.objects.count() == 4

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "GMP,06AB7777725,cc,mg6c,2025-01-10,12,1\nGMP,bad,cc,mg6c,2025-01-10,12,1\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cases", str(bad), "--as", "cps-lead")
    assert Schedule.objects.count() == 4
    assert not Case.objects.filter(urn="06AB7777725").exists()


def test_the_management_command_records_the_importer_in_the_audit_log(world, tmp_path):
    from audit.models import AuditEvent

    path = tmp_path / "one.csv"
    path.write_text(HEADER + "GMP,06AB1212125,cc,mg6c,2025-01-10,12,1\n")
    call_command("import_cases", str(path), "--as", "cps-lead")
    case = Case.objects.get(urn="06AB1212125")
    event = AuditEvent.objects.get(content_type__model="case", object_pk=str(case.pk), action=AuditEvent.Action.CREATE)
    assert event.actor == world.cps_lead
