"""Drafting feedback from picked defects and changing the draft, in a real browser (tests/browser/conftest.py).

``cps-cc-lead`` opens "Draft feedback" from the inbox, finds a GMP sample's defects by its number, ticks two
police-side ones, writes the texts and saves; on the draft's page it unticks one and saves the change. The
database is checked through the selectors between the steps.
"""

from disclosure.models import Defect
from feedback.selectors import feedback_list
from forces.models import Organisation
from tests.browser.support import browser_db, demo_cast, offsite, sign_in
from tests.browser.test_feedback_walk import signed_off_sample_with_police_defects


@browser_db
def test_the_cps_lead_drafts_from_picked_defects_and_changes_the_draft(live_server, browser_page, browser_requests):
    users = demo_cast()
    cps, police = users["cps-cc-lead"], users["gmp-cc-lead"]
    sample = signed_off_sample_with_police_defects(cps, police, Organisation.objects.get(code="GMP"))
    logged = Defect.objects.filter(assessment__dip_sample=sample).select_related("category")
    defects = {defect.category.code: defect for defect in logged}
    page, base = browser_page, live_server.url

    sign_in(page, base, "cps-cc-lead")
    page.goto(f"{base}/admin/feedback/feedback/")
    page.click("#draft-feedback-link")
    page.fill("#id_dip_sample", str(sample.pk))
    page.click("#narrow-defects input[type=submit]")
    listed = page.eval_on_selector_all("#draft-feedback input[name=defects]", "els => els.map(e => e.value)")
    assert sorted(map(int, listed)) == sorted(defects[code].pk for code in ("D01", "D02", "X03"))  # not P01
    page.check(f'#draft-feedback input[name=defects][value="{defects["D02"].pk}"]')
    page.check(f'#draft-feedback input[name=defects][value="{defects["D01"].pk}"]')
    page.fill("#id_summary", "Items 3-9 are block listed.")
    page.fill("#id_requested_action", "List each item and re-serve the MG6C.")
    page.click("#draft-feedback input[type=submit]")
    page.wait_for_selector("text=drafted: check it, then send it")
    draft = feedback_list(user=cps).get()
    assert draft.status == "draft" and draft.summary == "Items 3-9 are block listed."
    assert {d.category.code for d in draft.defects.all()} == {"D01", "D02"}
    assert page.url.endswith(f"/admin/feedback/feedback/{draft.pk}/change/")

    # On the draft's page: untick D01 and save the change.
    page.uncheck(f'#step-edit input[name=defects][value="{defects["D01"].pk}"]')
    page.click("#step-edit input[type=submit]")
    page.wait_for_selector("text=Draft saved.")
    assert {d.category.code for d in feedback_list(user=cps).get().defects.all()} == {"D02"}
    assert offsite(browser_requests, base) == []
