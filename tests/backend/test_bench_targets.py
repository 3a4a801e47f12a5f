"""How `make bench` judges issue 12's targets (scripts/bench_targets.py), fed made-up results.

Every figure below is chosen by hand so that the ratio it makes is known without the code: 30 / 10 = 3.0 is
exactly on a limit, 31 / 10 = 3.1 just over it.
"""

import importlib.util
from pathlib import Path

import pytest

# Loaded from its file, not from a sys.path entry: scripts/ holds modules (load, bench) that must not shadow others.
_SPEC = importlib.util.spec_from_file_location(
    "bench_targets", Path(__file__).resolve().parents[2] / "scripts" / "bench_targets.py"
)
bench_targets = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench_targets)

NO_BASELINE = "lists' p50 growth from a smaller scale: not judged (no --baseline)"


def row(endpoint, p50, p99=None, *, persona="cps-lead", **extra):
    return {"persona": persona, "endpoint": endpoint, "p50_ms": p50, "p99_ms": p99 if p99 is not None else p50, **extra}


def run(*, summary=20.0, summary_sql=10.0, cases=(12.0, 12.0)):
    """A run's full-scale rows: the framework floor at 5 ms, the cases list, the force summary and its SQL."""
    return [
        row("GET framework floor", 5.0),
        row("GET cases list", cases[0], cases[1]),
        row("GET force summary", summary),
        row("GET force summary SQL", summary_sql, floor_of="GET force summary"),
    ]


def test_a_p99_over_three_times_the_p50_is_missed_at_any_scale():
    on_the_limit = bench_targets.judge(run(cases=(10.0, 30.0)), scale=1)
    assert on_the_limit.missed == []
    over = bench_targets.judge(run(cases=(10.0, 31.0)), scale=1)
    assert over.missed == ["cps-lead GET cases list: p99/p50 3.100 > 3.0"]


def test_the_summary_ratio_is_enforced_from_scale_100_and_reported_below_it():
    # 20 ms over 10 ms of SQL: 2.0x, over the 1.5x limit (the cases list at 10 ms: 2.0x the floor, no note).
    small = bench_targets.judge(run(summary=20.0, summary_sql=10.0, cases=(10.0, 10.0)), scale=1)
    assert small.missed == []
    assert small.information == [
        "cps-lead GET force summary: info: summary/SQL 2.000 > 1.5 (enforced from SCALE=100)",
        NO_BASELINE,
    ]
    large = bench_targets.judge(run(summary=20.0, summary_sql=10.0, cases=(10.0, 10.0)), scale=100)
    assert large.missed == ["cps-lead GET force summary: summary/SQL 2.000 > 1.5"]
    assert large.information == [NO_BASELINE]
    within = bench_targets.judge(run(summary=15.0, summary_sql=10.0), scale=100)
    assert within.missed == []


def test_a_list_over_twice_the_framework_floor_is_information_never_a_miss():
    # 12 ms over the floor's 5 ms: 2.4x.
    verdicts = bench_targets.judge(run(summary=10.0), scale=100)
    assert verdicts.missed == []
    assert verdicts.information == ["cps-lead GET cases list: info: list/floor 2.400 > 2.0", NO_BASELINE]
    cases = next(r for r in verdicts.ratio_rows if r[1] == "GET cases list")
    assert cases[2:5] == ["12.0", "5.0", "2.40"]


def test_a_baseline_judges_each_lists_growth():
    baseline = {"scale": 1.0, "results": run(cases=(10.0, 10.0))}
    within = bench_targets.judge(run(summary=10.0, cases=(15.0, 15.0)), scale=100, baseline=baseline)
    assert within.missed == []
    assert within.growth_rows == [["cps-lead", "GET cases list", "10.0", "15.0", "1.50", "ok"]]
    over = bench_targets.judge(run(summary=10.0, cases=(16.0, 16.0)), scale=100, baseline=baseline)
    assert over.missed == ["cps-lead GET cases list: p50 1.600 x baseline > 1.5 (SCALE=1 -> SCALE=100)"]


def test_a_baseline_missing_a_list_or_of_no_smaller_scale_is_a_miss_not_a_pass():
    missing = {"scale": 1.0, "results": [row("GET framework floor", 5.0)]}
    verdicts = bench_targets.judge(run(summary=10.0), scale=100, baseline=missing)
    assert verdicts.missed == ["cps-lead GET cases list: not in the baseline run; growth not judged"]
    same_scale = {"scale": 100.0, "results": run()}
    verdicts = bench_targets.judge(run(summary=10.0), scale=100, baseline=same_scale)
    assert verdicts.missed == ["baseline: its scale 100 is not below this run's 100; growth not judged"]


def test_a_ratio_that_cannot_be_judged_is_a_miss_not_a_pass():
    # No SQL floor for the summary at SCALE=100, and an endpoint whose p50 is 0: neither can be judged.
    results = [r for r in run(summary=10.0) if "floor_of" not in r] + [row("GET me", 0.0, 0.0)]
    verdicts = bench_targets.judge(results, scale=100)
    assert verdicts.missed == [
        "cps-lead GET force summary: summary/SQL not measured (no SQL floor)",
        "cps-lead GET me: p99/p50 not measured",
    ]
    # Below SCALE=100 the summary's ratio is not enforced, so its missing floor is no miss.
    assert bench_targets.judge([r for r in run(summary=10.0) if "floor_of" not in r], scale=1).missed == []


def test_the_baseline_is_read_from_a_results_files_full_scale_phase():
    report = {"arguments": {"scale": 1}, "phases": [{"results": ["half"]}, {"results": ["full"]}]}
    assert bench_targets.baseline_from(report) == {"scale": 1.0, "results": ["full"]}


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        ({"warm_p50_s": 5.0, "peak_rss_growth_mb": 150.0}, []),
        ({"warm_p50_s": 5.01, "peak_rss_growth_mb": 150.0}, ["meeting pack: 5.01 s > 5.0 s"]),
        ({"warm_p50_s": 1.0, "peak_rss_growth_mb": 151.0}, ["meeting pack: peak memory growth 151.0 MB > 150.0 MB"]),
        ({"error": "exit 1: boom"}, ["meeting pack: exit 1: boom"]),
    ],
)
def test_the_meeting_pack_targets(pack, expected):
    assert bench_targets.pack_missed(pack) == expected
