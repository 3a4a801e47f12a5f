"""A police lead names themselves the police lead of a drawn sample they do not lead, in a real browser.

``cps-cc-lead`` and a second GMP Crown Court lead (``gmp-cc-lead-2``) plan and draw a sample (through the
services); ``gmp-cc-lead``, who holds no grant on it, opens its page, names themselves police lead with the
"Name the police lead" form (the API's PATCH of ``police_lead`` alone), and sees the message and their name.
"""

from disclosure.models import DipSample, DipSampleStatus
from forces.models import Role, Stream
from tests.browser.support import browser_db, offsite, sign_in


@browser_db
def test_a_police_lead_names_themselves_police_lead_of_a_sample_they_do_not_lead(
    live_server, browser_page, browser_requests
):
    from disclosure.services.samples import may_change_dip_sample
    from tests.browser.support import demo_cast
    from tests.factories import UserFactory, make_sample, member

    users = demo_cast()
    cps, police = users["cps-cc-lead"], users["gmp-cc-lead"]
    gmp = police.memberships.get().organisation
    colleague = UserFactory(username="gmp-cc-lead-2")
    member(colleague, gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    sample = make_sample(cps_lead=cps, police_lead=colleague, force=gmp, month=4)
    assert sample.status == DipSampleStatus.IN_PROGRESS
    assert not may_change_dip_sample(actor=police, dip_sample=sample)
    base, page = live_server.url, browser_page

    sign_in(page, base, "gmp-cc-lead")
    page.goto(f"{base}/admin/disclosure/dipsample/{sample.pk}/change/")
    assert page.locator("#change-plan").count() == 0  # drawn: no Change plan, and it is not theirs
    page.click("#name-lead summary")
    assert page.locator("#name-lead select").count() == 1  # the police side's lead only
    page.select_option("#id_police_lead", str(police.pk))
    page.click("input[name=name-lead]")
    page.wait_for_selector("text=gmp-cc-lead is now the police lead.")
    assert page.locator("#police-lead").inner_text() == "gmp-cc-lead"

    sample = DipSample.objects.get(pk=sample.pk)
    assert (sample.police_lead, sample.cps_lead) == (police, cps)
    assert may_change_dip_sample(actor=police, dip_sample=sample)
    assert offsite(browser_requests, base) == []
