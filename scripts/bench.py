#!/usr/bin/env python
"""API benchmark at scale: latency and SQL queries per request, before and after the data doubles.

Run it through ``make bench`` (scripts/bench.sh), which gives it a throw-away PostgreSQL
database. It is a benchmark, not a test:

1. seeds synthetic data quickly with ``bulk_create`` (4 CPS Areas x 4 forces, a disclosure
   lead per force/stream and per Area/stream; at ``--scale 1``: 30k cases, 90k schedules,
   ~3k dip samples, ~12k assessments with their checklist answers, ~19k defects);
2. calls the API with the Django test client, authenticated with a knox token as a CPS Area
   disclosure lead and as a police force lead, ``--requests`` times per endpoint, and records
   p50/p95/p99/max latency and the SQL queries of every request;
3. seeds the same amount again into the same forces (the data doubles) and measures again;
4. prints the tables and writes ``var/bench/results-<timestamp>.json``.

Exit status 1 when any endpoint's query count depends on the data: it grew when the data
doubled, it differs between page_size=1 and page_size=200, or it differs between requests
of the same endpoint. Also 1 when an endpoint answered with an unexpected status.
"""

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

import django  # noqa: E402

django.setup()
# whitenoise warns that STATIC_ROOT is absent until collectstatic has run; the benchmark serves no files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from knox.models import AuthToken  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from audit.models import AuditEvent  # noqa: E402
from disclosure.demo import DESCRIPTIONS  # noqa: E402
from disclosure.models import (  # noqa: E402
    URN_PATTERN,
    Assessment,
    AssessmentAnswer,
    Case,
    CriterionResult,
    Defect,
    DefectCategory,
    DipSample,
    DipSampleStatus,
    Rating,
    SampledSchedule,
    Schedule,
    ScheduleKind,
)
from disclosure.selectors import checklist_current  # noqa: E402
from forces.models import Membership, Organisation, OrganisationKind, Role, Stream  # noqa: E402

User = get_user_model()

AREAS = 4
FORCES_PER_AREA = 4
#: At --scale 1, per force and stream: cases, and months of dip samples (one sample a month).
CASES_PER_FORCE_STREAM = 625
MONTHS_PER_ROUND = 62
SAMPLE_SIZE = 4
BATCH_SIZE = 5000
#: The schedules each case of a stream gets: (kind, revision). Three a case on average.
STREAM_SHAPES = {
    Stream.MC: [(ScheduleKind.SDC, 1), (ScheduleKind.SDC, 2)],
    Stream.CC: [(ScheduleKind.MG6C, 1), (ScheduleKind.MG6D, 1), (ScheduleKind.MG6E, 1)],
    Stream.RASSO: [(ScheduleKind.MG6C, 1), (ScheduleKind.MG6D, 1), (ScheduleKind.MG6E, 1), (ScheduleKind.DMD, 1)],
}
#: Status of a force/stream's samples by age within a seeding round (0 = most recent); older: signed off.
STATUS_BY_AGE = {0: DipSampleStatus.PLANNED, 1: DipSampleStatus.IN_PROGRESS, 2: DipSampleStatus.COMPLETED}
#: The stream the two measured leads cover.
MEASURED_STREAM = Stream.CC
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
    ("audit_events", AuditEvent),
]


# --- seeding ------------------------------------------------------------------------------


@dataclass
class World:
    """The organisations and leads the benchmark data belongs to (created once)."""

    areas: list = field(default_factory=list)
    forces: list = field(default_factory=list)
    force_numbers: dict = field(default_factory=dict)  # force pk -> 1..16 (first two URN digits)
    cps_leads: dict = field(default_factory=dict)  # (area pk, stream) -> user
    police_leads: dict = field(default_factory=dict)  # (force pk, stream) -> user
    serials: Counter = field(default_factory=Counter)  # force pk -> last URN serial used


def month_bounds(today: datetime.date, months_back: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar month ``months_back`` (>= 1) before ``today``'s."""
    index = today.year * 12 + today.month - 1 - months_back
    first = datetime.date(index // 12, index % 12 + 1, 1)
    following = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def create_world() -> World:
    """4 CPS Areas of 4 forces each, and a disclosure lead per Area/stream and per force/stream."""
    world = World()
    password = make_password(None)  # unusable: the benchmark signs in with tokens
    with transaction.atomic():
        world.areas = Organisation.objects.bulk_create(
            Organisation(code=f"CPS-B{a}", name=f"Benchmark CPS Area {a}", kind=OrganisationKind.CPS_AREA)
            for a in range(1, AREAS + 1)
        )
        number = 0
        forces = []
        for area in world.areas:
            for _ in range(FORCES_PER_AREA):
                number += 1
                forces.append(
                    Organisation(
                        code=f"BF{number:02d}",
                        name=f"Benchmark Force {number}",
                        kind=OrganisationKind.POLICE_FORCE,
                        area=area,
                    )
                )
        world.forces = Organisation.objects.bulk_create(forces)
        world.force_numbers = {force.pk: n for n, force in enumerate(world.forces, start=1)}

        users, memberships, keys = [], [], []
        for org in [*world.areas, *world.forces]:
            for stream in Stream.values:
                user = User(username=f"bench-{org.code.lower()}-{stream}-lead", password=password)
                users.append(user)
                keys.append((org, stream))
        User.objects.bulk_create(users)
        for user, (org, stream) in zip(users, keys, strict=True):
            memberships.append(Membership(user=user, organisation=org, role=Role.DISCLOSURE_LEAD, stream=stream))
            if org.kind == OrganisationKind.CPS_AREA:
                world.cps_leads[(org.pk, stream)] = user
            else:
                world.police_leads[(org.pk, stream)] = user
        Membership.objects.bulk_create(memberships)
    return world


def seed_round(world: World, *, round_no: int, scale: float, rng: random.Random) -> dict:
    """Add one round of cases, schedules, samples, assessments, answers and defects to every force.

    Round ``n`` covers its own run of past months, so its samples draw only its own schedules
    (a schedule is sampled once, ever) and the URN serials simply continue per force.
    """
    months_per_round = max(4, round(MONTHS_PER_ROUND * scale))
    cases_per_stream = max(3 * months_per_round, round(CASES_PER_FORCE_STREAM * scale))
    today = timezone.localdate()
    months = [month_bounds(today, 1 + round_no * months_per_round + age) for age in range(months_per_round)]
    now = timezone.now()
    checklist = checklist_current()
    criteria = list(checklist.criteria.all())
    categories = list(DefectCategory.objects.all())
    started = time.perf_counter()

    with transaction.atomic():
        cases, case_months = [], []
        for force in world.forces:
            force_number = world.force_numbers[force.pk]
            for stream in Stream.values:
                lead = world.police_leads[(force.pk, stream)]
                for i in range(cases_per_stream):
                    age = i % months_per_round
                    world.serials[force.pk] += 1
                    serial = world.serials[force.pk]
                    if serial > 99_999:
                        raise SystemExit("--scale too large: URN serials (5 digits) ran out for a force.")
                    urn = f"{force_number:02d}AB{serial:05d}{months[age][0].year % 100:02d}"
                    if not URN_PATTERN.match(urn):
                        raise SystemExit(f"generated an invalid URN {urn!r}")
                    cases.append(Case(force=force, area_id=force.area_id, urn=urn, stream=stream, created_by=lead))
                    case_months.append(age)
        Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)

        schedules = []
        by_month = defaultdict(list)  # (force pk, stream, age) -> schedules received that month
        for case, age in zip(cases, case_months, strict=True):
            first, last = months[age]
            received = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            for kind, revision in STREAM_SHAPES[case.stream]:
                if revision > 1:
                    received = min(last, received + datetime.timedelta(days=rng.randint(1, 14)))
                schedule = Schedule(
                    case=case,
                    force_id=case.force_id,
                    area_id=case.area_id,
                    kind=kind,
                    revision=revision,
                    received_on=received,
                    item_count=0 if kind == ScheduleKind.MG6D and rng.random() < 0.6 else rng.randint(4, 180),
                    created_by_id=case.created_by_id,
                )
                schedules.append(schedule)
                by_month[(case.force_id, case.stream, age)].append(schedule)
        Schedule.objects.bulk_create(schedules, batch_size=BATCH_SIZE)

        samples, drawn = [], []
        for force in world.forces:
            for stream in Stream.values:
                cps_lead = world.cps_leads[(force.area_id, stream)]
                police_lead = world.police_leads[(force.pk, stream)]
                for age, (first, last) in enumerate(months):
                    status = STATUS_BY_AGE.get(age, DipSampleStatus.SIGNED_OFF)
                    sample = DipSample(
                        force=force,
                        area_id=force.area_id,
                        stream=stream,
                        period_start=first,
                        period_end=last,
                        status=status,
                        cps_lead=cps_lead,
                        police_lead=police_lead,
                        created_by=cps_lead,
                    )
                    if status != DipSampleStatus.PLANNED:
                        eligible = by_month[(force.pk, stream, age)]
                        sample.size = SAMPLE_SIZE
                        sample.seed = rng.randrange(2**62)
                        sample.eligible_count = len(eligible)
                        sample.drawn_at = now
                        drawn.append((sample, rng.sample(eligible, SAMPLE_SIZE), (cps_lead, police_lead)))
                    if status in (DipSampleStatus.COMPLETED, DipSampleStatus.SIGNED_OFF):
                        sample.completed_at = now
                    if status == DipSampleStatus.SIGNED_OFF:
                        sample.cps_signed_off_by, sample.cps_signed_off_at = cps_lead, now
                        sample.police_signed_off_by, sample.police_signed_off_at = police_lead, now
                    samples.append(sample)
        DipSample.objects.bulk_create(samples, batch_size=BATCH_SIZE)

        sampled, assessments = [], []
        for sample, chosen, leads in drawn:
            for position, schedule in enumerate(chosen, start=1):
                sampled.append(SampledSchedule(dip_sample=sample, schedule=schedule, position=position))
                assessor = rng.choice(leads)
                rating = rng.choices(list(Rating.values), weights=(35, 40, 25))[0]
                assessments.append(
                    Assessment(
                        dip_sample=sample,
                        schedule=schedule,
                        force_id=sample.force_id,
                        area_id=sample.area_id,
                        checklist=checklist,
                        rating=rating,
                        drs_complete=rng.random() < (0.9 if rating == Rating.FULLY_MEETS else 0.55),
                        prosecutor_fed_back=rating != Rating.FULLY_MEETS and rng.random() < 0.4,
                        assessed_by=assessor,
                        created_by=assessor,
                    )
                )
        SampledSchedule.objects.bulk_create(sampled, batch_size=BATCH_SIZE)
        Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)

        results = list(CriterionResult.values)
        answers, defects = [], []
        for assessment in assessments:
            kind = assessment.schedule.kind
            for criterion in criteria:
                if criterion.applies_to_kind(kind):
                    answers.append(
                        AssessmentAnswer(assessment=assessment, criterion=criterion, result=rng.choice(results))
                    )
            if assessment.rating == Rating.FULLY_MEETS:
                continue
            for category in rng.sample(categories, rng.randint(1, 4)):
                n = rng.randint(2, 40)
                defects.append(
                    Defect(
                        assessment=assessment,
                        force_id=assessment.force_id,
                        area_id=assessment.area_id,
                        category=category,
                        severity=category.default_severity,
                        item_reference=f"{kind.upper()} item {n}",
                        description=DESCRIPTIONS[category.code].format(n=n, m=n + rng.randint(2, 9)),
                        created_by_id=assessment.assessed_by_id,
                    )
                )
        AssessmentAnswer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
        Defect.objects.bulk_create(defects, batch_size=BATCH_SIZE)

    if connection.vendor == "postgresql":
        # Steady state, as autovacuum would leave a live system: statistics fresh, visibility map
        # set. Also keeps autovacuum from starting on the new rows while requests are timed.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "round": round_no + 1,
        "seconds": round(time.perf_counter() - started, 1),
        "months": months_per_round,
        "added": {
            "cases": len(cases),
            "schedules": len(schedules),
            "dip_samples": len(samples),
            "assessments": len(assessments),
            "answers": len(answers),
            "defects": len(defects),
        },
    }


def row_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in ROW_MODELS}


# --- measuring ----------------------------------------------------------------------------


class FullCollections:
    """Counts CPython's full (generation 2) garbage collections and the time they take.

    A DRF response is a reference cycle (response -> renderer_context -> view -> response) that
    keeps the page's model instances alive until the cyclic collector runs, so the slowest
    requests of a list endpoint are often the ones a full collection landed in.
    """

    def __init__(self):
        self.count, self.seconds, self._started = 0, 0.0, None

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.count += 1
            self.seconds += time.perf_counter() - self._started
            self._started = None

    def reset(self) -> None:
        self.count, self.seconds, self._started = 0, 0.0, None


FULL_GC = FullCollections()


@dataclass
class Endpoint:
    name: str
    method: str
    paths: list  # rotated through, request by request
    body: dict | None = None
    expected_status: int = 200
    is_list: bool = False

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
    """Up to ``count`` ids spread over ``queryset``, drawn reproducibly."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise SystemExit(f"benchmark data has no {queryset.model.__name__} visible to the measured user")
    return sorted(rng.sample(ids, min(count, len(ids))))


def build_endpoints(persona: Persona, rng: random.Random) -> list[Endpoint]:
    user = persona.user
    cases = pick_ids(Case.objects.visible_to(user), rng)
    samples = pick_ids(DipSample.objects.visible_to(user), rng)
    assessments = pick_ids(Assessment.objects.visible_to(user), rng)
    writable = (
        Assessment.objects.visible_to(user)
        .filter(dip_sample__status=DipSampleStatus.IN_PROGRESS, dip_sample__stream=MEASURED_STREAM)
        .order_by("pk")
        .first()
    )
    if writable is None:
        raise SystemExit(f"no in-progress {MEASURED_STREAM} assessment for {user.username} to log defects against")
    return [
        Endpoint("cases list", "GET", ["/api/v1/cases/"], is_list=True),
        Endpoint("schedules list", "GET", [f"/api/v1/schedules/?force={persona.force_code}"], is_list=True),
        Endpoint("dip-samples list", "GET", ["/api/v1/dip-samples/?status=signed_off"], is_list=True),
        Endpoint("assessments list", "GET", ["/api/v1/assessments/"], is_list=True),
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
    ]


def call(client: APIClient, endpoint: Endpoint, path: str):
    if endpoint.method == "POST":
        return client.post(path, endpoint.body, format="json")
    return client.get(path)


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
    for i in range(max(1, warmup)):
        response = call(client, endpoint, endpoint.paths[i % len(endpoint.paths)])
        if response.status_code != endpoint.expected_status:
            result["error"] = f"status {response.status_code}, expected {endpoint.expected_status}: " + (
                response.content[:300].decode(errors="replace")
            )
            return result
    timings, queries, statuses = [], [], Counter()
    last_sql: list[str] = []
    FULL_GC.reset()
    for i in range(requests):
        path = endpoint.paths[i % len(endpoint.paths)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call(client, endpoint, path)
            elapsed = time.perf_counter() - started
        timings.append(elapsed * 1000)
        queries.append(len(captured.captured_queries))
        statuses[response.status_code] += 1
        last_sql = [q["sql"] for q in captured.captured_queries]
    ordered = sorted(timings)
    body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    result.update(
        requests=requests,
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


def measure_all(personas: list[Persona], *, requests: int, warmup: int, phase: str) -> list[dict]:
    results = []
    for persona in personas:
        for endpoint in persona.endpoints:
            started = time.perf_counter()
            result = measure(persona, endpoint, requests=requests, warmup=warmup)
            result["phase"] = phase
            results.append(result)
            status = result.get("error") or f"p50 {result['p50_ms']} ms, {result['queries_max']} queries"
            print(f"  {persona.name:<11} {endpoint.label:<24} {status} ({time.perf_counter() - started:.1f} s)")
    return results


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
    }


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier of the seeded data (default 1.0)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per endpoint first (default 3)")
    parser.add_argument("--seed", type=int, default=20250101, help="random seed of the synthetic data")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.requests < 1 or args.warmup < 0:
        parser.error("--scale must be > 0, --requests >= 1 and --warmup >= 0")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if os.environ.get("BENCH_THROWAWAY_DATABASE") != "1":
        print(
            "error: bench.py fills its database with synthetic rows; run it through scripts/bench.sh "
            "(or set BENCH_THROWAWAY_DATABASE=1 for a database you may throw away).",
            file=sys.stderr,
        )
        return 2
    if Organisation.objects.filter(code__startswith="BF").exists():
        print("error: the database already holds benchmark data; start from a fresh one.", file=sys.stderr)
        return 2
    env = environment()
    if settings.DEBUG:
        print("WARNING: DEBUG is on; timings are not representative (set DEBUG=false).", file=sys.stderr)
    print(f"Benchmark: scale {args.scale}, {args.requests} requests per endpoint, {env['database_version'][:40]}")
    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, reproducible on purpose
    started = time.perf_counter()
    gc.callbacks.append(FULL_GC)

    world = create_world()
    seeding = [seed_round(world, round_no=0, scale=args.scale, rng=rng)]
    print(f"Seeded round 1 in {seeding[0]['seconds']} s: {seeding[0]['added']}")

    area = world.areas[0]
    force = next(f for f in world.forces if f.area_id == area.pk)
    cps_user = world.cps_leads[(area.pk, MEASURED_STREAM)]
    police_user = world.police_leads[(force.pk, MEASURED_STREAM)]
    personas = [
        make_persona("cps-lead", f"{MEASURED_STREAM} disclosure lead of {area.code}", cps_user, force),
        make_persona("police-lead", f"{MEASURED_STREAM} disclosure lead of {force.code}", police_user, force),
    ]
    pick_rng = random.Random(args.seed + 1)  # noqa: S311
    for persona in personas:
        persona.endpoints = build_endpoints(persona, pick_rng)

    phases = []
    for phase, label in (("1x", "data as seeded"), ("2x", "data doubled")):
        if phase == "2x":
            seeding.append(seed_round(world, round_no=1, scale=args.scale, rng=rng))
            print(f"Seeded round 2 in {seeding[1]['seconds']} s: {seeding[1]['added']}")
            # One more membership each: /me/ must not cost a query per membership either.
            Membership.objects.bulk_create(
                Membership(user=persona.user, organisation=org, role=Role.DISCLOSURE_LEAD, stream=Stream.RASSO)
                for persona, org in ((personas[0], area), (personas[1], force))
            )
        rows = row_counts()
        print(f"\nPhase {phase} ({label}): " + ", ".join(f"{name} {n:,}" for name, n in rows.items()))
        phase_started = time.perf_counter()
        results = measure_all(personas, requests=args.requests, warmup=args.warmup, phase=phase)
        phases.append(
            {"phase": phase, "rows": rows, "seconds": round(time.perf_counter() - phase_started, 1), "results": results}
        )
        print()
        print(phase_table(results))

    comparison, failures = compare(phases[0]["results"], phases[1]["results"])
    print("\nQuery counts per request as the data doubles (latency in ms)")
    headers = ["persona", "endpoint", "q 1x", "q 2x", "p50 1x", "p50 2x", "p95 1x", "p95 2x", "verdict"]
    print(table(headers, comparison, "<<>>>>>><"))

    output_dir = BASE_DIR / "var" / "bench"
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output_dir / f"results-{stamp}.json"
    report = {
        "created_at": stamp,
        "arguments": vars(args),
        "environment": env,
        "personas": {p.name: {"username": p.user.username, "description": p.description} for p in personas},
        "seeding": seeding,
        "phases": phases,
        "comparison": [dict(zip(headers, row, strict=True)) for row in comparison],
        "failures": failures,
        "passed": not failures,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nResults: {output.relative_to(BASE_DIR)} ({report['total_seconds']} s in all)")
    if failures:
        print("\nFAIL: query counts depend on the data:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("PASS: every endpoint's query count is constant as the data doubles and the page grows.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
