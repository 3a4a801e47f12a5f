#!/usr/bin/env python
"""One meeting pack export, measured in a process of its own (run by scripts/bench.py).

    bench_pack.py PATH TOKEN [--repeat N]

Sets Django up with the caller's environment (same settings, same database), then GETs ``PATH``
(``/api/v1/meetings/<id>/pack/?format=pdf&reason=...``) with the token ``N`` times through the
test client, as a gunicorn worker would serve it. Prints one JSON object:

- ``cold_ms``: the first request (imports of the PDF and chart libraries included);
- ``warm_ms``: the following requests;
- ``rss_before_mb``: the process's resident memory before the first request (Django and the app loaded);
- ``peak_rss_mb``: the process's peak resident memory (``VmHWM``; not ``getrusage``'s
  ``ru_maxrss``, which Linux carries over ``execve`` from the parent, a benchmark of hundreds of MB), and
  ``peak_rss_growth_mb``, its growth over ``rss_before_mb``: what the export costs a worker;
- ``tracemalloc_peak_mb``: the peak of Python allocations during one more request, traced
  (slower, so not timed).
"""

import argparse
import json
import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

from rest_framework.test import APIClient  # noqa: E402


def status_mb(field: str) -> float:
    """A memory figure of /proc/self/status (``VmRSS``, ``VmHWM``: this process's own, since its exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("token")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {args.token}")
    before = status_mb("VmRSS")
    timings, size, status = [], 0, None
    for _ in range(1 + args.repeat):
        started = time.perf_counter()
        response = client.get(args.path, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        status, size = response.status_code, len(response.content)
        if status != 200:
            print(json.dumps({"error": f"status {status}: {response.content[:300]!r}"}))
            return 1
    peak = status_mb("VmHWM")
    tracemalloc.start()
    client.get(args.path, secure=True)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "status": status,
                "bytes": size,
                "cold_ms": round(timings[0], 1),
                "warm_ms": [round(t, 1) for t in timings[1:]],
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak, 1),
                "peak_rss_growth_mb": round(peak - before, 1),
                "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
                "pid": os.getpid(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
