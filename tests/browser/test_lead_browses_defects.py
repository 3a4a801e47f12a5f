"""A CPS disclosure lead, not staff, browses the defects list in a real browser (tests/browser/conftest.py).

The read-only lists open to whom the API serves their rows: the lead sees its own Area's defects, not another
Area's, and opens one; another Area's defect is a 404, as in the API.
"""

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory
from tests.browser.support import browser_db, offsite, sign_in
from tests.conftest import make_world
from tests.factories import assess, make_sample


def _defect(*, cps, police, force, item_reference):
    sample = make_sample(cps_lead=cps, police_lead=police, force=force, month=8)
    assessment = assess(actor=cps, sample=sample, schedule=sample.schedules.get())
    return disclosure_services.defect_create(
        actor=cps,
        assessment=assessment,
        category=DefectCategory.objects.get(code="D02"),
        description="Items listed as 'various'.",
        item_reference=item_reference,
    )


@browser_db
def test_a_cps_lead_who_is_not_staff_browses_its_areas_defects(live_server, browser_page, browser_requests):
    world = make_world()
    assert not world.cps_lead.is_staff
    own = _defect(cps=world.cps_lead, police=world.gmp_lead, force=world.gmp, item_reference="GMP item 4")
    other = _defect(cps=world.outsider, police=world.kent_lead, force=world.kent, item_reference="KENT item 9")
    page = browser_page
    sign_in(page, live_server.url, "cps-lead")

    page.click("#start-lists >> text=Defects")  # the start page links to the lists the lead may open
    page.wait_for_url(f"{live_server.url}/admin/disclosure/defect/")
    listed = page.inner_text("#result_list")
    page.click(f"#result_list a[href$='/{own.pk}/change/']")
    page.wait_for_url(f"{live_server.url}/admin/disclosure/defect/{own.pk}/change/")
    opened = page.inner_text("#content")
    other_status = page.goto(f"{live_server.url}/admin/disclosure/defect/{other.pk}/change/").status

    assert "GMP item 4" in listed
    assert "KENT item 9" not in listed
    assert "GMP item 4" in opened
    assert other_status == 404
    assert offsite(browser_requests, live_server.url) == []
