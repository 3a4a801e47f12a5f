"""Meeting packs and the poster: parsed back (PDF text, XLSX cells, CSV rows), audited once with the reason.

Expectations come from ``force_summary`` / ``area_comparison`` called here, formatted by hand
(a rate 0.4833 reads "48.3%"), never from the exporters' own helpers.
"""

import csv
import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEvent
from reports import selectors
from reports.exports import render_pack
from tests.audit.hashing import expected_hash

FROM, TO = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
REASON = "Quarterly joint disclosure forum, January."
QUERY = {"from": FROM.isoformat(), "to": TO.isoformat(), "reason": REASON}


def percent(value) -> str:
    return "\u2013" if value is None else f"{value * 100:.1f}%"


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def gmp_summary(world):
    return selectors.force_summary(user=world.gmp_chief, force=world.gmp, date_from=FROM, date_to=TO)


def disclosures():
    return AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS, additional_data__has_key="disclosure")


def test_a_force_pack_pdf_holds_the_headline_figures_and_is_audited_once_with_its_reason(world, client_for):
    summary = gmp_summary(world)
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/pack/", {**QUERY, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text, _ = pdf_text(response.content)
    assert "GMP" in text
    assert f"Schedules assessed: {summary['schedules_assessed']}" in text
    assert f"Defective rate: {percent(summary['defective_rate']['value'])}" in text
    if summary["defective_rate"]["value"] is not None:
        low, high = summary["defective_rate"]["ci_low"], summary["defective_rate"]["ci_high"]
        assert f"95% CI {percent(low)}\u2013{percent(high)}" in text
    assert "Monthly trend" in text
    assert "Top defect categories" in text
    top = summary["defects_by_category"][0]
    assert top["code"] in text
    assert "Overdue feedback and open actions" in text

    event = disclosures().get()
    assert event.actor == world.gmp_chief
    assert event.remote_addr == "127.0.0.1"
    assert (event.area, event.force) == (world.nw, world.gmp)
    assert event.reason == expected_hash(REASON)
    assert REASON not in str(event.additional_data)
    disclosure = event.additional_data["disclosure"]
    assert disclosure["format"] == "pdf"
    assert disclosure["organisation"] == "GMP"
    assert (disclosure["from"], disclosure["to"]) == ("2025-01-01", "2025-12-31")
    assert disclosure["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_a_force_pack_workbook_has_a_sheet_per_table_with_the_figures(world, client_for):
    summary = gmp_summary(world)
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/pack/", {**QUERY, "format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"Headline figures", "Monthly trend", "Defect categories", "Defects by severity", "By stream"} <= set(
        workbook.sheetnames
    )
    headline = {row[0]: row[1] for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)}
    assert headline["Schedules assessed"] == summary["schedules_assessed"]
    assert headline["Defective rate"] == summary["defective_rate"]["value"]
    assert headline["Defective rate, 95% CI low"] == summary["defective_rate"]["ci_low"]
    assert headline["Feedback overdue"] == summary["feedback"]["overdue"]
    months = [row[0] for row in workbook["Monthly trend"].iter_rows(min_row=2, values_only=True)]
    assert months == [str(month["month"])[:7] for month in summary["monthly"]]
    categories = [row[:3] for row in workbook["Defect categories"].iter_rows(min_row=2, values_only=True)]
    assert categories == [(c["code"], c["name"], c["count"]) for c in summary["defects_by_category"]]
    assert disclosures().count() == 1


def test_a_force_pack_csv_holds_every_table_led_by_its_name(world, client_for):
    summary = gmp_summary(world)
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/pack/", {**QUERY, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    headline = {row[1]: row[2] for row in rows if row and row[0] == "Headline figures"}
    assert headline["Schedules assessed"] == str(summary["schedules_assessed"])
    rate = summary["defective_rate"]["value"]
    assert headline["Defective rate"] == ("" if rate is None else str(rate))
    monthly = [row for row in rows if row and row[0] == "Monthly trend"]
    assert len(monthly) == 1 + len(summary["monthly"])  # the header and one row a month
    assert disclosures().count() == 1


def test_the_poster_of_an_area_is_one_page_with_each_force(world, client_for):
    comparison = selectors.area_comparison(user=world.cps_quality, area=world.nw, date_from=FROM, date_to=TO)
    response = client_for(world.cps_quality).get("/api/v1/organisations/CPS-NW/pack/", {**QUERY, "format": "poster"})
    assert response.status_code == 200
    text, pages = pdf_text(response.content)
    assert pages == 1
    assert "headline figures" in text
    assert str(comparison["total"]["schedules_assessed"]) in text
    for force in comparison["forces"]:
        code = force.get("force") or force.get("code")
        assert code in text
    event = disclosures().get()
    assert (event.area, event.force, event.actor) == (world.nw, None, world.cps_quality)
    assert event.additional_data["disclosure"]["kind"] == "poster"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_it_refuses_an_export_without_a_reason_and_logs_nothing(world, client_for, reason):
    query = {**QUERY, "format": "pdf"}
    query.pop("reason")
    if reason is not None:
        query["reason"] = reason
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/pack/", query)
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert not disclosures().exists()


def test_it_refuses_an_unknown_format_by_name(world, client_for):
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/pack/", {**QUERY, "format": "docx"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"format"}
    assert not disclosures().exists()


def test_it_refuses_a_malformed_period_by_field(world, client_for):
    response = client_for(world.gmp_chief).get(
        "/api/v1/organisations/GMP/pack/", {**QUERY, "from": "2025-13-01", "format": "csv"}
    )
    assert response.status_code == 400
    assert "from" in response.json()["fields"]
    assert not disclosures().exists()


@pytest.mark.parametrize("code", ["LANCS", "KENT"])
def test_a_chief_officer_gets_404_for_another_force_s_pack(world, client_for, code):
    response = client_for(world.gmp_chief).get(f"/api/v1/organisations/{code}/pack/", {**QUERY, "format": "pdf"})
    assert response.status_code == 404
    assert not disclosures().exists()


def test_a_chief_officer_gets_404_for_the_area_pack(world, client_for):
    response = client_for(world.gmp_chief).get("/api/v1/organisations/CPS-NW/pack/", {**QUERY, "format": "poster"})
    assert response.status_code == 404
    assert not disclosures().exists()


def test_spreadsheet_cells_that_look_like_formulas_are_written_as_text(world):
    summary = gmp_summary(world)
    summary["defects_by_category"] = [{"code": "D01", "name": '=HYPERLINK("http://x.test","y")', "count": 3}]
    content, _, _ = render_pack(summary, "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    names = [row[2] for row in rows if row and row[0] == "Defect categories"][1:]
    assert names == ['\'=HYPERLINK("http://x.test","y")']
    workbook = load_workbook(io.BytesIO(render_pack(summary, "xlsx")[0]))
    cell = workbook["Defect categories"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_meeting_snapshot_renders_each_force_and_the_open_actions(world):
    """Meetings keep {force code: summary}; the meeting pack renders from that frozen dict alone."""
    summary = gmp_summary(world)
    snapshot = {
        "title": "Joint disclosure forum",
        "period": summary["period"],
        "summaries": {"GMP": summary},
        "actions": [
            {"owner": "GMP", "description": "Refresher on MG6C descriptions", "due_on": "2026-02-01", "status": "open"},
            {"owner": "GMP", "description": "Already finished", "due_on": "2026-01-01", "status": "done"},
        ],
    }
    content, content_type, filename = render_pack(snapshot, "pdf")
    text, _ = pdf_text(content)
    assert content_type == "application/pdf" and filename.endswith(".pdf")
    assert "Joint disclosure forum" in text
    assert f"Schedules assessed: {summary['schedules_assessed']}" in text
    assert "Refresher on MG6C descriptions" in text
    assert "Already finished" not in text
    workbook = load_workbook(io.BytesIO(render_pack(snapshot, "xlsx")[0]))
    assert [row[1] for row in workbook["Open actions"].iter_rows(min_row=2, values_only=True)] == [
        "Refresher on MG6C descriptions"
    ]


class _Related(list):
    def all(self):
        return self


def test_a_meeting_pack_renders_the_frozen_snapshot_and_is_audited_under_the_meeting_s_force(world):
    """``meeting_pack_export`` reads only what a ``reports.Meeting`` offers (its snapshot, not the database)."""
    from types import SimpleNamespace

    from reports.services_exports import meeting_pack_export

    frozen = gmp_summary(world)
    meeting = SimpleNamespace(
        pk=7,
        kind="chief_officer",
        held_on=datetime.date(2026, 1, 15),
        period_start=FROM,
        period_end=TO,
        area=world.nw,
        forces=_Related([world.gmp]),
        snapshot={"GMP": frozen},
        action_items=_Related(
            [SimpleNamespace(owner=world.gmp, description="Audit MG6C descriptions", due_on=None, status="open")]
        ),
    )
    content, _, _ = meeting_pack_export(actor=world.gmp_chief, meeting=meeting, params={"reason": REASON}, via="api")
    text, _ = pdf_text(content)
    assert f"Schedules assessed: {frozen['schedules_assessed']}" in text
    assert "Audit MG6C descriptions" in text
    event = disclosures().get()
    assert (event.area, event.force) == (world.nw, world.gmp)
    assert event.additional_data["disclosure"]["meeting"] == 7
    assert event.reason == expected_hash(REASON)
    with pytest.raises(ValidationError) as refused:
        meeting_pack_export(actor=world.gmp_chief, meeting=meeting, params={"format": "poster"}, via="api")
    assert set(refused.value.message_dict) == {"format", "reason"}
    assert disclosures().count() == 1


def test_a_period_with_nothing_assessed_renders_in_every_format_with_dashes(world):
    """No assessments: rates are null (no interval), as the summary gives them; nothing fails, nothing is invented."""
    empty_rate = {"value": None, "ci_low": None, "ci_high": None}
    summary = gmp_summary(world)
    summary.update(
        schedules_assessed=0,
        defective_rate=empty_rate,
        drs_complete_rate=None,
        prosecutor_fed_back_rate=None,
        defects_per_schedule=None,
        defects_by_category=[],
        monthly=[{"month": "2025-01", "schedules_assessed": 0, "defective_rate": empty_rate}],
        previous={},
    )
    text, _ = pdf_text(render_pack(summary, "pdf")[0])
    assert "Schedules assessed: 0" in text
    assert "Defective rate: \u2013" in text
    assert len(PdfReader(io.BytesIO(render_pack(summary, "poster")[0])).pages) == 1
    workbook = load_workbook(io.BytesIO(render_pack(summary, "xlsx")[0]))
    headline = {row[0]: row[1] for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)}
    assert headline["Defective rate"] is None
    rows = list(csv.reader(io.StringIO(render_pack(summary, "csv")[0].decode("utf-8-sig"))))
    assert ["Headline figures", "Defective rate", "", ""] in rows


def test_a_meeting_pack_over_the_api_shows_the_frozen_figures_not_today_s(world, rows, client_for):
    from reports.models import Meeting

    meeting = rows["GMP"].meeting
    snapshot = dict(meeting.snapshot)
    snapshot["GMP"] = {**snapshot["GMP"], "schedules_assessed": 987}  # as if the figures had been frozen so
    Meeting.objects.filter(pk=meeting.pk).update(snapshot=snapshot)
    response = client_for(world.gmp_chief).get(f"/api/v1/meetings/{meeting.pk}/pack/", {"reason": REASON})
    assert response.status_code == 200
    text, _ = pdf_text(response.content)
    assert "Schedules assessed: 987" in text
    event = disclosures().get()
    assert event.additional_data["disclosure"]["meeting"] == meeting.pk
    assert (event.area, event.force, event.reason) == (world.nw, world.gmp, expected_hash(REASON))


def test_a_meeting_pack_of_another_area_is_404_and_a_poster_is_refused(world, rows, client_for):
    client = client_for(world.gmp_chief)
    kent = rows["KENT"].meeting
    assert client.get(f"/api/v1/meetings/{kent.pk}/pack/", {"reason": REASON}).status_code == 404
    gmp = rows["GMP"].meeting
    response = client.get(f"/api/v1/meetings/{gmp.pk}/pack/", {"reason": REASON, "format": "poster"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"format"}
    assert not disclosures().exists()


def test_a_joint_forum_pack_shows_each_force_only_its_own_figures(world, client_for):
    """The API hides another force's frozen figures from a force's members; so must the pack."""
    from tests.factories import make_meeting

    meeting = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp, world.lancs])
    assert set(meeting.snapshot) == {"GMP", "LANCS"}
    url = f"/api/v1/meetings/{meeting.pk}/pack/"
    police = client_for(world.gmp_chief).get(url, {"reason": REASON, "format": "csv"})
    assert police.status_code == 200

    def headline_blocks(response):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        return {row[0] for row in rows if row and row[0].endswith("Headline figures")}

    assert headline_blocks(police) == {"Headline figures"}  # one force's figures: GMP's
    assert "LANCS" not in police.content.decode("utf-8-sig")
    area = client_for(world.cps_lead).get(url, {"reason": REASON, "format": "csv"})
    assert headline_blocks(area) == {"GMP Headline figures", "LANCS Headline figures"}  # the Area reads both
