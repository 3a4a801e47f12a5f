"""The random draw: eligible schedules only, reproducible from the stored seed."""

import datetime
import random

import pytest
from django.db import transaction

from disclosure import services
from disclosure.models import DipSample, SampledSchedule
from tests.factories import last_year_month, make_case, make_schedule


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
    whole = services.dip_sample_draw(actor=world.cps_lead, dip_sample=_plan(world, first, last), size=50, seed=1)
    assert set(whole.sampled.values_list("schedule_id", flat=True)) == {s.pk for s in eligible}
    assert whole.eligible_count == 10
    # A second sample of the same period finds nothing left to draw.
    second = _plan(world, first, last)
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
