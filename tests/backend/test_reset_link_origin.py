"""Password reset links point at the configured origin (PORTAL_ORIGIN), never at the request's Host header.

A reset e-mail asked for with a forged Host (a proxy passing it through, a wildcard ALLOWED_HOSTS) used to
carry the member's genuine one-time token on a link to the forger's site.
"""

import importlib
import re
import sys

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from backend.env import parse_origin

ORIGIN = "https://portal.example.org"
FORGED = "attacker.example.net"
LINK = re.compile(r"\S+/reset/\S+/")


def links_in_outbox() -> list[str]:
    return [link for message in mail.outbox for link in LINK.findall(message.body)]


@override_settings(PORTAL_ORIGIN=ORIGIN, ALLOWED_HOSTS=["*"])
def test_the_sign_in_pages_reset_link_carries_the_configured_origin_whatever_the_host(world):
    response = Client().post("/admin/password_reset/", {"email": "gmp-lead@example.org"}, HTTP_HOST=FORGED)
    assert response.status_code == 302
    links = links_in_outbox()
    assert len(links) == 1 and links[0].startswith(f"{ORIGIN}/reset/")
    assert FORGED not in mail.outbox[0].body


@override_settings(PORTAL_ORIGIN=ORIGIN, ALLOWED_HOSTS=["*"])
def test_an_org_admins_reset_link_carries_the_configured_origin_whatever_the_host(world):
    client = Client()
    client.force_login(world.gmp_admin)
    lead = world.gmp_lead.memberships.get()
    response = client.post(f"/admin/forces/membership/{lead.pk}/password-reset/", HTTP_HOST=FORGED)
    assert response.status_code == 302
    links = links_in_outbox()
    assert len(links) == 1 and links[0].startswith(f"{ORIGIN}/reset/")
    assert FORGED not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://portal.example.org", "https://portal.example.org"),
        ("https://portal.example.org/", "https://portal.example.org"),
        ("http://localhost:8000", "http://localhost:8000"),
    ],
)
def test_an_origin_is_read_as_scheme_and_host(value, origin):
    assert parse_origin("PORTAL_ORIGIN", value) == origin


@pytest.mark.parametrize(
    "value",
    [
        "portal.example.org",  # no scheme
        "ftp://portal.example.org",
        "https://portal.example.org/portal/",  # a path
        "https://user:pass@portal.example.org",
        "https://portal.example.org?next=x",
        "https://portal.example.org:port",
        "https://",
    ],
)
def test_anything_but_an_origin_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="PORTAL_ORIGIN"):
        parse_origin("PORTAL_ORIGIN", value)


PRODUCTION_ENV = {
    "SECRET_KEY": "production-settings-test-only-" + "abcdefghij" * 3,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def production_settings(monkeypatch, **env):
    """The production settings module as it loads with ``env`` (and what it always needs)."""
    for name in ("PORTAL_ORIGIN", "ALLOWED_HOSTS", "PORTAL_ORIGIN_FILE", "ALLOWED_HOSTS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**PRODUCTION_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "backend.settings.production", raising=False)
    try:
        return importlib.import_module("backend.settings.production")
    finally:
        sys.modules.pop("backend.settings.production", None)


def test_production_takes_the_configured_origin(monkeypatch):
    loaded = production_settings(monkeypatch, ALLOWED_HOSTS="portal.example.org,localhost", PORTAL_ORIGIN=ORIGIN)
    assert loaded.PORTAL_ORIGIN == ORIGIN


def test_production_derives_the_origin_from_the_first_allowed_host(monkeypatch):
    loaded = production_settings(monkeypatch, ALLOWED_HOSTS="portal.example.org,localhost")
    assert loaded.PORTAL_ORIGIN == "https://portal.example.org"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": ".example.org"}, "PORTAL_ORIGIN .* is required"),
        ({"ALLOWED_HOSTS": "*"}, "PORTAL_ORIGIN .* is required"),
        ({"ALLOWED_HOSTS": "portal.example.org", "PORTAL_ORIGIN": "http://portal.example.org"}, "https://"),
        ({"ALLOWED_HOSTS": "portal.example.org", "PORTAL_ORIGIN": "https://elsewhere.example"}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_safe_origin(monkeypatch, env, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        production_settings(monkeypatch, **env)
