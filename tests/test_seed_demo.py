"""`manage.py seed_demo`: exactly the demo users of docs/architecture.md, realistic data, idempotent."""

import ast
import inspect
import io
import random

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

import disclosure.demo
import forces.demo
from backend.management.commands import seed_demo
from disclosure.models import Assessment, Case, Criterion, Defect, DipSample, Schedule
from reports.models import ActionItem, Meeting

#: Checklist v1's critical criteria, written out from ADR 0006 (not read from the code under test).
CRITICAL_V1 = {"N7", "N8", "E1"}

PASSWORD = "demo-password-for-tests"

# docs/architecture.md "Demo data", written out by hand.
EXPECTED_USERS = {
    *(f"{org}-{stream}-lead" for org in ("cps", "gmp", "lancs", "cumbria") for stream in ("mc", "cc", "rasso")),
    "gmp-chief",
    "lancs-chief",
    "cumbria-chief",
    "cps-quality",
    "cps-admin",
    "gmp-admin",
    "lancs-admin",
    "cumbria-admin",
    "admin",
}


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
@pytest.mark.heavy
@pytest.mark.timeout(300)  # builds and checks months of samples: legitimately longer than the 60 s default
def test_seed_demo_builds_the_demo_area_and_is_idempotent(settings):
    settings.DEMO_PASSWORD = PASSWORD
    # A whole year: the trends, the monthly forums and the quarterly meetings need it (DEMO_MONTHS is the knob).
    call_command("seed_demo", stdout=io.StringIO())
    User = get_user_model()
    assert set(User.objects.values_list("username", flat=True)) == EXPECTED_USERS
    assert User.objects.get(username="admin").is_superuser

    # Months of signed-off samples for every force and stream, with different defect profiles.
    signed = DipSample.objects.filter(status="signed_off")
    assert set(signed.values_list("force__code", "stream").distinct()) == {
        (force, stream) for force in ("GMP", "LANCS", "CUMBRIA") for stream in ("mc", "cc", "rasso")
    }
    rates = {}
    for force in ("GMP", "LANCS", "CUMBRIA"):
        assessed = Assessment.objects.filter(force__code=force)
        defective = assessed.filter(defects__category__side="police").distinct().count()
        rates[force] = defective / assessed.count()
    assert rates["GMP"] > rates["LANCS"] > rates["CUMBRIA"]
    assert Defect.objects.values("category").distinct().count() >= 10

    _assert_the_samples_keep_the_rules()
    _assert_the_timestamps_are_when_it_would_have_happened()
    _assert_the_forces_have_their_trends()
    _assert_a_year_of_meetings()

    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before

    for username in sorted(EXPECTED_USERS):
        response = APIClient().post("/api/v1/auth/login/", {"username": username, "password": PASSWORD}, format="json")
        assert response.status_code == 200, username


def _expected_rating(answers: dict[str, str]) -> str:
    """The rule of ADR 0006, written independently of ``disclosure.rating``."""
    said = {code: result for code, result in answers.items() if result != "not_applicable"}
    if any(said[code] == "not_meeting" for code in said.keys() & CRITICAL_V1):
        return "not_meeting"
    if set(said.values()) - {"fully_meets"}:
        return "partially_meets"
    return "fully_meets"


def _assert_the_samples_keep_the_rules():
    """Every demo sample drawn at random (reproducibly), every drawn schedule assessed, ratings per the answers."""
    applying = {
        kind: {
            code
            for code, applies_to in Criterion.objects.filter(checklist__version=1).values_list("code", "applies_to")
            if kind in applies_to or "drs" in applies_to
        }
        for kind in ("mg6c", "mg6d", "mg6e", "sdc", "dmd")
    }
    samples = DipSample.objects.all()
    assert samples.exists()
    for sample in samples:
        assert sample.status != "planned", sample
        in_period = sorted(
            Schedule.objects.filter(
                force_id=sample.force_id,
                case__stream=sample.stream,
                received_on__range=(sample.period_start, sample.period_end),
            ).values_list("pk", flat=True)
        )
        assert sample.eligible_ids == in_period, sample
        drawn = list(sample.sampled.order_by("position").values_list("schedule_id", "method"))
        assert {method for _, method in drawn} == {"random"}, sample
        assert [pk for pk, _ in drawn] == random.Random(sample.seed).sample(in_period, sample.size), sample
        assessed = dict(sample.assessments.values_list("schedule_id", "pk"))
        assert set(assessed) == {pk for pk, _ in drawn}, sample
    for assessment in Assessment.objects.select_related("schedule").prefetch_related("answers__criterion"):
        answers = {answer.criterion.code: answer.result for answer in assessment.answers.all()}
        assert set(answers) == applying[assessment.schedule.kind], assessment
        assert assessment.rating == _expected_rating(answers), (assessment, answers)
    assert not Defect.objects.filter(
        assessment__rating="fully_meets", severity="critical", category__side="police"
    ).exists()


def _assert_the_timestamps_are_when_it_would_have_happened():
    """Nothing stamped with the moment the seed ran: each row when its step would have been taken."""
    now = timezone.now()
    for schedule in Schedule.objects.all():
        assert schedule.created_at.date() == schedule.received_on, schedule
    for case in Case.objects.prefetch_related("schedules"):
        assert case.created_at == min(s.created_at for s in case.schedules.all()), case
    for sample in DipSample.objects.all():
        assert sample.period_end < sample.created_at.date() <= sample.drawn_at.date(), sample
        assert sample.drawn_at <= now
        if sample.status == "signed_off":
            assert sample.drawn_at < sample.completed_at < sample.cps_signed_off_at < sample.police_signed_off_at <= now
    for assessment in Assessment.objects.select_related("dip_sample"):
        sample = assessment.dip_sample
        assert sample.drawn_at <= assessment.created_at <= now, assessment
        if sample.completed_at:
            assert assessment.created_at < sample.completed_at, assessment
    for defect in Defect.objects.select_related("assessment"):
        assert defect.assessment.created_at <= defect.created_at <= now, (
            defect
        )  # equal only when both are capped at now
    # The timestamps spread over the year: far from all on one day.
    assert Assessment.objects.dates("created_at", "month").count() >= 11


def _defective_share(assessments):
    total = assessments.count()
    defective = assessments.filter(defects__category__side="police").distinct().count()
    return defective / total


def _assert_the_forces_have_their_trends():
    """GMP improves over the year, LANCS stays flat, CUMBRIA gets worse (first half against second)."""
    periods = sorted(DipSample.objects.values_list("period_end", flat=True).distinct())
    middle = periods[len(periods) // 2]
    change = {}
    for force in ("GMP", "LANCS", "CUMBRIA"):
        assessed = Assessment.objects.filter(force__code=force)
        first = _defective_share(assessed.filter(dip_sample__period_end__lt=middle))
        second = _defective_share(assessed.filter(dip_sample__period_end__gte=middle))
        change[force] = second - first
    assert change["GMP"] < -0.1, change
    assert abs(change["LANCS"]) < 0.1, change
    assert change["CUMBRIA"] > 0.1, change


def _assert_a_year_of_meetings():
    """Monthly joint forums and quarterly chief officer meetings per force, with action items, some overdue."""
    today = timezone.localdate()
    assert Meeting.objects.filter(kind="joint_forum").count() == 12
    chief = Meeting.objects.filter(kind="chief_officer").prefetch_related("forces")
    assert sorted(force.code for meeting in chief for force in meeting.forces.all()) == sorted(
        ["CUMBRIA", "GMP", "LANCS"] * 4
    )
    held = Meeting.objects.filter(held_on__lte=today)
    assert held.count() >= 18
    for meeting in held:
        assert meeting.snapshot and meeting.created_at.date() < meeting.held_on, meeting
        assert all(figures["schedules_assessed"] > 0 for figures in meeting.snapshot.values()), meeting
    overdue = ActionItem.objects.filter(status="open", due_on__lt=today)
    assert overdue.exists()
    assert ActionItem.objects.filter(status="done").count() > overdue.count()
    for item in ActionItem.objects.select_related("meeting"):
        assert item.created_at.date() == item.meeting.held_on, item
        if item.status == "done":
            assert item.created_at <= item.done_at <= timezone.now(), item


def _iterated_sets(module) -> list[str]:
    """``for`` loops and comprehensions in ``module`` that iterate a set (whose order follows the hash seed)."""
    found = []
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(node, ast.For | ast.comprehension):
            continue
        iterated = node.iter
        is_set = isinstance(iterated, ast.Set | ast.SetComp) or (
            isinstance(iterated, ast.Call)
            and isinstance(iterated.func, ast.Name)
            and iterated.func.id in {"set", "frozenset"}
        )
        if is_set:
            found.append(f"{module.__name__}: {ast.unparse(iterated)}")
    return found


def test_the_demo_seeder_never_iterates_over_a_set():
    """Deterministic as it claims: no step depends on PYTHONHASHSEED through the order of a set."""
    assert [found for module in (seed_demo, forces.demo, disclosure.demo) for found in _iterated_sets(module)] == []
