"""A chief officer signs in to the admin in a real browser (tests/browser/conftest.py).

It opens the force dashboard from the admin index and reads the headline figures, checked against
``force_summary`` computed here, and is refused the case-level model pages.
"""

from django.utils import timezone

from reports import selectors
from tests.browser.support import browser_db, offsite, sign_in
from tests.conftest import make_world


def percent(value) -> str:
    return "\u2013" if value is None else f"{value * 100:.1f}%"


@browser_db
def test_a_chief_officer_reads_the_force_dashboard_in_a_browser_and_is_refused_case_pages(
    live_server, browser_page, browser_requests
):
    world = make_world()
    date_from, date_to = selectors.summary_window(None, None, timezone.localdate())
    summary = selectors.force_summary(user=world.gmp_chief, force=world.gmp, date_from=date_from, date_to=date_to)
    page = browser_page
    sign_in(page, live_server.url, "gmp-chief")
    assert page.url == f"{live_server.url}/admin/"

    page.click("text=Greater Manchester Police: dashboard")
    page.wait_for_url(f"{live_server.url}/admin/dashboards/force/GMP/")
    assessed = page.inner_text("#figure-schedules-assessed")
    rate = page.inner_text("#figure-defective-rate")
    chart_width = page.eval_on_selector("#trend-chart", "img => img.complete ? img.naturalWidth : 0")
    has_reason_field = page.is_visible("#pack-reason")

    statuses = {
        path: page.goto(f"{live_server.url}{path}").status
        for path in ("/admin/disclosure/case/", "/admin/disclosure/defect/", "/admin/audit/auditevent/")
    }
    other_force = page.goto(f"{live_server.url}/admin/dashboards/force/LANCS/").status

    assert assessed == str(summary["schedules_assessed"])
    assert rate.startswith(percent(summary["defective_rate"]["value"]))
    assert chart_width > 0
    assert has_reason_field
    assert statuses == {
        "/admin/disclosure/case/": 403,
        "/admin/disclosure/defect/": 403,
        "/admin/audit/auditevent/": 403,
    }
    assert other_force == 404
    assert offsite(browser_requests, live_server.url) == []  # no CDN, no asset from elsewhere
