"""Start pages and org admins in a real browser (tests/browser/conftest.py), as the demo users.

One walk: an org admin adds a person by keyboard, who signs in and lands on their start page; a
Lancashire lead is refused every Greater Manchester page; and, with ``SCREENSHOTS=1`` in the
environment, each role's start page is photographed at 1366x768 into docs/screenshots/ (off by
default, so CI never rewrites the committed images).
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory
from feedback.models import Feedback
from forces.models import Organisation
from tests.browser.support import browser_db, demo_cast, offsite, sign_in, sign_out
from tests.factories import TEST_PASSWORD, assess, make_feedback, make_sample

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
#: Whose start page each screenshot shows.
START_PAGES = {
    "cps-lead": "cps-cc-lead",
    "police-lead": "gmp-cc-lead",
    "chief-officer": "gmp-chief",
    "quality-group": "cps-quality",
    "org-admin": "gmp-admin",
}


def _some_work(cast) -> dict:
    """A few months of Crown Court dip sampling for GMP and LANCS in every state, and feedback waiting."""
    cps = cast["cps-cc-lead"]
    category = DefectCategory.objects.get(code="D02")
    made = {}
    for code in ("GMP", "LANCS"):
        force = Organisation.objects.get(code=code)
        police = cast[f"{code.lower()}-cc-lead"]
        kwargs = {"cps_lead": cps, "police_lead": police, "force": force}
        planned = make_sample(month=9, draw=False, **kwargs)
        in_progress = make_sample(month=8, schedules=2, **kwargs)
        first = in_progress.schedules.order_by("sampled__position").first()
        assessment = assess(actor=cps, sample=in_progress, schedule=first)
        defect = disclosure_services.defect_create(
            actor=cps, assessment=assessment, category=category, description="Items 3-7 block listed as 'various'."
        )
        completed = make_sample(month=7, **kwargs)
        assess(actor=police, sample=completed, schedule=completed.schedules.get())
        completed = disclosure_services.dip_sample_complete(actor=cps, dip_sample=completed)
        signed = make_sample(month=11, schedules=3, **kwargs)  # figures for the chief officer's start page
        for position, schedule in enumerate(signed.schedules.order_by("sampled__position")):
            rating = "fully_meets" if position else "partially_meets"
            assess(actor=police, sample=signed, schedule=schedule, rating=rating)
        signed = disclosure_services.dip_sample_complete(actor=cps, dip_sample=signed)
        signed = disclosure_services.dip_sample_sign_off(actor=cps, dip_sample=signed)
        disclosure_services.dip_sample_sign_off(actor=police, dip_sample=signed)
        sent = make_feedback(cps=cps, police=police, defects=[defect], status="sent")
        overdue = make_feedback(cps=cps, police=police, defects=[defect], status="acknowledged")
        Feedback.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=4))
        make_feedback(cps=cps, police=police, defects=[defect], status="responded")
        make_feedback(cps=cps, police=police, defects=[defect], status="draft")
        made[code] = {
            "planned": planned,
            "in_progress": in_progress,
            "completed": completed,
            "assessment": assessment,
            "feedback": sent,
            "case": first.case,
        }
    return made


def _status(page, url: str) -> int:
    return page.goto(url).status


@browser_db
def test_an_org_admin_adds_a_person_who_lands_on_their_start_page_and_no_lead_opens_another_forces_pages(
    live_server, browser_page, browser_requests
):
    cast = demo_cast()
    work = _some_work(cast)
    base, page = live_server.url, browser_page

    # --- gmp-admin adds a person, by keyboard, from the start page ---------------------------------------
    sign_in(page, base, "gmp-admin")
    assert page.url == f"{base}/admin/"
    assert page.is_visible("#start-members")
    page.click("text=Add a person")
    page.wait_for_url(f"{base}/admin/forces/membership/add-member/")
    page.focus("#id_username")
    page.keyboard.type("gmp-new-cc-lead")
    page.keyboard.press("Tab")  # first name
    page.keyboard.press("Tab")  # last name
    page.keyboard.press("Tab")
    page.keyboard.type("gmp-new-cc-lead@example.org")
    page.select_option("#id_organisation", label="Greater Manchester Police (GMP)")
    page.select_option("#id_role", value="disclosure_lead")
    page.select_option("#id_stream", value="cc")
    page.focus("#id_password")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/forces/membership/")
    added = page.inner_text("ul.messagelist")
    organisations_offered = page.goto(f"{base}/admin/forces/membership/add-member/") and page.eval_on_selector_all(
        "#id_organisation option", "options => options.map(o => o.textContent)"
    )
    sign_out(page)

    # --- who then signs in and lands on their start page ----------------------------------------------------
    sign_in(page, base, "gmp-new-cc-lead")
    landed = page.url
    heading = page.inner_text("#content h1")
    samples = page.inner_text("#start-dip-samples")
    waiting = page.inner_text("#start-waiting-feedback")
    sign_out(page)

    # --- lancs-cc-lead opens no Greater Manchester page ----------------------------------------------------
    sign_in(page, base, "lancs-cc-lead")
    lancs_start = page.inner_text("#content")
    gmp = work["GMP"]
    gmp_pages = {  # the pages a lead works in answer 404 for another force's rows, as the API does
        "/admin/dashboards/force/GMP/": 404,
        f"/admin/disclosure/dipsample/{gmp['in_progress'].pk}/change/": 404,
        f"/admin/disclosure/dipsample/{gmp['completed'].pk}/change/": 404,
        f"/admin/feedback/feedback/{gmp['feedback'].pk}/change/": 404,
        f"/admin/disclosure/assessment/{gmp['assessment'].pk}/change/": 404,
        f"/admin/disclosure/case/{gmp['case'].pk}/change/": 404,
    }
    statuses = {path: _status(page, f"{base}{path}") for path in gmp_pages}
    own_dashboard = _status(page, f"{base}/admin/dashboards/force/LANCS/")
    sign_out(page)

    assert "gmp-new-cc-lead was added as disclosure lead at greater manchester police" in added.lower()
    assert organisations_offered == ["---------", "Greater Manchester Police (GMP)"]
    assert landed == f"{base}/admin/"
    assert heading == "Your start page"
    assert f"Dip sample {gmp['completed'].pk}" in samples and "Sign off" in samples
    assert "LANCS" not in samples
    assert "Overdue" in waiting  # the acknowledged item past its due date, first
    assert waiting.index("Overdue") < waiting.index("Acknowledge and respond")
    assert statuses == gmp_pages
    assert "GMP" not in lancs_start and "Greater Manchester" not in lancs_start
    assert own_dashboard == 200
    assert offsite(browser_requests, base) == []  # no CDN, no asset from elsewhere

    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for role, username in START_PAGES.items():
            sign_in(page, base, username)
            page.goto(f"{base}/admin/")
            page.screenshot(path=str(SCREENSHOTS / f"{role}-start.png"))
            sign_out(page)
