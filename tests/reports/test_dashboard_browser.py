"""A real headless browser (Debian's chromium, driven by Playwright) signs in to the admin as a chief officer.

It opens the force dashboard from the admin index and reads the headline figures, checked against
``force_summary`` computed here, and is refused the case-level model pages.

The live server needs committed rows, so this is a *transactional* test: at its end the database
is emptied (TRUNCATE on PostgreSQL), which the audit table's append-only trigger refuses. As
docs/decisions/0008-audit-integrity.md says, the test code - never a setting - lifts that trigger in
its own throw-away test database for the flush and puts it back after (``_flushable_audit_log``), and
puts the database's contents back (serialized rollback) for whatever runs after it.
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from reports import selectors
from tests.conftest import make_world
from tests.factories import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Every app: naming them makes the flush TRUNCATE ... CASCADE (the unused, swapped-out auditlog_logentry
#: table points at django_content_type) without narrowing what the server may use.
ALL_APPS = [app.name for app in apps.get_app_configs()]
TRIGGER = "audit_event_no_truncate"  # audit/migrations/0002_append_only.py

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium.", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402 (pinned in the dev group; after the chromium check)


def _set_truncate_trigger(enabled: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent {'ENABLE' if enabled else 'DISABLE'} TRIGGER {TRIGGER}")


@pytest.fixture(scope="module")
def _flushable_audit_log(django_db_setup, django_db_blocker):
    """Module-scoped, so it is set up before the test's database and torn down after its flush."""
    with django_db_blocker.unblock():
        _set_truncate_trigger(False)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            _set_truncate_trigger(True)
            serialized = getattr(connection, "_test_serialized_contents", None)
            if serialized:
                connection.creation.deserialize_db_from_string(serialized)


def percent(value) -> str:
    return "\u2013" if value is None else f"{value * 100:.1f}%"


@pytest.mark.django_db(transaction=True, serialized_rollback=True, available_apps=ALL_APPS)
def test_a_chief_officer_reads_the_force_dashboard_in_a_browser_and_is_refused_case_pages(
    _flushable_audit_log, live_server
):
    world = make_world()
    date_from, date_to = selectors.summary_window(None, None, timezone.localdate())
    summary = selectors.force_summary(user=world.gmp_chief, force=world.gmp, date_from=date_from, date_to=date_to)
    requested: list[str] = []

    # No ORM call while Playwright runs: its sync API keeps an event loop in this thread.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("#id_username", "gmp-chief")
            page.fill("#id_password", TEST_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{live_server.url}/admin/")

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
        finally:
            browser.close()

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
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert outside == []  # no CDN, no asset from elsewhere
