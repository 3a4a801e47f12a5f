"""Issue 12's targets as `make bench` judges them: which it enforces, at which scale, and which it only reports.

No Django here: ``scripts/bench.py`` hands in its results (dicts), and tests/backend/test_bench_targets.py feeds
it made-up ones. docs/decisions/0016-what-the-benchmarks-enforce.md says why each target is judged where it is:

- **Enforced** (a miss fails the run unless ``BENCH_ENFORCE=0``): every endpoint's p99 within 3x its p50 (any
  scale); the force summary's p50 within 1.5x its own SQL from ``SUMMARY_RATIO_FROM_SCALE`` (the issue sets it
  "at SCALE=100"); the meeting pack's time and memory; and, given a baseline run at a smaller scale
  (``--baseline``), each list's p50 within 1.5x of the baseline's.
- **Information** (printed and recorded, never failing): a list's p50 over the framework floor of its own table
  (``LIST_FLOORS``) and over the narrow floor, single-client stand-ins for "at least 50% of the floor's throughput
  under load", which ``make load`` measures and enforces (scripts/load.py); and the force summary's ratio below
  ``SUMMARY_RATIO_FROM_SCALE``. A list's floor that was not measured is a missed target, never a pass.

``LIST_FLOORS`` is also the one mapping of the framework floors both tools import (scripts/bench_floor.py serves
them, scripts/bench.py and scripts/load.py measure them): decision 0017.
"""

from dataclasses import dataclass, field
from typing import NamedTuple


class Floor(NamedTuple):
    """A framework floor: a bare DRF list of 50 rows of ``table`` (all its concrete columns) at ``path``."""

    path: str
    table: str


#: The narrow floor: the eight columns of ``disclosure_case``. It is the cases list's own floor, and every list's
#: ratio to it stays printed as information (decision 0016 judged every list against it; 0017 amends that).
NARROW_FLOOR_PATH = "/bench-floor/cases/"
#: Each list's framework floor (issue 12: "a bare DRF list of 50 rows of similar width"): {list: its floor}, one
#: table each, every concrete column (no many-to-many, no reverse relation; foreign keys as ids). Keyed by the
#: list's name in both tools: bench.py's endpoint "GET <list>", load.py's kind "<list>".
LIST_FLOORS = {
    "dip-samples list": Floor("/bench-floor/dip-samples/", "disclosure_dipsample"),
    "assessments list": Floor("/bench-floor/assessments/", "disclosure_assessment"),
    "defects list": Floor("/bench-floor/defects/", "disclosure_defect"),
    "cases list": Floor(NARROW_FLOOR_PATH, "disclosure_case"),
}

#: A list's p50 over the framework floor's p50 (single client). Information: the target is throughput under load.
LIST_OVER_FRAMEWORK_FLOOR_INFO = 2.0
#: The force summary's p50 at most this multiple of its own SQL replayed on a raw cursor ...
SUMMARY_OVER_DATABASE_FLOOR_MAX = 1.5
#: ... enforced from this scale (issue 12: "ratios from one run, at SCALE=100 unless said").
SUMMARY_RATIO_FROM_SCALE = 100.0
#: Every endpoint's p99 at most this multiple of its p50.
P99_OVER_P50_MAX = 3.0
#: Each list's p50 at this scale at most this multiple of its p50 in the baseline run (a smaller scale).
LIST_GROWTH_MAX = 1.5
#: A force-year meeting pack: wall time of a warm export, and the growth of the worker's peak memory.
PACK_SECONDS_MAX = 5.0
PACK_PEAK_MB_MAX = 150.0

TARGETS = {
    "p99 / p50, every endpoint": f"<= {P99_OVER_P50_MAX} (enforced)",
    "force summary p50 / its SQL p50": (
        f"<= {SUMMARY_OVER_DATABASE_FLOOR_MAX} (enforced from SCALE={SUMMARY_RATIO_FROM_SCALE:g}, information below)"
    ),
    "list p50 / baseline list p50 (--baseline)": f"<= {LIST_GROWTH_MAX} (enforced when a baseline is given)",
    "meeting pack (force-year)": (
        f"<= {PACK_SECONDS_MAX} s warm, peak memory growth <= {PACK_PEAK_MB_MAX} MB (enforced)"
    ),
    "list p50 / framework floor p50": (
        f"<= {LIST_OVER_FRAMEWORK_FLOOR_INFO} (information: make load enforces the throughput target)"
    ),
    "list p50 / its own table's floor p50": (
        f"<= {LIST_OVER_FRAMEWORK_FLOOR_INFO} (information, as above; a floor not measured is missed)"
    ),
}

#: Endpoints that are lists: their ratio to the framework floor is reported, their growth judged.
LIST_ENDPOINTS = {
    "GET cases list",
    "GET schedules list",
    "GET dip-samples list",
    "GET assessments list",
    "GET defects list",
    "GET organisations list",
}
#: The narrow floor (NARROW_FLOOR_PATH), as bench.py labels it.
FRAMEWORK_FLOOR = "GET framework floor"
FORCE_SUMMARY = "GET force summary"


def own_floor_label(list_name: str) -> str:
    """bench.py's label of the floor of a list's own table (``LIST_FLOORS``): the narrow floor's for the cases list."""
    return FRAMEWORK_FLOOR if LIST_FLOORS[list_name].path == NARROW_FLOOR_PATH else f"GET floor of the {list_name}"


#: {list endpoint: the floor of its own table}, as bench.py labels them.
OWN_FLOORS = {f"GET {name}": own_floor_label(name) for name in LIST_FLOORS}
#: Every framework floor bench.py measures: floors, not endpoints to judge.
FLOOR_ENDPOINTS = {FRAMEWORK_FLOOR, *OWN_FLOORS.values()}

RATIO_HEADERS = ["persona", "endpoint", "p50 ms", "fw floor", "x fw", "own floor", "x own", "SQL floor", "x SQL"]
RATIO_HEADERS += ["p99/p50", "targets"]
GROWTH_HEADERS = ["persona", "endpoint", "baseline p50 ms", "p50 ms", "x baseline", "target"]


@dataclass
class Verdicts:
    """What ``judge`` found: the tables' rows, the targets missed (enforced) and the information (never failing)."""

    ratio_rows: list[list] = field(default_factory=list)
    growth_rows: list[list] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    information: list[str] = field(default_factory=list)


def _measured(results: list[dict]) -> list[dict]:
    return [r for r in results if "p50_ms" in r]


def judge(results: list[dict], *, scale: float, baseline: dict | None = None) -> Verdicts:
    """Judge one run's full-scale ``results`` (bench.py's rows: persona, endpoint, p50_ms, p99_ms; a database
    floor row has ``floor_of``) at ``scale``; ``baseline``: ``{"scale": s, "results": [...]}`` of a smaller scale."""
    verdicts = Verdicts()
    results = _measured(results)
    by_key = {(r["persona"], r["endpoint"]): r for r in results}
    summary_enforced = scale >= SUMMARY_RATIO_FROM_SCALE
    for r in results:
        if r["endpoint"] in FLOOR_ENDPOINTS or "floor_of" in r:
            continue
        persona, label = r["persona"], r["endpoint"]
        framework = by_key.get((persona, FRAMEWORK_FLOOR))
        own = by_key.get((persona, OWN_FLOORS[label])) if label in OWN_FLOORS else None
        database = next((f for f in results if f.get("floor_of") == label and f["persona"] == persona), None)
        over_framework = r["p50_ms"] / framework["p50_ms"] if framework and framework["p50_ms"] else None
        over_own = r["p50_ms"] / own["p50_ms"] if own and own["p50_ms"] else None
        over_database = r["p50_ms"] / database["p50_ms"] if database and database["p50_ms"] else None
        tail = r["p99_ms"] / r["p50_ms"] if r["p50_ms"] else None
        notes = []
        # A target that could not be judged is missed, never met by default.
        if tail is None or tail > P99_OVER_P50_MAX:
            notes.append("p99/p50 not measured" if tail is None else f"p99/p50 {tail:.3f} > {P99_OVER_P50_MAX}")
            verdicts.missed.append(f"{persona} {label}: {notes[-1]}")
        if label == FORCE_SUMMARY and summary_enforced and over_database is None:
            notes.append("summary/SQL not measured (no SQL floor)")
            verdicts.missed.append(f"{persona} {label}: {notes[-1]}")
        if label == FORCE_SUMMARY and over_database is not None and over_database > SUMMARY_OVER_DATABASE_FLOOR_MAX:
            note = f"summary/SQL {over_database:.3f} > {SUMMARY_OVER_DATABASE_FLOOR_MAX}"
            if summary_enforced:
                notes.append(note)
                verdicts.missed.append(f"{persona} {label}: {note}")
            else:
                notes.append(f"info: {note} (enforced from SCALE={SUMMARY_RATIO_FROM_SCALE:g})")
                verdicts.information.append(f"{persona} {label}: {notes[-1]}")
        # A list's ratios are information, but a floor that was not measured is a miss: the ratio would be missing.
        if label in LIST_ENDPOINTS and over_framework is None:
            notes.append(f"list/floor not measured (no {FRAMEWORK_FLOOR})")
            verdicts.missed.append(f"{persona} {label}: {notes[-1]}")
        if label in OWN_FLOORS and over_own is None:
            notes.append(f"list/own floor not measured (no {OWN_FLOORS[label]})")
            verdicts.missed.append(f"{persona} {label}: {notes[-1]}")
        if label in LIST_ENDPOINTS and over_framework is not None and over_framework > LIST_OVER_FRAMEWORK_FLOOR_INFO:
            notes.append(f"info: list/floor {over_framework:.3f} > {LIST_OVER_FRAMEWORK_FLOOR_INFO}")
            verdicts.information.append(f"{persona} {label}: {notes[-1]}")
        narrow_is_own = OWN_FLOORS.get(label) == FRAMEWORK_FLOOR  # the cases list: its own floor is the narrow one
        if not narrow_is_own and over_own is not None and over_own > LIST_OVER_FRAMEWORK_FLOOR_INFO:
            notes.append(f"info: list/own floor {over_own:.3f} > {LIST_OVER_FRAMEWORK_FLOOR_INFO}")
            verdicts.information.append(f"{persona} {label}: {notes[-1]}")
        verdicts.ratio_rows.append(
            [
                persona,
                label,
                f"{r['p50_ms']:.1f}",
                f"{framework['p50_ms']:.1f}" if framework else "",
                f"{over_framework:.2f}" if over_framework is not None else "",
                f"{own['p50_ms']:.1f}" if own else "",
                f"{over_own:.2f}" if over_own is not None else "",
                f"{database['p50_ms']:.1f}" if database else "",
                f"{over_database:.2f}" if over_database is not None else "",
                f"{tail:.2f}" if tail is not None else "",
                "; ".join(notes) or "ok",
            ]
        )
    if baseline is not None:
        _judge_growth(verdicts, results, scale=scale, baseline=baseline)
    else:
        verdicts.information.append("lists' p50 growth from a smaller scale: not judged (no --baseline)")
    return verdicts


def _judge_growth(verdicts: Verdicts, results: list[dict], *, scale: float, baseline: dict) -> None:
    """Each list's p50 against the baseline run's (same persona and endpoint), if the baseline is a smaller scale."""
    if not baseline["scale"] < scale:
        verdicts.missed.append(
            f"baseline: its scale {baseline['scale']:g} is not below this run's {scale:g}; growth not judged"
        )
        return
    before = {(r["persona"], r["endpoint"]): r for r in _measured(baseline["results"])}
    for r in results:
        if r["endpoint"] not in LIST_ENDPOINTS:
            continue
        key = (r["persona"], r["endpoint"])
        old = before.get(key)
        if old is None or not old["p50_ms"]:
            verdicts.missed.append(f"{r['persona']} {r['endpoint']}: not in the baseline run; growth not judged")
            continue
        growth = r["p50_ms"] / old["p50_ms"]
        verdict = "ok" if growth <= LIST_GROWTH_MAX else f"p50 {growth:.3f} x baseline > {LIST_GROWTH_MAX}"
        if verdict != "ok":
            verdicts.missed.append(
                f"{r['persona']} {r['endpoint']}: {verdict} (SCALE={baseline['scale']:g} -> SCALE={scale:g})"
            )
        verdicts.growth_rows.append([*key, f"{old['p50_ms']:.1f}", f"{r['p50_ms']:.1f}", f"{growth:.2f}", verdict])


def pack_missed(result: dict) -> list[str]:
    """The meeting pack's targets missed (``result``: scripts/bench_pack.py's answer, with ``warm_p50_s``)."""
    if "error" in result:
        return [f"meeting pack: {result['error']}"]
    missed = []
    if result["warm_p50_s"] > PACK_SECONDS_MAX:
        missed.append(f"meeting pack: {result['warm_p50_s']:.2f} s > {PACK_SECONDS_MAX} s")
    if result["peak_rss_growth_mb"] > PACK_PEAK_MB_MAX:
        missed.append(f"meeting pack: peak memory growth {result['peak_rss_growth_mb']} MB > {PACK_PEAK_MB_MAX} MB")
    return missed


def baseline_from(report: dict) -> dict:
    """The baseline ``judge`` takes, from a results file of bench.py (its full-scale phase)."""
    return {"scale": float(report["arguments"]["scale"]), "results": report["phases"][-1]["results"]}
