"""Changing and deleting a planned dip sample in the browser: the API's PATCH and DELETE, as web pages.

``change-plan/`` runs ``dip_sample_update`` with the fields of the API's PATCH; ``delete-planned/`` asks for a
confirmation, then runs ``dip_sample_delete``. Same rule (``may_change_dip_sample``: the sample's two leads), same
scoping (another tenant's sample is not found), same refusals (nothing written), same audit entries.
"""

import datetime

import pytest
from auditlog import get_logentry_model

from disclosure import services
from disclosure.models import DipSample
from disclosure.services.samples import may_change_dip_sample
from forces.models import Role, Stream
from tests.disclosure.test_admin_workflow import shown, signed_in, url
from tests.factories import UserFactory, last_year_month, make_sample, member

SAMPLES = "/api/v1/dip-samples/"
LogEntry = get_logentry_model()  # audit.AuditEvent


def uk(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def stored(sample: DipSample) -> dict:
    sample = DipSample.objects.get(pk=sample.pk)
    return {
        "period_start": sample.period_start,
        "period_end": sample.period_end,
        "cps_lead": sample.cps_lead_id,
        "police_lead": sample.police_lead_id,
        "overlap_reason": sample.overlap_reason,
        "row_version": sample.row_version,
    }


@pytest.fixture
def gmp(world):
    """Two planned GMP Crown Court samples (January and March of last year) and a drawn one (February)."""
    leads = {"cps_lead": world.cps_lead, "police_lead": world.gmp_lead, "force": world.gmp}
    return (
        make_sample(**leads, month=1, draw=False),
        make_sample(**leads, month=3, draw=False),
        make_sample(**leads, month=2),
    )


@pytest.fixture
def second_gmp_lead(world):
    user = UserFactory(username="gmp-lead-2")
    member(user, world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    return user


def plan_data(sample: DipSample, **changes) -> dict:
    """The change form as the page fills it in (the sample as stored), with ``changes`` typed over it."""
    data = {
        "row_version": sample.row_version,
        "period_start": uk(sample.period_start),
        "period_end": uk(sample.period_end),
        "cps_lead": sample.cps_lead_id or "",
        "police_lead": sample.police_lead_id or "",
        "overlap_reason": "",
    }
    return {**data, **changes}


# --- change --------------------------------------------------------------------------------


def test_a_police_lead_changes_the_plan_as_the_apis_patch_would(world, gmp, second_gmp_lead, client_for):
    by_page, by_api, _ = gmp
    first = last_year_month(1)[0]
    new_start = first + datetime.timedelta(days=2)
    before = stored(by_page)

    page = signed_in(world.gmp_lead).get(url("change", by_page.pk))
    form = page.context["plan_form"]
    assert {user.username for user in form.fields["police_lead"].queryset} == {"gmp-lead", "gmp-lead-2"}
    assert form.fields["cps_lead"].disabled  # the police side does not name the CPS lead

    response = signed_in(world.gmp_lead).post(
        url("changeplan", by_page.pk),
        # A CPS lead sent anyway is ignored: the field is not the police side's to change.
        plan_data(by_page, period_start=uk(new_start), police_lead=second_gmp_lead.pk, cps_lead=world.outsider.pk),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("change", by_page.pk)
    assert "The plan is changed." in shown(response)
    assert stored(by_page) == {
        **before,
        "period_start": new_start,
        "police_lead": second_gmp_lead.pk,
        "row_version": before["row_version"] + 1,
    }

    api_start = last_year_month(3)[0] + datetime.timedelta(days=2)
    api = client_for(world.gmp_lead).patch(
        f"{SAMPLES}{by_api.pk}/",
        {"period_start": api_start.isoformat(), "police_lead": "gmp-lead-2", "row_version": by_api.row_version},
        format="json",
    )
    assert api.status_code == 200, api.json()

    # The same grants follow (the new lead may change the sample, the old one no longer), and the same audit entry.
    for sample in (by_page, by_api):
        sample = DipSample.objects.get(pk=sample.pk)
        assert may_change_dip_sample(actor=second_gmp_lead, dip_sample=sample)
        assert not may_change_dip_sample(actor=world.gmp_lead, dip_sample=sample)
    page_entry, api_entry = (
        LogEntry.objects.get_for_object(sample).filter(action=LogEntry.Action.UPDATE).latest("id")
        for sample in (by_page, by_api)
    )
    assert page_entry.actor == api_entry.actor == world.gmp_lead
    assert set(page_entry.changes_dict) == set(api_entry.changes_dict) == {"period_start", "police_lead", "row_version"}


def test_a_stale_change_is_refused_with_the_reason_and_writes_nothing(world, gmp):
    sample, _, _ = gmp
    opened = signed_in(world.cps_lead).get(url("change", sample.pk)).context["plan_form"]["row_version"].value()
    first, last = last_year_month(1)
    services.dip_sample_update(
        actor=world.gmp_lead, dip_sample=sample, row_version=sample.row_version, period_end=last - datetime.timedelta(1)
    )
    meanwhile = stored(sample)

    response = signed_in(world.cps_lead).post(
        url("changeplan", sample.pk),
        {**plan_data(sample, period_start=uk(first + datetime.timedelta(days=5))), "row_version": opened},
        follow=True,
    )
    assert any("someone changed this sample after you opened the page" in text.lower() for text in shown(response))
    assert stored(sample) == meanwhile


def test_invalid_input_names_the_field_and_writes_nothing(world, gmp):
    sample, _, _ = gmp
    before = stored(sample)
    client = signed_in(world.cps_lead)

    backwards = client.post(
        url("changeplan", sample.pk), plan_data(sample, period_end=uk(sample.period_start - datetime.timedelta(1)))
    )
    assert backwards.status_code == 200
    assert backwards.context["plan_form"].errors["period_end"] == ["The period ends before it starts."]

    nonsense = client.post(url("changeplan", sample.pk), plan_data(sample, period_start="31/02/2025"))
    assert "period_start" in nonsense.context["plan_form"].errors

    not_a_lead = client.post(url("changeplan", sample.pk), plan_data(sample, cps_lead=world.kent_lead.pk))
    assert "cps_lead" in not_a_lead.context["plan_form"].errors  # not a choice: another Area's lead
    assert stored(sample) == before


def test_an_overlapping_period_needs_the_box_and_a_reason(world, gmp):
    sample, _, _ = gmp
    client = signed_in(world.cps_lead)
    into_february = uk(last_year_month(2)[0] + datetime.timedelta(days=4))
    before = stored(sample)

    refused = client.post(url("changeplan", sample.pk), plan_data(sample, period_end=into_february))
    assert any("tick the box" in text for text in shown(refused))
    assert stored(sample) == before

    allowed = client.post(
        url("changeplan", sample.pk),
        plan_data(sample, period_end=into_february, allow_overlap="on", overlap_reason="Late schedules re-served."),
    )
    assert allowed.status_code == 302
    assert stored(sample)["overlap_reason"] == "Late schedules re-served."


def test_the_change_form_and_delete_link_show_only_to_the_samples_leads_while_planned(world, gmp):
    planned, _, drawn = gmp
    lead = signed_in(world.cps_lead).get(url("change", planned.pk))
    assert lead.context["plan_form"] is not None
    assert url("deleteplanned", planned.pk) in lead.content.decode()
    for response in (
        signed_in(world.cps_quality).get(url("change", planned.pk)),  # reads the sample, does not lead it
        signed_in(world.cps_lead).get(url("change", drawn.pk)),  # drawn: neither step is offered
    ):
        assert response.context["plan_form"] is None
        assert "delete-planned" not in response.content.decode()


# --- delete --------------------------------------------------------------------------------


def test_a_lead_deletes_a_planned_sample_after_confirming(world, gmp):
    sample, _, _ = gmp
    client = signed_in(world.gmp_lead)
    confirm = client.get(url("deleteplanned", sample.pk))
    assert confirm.status_code == 200
    assert "Yes, delete this planned sample" in confirm.content.decode()
    assert DipSample.objects.filter(pk=sample.pk).exists()  # asking deletes nothing

    response = client.post(url("deleteplanned", sample.pk), {"row_version": sample.row_version}, follow=True)
    assert response.redirect_chain[-1][0] == url("changelist")
    assert any(f"Dip sample No. {sample.pk}" in text and "deleted" in text for text in shown(response))
    assert not DipSample.objects.filter(pk=sample.pk).exists()
    entry = LogEntry.objects.filter(
        content_type__model="dipsample", object_pk=str(sample.pk), action=LogEntry.Action.DELETE
    ).get()
    assert entry.actor == world.gmp_lead


def test_deleting_a_drawn_sample_is_refused_with_the_services_reason(world, gmp):
    _, _, drawn = gmp
    before = stored(drawn)
    response = signed_in(world.cps_lead).post(
        url("deleteplanned", drawn.pk), {"row_version": drawn.row_version}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("change", drawn.pk)
    assert "Only a planned sample with no assessments can be deleted." in shown(response)
    assert stored(drawn) == before
    # Nor is a confirmation offered for it: back to its page with the reason.
    asked = signed_in(world.cps_lead).get(url("deleteplanned", drawn.pk), follow=True)
    assert asked.redirect_chain[-1][0] == url("change", drawn.pk)
    assert "Only a planned sample with no assessments can be deleted." in shown(asked)


def test_a_stale_delete_is_refused_and_deletes_nothing(world, gmp):
    sample, _, _ = gmp
    seen = sample.row_version
    services.dip_sample_update(
        actor=world.cps_lead, dip_sample=sample, row_version=seen, period_end=sample.period_end - datetime.timedelta(1)
    )
    response = signed_in(world.cps_lead).post(url("deleteplanned", sample.pk), {"row_version": seen}, follow=True)
    assert any("after you opened the page" in text for text in shown(response))
    assert DipSample.objects.filter(pk=sample.pk).exists()


# --- who ----------------------------------------------------------------------------------


def every_new_request(sample):
    return [
        ("post", url("changeplan", sample.pk), plan_data(sample)),
        ("get", url("deleteplanned", sample.pk), None),
        ("post", url("deleteplanned", sample.pk), {"row_version": sample.row_version}),
    ]


@pytest.mark.parametrize(("who", "status"), [("kent_lead", 404), ("outsider", 404), ("cps_quality", 403)])
def test_another_areas_lead_gets_404_and_a_reader_who_does_not_lead_it_403(world, gmp, who, status):
    sample, _, _ = gmp
    before = stored(sample)
    client = signed_in(getattr(world, who))
    for method, path, data in every_new_request(sample):
        assert getattr(client, method)(path, data).status_code == status, path
    assert stored(sample) == before
