"""All-or-nothing CSV intake of cases and schedules (API upload and management command)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from disclosure.models import Case, Schedule
from disclosure.services import case_schedule_import

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
    path = tmp_path / "one.csv"
    path.write_text(HEADER + "GMP,06AB1212125,cc,mg6c,2025-01-10,12,1\n")
    call_command("import_cases", str(path), "--as", "cps-lead")
    case = Case.objects.get(urn="06AB1212125")
    event = AuditEvent.objects.get(content_type__model="case", object_pk=str(case.pk), action=AuditEvent.Action.CREATE)
    assert event.actor == world.cps_lead


# --- limits: bytes, lines, cells; malformed text --------------------------------------------

ROW = "GMP,06AB1111125,cc,mg6c,2025-01-10,12,1\n"


def assert_refused(response, field: str, words: str = ""):
    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert field in fields, fields
    assert words.lower() in " ".join(fields[field]).lower()
    assert not Case.objects.exists()
    assert not Schedule.objects.exists()


def test_an_upload_over_the_byte_limit_is_refused(world, client_for, settings):
    settings.CSV_IMPORT_MAX_BYTES = len(GOOD.encode()) - 1
    assert_refused(upload(client_for(world.cps_lead), GOOD), "file", "larger than")

    settings.CSV_IMPORT_MAX_BYTES = len(GOOD.encode())
    assert upload(client_for(world.cps_lead), GOOD).status_code == 201


class RecordingSource(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


class HugeUpload:
    """An upload that says it is 200 MB and must not be read at all."""

    size = 200 * 1024 * 1024

    def read(self, size=-1):
        raise AssertionError("an upload over the limit was read")


def test_the_import_never_reads_more_than_the_limit_and_one_byte(world, settings):
    settings.CSV_IMPORT_MAX_BYTES = 100
    source = RecordingSource((HEADER + ROW * 1000).encode())
    with pytest.raises(ValidationError) as refused:
        case_schedule_import(actor=world.cps_lead, source=source)
    assert list(refused.value.message_dict) == ["file"]
    assert source.asked and all(0 <= size <= 101 for size in source.asked)
    assert source.tell() <= 101

    with pytest.raises(ValidationError) as refused:
        case_schedule_import(actor=world.cps_lead, source=HugeUpload())
    assert list(refused.value.message_dict) == ["file"]


@pytest.mark.parametrize("padding", ["\n" * 5, ",,,,,,\n" * 5, "  \n" * 5])
def test_blank_lines_count_against_the_row_limit(world, client_for, settings, padding):
    settings.CSV_IMPORT_MAX_ROWS = 3
    two_rows = HEADER + ROW + "GMP,06AB2222225,cc,mg6c,2025-01-10,12,1\n"
    assert_refused(upload(client_for(world.cps_lead), two_rows + padding), "file", "at most 3 lines")


def test_a_file_at_the_row_limit_imports_and_blank_lines_within_it_are_skipped(world, client_for, settings):
    settings.CSV_IMPORT_MAX_ROWS = 3
    text = HEADER + ROW + "\n" + "GMP,06AB2222225,cc,mg6c,2025-01-10,12,1"  # no final line feed
    response = upload(client_for(world.cps_lead), text)
    assert response.status_code == 201, response.json()
    assert response.json()["rows"] == 2


def test_an_over_long_cell_is_refused_by_name(world, client_for):
    # "GMP" followed by 200 spaces would be a good force code once trimmed: the length is the rule.
    padded = HEADER + "GMP" + " " * 200 + ",06AB1111125,cc,mg6c,2025-01-10,12,1\n"
    assert_refused(upload(client_for(world.cps_lead), padded), "line 2.force", "at most 200 characters")


def test_a_cell_beyond_the_csv_reader_limit_is_a_400_not_a_crash(world, client_for):
    # Larger than the csv module's own field limit (128 KiB), which used to end in a 500.
    text = HEADER + ROW + 'GMP,"' + "9" * 200_000 + '",cc,mg6c,2025-01-10,12,1\n'
    assert_refused(upload(client_for(world.cps_lead), text), "line 3")


def test_a_bare_carriage_return_is_a_400_naming_the_line(world, client_for):
    text = HEADER + ROW + "GMP,06AB2222225,cc,mg6c,2025-01-10,12,1\rGMP,06AB3333325,cc,mg6c,2025-01-10,1,1\n"
    assert_refused(upload(client_for(world.cps_lead), text), "line 3", "carriage return")


def test_windows_line_ends_are_fine(world, client_for):
    response = upload(client_for(world.cps_lead), GOOD.replace("\n", "\r\n"))
    assert response.status_code == 201, response.json()
    assert response.json()["schedules_created"] == 4


def test_a_nul_character_is_a_400_naming_the_line(world, client_for):
    text = HEADER + ROW + "GMP,06AB2222225,cc,mg6c,2025-01-10,1\x002,1\n"
    assert_refused(upload(client_for(world.cps_lead), text), "line 3", "NUL")


def test_a_file_that_is_not_utf8_names_the_encoding_and_the_line(world, client_for):
    text = (HEADER + ROW + "GMP,06AB2222225,cc,mg6c,2025-01-10,12,1 caf\xe9\n").encode("latin-1")
    assert_refused(upload(client_for(world.cps_lead), text), "file", "not UTF-8 text (line 3)")


def test_a_byte_order_mark_is_accepted(world, client_for):
    assert upload(client_for(world.cps_lead), "\ufeff" + GOOD).status_code == 201


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("force,urn,stream,kind,received_on,item_count,revision,notes\n", "unknown column(s): 'notes' (column 8)"),
        ("force,urn,stream,kind,received_on,item_count,revision,\n", "unknown column(s): '' (column 8)"),
        ("force,urn,stream,kind,received_on,item_count,force\n", "repeated column(s): force"),
        ("force,urn,stream,kind,received_on,item_count,revision" + ",x" * 50 + "\n", "57 columns; at most 7"),
    ],
)
def test_it_names_unknown_repeated_and_surplus_columns(world, client_for, header, words):
    assert_refused(upload(client_for(world.cps_lead), header + ROW), "line 1", words)


def test_a_report_of_many_bad_lines_is_capped(world, client_for):
    text = HEADER + "GMP,bad,cc,mg6c,2025-01-10,12,1\n" * 150
    response = upload(client_for(world.cps_lead), text)
    assert_refused(response, "file", "50 more lines have problems")
    lines = {key.split(".")[0] for key in response.json()["fields"] if key != "file"}
    assert lines == {f"line {n}" for n in range(2, 102)}


# --- one set of rules for a row, however it comes in ----------------------------------------

TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("item_count", "100001"),
        ("item_count", "-1"),
        ("revision", "0"),
        ("revision", "100"),
        ("revision", "99999999999999999999"),
        ("received_on", "0001-01-01"),
        ("received_on", "1989-12-31"),
        ("received_on", TOMORROW),
        ("kind", "mg6z"),
    ],
)
def test_the_import_and_the_schedule_api_refuse_the_same_values(world, client_for, field, value):
    good = {"kind": "mg6c", "received_on": "2025-01-10", "item_count": "12", "revision": "1"}
    row = {**good, field: value}
    text = HEADER + f"GMP,06AB1111125,cc,{row['kind']},{row['received_on']},{row['item_count']},{row['revision']}\n"
    assert_refused(upload(client_for(world.cps_lead), text), f"line 2.{field}")

    client = client_for(world.gmp_lead)
    case = client.post("/api/v1/cases/", {"urn": "06AB1234525", "force": "GMP", "stream": "cc"}).json()["id"]
    response = client.post("/api/v1/schedules/", {"case": case, **row}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [("item_count", "100000"), ("item_count", "0"), ("revision", "99"), ("received_on", "1990-01-01")],
)
def test_values_at_the_bounds_are_accepted(world, client_for, field, value):
    row = {"received_on": "2025-01-10", "item_count": "12", "revision": "1", field: value}
    text = HEADER + f"GMP,06AB1111125,cc,mg6c,{row['received_on']},{row['item_count']},{row['revision']}\n"
    response = upload(client_for(world.cps_lead), text)
    assert response.status_code == 201, response.json()
    assert str(getattr(Schedule.objects.get(), field)) == value


def test_a_schedule_received_today_is_accepted(world, client_for):
    text = HEADER + f"GMP,06AB1111125,cc,mg6c,{timezone.localdate().isoformat()},12,1\n"
    assert upload(client_for(world.cps_lead), text).status_code == 201


def test_an_empty_required_cell_is_named(world, client_for):
    text = HEADER + "GMP,,cc,mg6c,2025-01-10,,1\n"
    response = upload(client_for(world.cps_lead), text)
    assert_refused(response, "line 2.urn", "required")
    assert response.json()["fields"]["line 2.item_count"] == ["This field is required."]


# --- the management command shares the service, its limits and its report ------------------


def test_the_management_command_reports_the_same_errors(world, tmp_path, settings):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROW + "GMP,06AB2222225,cc,mg6c,0001-01-01,100001,1\n")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cases", str(bad), "--as", "cps-lead", stderr=stderr)
    assert "line 3.item_count: " in stderr.getvalue()
    assert "line 3.received_on: " in stderr.getvalue()

    settings.CSV_IMPORT_MAX_BYTES = 50
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_cases", str(good), "--as", "cps-lead", stderr=stderr)
    assert "file: The file is larger than 50 bytes" in stderr.getvalue()
    assert not Case.objects.exists()


def test_the_management_command_refuses_a_bare_carriage_return(world, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes((HEADER + ROW).replace("\n", "\r").encode())
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--as", "cps-lead", stderr=stderr)
    assert "line 1: A carriage return" in stderr.getvalue()


# --- writes: audited, in a number of queries that does not grow with the file ---------------


def test_every_imported_case_and_schedule_is_audited_as_created_by_the_importer(world, client_for):
    upload(client_for(world.cps_lead), GOOD)
    for model in (Case, Schedule):
        objects = {str(obj.pk): obj for obj in model.objects.all()}
        events = AuditEvent.objects.filter(content_type__model=model._meta.model_name, action=AuditEvent.Action.CREATE)
        assert {event.object_pk for event in events} == set(objects)
        for event in events:
            obj = objects[event.object_pk]
            assert (event.actor, event.force_id, event.area_id) == (world.cps_lead, obj.force_id, obj.area_id)
            assert event.remote_addr == "127.0.0.1"
            assert event.changes["id"] == [None, obj.pk]
            assert event.changes["created_by"] == [None, world.cps_lead.pk]


def test_an_imported_case_is_audited_like_one_created_through_the_api(world, client_for):
    client_for(world.gmp_lead).post("/api/v1/cases/", {"urn": "06AB1234525", "force": "GMP", "stream": "cc"})
    upload(client_for(world.cps_lead), GOOD)
    saved = AuditEvent.objects.get(object_repr="06AB1234525")
    imported = AuditEvent.objects.get(object_repr="06AB1111125")
    assert imported.content_type == saved.content_type
    assert set(imported.changes) == set(saved.changes)
    assert imported.changes["urn"] == [None, "06AB1111125"]
    assert imported.changes["stream"] == saved.changes["stream"] == [None, "cc"]


def test_the_number_of_queries_does_not_grow_with_the_rows(world, client_for, count_queries):
    def rows(n, serial):
        return HEADER + "".join(f"GMP,06AB{serial + i:05d}25,cc,mg6c,2025-01-10,{i},1\n" for i in range(n))

    client = client_for(world.cps_lead)
    with count_queries() as few:
        assert upload(client, rows(3, 10000)).status_code == 201
    with count_queries() as many:
        assert upload(client, rows(40, 20000)).status_code == 201
    assert len(many) == len(few)
