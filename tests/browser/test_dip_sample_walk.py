"""A joint dip sample from plan to sign-off, in a real browser, as the demo users (tests/browser/conftest.py).

``cps-cc-lead`` plans a sample of GMP's Crown Court schedules naming ``gmp-cc-lead`` as the police
lead, reads the eligible count, draws two, assesses both (one with a defect, its severity set
from the category by the page's script), completes and signs; ``gmp-cc-lead`` signs for the
police. Between steps the database is read through the selectors. With ``SCREENSHOTS=1`` the
assessment page and the sample's page are saved under docs/screenshots/.
"""

import datetime
import os
from pathlib import Path

from disclosure import selectors
from disclosure.models import Assessment, DefectCategory, DipSample
from tests.browser.support import VIEWPORT, browser_db, offsite, sign_in, sign_out
from tests.factories import last_year_month, make_case, make_schedule

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

#: The schedules GMP sent in the month sampled: (kind, items listed, days after the 1st).
RECEIVED = [("mg6c", 14, 2), ("mg6c", 31, 5), ("mg6c", 9, 9), ("mg6c", 22, 14), ("mg6c", 6, 20)]


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def answer_every_criterion(page, **overrides: str) -> None:
    """Tick 'Fully meeting' for every criterion on the page, or the result given for its code."""
    for row in page.locator("tr.answer").all():
        code = row.get_attribute("id").removeprefix("row-")
        row.locator(f"input[value={overrides.get(code, 'fully_meets')}]").check()


@browser_db
def test_a_cps_lead_and_a_police_lead_take_a_dip_sample_from_plan_to_sign_off(
    live_server, browser_page, browser_requests
):
    from tests.browser.support import demo_cast

    users = demo_cast()
    cps, police = users["cps-cc-lead"], users["gmp-cc-lead"]
    gmp = police.memberships.get().organisation
    first, last = last_year_month(3)
    for kind, items, day in RECEIVED:
        case = make_case(actor=police, force=gmp, stream="cc")
        make_schedule(
            actor=police, case=case, kind=kind, item_count=items, received_on=first + datetime.timedelta(days=day)
        )
    base, page = live_server.url, browser_page

    # The CPS lead plans the sample.
    sign_in(page, base, "cps-cc-lead")
    page.goto(f"{base}/admin/disclosure/dipsample/")
    page.click("a.addlink")
    page.select_option("#id_force", label="Greater Manchester Police (GMP)")
    page.select_option("#id_stream", "cc")
    page.fill("#id_period_start", first.strftime("%d/%m/%Y"))
    page.fill("#id_period_end", last.strftime("%d/%m/%Y"))
    page.select_option("#id_other_lead", str(police.pk))
    page.click("text=Plan the sample")
    page.wait_for_url("**/change/")
    sample = selectors.dip_sample_list(user=cps).get()
    assert (sample.force, sample.stream, sample.status) == (gmp, "cc", "planned")
    assert (sample.cps_lead, sample.police_lead) == (cps, police)
    assert (sample.period_start, sample.period_end) == (first, last)

    # The eligible count, then the draw.
    assert page.inner_text("#eligible-count") == str(len(RECEIVED))
    page.fill("#id_size", "2")
    page.click("input[name=draw]")
    page.wait_for_selector("#sampled")
    sample = selectors.dip_sample_list(user=cps).get()
    assert sample.status == "in_progress"
    assert sample.eligible_count == len(RECEIVED)
    drawn = [entry.schedule_id for entry in sample.sampled.all()]
    assert len(drawn) == 2

    # The first schedule: T1 (supplied on time) partially met, so 'partially meeting'; a defect D02.
    page.click(f"#sampled-{drawn[0]} a")
    answer_every_criterion(page, T1="partially_meets")
    page.check("#id_drs_complete")
    page.fill("#id_notes", "Items 3 to 7 listed together as 'various documents'.")
    page.click("#save-assessment")
    page.wait_for_selector("#defect-form")
    assert page.inner_text("#rating") == "Partially meeting the standard"
    d02 = DefectCategory.objects.get(code="D02")
    page.select_option("#id_category", str(d02.pk))
    assert page.input_value("#id_severity") == "significant"  # set by defect_form.js from the category
    page.fill("#id_item_reference", "items 3-7")
    page.fill("#id_description", "Block listed as 'various documents': each item must be described.")
    page.click("#add-defect")
    page.wait_for_selector("#defects tbody tr >> text=D02")
    assessed = selectors.assessment_list(user=cps).get(dip_sample=sample, schedule_id=drawn[0])
    assert (assessed.rating, assessed.drs_complete, assessed.defect_count) == ("partially_meets", True, 1)
    defect = selectors.defect_list(user=cps).get(assessment=assessed)
    assert (defect.category.code, defect.severity) == ("D02", "significant")
    screenshot(page, "assessment.png")

    # The second schedule, every criterion met.
    page.click("text=Next schedule")
    answer_every_criterion(page)
    page.check("#id_drs_complete")
    page.click("#save-assessment")
    page.wait_for_selector("#defect-form")
    assert page.inner_text("#rating") == "Fully meeting the standard"
    assert selectors.assessment_list(user=cps).get(dip_sample=sample, schedule_id=drawn[1]).rating == "fully_meets"

    # Complete, and sign for the CPS.
    page.goto(f"{base}/admin/disclosure/dipsample/{sample.pk}/change/")
    page.click("#complete-button")
    page.wait_for_selector("#sign-off-button")
    assert selectors.dip_sample_list(user=cps).get().status == "completed"
    page.click("#sign-off-button")
    page.wait_for_selector("text=You signed the sample off for your side")
    sample = selectors.dip_sample_list(user=cps).get()
    assert (sample.status, sample.cps_signed_off_by, sample.police_signed_off_by) == ("completed", cps, None)
    assert page.locator("#sign-off-button").count() == 0

    # The police lead signs for the police.
    sign_out(page)
    sign_in(page, base, "gmp-cc-lead")
    page.goto(f"{base}/admin/disclosure/dipsample/{sample.pk}/change/")
    assert page.get_attribute("#sign-off-button", "value") == "Sign off for the police side"
    page.click("#sign-off-button")
    page.wait_for_selector("text=both sides have now signed")
    sample = selectors.dip_sample_list(user=police).get()
    assert (sample.status, sample.police_signed_off_by) == ("signed_off", police)
    assert page.inner_text("#sample-status") == "Signed off"
    assert page.viewport_size == VIEWPORT
    screenshot(page, "dip-sample.png")

    assert Assessment.objects.filter(dip_sample=sample).count() == 2
    assert DipSample.objects.count() == 1
    assert offsite(browser_requests, base) == []  # no CDN, no asset from elsewhere
