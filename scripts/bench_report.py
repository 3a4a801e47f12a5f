#!/usr/bin/env python
"""Markdown tables from a ``make bench`` results file, for docs/PERFORMANCE.md.

    .venv/bin/python scripts/bench_report.py var/bench/results-<stamp>.json [--top 5]

Prints the run's environment and seeding, the full-scale phase table, the query counts as the
data doubled, the ratios to the floors against the targets, the meeting pack, the profile
shares per endpoint and each endpoint's top functions by own time. Needs no Django.
"""

import argparse
import json
import sys
from pathlib import Path


def md_table(headers: list[str], rows: list[list], align: str) -> str:
    marks = {"<": ":---", ">": "---:"}
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def phase_rows(results: list[dict]) -> list[list]:
    rows = []
    for r in results:
        if "p50_ms" not in r:
            rows.append([r["persona"], r["endpoint"], "ERROR", "", "", "", "", "", ""])
            continue
        queries = (
            str(r["queries_max"]) if r["queries_min"] == r["queries_max"] else f"{r['queries_min']}-{r['queries_max']}"
        )
        rows.append(
            [
                r["persona"],
                r["endpoint"],
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                queries,
                f"{r['queries_page_size_1']}/{r['queries_page_size_200']}" if "queries_page_size_1" in r else "",
                "" if r.get("visible_rows") is None else f"{r['visible_rows']:,}",
                f"{r['full_gc_count']}/{r['full_gc_ms']:.0f}",
            ]
        )
    return rows


#: The issue's bound on a list's p50 between SCALE=1 and SCALE=100.
GROWTH_MAX = 1.5


def growth_table(small: dict, large: dict) -> str:
    """Each endpoint's full-scale p50 in two runs and its growth, raw and over each run's framework floor (the verdict).

    The floor-relative growth is the steadier one when the two runs met a different machine load.
    """
    before = {(r["persona"], r["endpoint"]): r for r in small["phases"][1]["results"] if "p50_ms" in r}
    after = {(r["persona"], r["endpoint"]): r for r in large["phases"][1]["results"] if "p50_ms" in r}
    rows = []
    for key, r in after.items():
        b = before.get(key)
        if not b or key[1] == "GET framework floor" or key[1].startswith(("SQL of", "GET floor of")):
            continue
        floor_b, floor_a = before[(key[0], "GET framework floor")], after[(key[0], "GET framework floor")]
        growth = r["p50_ms"] / b["p50_ms"]
        relative = (r["p50_ms"] / floor_a["p50_ms"]) / (b["p50_ms"] / floor_b["p50_ms"])
        is_list = key[1].endswith(" list")
        verdict = ("ok" if relative <= GROWTH_MAX else f"> {GROWTH_MAX}") if is_list else ""
        rows.append([*key, f"{b['p50_ms']:.1f}", f"{r['p50_ms']:.1f}", f"{growth:.2f}", f"{relative:.2f}", verdict])
    scales = f"SCALE={small['arguments']['scale']:g}", f"SCALE={large['arguments']['scale']:g}"
    return md_table(
        ["persona", "endpoint", f"p50 ms {scales[0]}", f"p50 ms {scales[1]}", "growth", "growth over floor", "lists"],
        rows,
        "<<>>>><",
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--growth-from", type=Path, help="a results file at a smaller scale: p50 growth to this one")
    args = parser.parse_args(argv)
    report = json.loads(args.results.read_text())
    if args.growth_from:
        print(growth_table(json.loads(args.growth_from.read_text()), report))
        return 0
    env, arguments = report["environment"], report["arguments"]
    out = [
        f"Run `{args.results.name}`: scale {arguments['scale']}, {arguments['requests']} requests per endpoint, "
        f"commit {env['git_commit']}, {env['settings']}, DEBUG {env['debug']}, cache {env['cache']}, "
        f"throttle rates {env['throttle_rates']}; Python {env['python']}, Django {env['django']}, "
        f"{env['database_version'].split(' on ')[0]}; {env['cpus']} CPUs, {env['memory_gb']} GB; "
        f"{report['total_seconds']} s in all. Measured: {report['measured']}.",
        "",
        "Seeding: "
        + "; ".join(
            f"round {i + 1} {s['seconds']} s (COPY {s.get('copy_seconds')} s, indexes {s.get('index_seconds')} s, "
            f"foreign-key check and VACUUM ANALYZE {s['verify_and_analyze_seconds']} s)"
            for i, s in enumerate(report["seeding"])
        ),
        "",
        "Rows at full scale: " + ", ".join(f"{k} {v:,}" for k, v in report["phases"][1]["rows"].items()),
        "",
        "### Latency and queries at full scale",
        "",
        md_table(
            ["persona", "endpoint", "p50 ms", "p95 ms", "p99 ms", "queries", "q@ps1/200", "rows", "gc2 n/ms"],
            phase_rows(report["phases"][1]["results"]),
            "<<>>>>>>>",
        ),
        "",
        "### As the data doubles (half, then full scale)",
        "",
        md_table(
            list(report["comparison"][0].keys()),
            [list(row.values()) for row in report["comparison"]],
            "<<>>>>>><",
        ),
        "",
        "### Ratios to the floors at full scale",
        "",
        md_table(
            list(report["ratios"][0].keys()),
            [list(row.values()) for row in report["ratios"]],
            "<<" + ">" * (len(report["ratios"][0]) - 3) + "<",  # files before decision 0017 have no own-floor columns
        ),
        "",
    ]
    pack = report["pack"]
    if "error" in pack:
        out += [f"Meeting pack: {pack['error']}", ""]
    else:
        out += [
            f"Meeting pack (PDF, {pack['bytes']:,} bytes): cold {pack['cold_ms'] / 1000:.2f} s, warm "
            f"{', '.join(f'{t / 1000:.2f}' for t in pack['warm_ms'])} s; worker RSS {pack['rss_before_mb']} MB before, "
            f"peak {pack['peak_rss_mb']} MB (+{pack['peak_rss_growth_mb']} MB); Python allocations peak "
            f"{pack['tracemalloc_peak_mb']} MB.",
            "",
        ]
    if report["profiles"]:
        names = list(report["profiles"][0]["steps_percent"].keys())
        out += [
            "### Where the time goes (% of profiled time; steps overlap, see benchmark.md)",
            "",
            md_table(
                ["endpoint", "ms*", *names],
                [
                    [
                        p["endpoint"],
                        f"{p['ms_per_request_profiled']:.1f}",
                        *(f"{p['steps_percent'][n]:.0f}" for n in names),
                    ]
                    for p in report["profiles"]
                ],
                "<" + ">" * (len(names) + 1),
            ),
            "",
            "Top functions by own time (ms per request, profiled):",
            "",
        ]
        for p in report["profiles"]:
            top = ", ".join(f"`{f['function']}` {f['own_ms']}" for f in p["top_own_time"][: args.top])
            out.append(f"- {p['endpoint']}: {top}")
        out.append("")
    out += ["Missed targets:", ""] + ([f"- {m}" for m in report["missed_targets"]] or ["- none"]) + [""]
    if report.get("information"):  # results files from before bench_targets.py have none
        out += ["Information (not enforced):", ""] + [f"- {m}" for m in report["information"]] + [""]
    out += ["Query-count failures:", ""] + ([f"- {f}" for f in report["failures"]] or ["- none"])
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
