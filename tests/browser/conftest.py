"""Browser tests: a real headless browser (Debian's chromium, driven by Playwright) against a live server.

Every test here is *transactional* (the live server needs committed rows): mark it with
``@browser_db`` and ask for ``browser_page``. At the end the database is emptied (TRUNCATE on
PostgreSQL), which the audit table's append-only trigger refuses. As
docs/decisions/0008-audit-integrity.md says, the test code - never a setting - lifts that trigger
in its own throw-away test database for the flush and puts it back after
(``_flushable_audit_log``), and puts the database's contents back (serialized rollback) for
whatever runs after it.

Playwright's sync API keeps an event loop running in the test's thread, which Django's
async-safety check would take for async code; ``browser_page`` sets
``DJANGO_ALLOW_ASYNC_UNSAFE`` for the test so it may check the database between steps. While that
loop runs, Django's connections (``asgiref.local.Local``, thread-critical) are kept per *context*, not
per thread: the test's checks open a connection of their own, which Django's teardown (outside the
loop) never sees. ``browser_page`` closes it before the loop stops; left open, it made PostgreSQL
refuse to drop the worker's test database ("is being accessed by other users").
"""

import os

import pytest
from django.db import connection, connections

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

TRIGGER = "audit_event_no_truncate"  # audit/migrations/0002_append_only.py


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


@pytest.fixture
def browser_requests() -> list[str]:
    """Every URL the browser requested during the test (to prove no asset comes from elsewhere)."""
    return []


@pytest.fixture
def browser_page(_flushable_audit_log, live_server, monkeypatch, browser_requests):
    """A fresh browser page at 1366x768 with a 10 s default timeout; closed after the test."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium.", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # pinned in the dev group

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(10_000)
            page.on("request", lambda request: browser_requests.append(request.url))
            yield page
        finally:
            browser.close()
            # The connections the test opened while Playwright's loop runs: only reachable from inside it.
            connections.close_all()
