#!/usr/bin/env python
"""API benchmark at scale: latency, SQL queries per request and the cost over floors, as the data doubles.

Run it through ``make bench SCALE=...`` (scripts/bench.sh), which gives it a throw-away PostgreSQL
database and the production settings. It is a benchmark, not a test:

1. seeds half the data with PostgreSQL ``COPY`` (scripts/bench_seed.py: 14 CPS Areas, 43 forces
   and their people; at ``--scale 1`` about one Area's year, 14k assessments; at ``--scale 100``
   about ten times the national volume over five years, 1.5M assessments and 5M defects);
2. calls the API with the Django test client, authenticated with a knox token as a CPS Area
   disclosure lead and as a police force lead, ``--requests`` times per endpoint: the lists, the
   details, ``/me/``, a defect write, the force summary for one force-year and the Area comparison;
   and, measured the same way, the two kinds of floor: bare DRF lists of 50 rows with knox (framework
   floors, scripts/bench_floor.py: the narrow one of 8 columns of ``disclosure_case``, and the floor
   of each list's own table, bench_targets.LIST_FLOORS) and each summary's own SQL replayed on a raw
   cursor (database floor);
3. seeds the other half (the data doubles) and measures again, then exports a force-year
   meeting pack in a process of its own (scripts/bench_pack.py: time and peak memory);
4. prints the tables, each endpoint's ratio to its floor against the targets (scripts/bench_targets.py:
   which are enforced at which scale, which are information), and writes ``var/bench/results-<timestamp>.json``.
   With ``--baseline RESULTS`` (a results file of a smaller scale) it also judges each list's p50 growth.

Exit status 1 when any endpoint's query count depends on the data (it grew when the data
doubled, it differs between page_size=1 and page_size=200, or between requests of the same
endpoint), when an endpoint answered with an unexpected status, or when an enforced target is missed.
``BENCH_ENFORCE=0`` reports missed targets without failing (for exploring only; query counts
and statuses always fail).
"""

import argparse
import cProfile
import datetime
import gc
import importlib.util
import json
import math
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

import django  # noqa: E402

django.setup()
# whitenoise warns that STATIC_ROOT is absent until collectstatic has run; the benchmark serves no files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

import bench_seed  # noqa: E402 - scripts/ is on sys.path as the script's directory
import bench_targets  # noqa: E402
from bench_floor import FLOOR_PATH  # noqa: E402
from bench_targets import LIST_FLOORS, OWN_FLOORS  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from knox.models import AuthToken  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from audit.models import AuditEvent  # noqa: E402
from disclosure.models import (  # noqa: E402
    Assessment,
    AssessmentAnswer,
    Case,
    Defect,
    DipSample,
    DipSampleStatus,
    SampledSchedule,
    Schedule,
)
from feedback.models import Feedback  # noqa: E402
from forces.models import Membership, Organisation, Role, Stream  # noqa: E402
from reports import selectors as report_selectors  # noqa: E402
from reports.models import ActionItem, Meeting, MeetingKind  # noqa: E402
from reports.services import meeting_create  # noqa: E402

User = get_user_model()

#: The stream the two measured leads cover.
MEASURED_STREAM = Stream.CC
#: The measured Area (index into the 14) and its largest force: five forces, one of them large.
MEASURED_AREA_INDEX = 1
DEFECT_BODY = {
    "category": "D01",
    "item_reference": "MG6C item 4",
    "description": "Item 4 described only as 'statement'.",
}
ROW_MODELS = [
    ("organisations", Organisation),
    ("users", User),
    ("memberships", Membership),
    ("cases", Case),
    ("schedules", Schedule),
    ("dip_samples", DipSample),
    ("sampled_schedules", SampledSchedule),
    ("assessments", Assessment),
    ("answers", AssessmentAnswer),
    ("defects", Defect),
    ("feedback", Feedback),
    ("meetings", Meeting),
    ("action_items", ActionItem),
    ("audit_events", AuditEvent),
]

#: Time budget of one endpoint's timed requests (and of its floor, and of its profile): past it,
#: no more requests once MIN_REQUESTS are timed. Set by --endpoint-seconds.
ENDPOINT_SECONDS = 60.0
MIN_REQUESTS = 5

# --- targets (issue 12): scripts/bench_targets.py judges them -----------------------------------


def row_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in ROW_MODELS}


# --- measuring ----------------------------------------------------------------------------


class FullCollections:
    """Counts CPython's garbage collections and the time they take: the full (generation 2) ones,
    and the time of every collection by generation.

    A DRF response is a reference cycle (response -> renderer_context -> view -> response) that
    keeps the page's model instances alive until the cyclic collector runs, so the slowest
    requests of a list endpoint are often the ones a collection landed in.
    """

    def __init__(self):
        self.count, self.seconds, self._started = 0, 0.0, None
        self.by_generation = [0.0, 0.0, 0.0]

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            spent = time.perf_counter() - self._started
            self._started = None
            self.by_generation[info["generation"]] += spent
            if info["generation"] == 2:
                self.count += 1
                self.seconds += spent

    def reset(self) -> None:
        self.count, self.seconds, self._started = 0, 0.0, None
        self.by_generation = [0.0, 0.0, 0.0]


FULL_GC = FullCollections()


def gunicorn_gc_settings() -> tuple[bool, tuple[int, int, int]]:
    """gunicorn.conf.py's garbage-collector settings (GUNICORN_GC_FREEZE, GUNICORN_GC_THRESHOLD)."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", BASE_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Loading the file disabled collection, as it does in gunicorn's master while the app loads.
    gc.enable()
    return module.GC_FREEZE, module.GC_THRESHOLD


def as_a_worker(freeze: bool, threshold: tuple[int, int, int]) -> dict:
    """Collect as a freshly forked gunicorn worker of gunicorn.conf.py would, before a phase's requests.

    The server freezes what the preloaded app holds before each fork and tunes the thresholds in
    the worker (gunicorn.conf.py). This process also holds what seeding left behind, which no
    worker holds: without the same freeze, each full collection walks it, and the one request in
    a hundred it lands in takes 100 ms (the p99 of the earlier runs). Frozen at each phase's
    start: what the first phase's requests cached is frozen for the second, as it would be in a
    worker that served them before the master forked it; a small difference, in the bench's favour.
    """
    gc.collect()
    if freeze:
        gc.freeze()
    gc.set_threshold(*threshold)
    return {"freeze": freeze, "threshold": list(threshold), "frozen_objects": gc.get_freeze_count()}


@dataclass
class Endpoint:
    name: str
    method: str
    paths: list  # rotated through, request by request
    body: dict | None = None
    expected_status: int = 200
    is_list: bool = False
    #: For a summary: a call of its selector, whose SQL is the endpoint's database floor.
    selector: object = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.name}"


@dataclass
class Persona:
    name: str
    description: str
    user: object
    force_code: str
    client: APIClient
    endpoints: list = field(default_factory=list)


def make_persona(name: str, description: str, user, force: Organisation) -> Persona:
    _, key = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return Persona(name=name, description=description, user=user, force_code=force.code, client=client)


def pick_ids(queryset, rng: random.Random, count: int = 10) -> list[int]:
    """Up to ``count`` ids spread over ``queryset``, drawn reproducibly (without reading every id)."""
    bounds = queryset.order_by().values_list("pk", flat=True)
    low, high = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    if low is None:
        raise SystemExit(f"benchmark data has no {queryset.model.__name__} visible to the measured user")
    ids = set()
    for _ in range(count * 4):
        pk = queryset.filter(pk__gte=rng.randint(low, high)).order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            ids.add(pk)
        if len(ids) >= count:
            break
    return sorted(ids)


def summary_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The force-year the summaries and the pack cover: the last 12 full months."""
    return report_selectors.default_window(today)


def build_endpoints(persona: Persona, rng: random.Random, *, area: Organisation, force: Organisation) -> list[Endpoint]:
    user = persona.user
    cases = pick_ids(Case.objects.visible_to(user), rng)
    samples = pick_ids(DipSample.objects.visible_to(user), rng)
    assessments = pick_ids(Assessment.objects.visible_to(user), rng)
    writable = (
        Assessment.objects.visible_to(user)
        .filter(dip_sample__status=DipSampleStatus.IN_PROGRESS, dip_sample__stream=MEASURED_STREAM, force=force)
        .order_by("pk")
        .first()
    )
    if writable is None:
        raise SystemExit(f"no in-progress {MEASURED_STREAM} assessment for {user.username} to log defects against")
    today = timezone.localdate()
    date_from, date_to = summary_window(today)
    window = f"from={date_from.isoformat()}&to={date_to.isoformat()}"
    endpoints = [
        Endpoint("framework floor", "GET", [FLOOR_PATH]),
        Endpoint("cases list", "GET", ["/api/v1/cases/"], is_list=True),
        Endpoint("schedules list", "GET", [f"/api/v1/schedules/?force={persona.force_code}"], is_list=True),
        own_floor("dip-samples list"),
        Endpoint("dip-samples list", "GET", ["/api/v1/dip-samples/?status=signed_off"], is_list=True),
        own_floor("assessments list"),
        Endpoint("assessments list", "GET", ["/api/v1/assessments/"], is_list=True),
        own_floor("defects list"),
        Endpoint("defects list", "GET", ["/api/v1/defects/?category=D02"], is_list=True),
        Endpoint("organisations list", "GET", ["/api/v1/organisations/"], is_list=True),
        Endpoint("me", "GET", ["/api/v1/me/"]),
        Endpoint("case detail", "GET", [f"/api/v1/cases/{pk}/" for pk in cases]),
        Endpoint("dip-sample detail", "GET", [f"/api/v1/dip-samples/{pk}/" for pk in samples]),
        Endpoint("assessment detail", "GET", [f"/api/v1/assessments/{pk}/" for pk in assessments]),
        Endpoint(
            "defects create",
            "POST",
            ["/api/v1/defects/"],
            body={"assessment": writable.pk, **DEFECT_BODY},
            expected_status=201,
        ),
        Endpoint(
            "force summary",
            "GET",
            [f"/api/v1/organisations/{force.code}/summary/?{window}"],
            selector=lambda: report_selectors.force_summary(
                user=user, force=force, date_from=date_from, date_to=date_to, today=today
            ),
        ),
    ]
    if persona.name == "cps-lead":
        endpoints.append(
            Endpoint(
                "area comparison",
                "GET",
                [f"/api/v1/organisations/{area.code}/comparison/?{window}"],
                selector=lambda: report_selectors.area_comparison(
                    user=user, area=area, date_from=date_from, date_to=date_to, today=today
                ),
            )
        )
    return endpoints


def own_floor(list_name: str) -> Endpoint:
    """The floor of a list's own table (bench_targets.LIST_FLOORS), measured just before the list, as the narrow one."""
    method, name = OWN_FLOORS[f"GET {list_name}"].split(" ", 1)
    return Endpoint(name, method, [LIST_FLOORS[list_name].path])


def call(client: APIClient, endpoint: Endpoint, path: str):
    # secure: the production settings redirect plain HTTP to HTTPS (a proxy terminates TLS in front).
    if endpoint.method == "POST":
        return client.post(path, endpoint.body, format="json", secure=True)
    return client.get(path, secure=True)


def with_query(path: str, **params) -> str:
    extra = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{path}{'&' if '?' in path else '?'}{extra}"


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def count_queries(client: APIClient, endpoint: Endpoint, path: str) -> tuple[int, int]:
    """(status, queries) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = call(client, endpoint, path)
    return response.status_code, len(captured.captured_queries)


def measure(persona: Persona, endpoint: Endpoint, *, requests: int, warmup: int) -> dict:
    client = persona.client
    result = {"persona": persona.name, "endpoint": endpoint.label, "paths": endpoint.paths[:3]}
    # Warm-up (caches such as content types), and a first check that the endpoint answers as expected.
    warm_started = time.perf_counter()
    for i in range(max(1, warmup)):
        if i >= 1 and time.perf_counter() - warm_started > ENDPOINT_SECONDS / 10:
            break  # a slow endpoint is warm after one request
        response = call(client, endpoint, endpoint.paths[i % len(endpoint.paths)])
        if response.status_code != endpoint.expected_status:
            result["error"] = f"status {response.status_code}, expected {endpoint.expected_status}: " + (
                response.content[:300].decode(errors="replace")
            )
            return result
    timings, queries, statuses = [], [], Counter()
    gc_ms: list[list[float]] = []  # per request: the collections' time in it, by generation
    last_sql: list[str] = []
    FULL_GC.reset()
    budget_started = time.perf_counter()
    for i in range(requests):
        if i >= MIN_REQUESTS and time.perf_counter() - budget_started > ENDPOINT_SECONDS:
            break  # a slow endpoint at a large scale: fewer requests (the table's n says how many)
        path = endpoint.paths[i % len(endpoint.paths)]
        collected = list(FULL_GC.by_generation)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call(client, endpoint, path)
            elapsed = time.perf_counter() - started
        timings.append(elapsed * 1000)
        after = FULL_GC.by_generation
        gc_ms.append([round((after[n] - collected[n]) * 1000, 2) for n in range(3)])
        queries.append(len(captured.captured_queries))
        statuses[response.status_code] += 1
        last_sql = [q["sql"] for q in captured.captured_queries]
    ordered = sorted(timings)
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    result.update(
        requests=len(timings),
        p50_ms=round(percentile(ordered, 50), 2),
        p95_ms=round(percentile(ordered, 95), 2),
        p99_ms=round(percentile(ordered, 99), 2),
        max_ms=round(ordered[-1], 2),
        mean_ms=round(sum(ordered) / len(ordered), 2),
        queries_min=min(queries),
        queries_max=max(queries),
        statuses={str(code): n for code, n in sorted(statuses.items())},
        response_bytes=len(response.content),
        visible_rows=body.get("count") if isinstance(body, dict) else None,
        sql=last_sql,
        full_gc_count=FULL_GC.count,
        full_gc_ms=round(FULL_GC.seconds * 1000, 1),
        timings_ms=[round(t, 2) for t in timings],
        gc_ms_by_generation=[round(sum(g[n] for g in gc_ms), 1) for n in range(3)],
        gc_ms_per_request=gc_ms,
    )
    if set(statuses) != {endpoint.expected_status}:
        result["error"] = f"statuses {result['statuses']}, expected only {endpoint.expected_status}"
    if endpoint.is_list:
        # A per-row query (N+1) hides in a full page: compare a 1-row page with a 200-row page.
        path = endpoint.paths[0]
        small = count_queries(client, endpoint, with_query(path, page_size=1))
        large = count_queries(client, endpoint, with_query(path, page_size=200))
        result["queries_page_size_1"], result["queries_page_size_200"] = small[1], large[1]
        if small[0] != 200 or large[0] != 200:
            result["error"] = f"page_size check answered {small[0]} / {large[0]}"
    return result


def measure_database_floor(persona: Persona, endpoint: Endpoint, *, requests: int) -> dict:
    """The database floor of a summary: its selector's SQL, captured once, replayed on a raw cursor.

    The statements are the ones the selector ran (the reader check included), executed and
    fetched in order on the psycopg2 cursor, ``requests`` times, timed like an endpoint.
    """
    with CaptureQueriesContext(connection) as captured:
        endpoint.selector()
    statements = [q["sql"] for q in captured.captured_queries]
    raw = connection.connection.cursor()
    timings = []
    budget_started = time.perf_counter()
    for i in range(requests + 3):
        if len(timings) >= MIN_REQUESTS and time.perf_counter() - budget_started > ENDPOINT_SECONDS:
            break
        started = time.perf_counter()
        for sql in statements:
            raw.execute(sql)
            if raw.description is not None:
                raw.fetchall()
        if i >= 3:  # the first three warm up, as for the endpoints
            timings.append((time.perf_counter() - started) * 1000)
    raw.close()
    ordered = sorted(timings)
    return {
        "persona": persona.name,
        "endpoint": f"SQL of {endpoint.name}",
        "floor_of": endpoint.label,
        "requests": len(timings),
        "p50_ms": round(percentile(ordered, 50), 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "p99_ms": round(percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
        "queries_min": len(statements),
        "queries_max": len(statements),
        "sql": statements,
        "full_gc_count": 0,
        "full_gc_ms": 0.0,
        "visible_rows": None,
    }


#: Where the time of a request goes: (column, how, [(file suffix, function name)]). Cumulative
#: time of the entry points of each step of a DRF request; "SQL" is the driver's own time (waiting
#: for PostgreSQL) wherever it is spent, so it overlaps the steps that run queries.
PROFILE_STEPS = [
    ("auth", "sum", [("rest_framework/request.py", "_authenticate")]),
    ("perm", "sum", [("rest_framework/views.py", "check_permissions"),
                     ("rest_framework/views.py", "check_object_permissions")]),
    ("thrtl", "sum", [("rest_framework/views.py", "check_throttles")]),
    ("count", "sum", [("django/core/paginator.py", "count")]),
    ("audit", "sum", [("backend/audit.py", "log_list_consultation"), ("auditlog/receivers.py", "log_access")]),
    ("ser", "max", [("rest_framework/serializers.py", "data")]),
    ("json", "max", [("rest_framework/renderers.py", "render")]),
    ("compile", "sum", [("django/db/models/sql/compiler.py", "as_sql")]),
    ("SQL", "own", [("~", "psycopg2")]),
    ("view", "max", [("rest_framework/views.py", "dispatch")]),
]  # fmt: skip


def profile_endpoint(persona: Persona, endpoint: Endpoint, *, requests: int) -> dict:
    """cProfile of ``requests`` requests: each step's share of the time, and the top functions by own time."""
    profiler = cProfile.Profile()
    budget_started = time.perf_counter()
    done = 0
    profiler.enable()
    for i in range(requests):
        if i >= 1 and time.perf_counter() - budget_started > ENDPOINT_SECONDS:
            break
        call(persona.client, endpoint, endpoint.paths[i % len(endpoint.paths)])
        done += 1
    profiler.disable()
    requests = done
    stats = pstats.Stats(profiler)
    total = stats.total_tt or 1e-9
    steps = {}
    for column, how, needles in PROFILE_STEPS:
        values = []
        for (filename, _line, function), (_cc, _nc, own, cumulative, _callers) in stats.stats.items():
            for suffix, name in needles:
                if how == "own" and filename == suffix and name in function:
                    values.append(own)
                elif how != "own" and filename.endswith(suffix) and function == name:
                    values.append(cumulative)
        steps[column] = (max(values) if how == "max" else sum(values)) if values else 0.0
    # Outside the DRF view: middleware, URL resolving, the test client's WSGI request, rendering excluded.
    steps["outside"] = max(0.0, total - steps["view"] - steps["json"])
    functions = sorted(
        (
            (own, cumulative, f"{filename.split('site-packages/')[-1].split('perf-bench/')[-1]}:{line}({function})")
            for (filename, line, function), (_cc, _nc, own, cumulative, _callers) in stats.stats.items()
        ),
        reverse=True,
    )
    return {
        "persona": persona.name,
        "endpoint": endpoint.label,
        "requests": requests,
        "ms_per_request_profiled": round(total * 1000 / requests, 1),
        "steps_ms": {name: round(seconds * 1000 / requests, 2) for name, seconds in steps.items()},
        "steps_percent": {name: round(100 * seconds / total, 1) for name, seconds in steps.items()},
        "top_own_time": [
            {
                "function": name,
                "own_ms": round(own * 1000 / requests, 2),
                "cumulative_ms": round(cum * 1000 / requests, 2),
            }
            for own, cum, name in functions[:15]
        ],
    }


def measure_all(
    personas: list[Persona], *, requests: int, warmup: int, phase: str, profile_requests: int = 0
) -> tuple[list[dict], list[dict]]:
    results, profiles = [], []
    for persona in personas:
        for endpoint in persona.endpoints:
            started = time.perf_counter()
            result = measure(persona, endpoint, requests=requests, warmup=warmup)
            result["phase"] = phase
            results.append(result)
            status = result.get("error") or f"p50 {result['p50_ms']} ms, {result['queries_max']} queries"
            print(f"  {persona.name:<11} {endpoint.label:<24} {status} ({time.perf_counter() - started:.1f} s)")
            if endpoint.selector is not None and "error" not in result:
                floor = measure_database_floor(persona, endpoint, requests=requests)
                floor["phase"] = phase
                results.append(floor)
                print(f"  {persona.name:<11} {floor['endpoint']:<24} p50 {floor['p50_ms']} ms (raw cursor)")
            if profile_requests and persona is personas[0] and "error" not in result:
                profiles.append(profile_endpoint(persona, endpoint, requests=profile_requests))
    return results, profiles


# --- reporting ----------------------------------------------------------------------------


def table(headers: list[str], rows: list[list], align: str) -> str:
    """A plain-text table; ``align`` has one ``<`` or ``>`` per column."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(f"{value:{a}{w}}" for value, a, w in zip(row, align, widths, strict=True)).rstrip()

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths), *(line(row) for row in cells[1:])])


def phase_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        if "error" in r and "p50_ms" not in r:
            rows.append([r["persona"], r["endpoint"], "-", "-", "-", "-", "-", "ERROR", "-", "-", "-"])
            continue
        queries = (
            str(r["queries_max"]) if r["queries_min"] == r["queries_max"] else f"{r['queries_min']}-{r['queries_max']}"
        )
        page = f"{r['queries_page_size_1']}/{r['queries_page_size_200']}" if "queries_page_size_1" in r else ""
        rows.append(
            [
                r["persona"],
                r["endpoint"],
                r["requests"],
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['max_ms']:.1f}",
                queries,
                page,
                r["visible_rows"],
                f"{r['full_gc_count']}/{r['full_gc_ms']:.0f}",
            ]
        )
    headers = [
        "persona",
        "endpoint",
        "n",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "queries",
        "q@ps1/200",
        "rows",
        "gc2 n/ms",
    ]
    return table(headers, rows, "<<>>>>>>>>>")


def sql_shape(sql: str) -> str:
    return re.sub(r"\b\d+\b", "N", sql)[:160]


def compare(before: list[dict], after: list[dict]) -> tuple[list[list], list[str]]:
    """Comparison rows, and the reasons the benchmark fails (empty: query counts are constant)."""
    rows, failures = [], []
    after_by_key = {(r["persona"], r["endpoint"]): r for r in after}
    for b in before:
        key = (b["persona"], b["endpoint"])
        a = after_by_key.get(key, {})
        name = f"{key[0]} {key[1]}"
        for phase, r in (("1x", b), ("2x", a)):
            if "error" in r:
                failures.append(f"{name} ({phase}): {r['error']}")
        if "queries_max" not in b or "queries_max" not in a:
            rows.append([*key, "-", "-", "-", "-", "-", "-", "ERROR"])
            continue
        verdicts = []
        if a["queries_max"] > b["queries_max"]:
            verdicts.append("GREW")
            extra = Counter(map(sql_shape, a["sql"])) - Counter(map(sql_shape, b["sql"]))
            failures.append(
                f"{name}: {b['queries_max']} queries with 1x data, {a['queries_max']} with 2x; "
                f"extra statements: {dict(extra.most_common(3))}"
            )
        for phase, r in (("1x", b), ("2x", a)):
            if r["queries_min"] != r["queries_max"]:
                verdicts.append(f"VARIES@{phase}")
                failures.append(f"{name} ({phase}): {r['queries_min']}-{r['queries_max']} queries between requests")
            if r.get("queries_page_size_1") != r.get("queries_page_size_200"):
                verdicts.append(f"PAGE-SIZE@{phase}")
                failures.append(
                    f"{name} ({phase}): {r['queries_page_size_1']} queries for page_size=1, "
                    f"{r['queries_page_size_200']} for page_size=200 (a query per row)"
                )
        rows.append(
            [
                *key,
                b["queries_max"],
                a["queries_max"],
                f"{b['p50_ms']:.1f}",
                f"{a['p50_ms']:.1f}",
                f"{b['p95_ms']:.1f}",
                f"{a['p95_ms']:.1f}",
                ", ".join(verdicts) or "ok",
            ]
        )
    return rows, failures


def measure_pack(meeting: Meeting, user) -> dict:
    """Export the meeting's PDF pack in a fresh process (scripts/bench_pack.py): time and peak memory."""
    _, key = AuthToken.objects.create(user)
    path = f"/api/v1/meetings/{meeting.pk}/pack/?format=pdf&reason=benchmark"
    completed = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(BASE_DIR / "scripts" / "bench_pack.py"), path, key],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    try:
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        result = {"error": f"exit {completed.returncode}: {completed.stderr[-800:]}"}
    result["path"] = path
    if "error" not in result:
        result["warm_p50_s"] = round(sorted(result["warm_ms"])[len(result["warm_ms"]) // 2] / 1000, 2)
    result["missed"] = bench_targets.pack_missed(result)
    return result


def profile_table(profiles: list[dict]) -> str:
    names = [name for name, _, _ in PROFILE_STEPS] + ["outside"]
    rows = [
        [p["endpoint"], f"{p['ms_per_request_profiled']:.1f}", *(f"{p['steps_percent'].get(n, 0):.0f}" for n in names)]
        for p in profiles
    ]
    return table(["endpoint (% of profiled time)", "ms*", *names], rows, "<" + ">" * (len(names) + 1))


def environment() -> dict:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed arguments
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    return {
        "git_commit": commit,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database_vendor": connection.vendor,
        "database_version": database,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "debug": settings.DEBUG,
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "throttle_rates": settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES"),
        "cache": settings.CACHES["default"]["BACKEND"],
    }


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="data volume: 1 = one Area's year, 100 = 10x national over 5 years"
    )
    parser.add_argument("--requests", type=int, default=100, help="timed requests per endpoint (default 100)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per endpoint first (default 3)")
    parser.add_argument(
        "--profile-requests", type=int, default=10, help="requests per endpoint under cProfile (0: no profiles)"
    )
    parser.add_argument(
        "--endpoint-seconds",
        type=float,
        default=60.0,
        help="time budget per endpoint: past it, no more requests once 5 are timed (default 60)",
    )
    parser.add_argument("--seed", type=int, default=20250101, help="random seed of the synthetic data")
    parser.add_argument(
        "--baseline",
        metavar="RESULTS",
        help="a results file of a smaller scale (var/bench/results-*.json): each list's p50 at most "
        f"{bench_targets.LIST_GROWTH_MAX}x the baseline's",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.requests < 1 or args.warmup < 0 or args.profile_requests < 0:
        parser.error("--scale must be > 0, --requests >= 1, --warmup and --profile-requests >= 0")
    return args


def enforcing() -> bool:
    return os.environ.get("BENCH_ENFORCE", "1") != "0"


def main(argv: list[str]) -> int:
    global ENDPOINT_SECONDS
    args = parse_args(argv)
    ENDPOINT_SECONDS = args.endpoint_seconds
    if os.environ.get("BENCH_THROWAWAY_DATABASE") != "1":
        print(
            "error: bench.py fills its database with synthetic rows; run it through scripts/bench.sh "
            "(or set BENCH_THROWAWAY_DATABASE=1 for a database you may throw away).",
            file=sys.stderr,
        )
        return 2
    if connection.vendor != "postgresql":
        print("error: the benchmark seeds with PostgreSQL COPY; give it a PostgreSQL DATABASE_URL.", file=sys.stderr)
        return 2
    if Organisation.objects.filter(code__startswith="BF").exists():
        print("error: the database already holds benchmark data; start from a fresh one.", file=sys.stderr)
        return 2
    baseline = None
    if args.baseline:
        try:
            baseline = bench_targets.baseline_from(json.loads(Path(args.baseline).read_text()))
        except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
            print(f"error: --baseline {args.baseline}: not a results file of bench.py ({error!r}).", file=sys.stderr)
            return 2
        if not baseline["scale"] < args.scale:
            print(
                f"error: --baseline is a SCALE={baseline['scale']:g} run; it must be smaller than {args.scale:g}.",
                file=sys.stderr,
            )
            return 2
    # The framework floor is served beside the API by the benchmark's own URLconf (not the app's).
    override_settings(ROOT_URLCONF="bench_floor").enable()
    env = environment()
    if settings.DEBUG:
        print("WARNING: DEBUG is on; timings are not representative (set DEBUG=false).", file=sys.stderr)
    months = bench_seed.months_for(args.scale)
    print(
        f"Benchmark: scale {args.scale} ({months} months), {args.requests} requests per endpoint, "
        f"{os.environ['DJANGO_SETTINGS_MODULE']}, {env['database_version'][:40]}, cache {env['cache']}"
    )
    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, reproducible on purpose
    started = time.perf_counter()
    gc.callbacks.append(FULL_GC)
    gc_settings = gunicorn_gc_settings()

    world = bench_seed.create_world(rng)
    area = world.areas[MEASURED_AREA_INDEX]
    force = max((f for f in world.forces if f.area_id == area.pk), key=lambda f: world.force_weights[f.pk])
    cps_user = world.cps_leads[(area.pk, MEASURED_STREAM)][0]
    police_user = world.police_leads[(force.pk, MEASURED_STREAM)][0]
    half = months // 2
    rounds = [list(range(1, half + 1)), list(range(half + 1, months + 1))]
    seeding = []

    phases, profiles = [], []
    for phase, label in (("1x", "half the data"), ("2x", "all the data (doubled)")):
        round_no = len(seeding)
        seeded = bench_seed.seed_round(world, ages=rounds[round_no], scale=args.scale, rng=rng)
        if round_no == 0:
            seeded["meetings"] = bench_seed.seed_meetings(world, months=months, rng=rng)
        checked = time.perf_counter()
        problems = bench_seed.verify_foreign_keys(bench_seed.SEEDED_TABLES)
        if problems:
            print("error: the seeded rows break foreign keys:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 2
        with connection.cursor() as cursor:
            # Steady state, as autovacuum would leave a live system: statistics fresh, visibility map set.
            cursor.execute("VACUUM ANALYZE")
        seeded["verify_and_analyze_seconds"] = round(time.perf_counter() - checked, 1)
        seeding.append(seeded)
        print(
            f"Seeded round {round_no + 1} in {seeded['seconds']} s "
            f"(+{seeded['verify_and_analyze_seconds']} s foreign-key check and VACUUM ANALYZE): {seeded['added']}"
        )
        if phase == "1x":
            personas = [
                make_persona("cps-lead", f"{MEASURED_STREAM} disclosure lead of {area.code}", cps_user, force),
                make_persona("police-lead", f"{MEASURED_STREAM} disclosure lead of {force.code}", police_user, force),
            ]
        else:
            # One more membership each: /me/ must not cost a query per membership either.
            Membership.objects.bulk_create(
                Membership(user=persona.user, organisation=org, role=Role.DISCLOSURE_LEAD, stream=Stream.RASSO)
                for persona, org in ((personas[0], area), (personas[1], force))
            )
        pick_rng = random.Random(args.seed + 1)  # noqa: S311
        for persona in personas:
            persona.endpoints = build_endpoints(persona, pick_rng, area=area, force=force)
        rows = row_counts()
        print(f"\nPhase {phase} ({label}): " + ", ".join(f"{name} {n:,}" for name, n in rows.items()))
        collector = as_a_worker(*gc_settings)
        print(
            f"Garbage collector as a gunicorn worker's: freeze {collector['freeze']} "
            f"({collector['frozen_objects']:,} objects), thresholds {tuple(collector['threshold'])}"
        )
        phase_started = time.perf_counter()
        results, phase_profiles = measure_all(
            personas,
            requests=args.requests,
            warmup=args.warmup,
            phase=phase,
            profile_requests=args.profile_requests if phase == "2x" else 0,
        )
        profiles.extend(phase_profiles)
        phases.append(
            {
                "phase": phase,
                "rows": rows,
                "gc": collector,
                "seconds": round(time.perf_counter() - phase_started, 1),
                "results": results,
            }
        )
        print()
        print(phase_table(results))

    # A force-year meeting pack, its figures frozen by the service as a lead would (at full scale).
    today = timezone.localdate()
    date_from, date_to = summary_window(today)
    meeting = meeting_create(
        actor=cps_user,
        area=area,
        forces=[force],
        kind=MeetingKind.JOINT_FORUM,
        held_on=today + datetime.timedelta(days=7),
        period_start=date_from,
        period_end=date_to,
    )
    pack = measure_pack(meeting, cps_user)
    if "error" in pack:
        print(f"\nMeeting pack: {pack['error']}")
    else:
        print(
            f"\nMeeting pack (PDF, {force.code}, {date_from}..{date_to}, {pack['bytes']:,} bytes): "
            f"cold {pack['cold_ms'] / 1000:.2f} s, warm p50 {pack['warm_p50_s']:.2f} s; "
            f"worker RSS {pack['rss_before_mb']} MB before, peak {pack['peak_rss_mb']} MB "
            f"(+{pack['peak_rss_growth_mb']} MB); Python allocations peak {pack['tracemalloc_peak_mb']} MB"
        )

    comparison, failures = compare(phases[0]["results"], phases[1]["results"])
    print("\nQuery counts per request as the data doubles (latency in ms)")
    headers = ["persona", "endpoint", "q 1x", "q 2x", "p50 1x", "p50 2x", "p95 1x", "p95 2x", "verdict"]
    print(table(headers, comparison, "<<>>>>>><"))

    verdicts = bench_targets.judge(phases[1]["results"], scale=args.scale, baseline=baseline)
    missed = verdicts.missed + pack["missed"]
    print("\nRatios to the floors at full scale (targets, and which ones are enforced:)")
    for name, target in bench_targets.TARGETS.items():
        print(f"  {name}: {target}")
    align = "<<" + ">" * (len(bench_targets.RATIO_HEADERS) - 3) + "<"
    print(table(bench_targets.RATIO_HEADERS, verdicts.ratio_rows, align))
    if baseline is not None:
        print(
            f"\nLists' p50 against the baseline run (SCALE={baseline['scale']:g}, {args.baseline}): "
            f"at most {bench_targets.LIST_GROWTH_MAX}x"
        )
        print(table(bench_targets.GROWTH_HEADERS, verdicts.growth_rows, "<<>>><"))
    if profiles:
        print(
            f"\nWhere the time goes ({personas[0].name}, {args.profile_requests} requests under cProfile each; "
            "ms* is per request with the profiler's overhead)"
        )
        print(profile_table(profiles))

    output_dir = BASE_DIR / "var" / "bench"
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output_dir / f"results-{stamp}.json"
    report = {
        "created_at": stamp,
        "arguments": vars(args),
        "environment": env,
        "targets": bench_targets.TARGETS,
        "baseline": {"file": args.baseline, "scale": baseline["scale"]} if baseline else None,
        "enforced": enforcing(),
        "personas": {p.name: {"username": p.user.username, "description": p.description} for p in personas},
        "measured": {"area": area.code, "force": force.code, "window": [date_from.isoformat(), date_to.isoformat()]},
        "seeding": seeding,
        "phases": phases,
        "comparison": [dict(zip(headers, row, strict=True)) for row in comparison],
        "ratios": [dict(zip(bench_targets.RATIO_HEADERS, row, strict=True)) for row in verdicts.ratio_rows],
        "growth": [dict(zip(bench_targets.GROWTH_HEADERS, row, strict=True)) for row in verdicts.growth_rows],
        "pack": pack,
        "profiles": profiles,
        "failures": failures,
        "missed_targets": missed,
        "information": verdicts.information,
        "passed": not failures and not (missed and enforcing()),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nResults: {output.relative_to(BASE_DIR)} ({report['total_seconds']} s in all)")
    status = 0
    if failures:
        print("\nFAIL: query counts depend on the data, or an endpoint answered wrongly:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        status = 1
    if missed:
        word = "FAIL" if enforcing() else "MISSED (BENCH_ENFORCE=0: not failing)"
        print(f"\n{word}: targets not met:", file=sys.stderr)
        for miss in missed:
            print(f"  - {miss}", file=sys.stderr)
        if enforcing():
            status = 1
    if verdicts.information:
        print("\nInformation (reported, not enforced: docs/decisions/0016-what-the-benchmarks-enforce.md):")
        for note in verdicts.information:
            print(f"  - {note}")
    if status == 0 and not missed:
        print("PASS: query counts are constant as the data doubles and the page grows; every enforced target is met.")
    elif status == 0:
        print("PASS (query counts only): constant as the data doubles and the page grows; targets missed, see above.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
