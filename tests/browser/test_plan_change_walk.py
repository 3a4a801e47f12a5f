"""A planned dip sample changed, then deleted, in a real browser (the API's PATCH and DELETE as web pages).

``cps-cc-lead`` plans a sample of GMP's Crown Court schedules (through the service), opens it, shortens its
period with the "Change plan" form, then deletes it through the confirmation page.
"""

import datetime

from disclosure import services
from disclosure.models import DipSample
from tests.browser.support import browser_db, offsite, sign_in
from tests.factories import last_year_month


@browser_db
def test_a_cps_lead_changes_a_planned_sample_then_deletes_it(live_server, browser_page, browser_requests):
    from tests.browser.support import demo_cast

    users = demo_cast()
    cps, police = users["cps-cc-lead"], users["gmp-cc-lead"]
    gmp = police.memberships.get().organisation
    first, last = last_year_month(4)
    sample = services.dip_sample_create(
        actor=cps, force=gmp, stream="cc", period_start=first, period_end=last, police_lead=police
    )
    base, page = live_server.url, browser_page

    sign_in(page, base, "cps-cc-lead")
    page.goto(f"{base}/admin/disclosure/dipsample/{sample.pk}/change/")
    page.click("#change-plan summary")
    shorter = last - datetime.timedelta(days=10)
    page.fill("#id_period_end", shorter.strftime("%d/%m/%Y"))
    page.click("input[name=change-plan]")
    page.wait_for_selector("text=The plan is changed.")
    sample.refresh_from_db()
    assert (sample.period_start, sample.period_end, sample.police_lead) == (first, shorter, police)

    page.click("#delete-planned a")
    page.wait_for_url("**/delete-planned/")
    page.click("text=Yes, delete this planned sample")
    page.wait_for_url("**/admin/disclosure/dipsample/")
    assert page.locator(f"text=Dip sample No. {sample.pk}").count() == 1
    assert not DipSample.objects.filter(pk=sample.pk).exists()
    assert offsite(browser_requests, base) == []
