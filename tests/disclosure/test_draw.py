"""The random draw: eligible schedules only, reproducible from the stored seed."""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from disclosure import services
from disclosure.models import DipSample, SampledSchedule
from disclosure.selectors import draw_cap
from tests.factories import assess, last_year_month, make_case, make_schedule


@pytest.fixture
def march(world):
    """Ten eligible GMP cc schedules in March of last year, and decoys that are not eligible."""
    first, last = last_year_month(3)
    eligible = []
    for day in range(10):
        case = make_case(actor=world.gmp_lead, force=world.gmp)
        eligible.append(
            make_schedule(actor=world.gmp_lead, case=case, received_on=first + datetime.timedelta(days=day))
        )
    decoys = [
        make_schedule(
            actor=world.lancs_lead, case=make_case(actor=world.lancs_lead, force=world.lancs), received_on=first
        ),
        make_schedule(
            actor=world.gmp_mc_lead,
            case=make_case(actor=world.gmp_mc_lead, force=world.gmp, stream="mc"),
            received_on=first,
        ),
        make_schedule(
            actor=world.gmp_lead,
            case=make_case(actor=world.gmp_lead, force=world.gmp),
            received_on=last + datetime.timedelta(days=1),
        ),
        make_schedule(
            actor=world.gmp_lead,
            case=make_case(actor=world.gmp_lead, force=world.gmp),
            received_on=first - datetime.timedelta(days=1),
        ),
    ]
    return first, last, eligible, decoys


def _plan(world, first, last):
    return services.dip_sample_create(
        actor=world.cps_lead,
        force=world.gmp,
        stream="cc",
        period_start=first,
        period_end=last,
        police_lead=world.gmp_lead,
    )


def test_the_draw_is_pythons_seeded_sample_of_the_sorted_eligible_ids(world, march):
    first, last, eligible, _ = march
    sample = services.dip_sample_draw(actor=world.cps_lead, dip_sample=_plan(world, first, last), size=4, seed=99)
    expected = random.Random(99).sample(sorted(s.pk for s in eligible), 4)
    drawn = list(
        SampledSchedule.objects.filter(dip_sample=sample).order_by("position").values_list("schedule_id", flat=True)
    )
    assert drawn == expected
    assert (sample.seed, sample.size, sample.eligible_count) == (99, 4, 10)


def test_the_same_seed_draws_the_same_schedules(world, march):
    first, last, _, _ = march
    sample = _plan(world, first, last)
    selections = []
    for _ in range(2):
        with transaction.atomic():
            drawn = services.dip_sample_draw(actor=world.cps_lead, dip_sample=sample, size=5, seed=2025)
            selections.append(list(drawn.sampled.values_list("schedule_id", flat=True)))
            transaction.set_rollback(True)  # undo, and draw again from the same state
    assert selections[0] == selections[1]
    with transaction.atomic():
        other = services.dip_sample_draw(actor=world.cps_lead, dip_sample=sample, size=5, seed=2026)
        assert list(other.sampled.values_list("schedule_id", flat=True)) != selections[0]
        transaction.set_rollback(True)


def test_only_the_force_stream_and_period_are_eligible_and_never_twice(world, march):
    first, last, eligible, decoys = march
    whole = services.dip_sample_draw(actor=world.cps_lead, dip_sample=_plan(world, first, last), size=10, seed=1)
    assert set(whole.sampled.values_list("schedule_id", flat=True)) == {s.pk for s in eligible}
    assert whole.eligible_count == 10
    # A second sample of the same period (allowed, with a reason) finds nothing left to draw.
    second = services.dip_sample_create(
        actor=world.cps_lead,
        force=world.gmp,
        stream="cc",
        period_start=first,
        period_end=last,
        allow_overlap=True,
        overlap_reason="A second look at the same month.",
    )
    with pytest.raises(services.samples.InvalidStateError):
        services.dip_sample_draw(actor=world.cps_lead, dip_sample=second, size=1, seed=1)
    assert DipSample.objects.get(pk=second.pk).status == "planned"
    assert not SampledSchedule.objects.filter(schedule__in=decoys).exists()


def test_a_seed_is_generated_and_kept_when_none_is_given(world, march, client_for):
    first, last, _, _ = march
    sample = _plan(world, first, last)
    response = client_for(world.cps_lead).post(f"/api/v1/dip-samples/{sample.pk}/draw/", {"size": 3}, format="json")
    body = response.json()
    assert isinstance(body["seed"], int)
    expected = random.Random(body["seed"]).sample(sorted(s.pk for s in march[2]), 3)
    assert body["selection"] == expected


def test_nothing_eligible_answers_409(world, client_for):
    first, last = last_year_month(8)
    sample = _plan(world, first, last)
    response = client_for(world.gmp_lead).post(f"/api/v1/dip-samples/{sample.pk}/draw/", {"size": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_eligible"


# --- the cap, the preview, the undo and the re-run ----------------------------------------


@pytest.mark.parametrize(
    ("eligible", "cap"),
    [(0, 0), (1, 1), (3, 3), (10, 10), (11, 10), (50, 10), (51, 11), (100, 20), (1000, 200)],
)
def test_the_draw_cap_is_the_larger_of_ten_and_a_fifth_but_never_more_than_all(eligible, cap):
    assert draw_cap(eligible) == cap


def test_a_draw_larger_than_the_cap_is_refused_naming_the_cap(world, march, client_for):
    first, last, eligible, _ = march
    for day in (20, 21):  # twelve eligible: the cap is ten
        case = make_case(actor=world.gmp_lead, force=world.gmp)
        eligible.append(
            make_schedule(actor=world.gmp_lead, case=case, received_on=first + datetime.timedelta(days=day))
        )
    sample = _plan(world, first, last)
    response = client_for(world.cps_lead).post(f"/api/v1/dip-samples/{sample.pk}/draw/", {"size": 12}, format="json")
    assert response.status_code == 400, response.json()
    assert "At most 10 of the 12" in response.json()["fields"]["size"][0]
    assert DipSample.objects.get(pk=sample.pk).status == "planned"
    assert not SampledSchedule.objects.exists()
    assert (
        client_for(world.cps_lead)
        .post(f"/api/v1/dip-samples/{sample.pk}/draw/", {"size": 10}, format="json")
        .status_code
        == 200
    )


def test_a_client_cannot_choose_the_seed(world, march, client_for):
    first, last, _, _ = march
    sample = _plan(world, first, last)
    url = f"/api/v1/dip-samples/{sample.pk}/draw/"
    response = client_for(world.cps_lead).post(url, {"size": 3, "seed": 5}, format="json")
    assert response.status_code == 400
    assert "seed" in response.json()["fields"]
    assert DipSample.objects.get(pk=sample.pk).status == "planned"


def test_the_preview_gives_the_count_the_cap_and_the_rule(world, march, client_for):
    first, last, eligible, _ = march
    sample = _plan(world, first, last)
    client = client_for(world.gmp_lead)
    url = f"/api/v1/dip-samples/{sample.pk}/eligible/"
    preview = client.get(url).json()
    assert (preview["count"], preview["cap"], preview["force"], preview["stream"]) == (10, 10, "GMP", "cc")
    assert preview["period"] == {"from": str(first), "to": str(last)}
    assert "20%" in preview["rule"]
    assert preview["drawn_from"] is None
    services.dip_sample_draw(actor=world.cps_lead, dip_sample=sample, size=4)
    after = client.get(url).json()
    assert (after["count"], after["drawn_from"]) == (6, sorted(s.pk for s in eligible))


def test_undraw_frees_the_schedules_while_nothing_is_assessed(world, march, client_for):
    first, last, eligible, _ = march
    sample = services.dip_sample_draw(actor=world.cps_lead, dip_sample=_plan(world, first, last), size=10)
    client = client_for(world.gmp_lead)
    undone = client.post(f"/api/v1/dip-samples/{sample.pk}/undraw/")
    assert undone.status_code == 200, undone.json()
    body = undone.json()
    assert (body["status"], body["seed"], body["size"], body["selection"], body["draw_count"]) == (
        "planned",
        None,
        None,
        [],
        1,
    )
    # The schedules are eligible again: the draw can be made afresh, and it is counted.
    again = services.dip_sample_draw(actor=world.cps_lead, dip_sample=sample, size=10)
    assert set(again.sampled.values_list("schedule_id", flat=True)) == {s.pk for s in eligible}
    assert again.draw_count == 2
    assess(actor=world.cps_lead, sample=again, schedule=eligible[0])
    refused = client.post(f"/api/v1/dip-samples/{sample.pk}/undraw/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_assessed"
    assert SampledSchedule.objects.filter(dip_sample=sample).count() == 10


def test_verify_draw_reruns_the_recorded_draw(world, march):
    first, last, eligible, _ = march
    sample = services.dip_sample_draw(actor=world.cps_lead, dip_sample=_plan(world, first, last), size=4)
    # A schedule received later, in the period, does not change what the draw was made from.
    make_schedule(actor=world.gmp_lead, case=make_case(actor=world.gmp_lead, force=world.gmp), received_on=last)
    out = io.StringIO()
    call_command("verify_draw", str(sample.pk), stdout=out)
    expected = random.Random(sample.seed).sample(sorted(s.pk for s in eligible), 4)
    assert out.getvalue().startswith("match")
    assert str(expected) in out.getvalue()

    # Swap one drawn schedule for another eligible one behind the service's back: a mismatch.
    first_drawn = SampledSchedule.objects.get(dip_sample=sample, position=1)
    other = next(s.pk for s in eligible if s.pk not in expected)
    SampledSchedule.objects.filter(pk=first_drawn.pk).update(schedule_id=other)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_draw", str(sample.pk), stdout=out)
    assert out.getvalue().startswith("mismatch")
