"""The force summary: every figure recomputed here in plain Python from the rows the test created.

The expectations never call the code under test: the rows are described in ``SAMPLES`` below,
created through the services, and the figures are recomputed from that description by the
rules of docs/decisions/0011-summaries-and-meetings.md, written out again here.
"""

import datetime
import math
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from disclosure import services
from disclosure.models import Defect, DefectCategory
from forces.models import Role
from tests.conftest import replayed
from tests.factories import UserFactory, answers_rated, make_feedback, make_sample, member

#: docs/domain.md "The defect taxonomy": side and default severity of the codes used here.
TAXONOMY = {
    "D01": ("police", "significant"),
    "D02": ("police", "significant"),
    "D03": ("police", "minor"),
    "C01": ("police", "critical"),
    "T01": ("police", "significant"),
    "P01": ("cps", "significant"),
    "P03": ("cps", "significant"),
}
#: The 21 codes of docs/domain.md.
ALL_CODES = (
    *("S01", "S02", "S03", "D01", "D02", "D03", "D04", "D05", "C01", "C02", "C03"),
    *("X01", "X02", "X03", "E01", "E02", "T01", "P01", "P02", "P03", "P04"),
)
Z = 1.959964


@dataclass
class Row:
    rating: str
    drs: bool
    fed_back: bool = False
    defects: list = field(default_factory=list)  # [(code, severity or None for the default)]


@dataclass
class Sample:
    force: str
    stream: str
    month: int
    signed: bool
    rows: list


def _year():
    return timezone.localdate().year - 1


def _month_end(month):
    first = datetime.date(_year(), month, 1)
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


SAMPLES = [
    Sample(
        "GMP",
        "cc",
        3,
        True,
        [
            Row("not_meeting", drs=False, fed_back=True, defects=[("D02", None), ("C01", None)]),
            Row("partially_meets", drs=True, defects=[("P01", None)]),  # CPS-side only: not defective
            Row("fully_meets", drs=False),
        ],
    ),
    Sample(
        "GMP",
        "mc",
        6,
        True,
        [
            Row("partially_meets", drs=True, defects=[("D01", "minor"), ("T01", None), ("P03", None)]),
            Row("fully_meets", drs=True),
        ],
    ),
    Sample("GMP", "cc", 5, False, [Row("partially_meets", drs=True, defects=[("D02", None)])]),  # not signed off
    Sample("GMP", "cc", 9, True, [Row("partially_meets", drs=True, fed_back=True, defects=[("D03", None)])]),
    Sample("LANCS", "cc", 3, True, [Row("not_meeting", drs=False, defects=[("C01", None)])]),  # another force
]


def build(world, samples=SAMPLES):
    """Create ``samples`` through the services (a sample per entry, a schedule per row)."""
    cps_mc = UserFactory(username="cps-mc-lead-for-summary")
    if not cps_mc.memberships.exists():
        member(cps_mc, world.nw, Role.DISCLOSURE_LEAD, "mc")
    lancs_police = world.lancs_lead
    categories = {c.code: c for c in DefectCategory.objects.all()}
    for spec in samples:
        force = {"GMP": world.gmp, "LANCS": world.lancs}[spec.force]
        cps = cps_mc if spec.stream == "mc" else world.cps_lead
        police = {"GMP": {"cc": world.gmp_lead, "mc": world.gmp_mc_lead}, "LANCS": {"cc": lancs_police}}[spec.force][
            spec.stream
        ]
        sample = make_sample(
            cps_lead=cps,
            police_lead=police,
            force=force,
            month=spec.month,
            stream=spec.stream,
            schedules=len(spec.rows),
        )
        schedules = list(sample.schedules.order_by("sampled__position"))
        for row, schedule in zip(spec.rows, schedules, strict=True):
            assessment = services.assessment_create(
                actor=cps,
                dip_sample=sample,
                schedule=schedule,
                answers=answers_rated(schedule.kind, row.rating),
                drs_complete=row.drs,
                prosecutor_fed_back=row.fed_back,
            )
            for code, severity in row.defects:
                services.defect_create(
                    actor=cps,
                    assessment=assessment,
                    category=categories[code],
                    severity=severity,
                    description="Items block listed as 'various documents'.",
                )
        if spec.signed:
            services.dip_sample_complete(actor=cps, dip_sample=sample)
            services.dip_sample_sign_off(actor=cps, dip_sample=sample)
            services.dip_sample_sign_off(actor=police, dip_sample=sample)


# --- the expectations, recomputed ---------------------------------------------------------------------------


def wilson_by_quadratic(k, n):
    """The Wilson bounds as the roots of (p̂ - p)² = z²·p(1-p)/n (another derivation than the code's)."""
    if n == 0:
        return 0.0, 1.0
    phat = k / n
    a = 1 + Z * Z / n
    b = -(2 * phat + Z * Z / n)
    c = phat * phat
    root = math.sqrt(b * b - 4 * a * c)
    return max(0.0, (-b - root) / (2 * a)), min(1.0, (-b + root) / (2 * a))


def counted(force, date_from, date_to, stream=None, include_unsigned=False, samples=SAMPLES):
    return [
        (spec, row)
        for spec in samples
        if spec.force == force
        and date_from <= _month_end(spec.month) <= date_to
        and (spec.signed or include_unsigned)
        and (stream is None or spec.stream == stream)
        for row in spec.rows
    ]


def police(row):
    return [(code, severity or TAXONOMY[code][1]) for code, severity in row.defects if TAXONOMY[code][0] == "police"]


def expected_headline(rows):
    n = len(rows)
    defective = [row for _, row in rows if police(row)]
    police_defects = sum(len(police(row)) for _, row in rows)
    low, high = wilson_by_quadratic(len(defective), n)
    return {
        "schedules_assessed": n,
        "ratings": {
            r: sum(1 for _, row in rows if row.rating == r) for r in ("fully_meets", "partially_meets", "not_meeting")
        },
        "defective_rate": {"value": len(defective) / n if n else None, "ci_low": low, "ci_high": high},
        "defects_per_schedule": police_defects / n if n else None,
        "drs_complete_rate": sum(1 for _, row in rows if row.drs) / n if n else None,
        "prosecutor_fed_back_rate": sum(1 for row in defective if row.fed_back) / len(defective) if defective else None,
    }


def expected_figures(rows):
    by_code = dict.fromkeys(ALL_CODES, 0)
    severities = {"minor": 0, "significant": 0, "critical": 0}
    for _, row in rows:
        for code, _ in row.defects:
            by_code[code] += 1
        for _, severity in police(row):
            severities[severity] += 1
    return {
        **expected_headline(rows),
        "defects_by_category": sorted(by_code.items(), key=lambda item: (-item[1], item[0])),
        "defects_by_severity": severities,
    }


def approx(value):
    if isinstance(value, dict):
        return {key: approx(item) for key, item in value.items()}
    if isinstance(value, float):
        return pytest.approx(value, abs=1e-4)
    return value


def assert_matches(answer, expected):
    got = {key: answer[key] for key in expected if key != "defects_by_category"}
    got_categories = [(row["code"], row["count"]) for row in answer["defects_by_category"]]
    assert got_categories == expected["defects_by_category"]
    assert got == approx({key: value for key, value in expected.items() if key != "defects_by_category"})


def get_summary(client, code="GMP", **params):
    return client.get(f"/api/v1/organisations/{code}/summary/", params)


# --- tests --------------------------------------------------------------------------------------------------


@pytest.fixture
def built(world):
    """``world`` with the rows of ``SAMPLES`` (replayed from a recording where one fits: tests/replay.py)."""
    replayed(world, "reports.test_summary.built", lambda: build(world))
    return world


def test_the_summary_counts_the_signed_off_samples_of_the_year(built, client_for):
    year = _year()
    answer = get_summary(client_for(built.gmp_chief), **{"from": f"{year}-01-01", "to": f"{year}-12-31"})
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    rows = counted("GMP", datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    assert len(rows) == 6  # A (3), B (2), D (1); not the unsigned C nor LANCS
    assert_matches(data, expected_figures(rows))
    assert data["force"] == "GMP"
    assert data["period"] == {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    assert data["include_unsigned"] is False and data["stream"] is None
    # Several categories, both sides: D02, C01, D01, T01, D03 (police) and P01, P03 (CPS) once each, zeros included.
    assert len(data["defects_by_category"]) == 21
    assert {row["code"] for row in data["defects_by_category"] if row["count"]} == {
        "D02",
        "C01",
        "D01",
        "T01",
        "D03",
        "P01",
        "P03",
    }
    assert data["feedback"] == {
        "sent": 0,
        "responded": 0,
        "responded_on_time": 0,
        "overdue": 0,
        "disputed": 0,
        "breaches": 0,
        "median_days_to_response": None,
    }


def test_include_unsigned_adds_the_samples_in_progress_and_says_so(built, client_for):
    year = _year()
    data = get_summary(
        client_for(built.cps_quality), **{"from": f"{year}-01-01", "to": f"{year}-12-31", "include_unsigned": "true"}
    ).json()
    rows = counted("GMP", datetime.date(year, 1, 1), datetime.date(year, 12, 31), include_unsigned=True)
    assert len(rows) == 7
    assert data["include_unsigned"] is True
    assert_matches(data, expected_figures(rows))


def test_a_sample_ending_on_the_last_day_is_in_and_the_next_day_out(built, client_for):
    year = _year()
    client = client_for(built.gmp_lead)
    inside = get_summary(client, **{"from": f"{year}-03-31", "to": f"{year}-03-31"}).json()
    assert inside["schedules_assessed"] == 3  # sample A's period ends on 31 March
    before = get_summary(client, **{"from": f"{year}-01-01", "to": f"{year}-03-30"}).json()
    assert before["schedules_assessed"] == 0
    after = get_summary(client, **{"from": f"{year}-04-01", "to": f"{year}-06-29"}).json()
    assert after["schedules_assessed"] == 0  # B ends on 30 June: the next day after the window
    assert get_summary(client, **{"from": f"{year}-04-01", "to": f"{year}-06-30"}).json()["schedules_assessed"] == 2


@pytest.mark.parametrize("stream", ["cc", "mc", "rasso"])
def test_a_stream_filter_counts_that_stream_only(built, client_for, stream):
    year = _year()
    data = get_summary(
        client_for(built.cps_admin), **{"from": f"{year}-01-01", "to": f"{year}-12-31", "stream": stream}
    ).json()
    rows = counted("GMP", datetime.date(year, 1, 1), datetime.date(year, 12, 31), stream=stream)
    assert data["stream"] == stream
    assert_matches(data, expected_figures(rows))
    assert [row["stream"] for row in data["by_stream"]] == [stream]


def test_by_stream_and_the_monthly_series(built, client_for):
    year = _year()
    data = get_summary(client_for(built.gmp_chief), **{"from": f"{year}-01-01", "to": f"{year}-12-31"}).json()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    for row in data["by_stream"]:
        expected = expected_headline(counted("GMP", start, end, stream=row["stream"]))
        assert {key: row[key] for key in expected} == approx(expected), row["stream"]
    assert [row["stream"] for row in data["by_stream"]] == ["mc", "cc", "rasso"]
    assert [row["month"] for row in data["monthly"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
    for month, row in enumerate(data["monthly"], start=1):
        rows = counted("GMP", datetime.date(year, month, 1), _month_end(month))
        headline = expected_headline(rows)
        assert row["schedules_assessed"] == headline["schedules_assessed"], month
        assert row["defective_rate"] == approx(headline["defective_rate"]), month


def test_previous_is_the_window_of_equal_length_just_before(built, client_for):
    year = _year()
    data = get_summary(client_for(built.gmp_chief), **{"from": f"{year}-07-01", "to": f"{year}-12-31"}).json()
    # 184 days: 1 July .. 31 December; the previous 184 days end on 30 June.
    previous_from = datetime.date(year, 6, 30) - datetime.timedelta(days=183)
    assert data["previous"]["period"] == {"from": previous_from.isoformat(), "to": f"{year}-06-30"}
    assert_matches(data, expected_figures(counted("GMP", datetime.date(year, 7, 1), datetime.date(year, 12, 31))))
    assert_matches(data["previous"], expected_figures(counted("GMP", previous_from, datetime.date(year, 6, 30))))
    assert data["previous"]["schedules_assessed"] == 5
    assert data["schedules_assessed"] == 1


def test_each_window_counts_the_feedback_on_its_own_defects_and_an_item_on_both_in_both(world, client_for):
    """The two windows share their statements: a sample ending on the previous window's last day is in that window
    only, with its defects and their feedback; an item about defects of both windows counts once in each."""
    year = _year()
    june = Sample("GMP", "cc", 6, True, [Row("partially_meets", drs=True, defects=[("D02", None)])])
    july = Sample("GMP", "cc", 7, True, [Row("not_meeting", drs=False, defects=[("D01", None), ("P01", None)])])
    build(world, [june, july])
    d02 = Defect.objects.get(force=world.gmp, category__code="D02")  # in June's sample: ends on 30 June
    d01 = Defect.objects.get(force=world.gmp, category__code="D01")  # in July's sample
    make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[d02], status="responded")
    make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[d01], status="sent")
    make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[d02, d01], status="sent")
    make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=[d01], status="draft")

    data = get_summary(client_for(world.gmp_chief), **{"from": f"{year}-07-01", "to": f"{year}-12-31"}).json()
    previous_from = datetime.date(year, 6, 30) - datetime.timedelta(days=183)
    assert data["previous"]["period"] == {"from": previous_from.isoformat(), "to": f"{year}-06-30"}
    samples = [june, july]
    current_rows = counted("GMP", datetime.date(year, 7, 1), datetime.date(year, 12, 31), samples=samples)
    previous_rows = counted("GMP", previous_from, datetime.date(year, 6, 30), samples=samples)
    assert [row.rating for _, row in current_rows] == ["not_meeting"]
    assert [row.rating for _, row in previous_rows] == ["partially_meets"]
    assert_matches(data, expected_figures(current_rows))
    assert_matches(data["previous"], expected_figures(previous_rows))
    # This window: the item on D01 and the one on both (sent, unanswered); the draft is not sent.
    assert data["feedback"] == {
        "sent": 2,
        "responded": 0,
        "responded_on_time": 0,
        "overdue": 0,
        "disputed": 0,
        "breaches": 0,
        "median_days_to_response": None,
    }
    # The previous one: the item on D02 (answered the day it was sent: 0 working days) and the one on both.
    assert data["previous"]["feedback"] == {
        "sent": 2,
        "responded": 1,
        "responded_on_time": 1,
        "overdue": 0,
        "disputed": 0,
        "breaches": 0,
        "median_days_to_response": 0.0,
    }
    assert [row["schedules_assessed"] for row in data["monthly"]] == [1, 0, 0, 0, 0, 0]
    assert {row["stream"]: row["schedules_assessed"] for row in data["by_stream"]} == {"mc": 0, "cc": 1, "rasso": 0}


def test_an_empty_window_reads_zeros_and_a_defined_interval(world, client_for):
    data = get_summary(client_for(world.gmp_chief), **{"from": "2001-01-01", "to": "2001-12-31"}).json()
    assert data["schedules_assessed"] == 0
    assert data["ratings"] == {"fully_meets": 0, "partially_meets": 0, "not_meeting": 0}
    assert data["defective_rate"] == {"value": None, "ci_low": 0.0, "ci_high": 1.0}
    assert data["defects_per_schedule"] is None
    assert data["drs_complete_rate"] is None and data["prosecutor_fed_back_rate"] is None
    assert [(row["code"], row["count"]) for row in data["defects_by_category"]] == [
        (code, 0) for code in sorted(ALL_CODES)
    ]
    assert data["defects_by_severity"] == {"minor": 0, "significant": 0, "critical": 0}
    assert all(row["defective_rate"] == {"value": None, "ci_low": 0.0, "ci_high": 1.0} for row in data["monthly"])
    assert data["previous"]["schedules_assessed"] == 0


def test_the_default_window_is_the_last_twelve_full_months(world, client_for):
    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    first = datetime.date(last.year - 1, last.month, 1) + datetime.timedelta(days=32)
    first = first.replace(day=1)
    data = get_summary(client_for(world.gmp_chief)).json()
    assert data["period"] == {"from": first.isoformat(), "to": last.isoformat()}
    assert len(data["monthly"]) == 12


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-02-30", "to": "2025-03-31"}, "from"),
        ({"from": "2025-01-01", "to": "31/12/2025"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2025-06-01", "to": "2025-05-31"}, "to"),
        ({"from": "1900-01-01", "to": "2025-01-01"}, "from"),
        ({"stream": "traffic"}, "stream"),
        ({"include_unsigned": "perhaps"}, "include_unsigned"),
    ],
)
def test_bad_or_impossible_windows_are_refused_naming_the_parameter(world, client_for, params, field):
    answer = get_summary(client_for(world.cps_quality), **params)
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"]


def test_a_chief_officer_reads_only_their_own_force_and_no_case_level_row(built, client_for):
    client = client_for(built.gmp_chief)
    assert get_summary(client).status_code == 200
    assert get_summary(client, "LANCS").status_code == 404
    assert get_summary(client, "KENT").status_code == 404
    assert client.get("/api/v1/organisations/CPS-NW/comparison/").status_code == 404
    for resource in ("cases", "schedules", "dip-samples", "assessments", "defects", "audit-events"):
        answer = client.get(f"/api/v1/{resource}/")
        assert answer.status_code == 200 and answer.json()["count"] == 0, resource


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 0, 0.0, 1.0),
        (0, 10, 0.0, 0.27753),  # z²/(n+z²) = 3.84146/13.84146
        (10, 10, 0.72247, 1.0),
        (5, 10, 0.23659, 0.76341),  # 0.5 ± 1.959964·sqrt(0.025 + 0.0096037)/1.384146
    ],
)
def test_the_wilson_interval_matches_hand_computed_values(successes, n, low, high):
    from reports.selectors import wilson_interval

    got_low, got_high = wilson_interval(successes, n)
    assert got_low == pytest.approx(low, abs=1e-5)
    assert got_high == pytest.approx(high, abs=1e-5)


# --- query counts -------------------------------------------------------------------------------------------


def _copy(months):
    return [
        Sample(
            "GMP",
            "cc",
            month,
            True,
            [Row("not_meeting", drs=False, defects=[("D02", None), ("C01", None)]), Row("fully_meets", drs=True)],
        )
        for month in months
    ] + [
        Sample("LANCS", "cc", month, True, [Row("partially_meets", drs=True, defects=[("D01", None)])])
        for month in months
    ]


def test_the_summary_and_comparison_cost_the_same_queries_when_rows_double(world, client_for, count_queries):
    year = _year()
    window = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    client = client_for(world.cps_quality)
    build(world, _copy([1, 2]))
    with count_queries() as small:
        small_summary = get_summary(client, **window).json()
    with count_queries() as small_comparison:
        client.get("/api/v1/organisations/CPS-NW/comparison/", window)
    build(world, _copy([3, 4, 5, 6]))
    with count_queries() as large:
        large_summary = get_summary(client, **window).json()
    with count_queries() as large_comparison:
        client.get("/api/v1/organisations/CPS-NW/comparison/", window)
    assert large_summary["schedules_assessed"] == 3 * small_summary["schedules_assessed"] > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(large_comparison) == len(small_comparison), [q["sql"] for q in large_comparison.captured_queries]


def test_the_headline_totals_ask_whether_an_assessment_has_a_police_defect_once(world, client_for, count_queries):
    """The defective and fed-back counts share one ``EXISTS`` per assessment (it was run twice: profile of issue 12),
    and the summary reads the assessments of its window and of the previous one in one statement (it read them in
    four: the totals of each window, the streams and the months)."""
    year = _year()
    window = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    client = client_for(world.cps_quality)
    build(world, _copy([1, 2]))
    with count_queries() as summary:
        figures = get_summary(client, **window).json()
    with count_queries() as comparison:
        client.get("/api/v1/organisations/CPS-NW/comparison/", window)
    # 2 months x GMP's (not_meeting with D02 and C01, not fed back; fully_meets without a defect).
    assert figures["schedules_assessed"] == 4
    assert figures["defective_rate"]["value"] == 0.5
    for captured in (summary, comparison):  # both windows with their streams and months; the Area's forces
        statements = [q["sql"] for q in captured.captured_queries if "prosecutor_fed_back" in q["sql"]]
        assert len(statements) == 1, statements
        assert statements[0].upper().count("EXISTS(") == 1, statements[0]


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"from": "0001-01-01", "to": "0001-06-30"}, "from"),  # the window before would leave the calendar
        ({"from": "9999-06-01", "to": "9999-12-31"}, "to"),
        ({"from": "1899-01-01", "to": "1899-12-31"}, "from"),
    ],
)
def test_a_window_outside_the_years_kept_is_a_400_naming_it(world, client_for, window, field):
    response = client_for(world.gmp_chief).get("/api/v1/organisations/GMP/summary/", window)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_meeting_about_a_period_outside_the_years_kept_is_a_400_naming_it(world, client_for):
    body = {
        "area": "CPS-NW",
        "forces": ["GMP"],
        "kind": "joint_forum",
        "held_on": "2030-01-10",
        "period_start": "0001-01-01",
        "period_end": "0001-03-31",
    }
    response = client_for(world.cps_lead).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 400, response.content
    assert "period_start" in response.json()["fields"]


# --- who may read it: asked once a request, checked twice ----------------------------------------------------


def _statements_on(captured, table):
    return [q["sql"] for q in captured.captured_queries if f'"{table}"' in q["sql"]]


def test_the_view_and_the_selector_read_who_may_read_a_roll_up_once_a_request(world, client_for, count_queries):
    """The view's lookup and the selector's own check both apply the summary rule (a grant of ``view_summary`` or
    a case-level reader), but read it in one statement: building it twice cost more than the summary's SQL at one
    Area's volume (docs/PERFORMANCE.md, "National volume summaries")."""
    year = _year()
    window = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    with count_queries() as summary:
        assert get_summary(client_for(world.gmp_chief), **window).status_code == 200
    with count_queries() as comparison:
        assert client_for(world.cps_quality).get("/api/v1/organisations/CPS-NW/comparison/", window).status_code == 200
    assert len(_statements_on(summary, "forces_organisationuserobjectpermission")) == 1
    assert len(_statements_on(comparison, "forces_organisationuserobjectpermission")) == 1


def test_the_selectors_own_check_still_refuses_inside_a_request(world):
    """What the request read about the reader answers the selector's check too: it still says no to another
    force's summary and to another Area's comparison (and yes to their own)."""
    from django.http import Http404

    from backend.querysets import request_memo
    from reports import selectors

    year = _year()
    window = {"date_from": datetime.date(year, 1, 1), "date_to": datetime.date(year, 12, 31)}
    with request_memo():
        assert selectors.force_summary(user=world.gmp_chief, force=world.gmp, **window)["force"] == "GMP"
        with pytest.raises(Http404):
            selectors.force_summary(user=world.gmp_chief, force=world.lancs, **window)
        with pytest.raises(Http404):
            selectors.area_comparison(user=world.gmp_chief, area=world.nw, **window)
        assert selectors.area_comparison(user=world.cps_quality, area=world.nw, **window)["area"] == "CPS-NW"


def test_a_category_moved_to_the_police_side_counts_in_the_next_summary(world, client_for):
    """The police-side categories are read on each call and bound as values (not joined per defect): a change
    of the taxonomy shows in the next summary, and in the Area comparison."""
    samples = [Sample("GMP", "cc", 3, True, [Row("partially_meets", drs=True, defects=[("P01", None)])])]
    build(world, samples)
    year = _year()
    window = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    client = client_for(world.cps_quality)
    before = get_summary(client, **window).json()
    assert before["defective_rate"]["value"] == 0.0  # a CPS-side defect only
    DefectCategory.objects.filter(code="P01").update(side="police")
    after = get_summary(client, **window).json()
    assert after["defective_rate"]["value"] == 1.0
    assert after["defects_per_schedule"] == 1.0
    comparison = client.get("/api/v1/organisations/CPS-NW/comparison/", window).json()
    gmp = next(row for row in comparison["forces"] if row["force"] == "GMP")
    assert gmp["defective_rate"]["value"] == 1.0 and gmp["defects_per_schedule"] == 1.0


def test_with_no_police_side_category_nothing_is_defective_and_nothing_fails(world, client_for):
    """No police-side category at all (an empty list of ids): the summary and the comparison still answer."""
    build(world, [Sample("GMP", "cc", 3, True, [Row("not_meeting", drs=False, defects=[("D02", None)])])])
    DefectCategory.objects.update(side="cps")
    year = _year()
    window = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    client = client_for(world.cps_quality)
    summary = get_summary(client, **window)
    assert summary.status_code == 200, summary.content
    assert summary.json()["schedules_assessed"] == 1
    assert summary.json()["defective_rate"]["value"] == 0.0
    assert summary.json()["defects_by_severity"] == {"minor": 0, "significant": 0, "critical": 0}
    comparison = client.get("/api/v1/organisations/CPS-NW/comparison/", window)
    assert comparison.status_code == 200, comparison.content
    assert comparison.json()["total"]["defects_per_schedule"] == 0.0
