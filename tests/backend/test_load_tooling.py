"""The production-serving configuration `make load` measures: gunicorn.conf.py, and the load run's floor endpoint."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from disclosure.models import Defect
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

# Loads gunicorn.conf.py as gunicorn does (a Python file of settings and hooks), then plays the
# master's pre_fork and the worker's post_fork, printing the garbage collector's state after each.
HOOKS = """
import gc, runpy, types
config = runpy.run_path("gunicorn.conf.py")
print(config["preload_app"], config["workers"], gc.isenabled())
import django
django.setup()
server, worker = types.SimpleNamespace(log=types.SimpleNamespace(info=lambda *a: None)), types.SimpleNamespace(pid=1)
config["pre_fork"](server, worker)
print(gc.get_freeze_count() > 0)
config["post_fork"](server, worker)
print(gc.isenabled(), gc.get_threshold())
"""


def run_hooks(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update({"DJANGO_SETTINGS_MODULE": "backend.settings.test", **env_overrides})
    return subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", HOOKS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_gunicorn_preloads_the_app_frozen_and_the_workers_collect_with_tuned_thresholds():
    result = run_hooks(GUNICORN_WORKERS="5")
    assert result.returncode == 0, result.stderr
    loaded, frozen, worker = result.stdout.splitlines()
    # Collection is off while the master loads the app; everything is frozen before the fork.
    assert loaded == "True 5 False"
    assert frozen == "True"
    # The worker collects again, at the tuned thresholds.
    assert worker == "True (10000, 10, 10)"


def test_gunicorn_gc_tuning_can_be_turned_off_to_measure_without_it():
    result = run_hooks(GUNICORN_GC_FREEZE="false", GUNICORN_GC_THRESHOLD="700,10,10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True 3 True", "False", "True (700, 10, 10)"]


def test_gunicorn_refuses_a_malformed_gc_threshold():
    result = run_hooks(GUNICORN_GC_THRESHOLD="50000,20")
    assert result.returncode != 0
    assert "GUNICORN_GC_THRESHOLD must be three positive whole numbers" in result.stderr


@pytest.fixture
def load_run_urls(settings, monkeypatch):
    """The load run's URLconf (scripts/load_settings.py): the app's plus the floor."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    settings.ROOT_URLCONF = "load_urls"


def test_the_load_run_floor_is_a_token_authenticated_page_of_defects(db, load_run_urls):
    _, key = AuthToken.objects.create(UserFactory())
    client = APIClient()
    assert client.get("/api/v1/load-floor/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/load-floor/")
    assert response.status_code == 200
    assert response.json()["count"] == Defect.objects.count()
    # The app's own URLs are still served beside it.
    assert client.get("/api/v1/me/").status_code == 200


def test_the_app_itself_has_no_floor_endpoint(db, client_for):
    assert client_for(UserFactory()).get("/api/v1/load-floor/").status_code == 404
