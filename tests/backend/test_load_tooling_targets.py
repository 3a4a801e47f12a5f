"""`make load` judges issue 12's load targets (scripts/load.py): the evaluation, LOAD_ENFORCE, the exit status.

No timing is asserted: the evaluation is fed synthetic results, and the end-to-end run below
controls the server-side times it reads (the access log) and asserts only on those.
"""

import http.server
import json
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def load(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import load

    return load


def alone_row(per_second: float, p50: float, p99: float, errors: int = 0, seconds: float = 15) -> dict:
    return {
        "requests": int(per_second * seconds),
        "per_second": per_second,
        "errors": errors,
        "server": {"requests": int(per_second * seconds), "p50_ms": p50, "p95_ms": p50, "p99_ms": p99},
    }


DIP_FLOOR = "floor of the dip-samples list (bare DRF + knox, 50 rows of disclosure_dipsample)"
ASSESSMENTS_FLOOR = "floor of the assessments list (bare DRF + knox, 50 rows of disclosure_assessment)"
DEFECTS_FLOOR = "floor of the defects list (bare DRF + knox, 50 rows of disclosure_defect)"


def synthetic_results(load) -> dict:
    """A run's results: the narrow floor at 200 req/s, each list's own floor, rows on either side of each limit."""
    return {
        "mix": {"errors": 0, "server": {"me": {"requests": 70, "p50_ms": 10.0, "p99_ms": 100.0}}},
        "alone": {
            # The floors' own tails (5x) are information, not targets.
            load.FLOOR_KIND: alone_row(200.0, 8.0, 40.0),  # the narrow floor: the cases list's own
            DIP_FLOOR: alone_row(160.0, 9.0, 45.0),
            ASSESSMENTS_FLOOR: alone_row(190.0, 8.5, 17.0),
            DEFECTS_FLOOR: alone_row(201.0, 8.0, 16.0),
            "dip-samples list": alone_row(110.0, 10.0, 30.0),  # 110/160 = 0.6875; 30/10 = 3.0: both met
            # 99/190 = 0.5211: met (over the narrow floor 99/200 = 0.495: information only); tail 2.5 met
            "assessments list": alone_row(99.0, 10.0, 25.0),
            # 100/201 = 0.4975 < 0.5: missed (over the narrow floor 0.5 exactly: information); 31/10 = 3.1: missed
            "defects list": alone_row(100.0, 10.0, 31.0),
            "cases list": alone_row(150.0, 10.0, 20.0),  # 150/200 = 0.75 of its own floor, the narrow one; 2.0: met
            "force summary, the bench's force": alone_row(4.0, 400.0, 800.0, seconds=60),  # 2.0: met
            "force summary, the largest force": alone_row(1.0, 1800.0, 6000.0, seconds=60),  # 3.33: missed
            # Several forces in one row: 18x is their sizes' spread, reported only.
            "force summary, the mix's chiefs": alone_row(3.0, 100.0, 1800.0),
        },
    }


def test_it_misses_exactly_the_targets_on_the_wrong_side_of_their_limits(load):
    rows, missed = load.evaluate_targets(synthetic_results(load))
    assert missed == [
        "defects list: throughput / own floor's 0.4975 (100.0 / 201.0 req/s), target >= 0.5",
        "defects list: p99 / p50 3.100 (31.0 / 10.0 ms), target <= 3.0",
        "force summary, the largest force: p99 / p50 3.333 (6000.0 / 1800.0 ms), target <= 3.0",
    ]
    verdicts = {(row[0], row[1]): row[4] for row in rows}
    assert verdicts[("errors", "every phase, warm-ups included")] == "met"
    assert verdicts[("throughput / own floor's", "dip-samples list")] == "met"
    assert verdicts[("p99 / p50", "dip-samples list")] == "met"  # 3.0 is within 3x
    assert verdicts[("throughput / own floor's", "assessments list")] == "met"
    assert verdicts[("p99 / p50", "force summary, the bench's force")] == "met"
    # The one-force summaries have no throughput target; the floors, the several-force row and the
    # mix's kinds are information.
    assert ("throughput / own floor's", "force summary, the bench's force") not in verdicts
    for floor in (load.FLOOR_KIND, DIP_FLOOR, ASSESSMENTS_FLOOR, DEFECTS_FLOOR):
        assert verdicts[("p99 / p50", f"{floor} (alone)")] == "info"
    assert verdicts[("p99 / p50", "force summary, the mix's chiefs (alone)")] == "info"
    assert verdicts[("p99 / p50", "me (in the mix)")] == "info"


def test_an_error_in_any_phase_misses_the_errors_target(load):
    results = synthetic_results(load)
    results["alone"]["cases list"]["errors"] = 2
    results["mix"]["errors"] = 1
    _, missed = load.evaluate_targets(results)
    assert "every phase, warm-ups included: errors 3, target 0" in missed
    # An error during a warm-up (not counted in a phase's figures) is an error all the same.
    results = synthetic_results(load)
    results["alone"]["force summary, the bench's force"]["uncounted_errors"] = 1
    _, missed = load.evaluate_targets(results)
    assert "every phase, warm-ups included: errors 1, target 0" in missed


def test_a_throughput_just_under_half_reads_as_under_half(load):
    # 162.8 / 325.9 = 0.49954...: "0.500" at three decimals would read as met.
    results = synthetic_results(load)
    results["alone"][load.FLOOR_KIND] = alone_row(325.9, 8.0, 16.0)
    results["alone"]["cases list"] = alone_row(162.8, 10.0, 20.0)
    _, missed = load.evaluate_targets(results)
    assert "cases list: throughput / own floor's 0.4995 (162.8 / 325.9 req/s), target >= 0.5" in missed


def test_a_tail_on_fewer_requests_than_the_minimum_is_missed_not_judged(load):
    results = synthetic_results(load)
    # 49 requests at 1,800 ms with a p99 of 2,000: within 3x, but the p99 of 49 is their slowest one.
    results["alone"]["force summary, the largest force"] = alone_row(1.0, 1800.0, 2000.0, seconds=49)
    _, missed = load.evaluate_targets(results)
    assert "force summary, the largest force: p99 / p50 too few requests (49 < 50), target <= 3.0" in missed
    results["alone"]["force summary, the largest force"] = alone_row(1.0, 1800.0, 2000.0, seconds=50)
    _, missed = load.evaluate_targets(results)
    assert not any(line.startswith("force summary, the largest force") for line in missed)


def test_the_recorder_keeps_errors_outside_the_counted_span(load):
    recorder = load.Recorder()
    recorder.record("cases list", 0.01, "GET /api/v1/cases/: 500 boom")  # during the warm-up
    recorder.record("cases list", 0.01, None)
    recorder.counting = True
    recorder.record("cases list", 0.01, None)
    summary = load.summarise(recorder, 1.0)
    assert summary["errors"] == 0
    assert summary["uncounted_errors"] == 1
    assert load.run_errors({"mix": summary, "alone": {}}) == 1


def test_a_clients_own_failure_is_recorded_as_an_error_and_ends_that_client(load):
    client = load.Client(0, {"role": "cps_lead", "token": "t"}, load.urllib.parse.urlsplit("http://127.0.0.1:9"), 1)
    calls = []

    def failing(recorder):
        calls.append(1)
        raise IndexError("pick from an empty list")

    client.tasks = lambda: [(1, failing)]
    recorder = load.Recorder(counting=True, max_requests=1000)
    client.loop(recorder, stop_at=load.time.monotonic() + 5, only=None)
    # One failure, recorded; the client stops rather than spend the phase's shared request budget failing.
    assert len(calls) == 1
    assert not recorder.spent
    summary = load.summarise(recorder, 1.0)
    assert summary["errors"] == 1
    assert summary["kinds"][load.CLIENT_FAILURE]["errors"] == 1


def test_a_client_still_running_when_the_phase_ends_is_an_error(load):
    class Stuck:
        timeout = -5.0  # phase() waits stop_at + timeout + 5 s for a client: here, not at all

        def loop(self, recorder, stop_at, only):
            load.time.sleep(0.5)

    recorder = load.Recorder()
    load.phase([Stuck()], recorder, warmup=0.0, seconds=0.0)
    assert recorder.uncounted_errors == [f"{load.CLIENT_FAILURE}: a client was still running after the phase"]


def test_a_target_not_measured_is_missed_not_met(load):
    results = synthetic_results(load)
    del results["alone"]["cases list"]
    results["alone"]["force summary, the bench's force"]["server"] = {}  # no access log
    _, missed = load.evaluate_targets(results)
    assert "cases list: throughput / own floor's not measured, target >= 0.5" in missed
    assert "cases list: p99 / p50 not measured, target <= 3.0" in missed
    assert "force summary, the bench's force: p99 / p50 not measured, target <= 3.0" in missed


def test_each_list_is_judged_against_the_floor_of_its_own_table_and_the_narrow_one_is_information(load):
    rows, _ = load.evaluate_targets(synthetic_results(load))
    by_subject = {(row[0], row[1]): row[2:] for row in rows}
    # The assessments list: 99 req/s is 0.495 of the narrow floor (200) but 0.5211 of its own (190).
    assert by_subject[("throughput / own floor's", "assessments list")] == [
        "0.5211 (99.0 / 190.0 req/s)",
        ">= 0.5",
        "met",
    ]
    assert by_subject[("throughput / narrow floor's", "assessments list")] == [
        "0.4950 (99.0 / 200.0 req/s)",
        "information",
        "info",
    ]
    # The defects list: 0.5 of the narrow floor, but 0.4975 of its own (201): missed.
    assert by_subject[("throughput / own floor's", "defects list")][2] == "MISSED"
    assert by_subject[("throughput / narrow floor's", "defects list")] == [
        "0.5000 (100.0 / 200.0 req/s)",
        "information",
        "info",
    ]
    # The cases list's own floor is the narrow one: one row, the target.
    assert by_subject[("throughput / own floor's", "cases list")] == ["0.7500 (150.0 / 200.0 req/s)", ">= 0.5", "met"]
    assert ("throughput / narrow floor's", "cases list") not in by_subject


def test_a_list_whose_own_floor_was_not_measured_is_missed_whatever_the_narrow_floor_says(load):
    results = synthetic_results(load)
    del results["alone"][DIP_FLOOR]  # 110 / 200 over the narrow floor would be 0.55: no stand-in for its own
    rows, missed = load.evaluate_targets(results)
    assert "dip-samples list: throughput / own floor's its floor not measured, target >= 0.5" in missed
    assert [
        "throughput / narrow floor's",
        "dip-samples list",
        "0.5500 (110.0 / 200.0 req/s)",
        "information",
        "info",
    ] in rows
    # Without the narrow floor, the cases list (its own floor) cannot be judged; the others still are, on theirs.
    results = synthetic_results(load)
    del results["alone"][load.FLOOR_KIND]
    rows, missed = load.evaluate_targets(results)
    assert [line for line in missed if "throughput" in line] == [
        "defects list: throughput / own floor's 0.4975 (100.0 / 201.0 req/s), target >= 0.5",
        "cases list: throughput / own floor's its floor not measured, target >= 0.5",
    ]
    assert ["throughput / narrow floor's", "assessments list", "not measured", "information", "info"] in rows


def test_each_list_has_the_floor_of_its_own_table_and_the_cases_list_the_narrow_one(load):
    assert load.OWN_FLOORS == {
        "dip-samples list": DIP_FLOOR,
        "assessments list": ASSESSMENTS_FLOOR,
        "defects list": DEFECTS_FLOOR,
        "cases list": load.FLOOR_KIND,
    }
    assert {kind: floor.path for kind, floor in load.LIST_FLOORS.items()} == {
        "dip-samples list": "/bench-floor/dip-samples/",
        "assessments list": "/bench-floor/assessments/",
        "defects list": "/bench-floor/defects/",
        "cases list": "/bench-floor/cases/",
    }
    # Every list judged on its throughput has a floor.
    assert {kind for kind, judged in load.JUDGED.items() if load.THROUGHPUT in judged} == set(load.OWN_FLOORS)


def test_every_kind_a_run_measures_alone_is_judged_but_the_floor_and_the_several_force_summary(load):
    assert load.JUDGED == {
        "dip-samples list": ("throughput", "tail"),
        "assessments list": ("throughput", "tail"),
        "defects list": ("throughput", "tail"),
        "cases list": ("throughput", "tail"),
        "force summary, the bench's force": ("tail",),
        "force summary, the largest force": ("tail",),
    }


@pytest.mark.parametrize(
    ("value", "enforced"),
    [(None, True), ("", True), ("1", True), ("true", True), ("0", False), ("false", False), (" OFF ", False)],
)
def test_load_enforce_is_on_unless_turned_off(load, value, enforced):
    environ = {} if value is None else {"LOAD_ENFORCE": value}
    assert load.enforcing(environ) is enforced


def test_a_malformed_load_enforce_stops_the_run_naming_the_variable(load):
    with pytest.raises(SystemExit, match=r"LOAD_ENFORCE must be 1 .* or 0 .*, not 'maybe'"):
        load.enforcing({"LOAD_ENFORCE": "maybe"})


def test_main_checks_load_enforce_before_it_seeds(load, monkeypatch):
    monkeypatch.setenv("LOAD_ENFORCE", "maybe")
    with pytest.raises(SystemExit, match="LOAD_ENFORCE"):
        load.main(["prepare", "--plan", "/nonexistent/plan.json"])


def test_errors_always_fail_and_missed_targets_fail_only_when_enforced(load):
    assert load.exit_status(errors=0, missed=[], enforce=True) == 0
    assert load.exit_status(errors=0, missed=["x"], enforce=True) == 1
    assert load.exit_status(errors=0, missed=["x"], enforce=False) == 0
    assert load.exit_status(errors=1, missed=["every phase: errors 1, target 0"], enforce=False) == 1
    assert load.exit_status(errors=1, missed=[], enforce=True) == 1


class FakeApp(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 at once, and logs it as scripts/load.sh asks gunicorn to.

    The logged time (``%(D)s``, microseconds) is chosen, not measured: 10 ms, but every third
    assessments-list request 100 ms, so that list's p99/p50 is 10 whatever the machine does.
    """

    log_path: Path
    lock = threading.Lock()
    assessments = 0

    def answer(self):
        path = self.path.split("?")[0]
        micros = 10_000
        if path == "/api/v1/assessments/":
            with self.lock:
                FakeApp.assessments += 1
                if FakeApp.assessments % 3 == 0:
                    micros = 100_000
        with self.lock, open(self.log_path, "a") as log:
            log.write(f"{self.command} {path} 200 {micros}\n")
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", '"1"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PATCH = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server(tmp_path):
    FakeApp.log_path = tmp_path / "access.log"
    FakeApp.log_path.touch()
    FakeApp.assessments = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeApp.log_path
    server.shutdown()
    server.server_close()


def write_plan(path: Path) -> Path:
    lead = {"samples": [1], "assessments": [1], "defect": 1, "stream": "cc"}
    clients = [
        {"username": "a", "token": "t1", "role": "cps_lead", "organisation": "CPS-B01", **lead},
        {"username": "b", "token": "t2", "role": "police_lead", "organisation": "BF01", **lead},
        {"username": "c", "token": "t3", "role": "chief_officer", "force": "BF02", "stream": "mc"},
    ]
    one_force = {
        "measured": {"force": "BF06", "username": "c6", "token": "t6"},
        "largest": {"force": "BF01", "username": "c1", "token": "t7"},
    }
    plan = {"scale": 1, "database": "fake", "rows": {}, "clients": clients, "one_force": one_force}
    path.write_text(json.dumps(plan))
    return path


@pytest.mark.parametrize(("enforce", "status"), [("1", 1), ("0", 0)])
def test_a_run_records_its_targets_and_fails_on_a_missed_one_only_when_enforced(
    load, fake_server, tmp_path, monkeypatch, capsys, enforce, status
):
    url, log = fake_server
    monkeypatch.setattr(load, "BASE_DIR", tmp_path)
    monkeypatch.setattr(load, "MIN_TAIL_SAMPLES", 5)  # a run of 0.3 s phases; the minimum is tested above
    monkeypatch.setenv("LOAD_ENFORCE", enforce)
    plan = write_plan(tmp_path / "plan.json")
    argv = ["run", "--plan", str(plan), "--url", url, "--access-log", str(log), "--clients", "3"]
    argv += ["--seconds", "0.3", "--warmup", "0", "--endpoint-seconds", "0.3", "--summary-seconds", "0.3"]
    argv += ["--timeout", "5"]
    assert load.main(argv) == status

    (results_file,) = (tmp_path / "var" / "load").glob("results-*.json")
    results = json.loads(results_file.read_text())
    assert results["targets"] == load.TARGETS
    assert results["enforced"] is (enforce == "1")
    assert results["passed"] is (status == 0)
    assert results["floor_path"] == "/bench-floor/cases/"
    assert results["list_floors"]["defects list"] == {
        "path": "/bench-floor/defects/",
        "table": "disclosure_defect",
        "kind": DEFECTS_FLOOR,
    }
    # Each list's own floor was called alone (gunicorn's times for its path), and each list's ratio to it recorded
    # beside its ratio to the narrow floor (the key results files had before).
    for kind, floor in ((k, load.OWN_FLOORS[k]) for k in ("dip-samples list", "assessments list", "defects list")):
        assert results["alone"][floor]["server"]["requests"] > 0
        assert results["alone"][kind]["own_floor"] == floor
        expected = round(results["alone"][kind]["per_second"] / results["alone"][floor]["per_second"], 4)
        assert results["alone"][kind]["own_floor_ratio"] == expected
        assert "floor_ratio" in results["alone"][kind]
    assert results["alone"]["cases list"]["own_floor"] == load.FLOOR_KIND
    assert results["one_force"] == {"measured": "BF06", "largest": "BF01"}
    # Every kind judged was measured alone; the one-force summaries by a few clients of one chief.
    assert set(load.JUDGED) <= set(results["alone"])
    assert results["alone"]["force summary, the largest force"]["clients"] == 3
    assert results["alone"]["force summary, the largest force"]["force"] == "BF01"
    # The access log's times: every third assessments-list request at 100 ms, the rest at 10.
    assert results["alone"]["assessments list"]["server"]["p99_ms"] == 100.0
    assert results["alone"]["assessments list"]["server"]["p50_ms"] == 10.0
    assert "assessments list: p99 / p50 10.000 (100.0 / 10.0 ms), target <= 3.0" in results["missed_targets"]
    for kind in ("dip-samples list", "force summary, the largest force"):
        assert not any(line.startswith(f"{kind}: p99 / p50") for line in results["missed_targets"])
    out = capsys.readouterr()
    assert "Targets (issue 12" in out.out
    assert "x own floor" in out.out and "x narrow floor" in out.out
    assert ("FAIL: targets not met" if enforce == "1" else "MISSED (LOAD_ENFORCE=0: not failing)") in out.err


def test_the_one_force_summaries_are_the_benchs_force_and_the_largest(load):
    from types import SimpleNamespace

    import bench

    # Three Areas; the bench's measured Area (index 1) has forces 12 and 13; force 20 is the largest.
    areas = [SimpleNamespace(pk=pk) for pk in (1, 2, 3)]
    forces = [SimpleNamespace(pk=pk, area_id=area) for pk, area in ((11, 1), (12, 2), (13, 2), (20, 3))]
    weights = {11: 0.1, 12: 0.15, 13: 0.25, 20: 0.5}
    world = SimpleNamespace(areas=areas, forces=forces, force_weights=weights)
    assert bench.MEASURED_AREA_INDEX == 1
    chosen = load.summary_forces(world)
    assert {label: force.pk for label, force in chosen.items()} == {"measured": 13, "largest": 20}
