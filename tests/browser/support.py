"""What browser tests share besides fixtures (tests/browser/conftest.py): the browser, the marker, signing in."""

from pathlib import Path

import pytest
from django.apps import apps

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
#: A laptop screen: every page must work at this size.
VIEWPORT = {"width": 1366, "height": 768}
#: Every app: naming them makes the flush TRUNCATE ... CASCADE (the unused, swapped-out auditlog_logentry
#: table points at django_content_type) without narrowing what the server may use.
ALL_APPS = [app.name for app in apps.get_app_configs()]

#: Mark a browser test with this: committed rows, flushed after, the rest of the suite's data restored.
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True, available_apps=ALL_APPS)


def sign_in(page, base_url: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the admin's login form and wait to leave it."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def sign_out(page) -> None:
    """Forget the session (clears the browser's cookies), so the next ``sign_in`` starts afresh."""
    page.context.clear_cookies()


def demo_cast():
    """The demo organisations and users exactly as ``make run`` creates them (forces/demo.py), password TEST_PASSWORD.

    Usernames: ``cps-cc-lead``, ``gmp-cc-lead``, ``lancs-cc-lead``, ``gmp-chief``, ``cps-quality``,
    ``cps-admin``, ``gmp-admin``, ``admin`` (superuser) ... (``forces.demo.demo_users()``).
    Returns ``{username: user}``.
    """
    import io

    from django.contrib.auth import get_user_model

    from forces.demo import demo_users, seed_organisations_and_users

    seed_organisations_and_users(password=TEST_PASSWORD, stdout=io.StringIO())
    return {user.username: user for user in get_user_model().objects.filter(username__in=demo_users())}


def offsite(requests: list[str], base_url: str) -> list[str]:
    return [url for url in requests if not url.startswith((base_url, "data:", "blob:"))]
