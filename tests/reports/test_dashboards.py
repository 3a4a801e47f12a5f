"""Dashboards in the admin: who signs in, who sees which dashboard, and that the admin stays role-bound.

Figures are checked against ``force_summary`` / ``area_comparison`` called here, formatted by hand.
"""

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from reports import selectors
from tests.factories import TEST_PASSWORD

#: Model pages that hold case-level rows (a lead reads them, as in the API; a chief officer does not).
CASE_LEVEL_PAGES = [
    "/admin/disclosure/case/",
    "/admin/disclosure/schedule/",
    "/admin/disclosure/assessment/",
    "/admin/disclosure/defect/",
    "/admin/disclosure/dipsample/",
    "/admin/feedback/feedback/",
]
#: Model pages that hold memberships, the audit log or accounts: neither a lead nor a chief officer opens them.
GUARDED_PAGES = [
    "/admin/audit/auditevent/",
    "/admin/forces/membership/",
    "/admin/forces/organisation/",
    "/admin/auth/user/",
]


def percent(value) -> str:
    return "\u2013" if value is None else f"{value * 100:.1f}%"


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, "the sign-in was refused"
    return client


def default_window():
    return selectors.summary_window(None, None, timezone.localdate())


def test_a_chief_officer_signs_in_to_the_admin_and_finds_only_their_force_s_dashboard(world):
    client = signed_in(world.gmp_chief)
    index = client.get("/admin/")
    assert index.status_code == 200
    text = index.content.decode()
    assert "/admin/dashboards/force/GMP/" in text
    assert "/admin/dashboards/force/LANCS/" not in text
    assert "/admin/dashboards/area/" not in text


def test_the_force_dashboard_shows_the_force_summary_figures(world):
    date_from, date_to = default_window()
    summary = selectors.force_summary(user=world.gmp_chief, force=world.gmp, date_from=date_from, date_to=date_to)
    response = signed_in(world.gmp_chief).get("/admin/dashboards/force/GMP/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'<td id="figure-schedules-assessed">{summary["schedules_assessed"]}</td>' in text
    assert percent(summary["defective_rate"]["value"]) in text
    assert 'src="data:image/svg+xml;base64,' in text  # the chart, drawn on the server
    assert "https://" not in text.split("<body", 1)[1]  # nothing fetched from elsewhere
    assert 'name="reason"' in text


@pytest.mark.parametrize("url", ["/admin/dashboards/force/LANCS/", "/admin/dashboards/force/KENT/"])
def test_a_chief_officer_gets_404_for_another_force_s_dashboard(world, url):
    assert signed_in(world.gmp_chief).get(url).status_code == 404


def test_a_chief_officer_gets_404_for_the_area_comparison(world):
    assert signed_in(world.gmp_chief).get("/admin/dashboards/area/CPS-NW/").status_code == 404


@pytest.mark.parametrize("who", ["gmp_chief", "gmp_lead"])
def test_members_are_refused_the_model_pages_the_api_serves_them_no_rows_of(world, rows, who):
    client = signed_in(getattr(world, who))
    for url in GUARDED_PAGES:
        assert client.get(url).status_code == 403, url
    # Leads read case-level rows in the admin as in the API (tests/test_admin_matrix.py); chief officers do not.
    case = rows["GMP"].case
    for url in (*CASE_LEVEL_PAGES, f"/admin/disclosure/case/{case.pk}/change/"):
        assert client.get(url).status_code == (403 if who == "gmp_chief" else 200), url


def test_the_chief_officer_s_admin_index_lists_no_case_level_models(world):
    """Only what the API serves a chief officer besides figures: meetings, action items and reference data."""
    response = signed_in(world.gmp_chief).get("/admin/")
    models = sorted((app["app_label"], m["object_name"]) for app in response.context["app_list"] for m in app["models"])
    assert models == [
        ("disclosure", "Checklist"),
        ("disclosure", "DefectCategory"),
        ("reports", "ActionItem"),
        ("reports", "Meeting"),
    ]


def test_an_account_with_no_membership_cannot_sign_in_to_the_admin(world):
    client = Client()
    response = client.post("/admin/login/", {"username": world.nobody.username, "password": TEST_PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert "not a member of any organisation" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_an_inactive_member_cannot_sign_in(world):
    world.gmp_chief.is_active = False
    world.gmp_chief.save()
    response = Client().post("/admin/login/", {"username": "gmp-chief", "password": TEST_PASSWORD})
    assert response.status_code == 200


def test_the_quality_group_sees_its_area_comparison(world):
    date_from, date_to = default_window()
    comparison = selectors.area_comparison(user=world.cps_quality, area=world.nw, date_from=date_from, date_to=date_to)
    client = signed_in(world.cps_quality)
    assert "/admin/dashboards/area/CPS-NW/" in client.get("/admin/").content.decode()
    response = client.get("/admin/dashboards/area/CPS-NW/")
    assert response.status_code == 200
    text = response.content.decode()
    codes = {row.get("force") or row.get("code") for row in comparison["forces"]}
    assert codes == {"GMP", "LANCS"}
    for code in codes:
        assert f"/admin/dashboards/force/{code}/" in text
    assert "KENT" not in text
    assert f'<td id="figure-schedules-assessed">{comparison["total"]["schedules_assessed"]}</td>' in text
    assert client.get("/admin/dashboards/area/CPS-SE/").status_code == 404


def test_the_dashboard_pack_form_downloads_the_pack_and_logs_one_disclosure(world):
    client = signed_in(world.gmp_chief)
    response = client.post(
        "/admin/dashboards/pack/GMP/", {"format": "xlsx", "reason": "Chief officer group, March.", "from": "2025-01-01"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    event = AuditEvent.objects.get(additional_data__has_key="disclosure")
    assert event.actor == world.gmp_chief
    assert event.additional_data["disclosure"]["via"] == "admin"
    assert event.additional_data["disclosure"]["from"] == "2025-01-01"


def test_the_dashboard_pack_form_without_a_reason_exports_nothing(world):
    client = signed_in(world.gmp_chief)
    response = client.post("/admin/dashboards/pack/GMP/", {"format": "pdf", "reason": " "})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/dashboards/force/GMP/")
    assert not AuditEvent.objects.filter(additional_data__has_key="disclosure").exists()
    assert "reason" in client.get(response["Location"]).content.decode()


def test_the_dashboard_pack_form_refuses_another_force_and_a_get(world):
    client = signed_in(world.gmp_chief)
    assert client.post("/admin/dashboards/pack/LANCS/", {"format": "pdf", "reason": "x"}).status_code == 404
    assert client.get("/admin/dashboards/pack/GMP/", {"format": "pdf", "reason": "x"}).status_code == 405
    assert not AuditEvent.objects.filter(additional_data__has_key="disclosure").exists()


def test_a_bad_period_on_a_dashboard_is_named_and_the_default_shown(world):
    response = signed_in(world.gmp_chief).get("/admin/dashboards/force/GMP/", {"from": "2025-02-30"})
    assert response.status_code == 200
    assert response.context["window_errors"].keys() == {"from"}
    date_from, date_to = default_window()
    assert response.context["period"] == {"from": date_from.isoformat(), "to": date_to.isoformat()}


def test_the_dashboards_ask_for_a_sign_in(db):
    response = Client().get("/admin/dashboards/force/GMP/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
