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


def test_each_list_is_reported_against_the_floor_of_its_own_table_beside_the_narrow_one():
    # The dip-samples list at 15 ms: 3.0x the narrow floor's 5 ms, 2.5x its own table's floor's 6 ms. Information.
    results = [*run(summary=10.0), row("GET floor of the dip-samples list", 6.0), row("GET dip-samples list", 15.0)]
    verdicts = bench_targets.judge(results, scale=100)
    assert verdicts.missed == []
    assert verdicts.information == [
        "cps-lead GET cases list: info: list/floor 2.400 > 2.0",
        "cps-lead GET dip-samples list: info: list/floor 3.000 > 2.0",
        "cps-lead GET dip-samples list: info: list/own floor 2.500 > 2.0",
        NO_BASELINE,
    ]
    rows = {r[1]: r for r in verdicts.ratio_rows}
    assert rows["GET dip-samples list"][2:7] == ["15.0", "5.0", "3.00", "6.0", "2.50"]
    # The cases list's own floor is the narrow one: the same figure in both columns, one note.
    assert rows["GET cases list"][2:7] == ["12.0", "5.0", "2.40", "5.0", "2.40"]
    # The floors are yardsticks, not endpoints: no row, no verdict.
    assert set(rows) == {"GET cases list", "GET dip-samples list", "GET force summary"}


def test_a_floor_is_not_judged_on_its_own_tail():
    results = [
        *run(summary=10.0),
        row("GET floor of the dip-samples list", 6.0, 60.0),
        row("GET dip-samples list", 9.0),
    ]
    assert bench_targets.judge(results, scale=1).missed == []


def test_a_list_whose_floor_was_not_measured_is_a_miss_not_a_pass():
    # The dip-samples list without the floor of its table: its ratio to it cannot be reported.
    verdicts = bench_targets.judge([*run(summary=10.0), row("GET dip-samples list", 9.0)], scale=1)
    assert verdicts.missed == [
        "cps-lead GET dip-samples list: list/own floor not measured (no GET floor of the dip-samples list)"
    ]
    # Without the narrow floor, neither list's ratio to it, and the cases list's own floor is that one.
    results = [r for r in run(summary=10.0) if r["endpoint"] != "GET framework floor"]
    results += [row("GET floor of the dip-samples list", 6.0), row("GET dip-samples list", 9.0)]
    assert bench_targets.judge(results, scale=1).missed == [
        "cps-lead GET cases list: list/floor not measured (no GET framework floor)",
        "cps-lead GET cases list: list/own floor not measured (no GET framework floor)",
        "cps-lead GET dip-samples list: list/floor not measured (no GET framework floor)",
    ]


def test_each_list_of_the_floors_mapping_has_its_own_floor_label():
    assert bench_targets.OWN_FLOORS == {
        "GET dip-samples list": "GET floor of the dip-samples list",
        "GET assessments list": "GET floor of the assessments list",
        "GET defects list": "GET floor of the defects list",
        "GET cases list": "GET framework floor",
    }
    assert set(bench_targets.OWN_FLOORS) <= bench_targets.LIST_ENDPOINTS
    assert bench_targets.LIST_FLOORS["cases list"].path == bench_targets.NARROW_FLOOR_PATH == "/bench-floor/cases/"
