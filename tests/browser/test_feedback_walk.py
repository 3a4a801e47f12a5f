"""Feedback to the police, walked in a real browser by the demo leads (tests/browser/conftest.py).

A GMP Crown Court joint dip sample, signed off by both sides, with police-side defects on two cases
(one a personal-data breach), is built through the factories and services. Then: ``cps-cc-lead``
drafts feedback from it in one click and sends both drafts; one is made overdue; ``gmp-cc-lead``
finds it first in the inbox, marked, acknowledges it and disputes it with reasons and the ICO
answer, and writes in the thread; ``cps-cc-lead`` reads the response and closes it. The database is
checked through the selectors between the steps.

With ``SCREENSHOTS=1`` it saves docs/screenshots/feedback-inbox.png and feedback-item.png (1366x768).
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory
from feedback.models import Feedback
from feedback.selectors import feedback_list, feedback_messages
from forces.models import Organisation
from tests.browser.support import browser_db, demo_cast, offsite, sign_in, sign_out
from tests.factories import assess, make_sample

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def signed_off_sample_with_police_defects(cps, police, force):
    """Two sampled schedules on two cases: D02 and D01 on the first, X03 (a breach) and P01 (CPS-side) on the second."""
    sample = make_sample(cps_lead=cps, police_lead=police, force=force, month=2, schedules=2)
    codes = [["D02", "D01"], ["X03", "P01"]]
    for schedule, schedule_codes in zip(sample.schedules.order_by("sampled__position"), codes, strict=True):
        assessment = assess(actor=cps, sample=sample, schedule=schedule)
        for n, code in enumerate(schedule_codes, start=1):
            disclosure_services.defect_create(
                actor=cps,
                assessment=assessment,
                category=DefectCategory.objects.get(code=code),
                description=f"Item {n} described only as 'document'.",
            )
    disclosure_services.dip_sample_complete(actor=cps, dip_sample=sample)
    disclosure_services.dip_sample_sign_off(actor=cps, dip_sample=sample)
    return disclosure_services.dip_sample_sign_off(actor=police, dip_sample=sample)


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


@browser_db
def test_the_cps_lead_sends_feedback_the_police_lead_answers_and_the_cps_lead_closes_it(
    live_server, browser_page, browser_requests
):
    users = demo_cast()
    cps, police = users["cps-cc-lead"], users["gmp-cc-lead"]
    sample = signed_off_sample_with_police_defects(cps, police, Organisation.objects.get(code="GMP"))
    page, base = browser_page, live_server.url
    inbox = f"{base}/admin/feedback/feedback/"

    # The CPS lead drafts from the signed-off sample in one click, from the inbox.
    sign_in(page, base, "cps-cc-lead")
    page.goto(inbox)
    page.click(f"#draft-feedback-{sample.pk}")
    page.wait_for_selector("text=Drafted 2 feedback item(s)")
    drafts = feedback_list(user=cps).filter(dip_sample=sample).order_by("id")
    codes = {f.is_breach: sorted(d.category.code for d in f.defects.all()) for f in drafts}
    assert [f.status for f in drafts] == ["draft", "draft"]
    assert codes == {False: ["D01", "D02"], True: ["X03"]}  # P01 is the CPS's own: not feedback to the police
    assert not feedback_list(user=police).filter(dip_sample=sample).exists()  # drafts are the CPS's own

    # ... and sends each draft from its page.
    for draft in drafts:
        page.goto(f"{inbox}{draft.pk}/change/")
        assert page.inner_text("#feedback-status") == "Draft"
        page.click("#step-send input[type=submit]")
        page.wait_for_selector("text=Sent to Greater Manchester Police")
        assert page.inner_text("#feedback-status") == "Sent"
    sent = feedback_list(user=police).filter(dip_sample=sample)
    assert [f.status for f in sent] == ["sent", "sent"]
    on_time, breach = sent.get(is_breach=False), sent.get(is_breach=True)
    # The breach was sent weeks ago, as it were: now it is overdue.
    Feedback.objects.filter(pk=breach.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    sign_out(page)

    # The police lead's inbox: the overdue item first, marked.
    sign_in(page, base, "gmp-cc-lead")
    page.goto(inbox)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator(".fb-overdue").inner_text() == "Overdue"
    assert f"Feedback {breach.pk}" in rows.nth(0).inner_text()
    assert rows.nth(1).locator(".fb-overdue").count() == 0
    screenshot(page, "feedback-inbox.png")

    # It acknowledges the overdue item, disputes it with reasons and the ICO answer, and writes in the thread.
    rows.nth(0).locator(f"text=Feedback {breach.pk}").click()
    page.wait_for_selector("#feedback-overdue")
    page.click("#step-acknowledge input[type=submit]")
    page.wait_for_selector("text=Acknowledged.")
    assert feedback_list(user=police).get(pk=breach.pk).status == "acknowledged"
    page.check("#step-respond input[name=outcome][value=disputed]")
    page.fill("#step-respond textarea[name=action_taken]", "Checked the schedule against the material.")
    page.fill("#step-respond textarea[name=reasons]", "Item 1 is described in full on revision 2.")
    page.click("#step-respond input[type=submit]")  # the ICO answer is missing: refused, nothing written
    page.wait_for_selector("text=Please correct the errors below.")
    assert feedback_list(user=police).get(pk=breach.pk).status == "acknowledged"
    page.check("#step-respond input[name=ico_reported][value=not_required]")
    page.fill("#step-respond textarea[name=reasons]", "Item 1 is described in full on revision 2.")
    page.click("#step-respond input[type=submit]")
    page.wait_for_selector("text=Your response was sent to the CPS.")
    answered = feedback_list(user=police).get(pk=breach.pk)
    assert (answered.status, answered.outcome, answered.ico_reported) == ("responded", "disputed", "not_required")
    page.fill("#step-message textarea[name=body]", "Revision 2 was served on the 3rd.")
    page.click("#step-message input[type=submit]")
    page.wait_for_selector("text=Message added to the thread.")
    assert [m.body for m in feedback_messages(feedback=answered)] == ["Revision 2 was served on the 3rd."]
    assert not page.is_visible("#step-close")
    sign_out(page)

    # The CPS lead reads the response and closes the feedback.
    sign_in(page, base, "cps-cc-lead")
    page.goto(f"{inbox}?awaiting=me")
    page.click(f"text=Feedback {breach.pk}")
    assert "Item 1 is described in full on revision 2." in page.inner_text("#feedback-reasons")
    assert "Revision 2 was served on the 3rd." in page.inner_text("#feedback-thread")
    screenshot(page, "feedback-item.png")
    page.click("#step-close input[type=submit]")
    page.wait_for_selector("text=Closed.")
    assert feedback_list(user=cps).get(pk=breach.pk).status == "closed"
    assert feedback_list(user=cps).get(pk=on_time.pk).status == "sent"

    # Another force's lead cannot open it.
    sign_out(page)
    sign_in(page, base, "lancs-cc-lead")
    assert page.goto(f"{inbox}{breach.pk}/change/").status == 404
    assert offsite(browser_requests, base) == []  # no CDN, no asset from elsewhere
