"""CPU per request of each list and its framework floor: the app process, its PostgreSQL backend and Redis.

``make probe`` (scripts/cpu_probe.sh) runs it against a throw-away PostgreSQL and redis-server seeded as
`make load` seeds them (``scripts/load.py prepare``), under the load run's settings (production's, plus the
floors of scripts/bench_floor.py). Each list and each floor is called in-process by Django's test client,
a CPS lead's token then a police lead's, ``--warmup`` times untimed then ``--requests`` times, and for the
timed requests it reads the CPU time spent by this process (``time.process_time``), by the connection's
PostgreSQL backend (``/proc/<its pid>/stat``) and by the redis-server (``INFO cpu``).

Under `make load` the two cores are shared by the workers, PostgreSQL and Redis, so a list's throughput
over its floor's is about the floor's total CPU per request over the list's: the probe prints that as a
"predicted" ratio. It is a quick A/B of a change (a minute, against `make load`'s seven), not the measurement
issue 12 judges (that is `make load`). Figures move with the machine's other load (about 10% between runs
of the same code here): compare the base and the change in alternation.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench_targets import LIST_FLOORS  # noqa: E402 - scripts/ is this script's directory

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (a PostgreSQL backend on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def targets() -> list[tuple[str, str]]:
    """(name, path) of every floor and every list, the floors first."""
    floors = {floor.path: f"floor {floor.table}" for floor in LIST_FLOORS.values()}
    lists = [(name, "/api/v1/" + name.removesuffix(" list") + "/") for name in LIST_FLOORS]
    return [(name, path) for path, name in floors.items()] + lists


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True, help="the plan scripts/load.py prepare wrote")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", default=None, help="results file (default var/probe/results-<UTC stamp>.json)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = json.loads(Path(args.plan).read_text())
    personas = [next(c for c in plan["clients"] if c["role"] == role) for role in ("cps_lead", "police_lead")]
    redis = cache._cache.get_client()

    def redis_cpu() -> float:
        info = redis.info("cpu")
        return info["used_cpu_sys"] + info["used_cpu_user"]

    client = Client()
    results: dict[str, dict] = {}
    for persona in personas:
        headers = {"HTTP_AUTHORIZATION": f"Token {persona['token']}"}
        floor_cpu = {}
        for name, path in targets():
            for _ in range(args.warmup):
                response = client.get(path, **headers)
                if response.status_code != 200:
                    print(f"error: {path} answered {response.status_code}", file=sys.stderr)
                    return 1
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            with CaptureQueriesContext(connection) as queries:
                client.get(path, **headers)
            statements = len(queries.captured_queries)  # now: each request's start clears the log
            walls = []
            app0, db0, redis0 = time.process_time(), backend_cpu_seconds(pid), redis_cpu()
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(path, **headers)
                walls.append(time.perf_counter() - started)
            app, db, rd = (
                (time.process_time() - app0) / args.requests * 1e3,
                (backend_cpu_seconds(pid) - db0) / args.requests * 1e3,
                (redis_cpu() - redis0) / args.requests * 1e3,
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                if cursor.fetchone()[0] != pid:
                    print("error: the database connection changed during the run", file=sys.stderr)
                    return 1
            total = app + db + rd
            row = {"app_ms": app, "database_ms": db, "redis_ms": rd, "total_ms": total}
            row |= {"p50_ms": statistics.median(walls) * 1e3, "statements": statements}
            if name.startswith("floor "):
                floor_cpu[path] = total
            else:
                row["floor"] = LIST_FLOORS[name].path
                row["predicted_ratio"] = floor_cpu[LIST_FLOORS[name].path] / total
            results[f"{persona['role']} {name}"] = row
            ratio = f"  predicted x own floor {row['predicted_ratio']:.3f}" if "predicted_ratio" in row else ""
            print(
                f"{persona['role']:12} {name:28} app {app:6.2f}  db {db:5.2f}  redis {rd:4.2f}  "
                f"total {total:6.2f} ms CPU  p50 {row['p50_ms']:6.2f} ms  {row['statements']} statements{ratio}",
                flush=True,
            )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out) if args.out else BASE_DIR / "var" / "probe" / f"results-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"requests": args.requests, "results": results}, indent=1))
    print(f"Results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
