"""The site's root, the API root and each role's start page (portal/start.py)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from feedback.models import Feedback


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start_page(user) -> str:
    response = signed_in(user).get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


# --- / and /api/v1/ --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cps_lead", "gmp_chief", "cps_quality", "gmp_admin", "superuser"])
def test_the_root_takes_a_member_to_their_start_page(shared_world, db, who):
    response = signed_in(getattr(shared_world, who)).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_root_takes_anyone_else_to_the_sign_in_page(shared_world, db):
    for client in (Client(), signed_in(shared_world.nobody)):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_api_root_lists_the_resources_and_links_to_the_schema_and_docs(db):
    body = Client().get("/api/v1/", HTTP_ACCEPT="application/json").json()
    base = "http://testserver/api/v1/"
    assert body["schema"] == base + "schema/"
    assert body["docs"] == base + "docs/"
    assert body["login"] == base + "auth/login/"
    expected = {
        "organisation": "organisations/",
        "audit-event": "audit-events/",
        "case": "cases/",
        "schedule": "schedules/",
        "defect-category": "defect-categories/",
        "checklist": "checklists/",
        "dip-sample": "dip-samples/",
        "assessment": "assessments/",
        "defect": "defects/",
        "feedback": "feedback/",
        "notice": "notices/",
        "meeting": "meetings/",
        "action-item": "action-items/",
    }
    assert body["resources"] == {name: base + path for name, path in expected.items()}


# --- start pages -----------------------------------------------------------------------------------------


def test_a_cps_lead_sees_what_waits_for_the_cps_side_overdue_first(shared_world, db):
    world, rows = shared_world, shared_world.rows
    html = start_page(world.cps_lead)
    # Drafts to send and responses to close, of GMP and LANCS (its Area); nothing of KENT; nothing the force owes.
    for code in ("GMP", "LANCS"):
        assert f'href="/admin/feedback/feedback/{rows[code].feedback_draft.pk}/change/"' in html
        assert f'href="/admin/feedback/feedback/{rows[code].feedback_responded.pk}/change/"' in html
        assert f"/admin/feedback/feedback/{rows[code].feedback_sent.pk}/change/" not in html
        # Open samples of the stream it leads, with the next step; signed-off ones are done.
        assert f'href="/admin/disclosure/dipsample/{rows[code].completed.pk}/change/"' in html
        assert f"/admin/disclosure/dipsample/{rows[code].signed_off.pk}/change/" not in html
    assert "KENT" not in html
    assert "Sign off" in html and "Draw the sample" in html
    assert 'id="content-related"' not in html  # no app list nor recent actions for a non-staff member


def test_a_police_lead_sees_feedback_to_answer_overdue_first(shared_world, db):
    world, rows = shared_world, shared_world.rows
    Feedback.objects.filter(pk=rows["GMP"].feedback_acknowledged.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    html = start_page(world.gmp_lead)
    sent = html.index(f"/admin/feedback/feedback/{rows['GMP'].feedback_sent.pk}/change/")
    overdue = html.index(f"/admin/feedback/feedback/{rows['GMP'].feedback_acknowledged.pk}/change/")
    assert overdue < sent, "the overdue item comes first"
    assert "Overdue" in html
    assert f"/admin/feedback/feedback/{rows['GMP'].feedback_draft.pk}/change/" not in html  # the CPS's draft
    assert "LANCS" not in html


def test_a_chief_officer_is_pointed_at_the_force_dashboard(shared_world, db):
    html = start_page(shared_world.gmp_chief)
    assert 'href="/admin/dashboards/force/GMP/"' in html
    figures = html[html.index('id="start-figures-GMP"') :]
    assert "Schedules assessed" in figures[: figures.index("</table>")]
    assert "Your open joint dip samples" not in html
    assert "/admin/dashboards/force/LANCS/" not in html


def test_the_quality_group_is_pointed_at_the_area_comparison(shared_world, db):
    html = start_page(shared_world.cps_quality)
    assert 'href="/admin/dashboards/area/CPS-NW/"' in html
    assert "/admin/dashboards/area/CPS-SE/" not in html
    comparison = html[html.index('id="start-comparison-CPS-NW"') :]
    comparison = comparison[: comparison.index("</table>")]
    assert "Greater Manchester Police" in comparison and "Lancashire Constabulary" in comparison
    assert "Area total" in comparison and "Kent" not in comparison


def test_an_org_admin_sees_its_members_and_locked_accounts_with_an_unlock_button(shared_world, db):
    world = shared_world
    for username in ("gmp-chief", "lancs-lead"):  # locked out after five failed sign-ins
        AccessAttempt.objects.create(
            username=username, ip_address="192.0.2.1", failures_since_start=5, attempt_time=timezone.now()
        )
    html = start_page(world.gmp_admin)
    locked = html[html.index('id="start-locked"') : html.index('id="start-members"')]
    chief = world.gmp_chief.memberships.get()
    assert "gmp-chief" in locked
    assert f'action="/admin/forces/membership/{chief.pk}/unlock/"' in locked
    assert "lancs-lead" not in html  # another force's account, locked or not
    members = html[html.index('id="start-members"') :]
    for username in ("gmp-lead", "gmp-mc-lead", "gmp-chief"):
        assert username in members
    assert "cps-lead" not in members and "kent-lead" not in members


def test_a_member_with_no_start_page_section_gets_the_plain_index(shared_world, db):
    html = start_page(shared_world.superuser)
    assert "Your start page" not in html
    assert "Memberships" in html  # the app list


def test_dates_are_shown_and_read_in_uk_format(shared_world, db):
    import datetime

    from django.utils import formats

    assert formats.date_format(datetime.date(2026, 3, 4)) == "4 Mar 2026"
    assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"  # what the admin's date fields expect
    html = start_page(shared_world.gmp_lead)
    sample = shared_world.rows["GMP"].planned
    assert formats.date_format(sample.period_start) in html
    assert '<html lang="en-gb"' in html
    assert "/static/portal/portal.css" in html  # the portal's own stylesheet, from the app (no CDN)
