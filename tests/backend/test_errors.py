import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from forces.models import Organisation, OrganisationKind
from tests.factories import AreaFactory

ROOT = Path(__file__).resolve().parents[2]


def test_it_answers_malformed_json_with_400_not_500(db):
    response = APIClient().post(
        "/api/v1/auth/login/", data='{"username": "a", "password": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_it_names_each_wrongly_typed_field(db):
    response = APIClient().post("/api/v1/auth/login/", {"username": {"a": 1}, "password": None}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"username", "password"}


def test_it_names_missing_fields(db):
    response = APIClient().post("/api/v1/auth/login/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_it_caps_an_absurd_page_size(world, client_for):
    area = AreaFactory(code="CPS-BULK")
    Organisation.objects.bulk_create(
        Organisation(code=f"BULK{i}", name=f"Bulk force {i}", kind=OrganisationKind.POLICE_FORCE, area=area)
        for i in range(210)
    )
    total = Organisation.objects.count()
    assert total > 200
    response = client_for(world.superuser).get("/api/v1/organisations/", {"page_size": 10**9})
    assert response.status_code == 200
    assert response.json()["count"] == total
    assert len(response.json()["results"]) == 200


@pytest.mark.parametrize("page_size", ["-3", "abc", "0"])
def test_it_refuses_a_nonsense_page_size_naming_it(world, client_for, page_size):
    # It used to fall back to the default size silently; bad input gets a 400 naming the field.
    response = client_for(world.superuser).get("/api/v1/organisations/", {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]


def test_it_answers_404_in_the_error_shape_for_a_page_past_the_end(world, client_for):
    response = client_for(world.superuser).get("/api/v1/organisations/", {"page": 999})
    assert response.status_code == 404
    assert response.json()["status"] == 404


def _settings_subprocess(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS"}}
    # Required too (tests/backend/test_redis_throttles.py tests its absence); never connected to here.
    env.update(
        {"DJANGO_SETTINGS_MODULE": "backend.settings.production", "REDIS_URL": "redis://127.0.0.1:6379/0"}
        | env_overrides
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_a_missing_secret_key():
    result = _settings_subprocess({"ALLOWED_HOSTS": "portal.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_a_short_secret_key():
    result = _settings_subprocess({"ALLOWED_HOSTS": "portal.example.org", "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_settings_refuse_missing_allowed_hosts():
    result = _settings_subprocess({"SECRET_KEY": "k" * 30 + "abcdefghij" * 3})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_read_the_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("0123456789abcdefghij" * 3)
    result = _settings_subprocess({"ALLOWED_HOSTS": "portal.example.org", "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr
