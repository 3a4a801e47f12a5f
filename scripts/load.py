#!/usr/bin/env python
"""Load run of the API under production settings (`make load`, through scripts/load.sh).

Two steps, each a subcommand:

``prepare --plan FILE``
    Seeds the throw-away database with the benchmark's synthetic data (scripts/bench_seed.py, used
    as it is), adds a chief officer to every force, and writes the plan of the run to FILE: for each
    client, who it is (a knox token made for it), which rows it reads and which defect it edits.
    Needs Django (DJANGO_SETTINGS_MODULE=load_settings) and the database.

``run --plan FILE --url URL``
    LOAD_CLIENTS clients (threads, one request at a time each; default 50) call the server for
    LOAD_SECONDS (default 60) over a realistic mix, after LOAD_WARMUP seconds (default 5) that
    are not counted; then the same clients call the bare floor endpoint (scripts/load_urls.py)
    for the same time; then each list and the force summary alone, at the same concurrency, for
    LOAD_ENDPOINT_SECONDS each (default 15; 0 skips them): their throughput over the floor's is
    their ratio to the floor (in the mix every request also waits behind the others, so a kind's
    latency there says little about its own cost). Bounded in time and count: every request has
    a LOAD_TIMEOUT (default 30 s) and a phase stops after LOAD_MAX_REQUESTS (default 500000). Prints throughput and
    p50/p95/p99 per request kind, errors (any status but the one expected, or no answer) and the
    ratios to the floor; writes var/load/results-<time>.json. Exit status 1 when there was
    any error. Uses only the standard library (http.client), not Django.

The mix, per client (a fifth of the clients are chief officers, the rest disclosure leads, CPS
and police alternately, spread over the forces):

- leads: list dip samples, assessments, defects and cases; read a dip sample, an assessment and
  /me/; edit their own defect (read it, then PATCH it with If-Match: the ETag just read, so it
  never conflicts); CPS leads also read their Area's comparison;
- chief officers: read their force's summary (all streams, and one stream) and /me/.

Client and server share the machine's cores: the clients' own CPU time is taken from the server,
so the figures are a lower bound of what the server alone would do.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import random
import re
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FLOOR_KIND = "floor (bare DRF, 50 rows)"
API = "/api/v1"


# --- prepare (Django) -----------------------------------------------------------------------


def seed_with_benchmark_data(scale: float, seed: int) -> None:
    """The benchmark's synthetic data (scripts/bench_seed.py): the one place this script depends on it."""
    sys.path.insert(0, str(BASE_DIR / "scripts"))
    import bench_seed

    rng = random.Random(seed)  # noqa: S311 - synthetic data
    months = bench_seed.months_for(scale)
    world = bench_seed.create_world(rng)
    bench_seed.seed_round(world, ages=list(range(1, months + 1)), scale=scale, rng=rng)
    bench_seed.seed_meetings(world, months=months, rng=rng)
    problems = bench_seed.verify_foreign_keys(bench_seed.SEEDED_TABLES)
    if problems:
        raise SystemExit("error: the seeded rows break foreign keys:\n  " + "\n  ".join(problems))


def prepare(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from knox.models import AuthToken

    from disclosure.models import Assessment, Defect, DipSample, DipSampleStatus
    from forces.models import Membership, Organisation, OrganisationKind, Role
    from forces.services import summary_grants_sync

    user_model = get_user_model()
    if Defect.objects.exists():
        print("error: the database already holds data; the load run seeds a fresh one.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    seed_with_benchmark_data(args.scale, args.seed)
    print(f"Seeded the benchmark data (scale {args.scale}) in {time.perf_counter() - started:.0f} s")

    rng = random.Random(args.seed)  # noqa: S311 - synthetic data
    forces = list(Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).order_by("pk"))
    with transaction.atomic():
        chiefs = []
        for force in forces:
            chief = user_model.objects.create(username=f"load-{force.code.lower()}-chief", password=make_password(None))
            Membership.objects.create(user=chief, organisation=force, role=Role.CHIEF_OFFICER)
            summary_grants_sync(user=chief)
            chiefs.append((chief, force))

    # Leads of one stream, with a defect of an in-progress sample of their stream to edit.
    leads = []
    for membership in (
        Membership.objects.filter(role=Role.DISCLOSURE_LEAD, stream__isnull=False)
        .select_related("user", "organisation")
        .order_by("organisation__kind", "pk")
    ):
        user, org = membership.user, membership.organisation
        editable = list(
            Defect.objects.visible_to(user)
            .filter(
                assessment__dip_sample__status=DipSampleStatus.IN_PROGRESS,
                assessment__dip_sample__stream=membership.stream,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not editable:
            continue
        samples = list(DipSample.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))
        assessments = list(Assessment.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))
        leads.append(
            {
                "user": user,
                "side": "cps" if org.kind == OrganisationKind.CPS_AREA else "police",
                "organisation": org.code,
                "stream": membership.stream,
                "editable": editable,
                "samples": sorted(rng.sample(samples, min(20, len(samples)))),
                "assessments": sorted(rng.sample(assessments, min(20, len(assessments)))),
            }
        )
    cps = [lead for lead in leads if lead["side"] == "cps"]
    police = [lead for lead in leads if lead["side"] == "police"]
    if not cps or not police or not chiefs:
        print("error: the seeded data has no editable defects for CPS and police leads.", file=sys.stderr)
        return 2

    clients, taken = [], set()
    for number in range(args.clients):
        if number % 5 == 4:
            user, force = chiefs[(number // 5) % len(chiefs)]
            persona = {"role": "chief_officer", "force": force.code, "stream": rng.choice(["mc", "cc", "rasso"])}
        else:
            pool = cps if number % 2 == 0 else police
            lead = pool[(number // 2) % len(pool)]
            user = lead["user"]
            defect = next((pk for pk in lead["editable"] if pk not in taken), None)
            if defect is None:  # every editable defect of this lead already has its editor
                defect = rng.choice(lead["editable"])
            taken.add(defect)
            persona = {
                "role": f"{lead['side']}_lead",
                "organisation": lead["organisation"],
                "stream": lead["stream"],
                "defect": defect,
                "samples": lead["samples"],
                "assessments": lead["assessments"],
            }
        _, key = AuthToken.objects.create(user)
        clients.append({"username": user.username, "token": key, **persona})

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0]
        else:
            database = connection.vendor
    rows = {
        "dip_samples": DipSample.objects.count(),
        "assessments": Assessment.objects.count(),
        "defects": Defect.objects.count(),
    }
    plan = {"scale": args.scale, "database": database, "rows": rows, "clients": clients}
    Path(args.plan).write_text(json.dumps(plan, indent=1) + "\n")
    print(f"Plan: {len(clients)} clients, {rows}")
    return 0


# --- run (standard library only) ------------------------------------------------------------


@dataclass
class Recorder:
    """Latencies and errors per request kind, shared by the client threads."""

    counting: bool = False
    max_requests: int = 500_000
    timings: dict = field(default_factory=lambda: defaultdict(list))
    errors: dict = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            if not self.counting:
                return
            self.timings[kind].append(seconds * 1000)
            if error:
                self.errors[kind].append(error)

    @property
    def spent(self) -> bool:
        return self.requests >= self.max_requests


class Client:
    """One API client: a token, its persona's rows, a request at a time."""

    def __init__(self, number: int, persona: dict, base: urllib.parse.SplitResult, timeout: float):
        self.number, self.persona, self.base, self.timeout = number, persona, base, timeout
        self.rng = random.Random(number)  # noqa: S311 - a reproducible mix, not security
        self.headers = {
            "Authorization": f"Token {persona['token']}",
            "Accept": "application/json",
            "Host": base.hostname,
        }
        self.edits = 0

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """(status, headers, body bytes); raises OSError/HTTPException when there is no answer."""
        connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=self.timeout)
        try:
            all_headers = {**self.headers, **(headers or {})}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                all_headers["Content-Type"] = "application/json"
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.headers, payload
        finally:
            connection.close()

    def call(self, recorder: Recorder, kind: str, method: str, path: str, expected: int = 200, **kwargs):
        started = time.perf_counter()
        try:
            status, headers, payload = self.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as exc:
            recorder.record(kind, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
            return None
        error = None
        if status != expected:
            error = f"{method} {path}: {status} {payload[:200].decode(errors='replace')}"
        recorder.record(kind, time.perf_counter() - started, error)
        return None if error else (headers, payload)

    def get(self, kind: str, path):
        """A task: GET ``path`` (a string, or a callable giving one) recorded as ``kind``."""
        return lambda recorder: self.call(recorder, kind, "GET", path() if callable(path) else path)

    # The mix: (weight, task) per role.
    def tasks(self):
        p = self.persona
        if p["role"] == "chief_officer":
            summary = f"{API}/organisations/{p['force']}/summary/"
            return [
                (4, self.get("force summary (chief)", summary)),
                (2, self.get("force summary, one stream (chief)", f"{summary}?stream={p['stream']}")),
                (1, self.get("me", f"{API}/me/")),
            ]
        tasks = [
            (3, self.get("dip-samples list", f"{API}/dip-samples/")),
            (3, self.get("assessments list", f"{API}/assessments/")),
            (3, self.get("defects list", f"{API}/defects/")),
            (1, self.get("cases list", f"{API}/cases/")),
            (2, self.get("dip-sample detail", lambda: f"{API}/dip-samples/{self.pick('samples')}/")),
            (2, self.get("assessment detail", lambda: f"{API}/assessments/{self.pick('assessments')}/")),
            (1, self.get("me", f"{API}/me/")),
            (2, self.edit_defect),
        ]
        if p["role"] == "cps_lead":
            comparison = f"{API}/organisations/{p['organisation']}/comparison/"
            tasks.append((1, self.get("area comparison (cps lead)", comparison)))
        return tasks

    def pick(self, name: str) -> int:
        return self.rng.choice(self.persona[name])

    def edit_defect(self, recorder: Recorder) -> None:
        """Read the client's own defect, then change it with If-Match: the ETag just read."""
        path = f"{API}/defects/{self.persona['defect']}/"
        answer = self.call(recorder, "defect read (for edit)", "GET", path)
        if answer is None:
            return
        headers, _ = answer
        etag = headers.get("ETag")
        if not etag:
            recorder.record("defect update (If-Match)", 0.0, f"GET {path} answered no ETag")
            return
        self.edits += 1
        body = {"item_reference": f"Item {self.number}-{self.edits % 1000}"}
        self.call(recorder, "defect update (If-Match)", "PATCH", path, body=body, headers={"If-Match": etag})

    def loop(self, recorder: Recorder, stop_at: float, only: tuple[str, str] | None) -> None:
        """Requests until ``stop_at``: the persona's mix, or ``only`` (kind, path) over and over."""
        tasks = [(1, self.get(*only))] if only else self.tasks()
        weights = [weight for weight, _ in tasks]
        while time.monotonic() < stop_at and not recorder.spent:
            _, task = self.rng.choices(tasks, weights=weights)[0]
            task(recorder)


FLOOR_PATH = "/api/v1/load-floor/"  # scripts/load_urls.py
#: Endpoints also measured alone, like the floor: (kind, roles of the clients, path of a persona).
ALONE = [
    ("dip-samples list", ("cps_lead", "police_lead"), lambda p: f"{API}/dip-samples/"),
    ("assessments list", ("cps_lead", "police_lead"), lambda p: f"{API}/assessments/"),
    ("defects list", ("cps_lead", "police_lead"), lambda p: f"{API}/defects/"),
    ("cases list", ("cps_lead", "police_lead"), lambda p: f"{API}/cases/"),
    ("force summary (chief)", ("chief_officer",), lambda p: f"{API}/organisations/{p['force']}/summary/"),
]


def log_size(path: str | None) -> int:
    return os.path.getsize(path) if path and os.path.exists(path) else 0


def phase(clients: list[Client], recorder: Recorder, *, warmup: float, seconds: float, only=None, log=None):
    """Run every client for warmup + seconds; only the last ``seconds`` are recorded.

    ``only``: a function of the client giving the (kind, path) it calls over and over; None: the mix.
    Returns the measured span and the byte range of the access log ``log`` written meanwhile.
    """
    start = time.monotonic()
    stop_at = start + warmup + seconds
    threads = [
        threading.Thread(target=client.loop, args=(recorder, stop_at, only(client) if only else None), daemon=True)
        for client in clients
    ]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    recorder.counting = True
    counted_from, log_from = time.monotonic(), log_size(log)
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.monotonic()) + clients[0].timeout + 5)
    recorder.counting = False
    return time.monotonic() - counted_from, (log_from, log_size(log))


#: The access log line scripts/load.sh asks gunicorn for: method, path, status, microseconds.
SERVER_KINDS = [
    ("GET", re.compile(r"^/api/v1/(dip-samples|assessments|defects|cases)/$"), "{0} list"),
    ("GET", re.compile(r"^/api/v1/(dip-sample|assessment|defect)s/\d+/$"), "{0} detail"),
    ("PATCH", re.compile(r"^/api/v1/defects/\d+/$"), "defect update (If-Match)"),
    ("GET", re.compile(r"^/api/v1/organisations/[^/]+/summary/$"), "force summary (chief, all and one stream)"),
    ("GET", re.compile(r"^/api/v1/organisations/[^/]+/comparison/$"), "area comparison (cps lead)"),
    ("GET", re.compile(r"^/api/v1/me/$"), "me"),
    ("GET", re.compile(r"^" + re.escape(FLOOR_PATH) + "$"), FLOOR_KIND),
]


def server_times(log: str | None, span: tuple[int, int]) -> dict:
    """Percentiles of the time gunicorn spent on each kind of request (queueing excluded), in ms."""
    if not log:
        return {}
    with open(log, "rb") as file:
        file.seek(span[0])
        lines = file.read(span[1] - span[0]).decode(errors="replace").splitlines()
    times = defaultdict(list)
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, _, micros = parts
        for kind_method, pattern, name in SERVER_KINDS:
            match = pattern.match(path)
            if method == kind_method and match:
                times[name.format(*match.groups())].append(int(micros) / 1000)
                break
    result = {}
    for kind, values in sorted(times.items()):
        ordered = sorted(values)
        result[kind] = {
            "requests": len(ordered),
            "p50_ms": round(percentile(ordered, 50), 1),
            "p95_ms": round(percentile(ordered, 95), 1),
            "p99_ms": round(percentile(ordered, 99), 1),
            "max_ms": round(ordered[-1], 1),
        }
    return result


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else float("nan")


def summarise(recorder: Recorder, span: float) -> dict:
    kinds = {}
    for kind, timings in sorted(recorder.timings.items()):
        ordered = sorted(timings)
        kinds[kind] = {
            "requests": len(ordered),
            "per_second": round(len(ordered) / span, 2),
            "mean_ms": round(sum(ordered) / len(ordered), 1),
            "p50_ms": round(percentile(ordered, 50), 1),
            "p95_ms": round(percentile(ordered, 95), 1),
            "p99_ms": round(percentile(ordered, 99), 1),
            "max_ms": round(ordered[-1], 1),
            "errors": len(recorder.errors.get(kind, [])),
        }
    total = sum(k["requests"] for k in kinds.values())
    return {
        "seconds": round(span, 1),
        "requests": total,
        "per_second": round(total / span, 1),
        "errors": sum(k["errors"] for k in kinds.values()),
        "kinds": kinds,
        "error_samples": {kind: errors[:5] for kind, errors in recorder.errors.items()},
    }


def table(headers: list[str], rows: list[list], align: str) -> str:
    cells = [headers] + [[str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(f"{v:{a}{w}}" for v, a, w in zip(row, align, widths, strict=True)).rstrip()

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths), *(line(r) for r in cells[1:])])


def run(args: argparse.Namespace) -> int:
    plan = json.loads(Path(args.plan).read_text())
    base = urllib.parse.urlsplit(args.url)
    personas = plan["clients"][: args.clients]
    if len(personas) < args.clients:
        print(f"error: the plan has {len(personas)} clients, {args.clients} asked for.", file=sys.stderr)
        return 2
    clients = [Client(n, persona, base, args.timeout) for n, persona in enumerate(personas)]
    print(
        f"Load: {args.clients} clients x {args.seconds:.0f} s (after {args.warmup:.0f} s warm-up) against {args.url}; "
        f"then the bare floor, then each list alone. Client and server share {os.cpu_count()} CPU cores."
    )

    def measure(phase_clients, seconds, only=None) -> dict:
        recorder = Recorder(max_requests=args.max_requests)
        span, log_span = phase(
            phase_clients, recorder, warmup=args.warmup, seconds=seconds, only=only, log=args.access_log
        )
        return {**summarise(recorder, span), "server": server_times(args.access_log, log_span)}

    mix = measure(clients, args.seconds)
    error_samples = dict(mix["error_samples"])

    def alone_result(result: dict, kind: str) -> dict:
        """One endpoint's client-side figures, with gunicorn's own time for it (its busiest server kind)."""
        error_samples.update({f"{kind} (alone)": result["error_samples"].get(kind, [])})
        server = max(result["server"].values(), key=lambda k: k["requests"], default={})
        return {**result["kinds"][kind], "server": server}

    floor_run = measure(clients, args.seconds, only=lambda client: (FLOOR_KIND, FLOOR_PATH))
    floor = alone_result(floor_run, FLOOR_KIND)
    alone = {FLOOR_KIND: floor}
    if args.endpoint_seconds > 0:
        for kind, roles, path in ALONE:
            personas_of_role = [persona for persona in personas if persona["role"] in roles]
            if not personas_of_role:
                continue
            same_concurrency = [
                Client(n, personas_of_role[n % len(personas_of_role)], base, args.timeout) for n in range(args.clients)
            ]
            result = measure(same_concurrency, args.endpoint_seconds, only=lambda c, k=kind, f=path: (k, f(c.persona)))
            alone[kind] = alone_result(result, kind)

    def ms(k: dict, name: str):
        return k.get(name, "")

    rows = []
    for kind, k in mix["kinds"].items():
        ratio = k["p99_ms"] / k["p50_ms"] if k["p50_ms"] else float("nan")
        rows.append([kind, k["requests"], f"{k['per_second']:.1f}", k["p50_ms"], k["p95_ms"], k["p99_ms"]])
        rows[-1] += [k["max_ms"], k["errors"], f"{ratio:.1f}"]
    print(f"\nThe mix: {args.clients} clients for {mix['seconds']} s, as the clients saw it (queueing included)")
    headers = ["request kind", "n", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "p99/p50"]
    print(table(headers, rows, "<>>>>>>>>"))
    print(f"Mix: {mix['requests']} requests = {mix['per_second']} req/s, {mix['errors']} errors.")
    if mix["server"]:
        rows = []
        for kind, k in mix["server"].items():
            ratio = k["p99_ms"] / k["p50_ms"] if k["p50_ms"] else float("nan")
            rows.append([kind, k["requests"], k["p50_ms"], k["p95_ms"], k["p99_ms"], k["max_ms"], f"{ratio:.1f}"])
        print("\nThe mix as gunicorn timed it (from the request read to the response written; no queueing)")
        print(table(["request kind", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "p99/p50"], rows, "<>>>>>>"))

    rows = []
    for kind, k in alone.items():
        # Same clients, same concurrency, one endpoint: throughput as a share of the floor's.
        k["floor_ratio"] = round(k["per_second"] / floor["per_second"], 2) if floor["per_second"] else None
        rows.append([kind, k["requests"], f"{k['per_second']:.1f}", k["p50_ms"], k["p99_ms"], k["errors"]])
        server = k["server"]
        rows[-1] += [ms(server, "p50_ms"), ms(server, "p95_ms"), ms(server, "p99_ms")]
        rows[-1] += ["" if kind == FLOOR_KIND else f"{k['floor_ratio']:.2f}"]
    print(
        f"\nAlone, {args.clients} clients: the floor {args.seconds:.0f} s, each endpoint {args.endpoint_seconds:.0f} s"
        " (srv: gunicorn's time, no queueing)"
    )
    headers = ["endpoint", "n", "req/s", "p50 ms", "p99 ms", "errors", "srv p50", "srv p95", "srv p99", "x floor"]
    print(table(headers, rows, "<>>>>>>>>>"))
    mix_ratio = mix["per_second"] / floor["per_second"] if floor["per_second"] else float("nan")
    print(f"The mix's throughput is {mix_ratio:.2f} x the floor's ({mix['per_second']} / {floor['per_second']} req/s).")

    errors = mix["errors"] + sum(k["errors"] for k in alone.values())
    for kind, samples in error_samples.items():
        for sample in samples:
            print(f"  error in {kind}: {sample}", file=sys.stderr)

    out_dir = BASE_DIR / "var" / "load"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = out_dir / f"results-{stamp}.json"
    report = {
        "created_at": stamp,
        "clients": args.clients,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "url": args.url,
        "scale": plan["scale"],
        "rows": plan["rows"],
        "database": plan["database"],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "gunicorn": {
            name: os.environ.get(name, "")
            for name in ("GUNICORN_WORKERS", "GUNICORN_GC_FREEZE", "GUNICORN_GC_THRESHOLD")
        },
        "endpoint_seconds": args.endpoint_seconds,
        "mix": mix,
        "alone": alone,
        "mix_floor_ratio": round(mix_ratio, 3),
    }
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results: {output.relative_to(BASE_DIR)}")
    if errors:
        print(f"FAIL: {errors} errors.", file=sys.stderr)
        return 1
    print("PASS: no errors.")
    return 0


def env_number(name: str, default: float, kind=float):
    value = os.environ.get(name, "").strip()
    try:
        return kind(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {value!r}.") from None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="seed the database and write the plan")
    p.add_argument("--plan", required=True)
    p.add_argument("--scale", type=float, default=env_number("LOAD_SCALE", 1.0))
    p.add_argument("--seed", type=int, default=20250101)
    p.add_argument("--clients", type=int, default=env_number("LOAD_CLIENTS", 50, int))
    r = sub.add_parser("run", help="run the clients against a server")
    r.add_argument("--plan", required=True)
    r.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8123")
    r.add_argument("--clients", type=int, default=env_number("LOAD_CLIENTS", 50, int))
    r.add_argument("--seconds", type=float, default=env_number("LOAD_SECONDS", 60.0))
    r.add_argument("--warmup", type=float, default=env_number("LOAD_WARMUP", 5.0))
    r.add_argument("--endpoint-seconds", type=float, default=env_number("LOAD_ENDPOINT_SECONDS", 15.0))
    r.add_argument("--access-log", help="gunicorn's access log as '%%(m)s %%(U)s %%(s)s %%(D)s' (server-side times)")
    r.add_argument("--timeout", type=float, default=env_number("LOAD_TIMEOUT", 30.0))
    r.add_argument("--max-requests", type=int, default=env_number("LOAD_MAX_REQUESTS", 500_000, int))
    args = parser.parse_args(argv)
    if args.clients < 1:
        parser.error("LOAD_CLIENTS must be at least 1")
    if args.command == "prepare":
        return prepare(args)
    if args.seconds <= 0 or args.warmup < 0 or args.timeout <= 0:
        parser.error("LOAD_SECONDS and LOAD_TIMEOUT must be > 0, LOAD_WARMUP >= 0")
    return run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
