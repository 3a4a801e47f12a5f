"""The Complete button of a dip sample's page follows the service's completion rule: disabled, with the reason,
until every sampled schedule is assessed or marked not assessable and at least one is assessed."""

import re

from django.test import Client

from disclosure import services
from tests.factories import assess, make_sample

COMPLETE_FORM = re.compile(r'<form[^>]+action="/admin/disclosure/dipsample/\d+/complete/"')


def complete_button(world, sample) -> str:
    """The page's Complete button as its leads see it: 'enabled', or the reason shown by the disabled one."""
    client = Client()
    client.force_login(world.cps_lead)
    html = client.get(f"/admin/disclosure/dipsample/{sample.pk}/change/").content.decode()
    button = re.search(r'<input[^>]*id="complete-button"[^>]*>', html)
    assert button is not None, "the sample's lead is shown the Complete button"
    if "disabled" not in button.group(0):
        assert COMPLETE_FORM.search(html)
        return "enabled"
    assert not COMPLETE_FORM.search(html)
    reason = re.search(r'<span class="help" id="complete-blocked">([^<]*)</span>', html)
    return reason.group(1).replace("&#x27;", "'") if reason else "(disabled, no reason)"


def test_it_is_disabled_with_the_count_until_every_schedule_is_assessed(world):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=2, schedules=2)
    first, second = sample.schedules.order_by("sampled__position")
    assert complete_button(world, sample).startswith("0 of 2 schedules assessed")

    assess(actor=world.gmp_lead, sample=sample, schedule=first)
    assert complete_button(world, sample).startswith("1 of 2 schedules assessed")

    services.dip_sample_mark_not_assessable(
        actor=world.cps_lead, dip_sample=sample, schedule=second, reason="The schedule was never served."
    )
    assert complete_button(world, sample) == "enabled"
    sample.refresh_from_db()
    services.dip_sample_complete(actor=world.cps_lead, dip_sample=sample)  # the service agrees


def test_it_stays_disabled_when_every_schedule_is_marked_not_assessable(world):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3, schedules=1)
    (only,) = sample.schedules.all()
    services.dip_sample_mark_not_assessable(
        actor=world.cps_lead, dip_sample=sample, schedule=only, reason="The schedule was never served."
    )
    assert complete_button(world, sample) == "Assess at least one schedule first."
