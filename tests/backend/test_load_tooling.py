"""The serving configuration `make load` measures: gunicorn.conf.py, and the floors it shares with `make bench`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from knox.models import AuthToken
from rest_framework import throttling
from rest_framework.test import APIClient

from disclosure.models import Case
from tests.factories import UserFactory, make_case

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


@pytest.fixture
def throttle_calls(monkeypatch):
    """Every DRF throttle's ``allow_request`` call (the project's throttles are SimpleRateThrottle's)."""
    calls = []
    allow_request = throttling.SimpleRateThrottle.allow_request

    def counting(self, request, view):
        calls.append(type(self).__name__)
        return allow_request(self, request, view)

    monkeypatch.setattr(throttling.SimpleRateThrottle, "allow_request", counting)
    return calls


def test_make_load_serves_the_benchmarks_floor_views_at_their_paths(load_run_urls):
    import bench_floor
    import load

    # The narrow floor, the cases list's own, at the path it always had.
    assert load.FLOOR_PATH == bench_floor.FLOOR_PATH == "/bench-floor/cases/"
    assert bench_floor.FLOOR_VIEWS["cases list"] is bench_floor.FloorListView
    # One mapping names each list's floor: both tools serve the one view class of each at its one path.
    assert (
        set(bench_floor.FLOOR_VIEWS)
        == set(load.LIST_FLOORS)
        == {
            "dip-samples list",
            "assessments list",
            "defects list",
            "cases list",
        }
    )
    for list_name, floor in load.LIST_FLOORS.items():
        served_by_load = resolve(floor.path, urlconf="load_urls").func.view_class
        served_by_bench = resolve(floor.path, urlconf="bench_floor").func.view_class
        assert served_by_load is served_by_bench is bench_floor.FLOOR_VIEWS[list_name]
        assert issubclass(served_by_load, bench_floor.FloorListView)
        assert served_by_load.queryset.model._meta.db_table == floor.table


def table_columns(table: str) -> set[str]:
    """The table's columns as the database has them (not as the model says)."""
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def test_each_floor_serializes_exactly_its_tables_concrete_columns(db, load_run_urls):
    import bench_floor
    from bench_targets import LIST_FLOORS

    for list_name, floor in LIST_FLOORS.items():
        serializer_class = bench_floor.FLOOR_VIEWS[list_name].serializer_class
        model = serializer_class.Meta.model
        fields = serializer_class().fields
        # Each field is one column of the table (a foreign key by its name, its column "<name>_id"), and every
        # column is a field: no many-to-many, no reverse relation, nothing computed.
        columns = [model._meta.get_field(name).column for name in fields]
        assert set(columns) == table_columns(floor.table), list_name
        assert len(columns) == len(table_columns(floor.table)), list_name
        assert all(field.source == name for name, field in fields.items()), list_name


@pytest.mark.heavy
def test_each_floor_answers_in_the_token_lookup_and_one_select_however_many_rows(
    world, rows, load_run_urls, throttle_calls
):
    from bench_targets import LIST_FLOORS

    from tests.test_list_query_counts import _build_rows_two_years_earlier

    _, key = AuthToken.objects.create(UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def measure() -> dict:
        measured = {}
        for list_name, floor in LIST_FLOORS.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(floor.path)
            assert response.status_code == 200, (list_name, response.content[:300])
            page = response.json()["results"]
            statements = [query["sql"] for query in queries.captured_queries]
            measured[list_name] = (len(statements), len(page))
            # knox's two (the token with its user, the user's tokens), then the page: no query per row.
            assert statements[2].startswith(f'SELECT "{floor.table}"."id"'), list_name
            assert statements[2].endswith("LIMIT 51"), list_name
            # Foreign keys as their ids, straight from the row.
            assert all(isinstance(row["force"], int) and isinstance(row["area"], int) for row in page), list_name
        return measured

    before = measure()
    _build_rows_two_years_earlier(world)
    after = measure()
    for list_name in LIST_FLOORS:
        assert before[list_name][0] == after[list_name][0] == 3, list_name
        assert 1 < before[list_name][1] < after[list_name][1] or after[list_name][1] == 50, list_name
    assert throttle_calls == []


def test_the_floor_runs_the_token_lookup_and_one_limited_select_no_count_and_no_throttle(
    db, world, load_run_urls, throttle_calls
):
    for _ in range(3):
        make_case(actor=world.gmp_lead, force=world.gmp)
    _, key = AuthToken.objects.create(UserFactory())
    client = APIClient()
    assert client.get("/bench-floor/cases/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    throttle_calls.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench-floor/cases/")
    assert response.status_code == 200
    body = response.json()
    # A keyset page: the three cases, newest first, and no count of the table.
    assert [row["id"] for row in body["results"]] == sorted(Case.objects.values_list("pk", flat=True), reverse=True)
    assert "count" not in body
    statements = [query["sql"] for query in queries.captured_queries]
    # knox's own TokenAuthentication: the token (joined to its user), then the user's tokens it prunes.
    knox = [sql for sql in statements if 'FROM "knox_authtoken"' in sql]
    assert len(knox) == 2
    assert 'INNER JOIN "auth_user"' in knox[0] and "token_key" in knox[0]
    # Then one SELECT of the page's 50 rows (and one more, to know there is a next page).
    page = [sql for sql in statements if sql not in knox]
    assert len(page) == 1
    assert page[0].startswith('SELECT "disclosure_case"."id"') and page[0].endswith("LIMIT 51")
    assert not any("COUNT(" in sql.upper() for sql in statements)
    assert throttle_calls == []
    # The app's endpoints beside it keep the project's throttles.
    assert client.get("/api/v1/me/").status_code == 200
    assert "UserRateThrottle" in throttle_calls


@pytest.mark.parametrize(
    "path", ["/bench-floor/cases/", "/bench-floor/dip-samples/", "/bench-floor/assessments/", "/bench-floor/defects/"]
)
def test_the_app_itself_has_no_floor_endpoint(db, client_for, path):
    assert client_for(UserFactory()).get(path).status_code == 404
