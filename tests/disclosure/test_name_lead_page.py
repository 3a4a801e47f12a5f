"""A side's lead names their side's lead of a dip sample in the browser, as the API's PATCH allows.

``dip_sample_update`` lets a disclosure lead of a side (for the sample's force and stream) name that side's lead
without the sample's grant, at any status until it is signed off (the lead named may have left the force); a lead
change voids the signatures. ``name-lead/`` on the sample's page is that PATCH (``cps_lead`` or ``police_lead``
alone): same scoping (another tenant's sample is not found), same service, same refusals (nothing written), same
audit entry.
"""

import pytest
from auditlog import get_logentry_model

from disclosure import services
from disclosure.models import DipSample, DipSampleStatus
from disclosure.services.samples import may_change_dip_sample
from forces.models import Role, Stream
from tests.disclosure.test_admin_workflow import shown, signed_in, url
from tests.factories import UserFactory, assess, make_sample, member

SAMPLES = "/api/v1/dip-samples/"
LogEntry = get_logentry_model()  # audit.AuditEvent


def stored(sample: DipSample) -> dict:
    sample = DipSample.objects.get(pk=sample.pk)
    return {
        "status": sample.status,
        "cps_lead": sample.cps_lead_id,
        "police_lead": sample.police_lead_id,
        "cps_signed_off_by": sample.cps_signed_off_by_id,
        "police_signed_off_by": sample.police_signed_off_by_id,
        "row_version": sample.row_version,
    }


@pytest.fixture
def leaver(world):
    """A second GMP Crown Court lead, named as the police lead of the samples below; ``world.gmp_lead`` is not."""
    user = UserFactory(username="gmp-lead-2")
    member(user, world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    return user


def sample_led_by(world, leaver, *, month, draw=True) -> DipSample:
    return make_sample(cps_lead=world.cps_lead, police_lead=leaver, force=world.gmp, month=month, draw=draw)


def completed(world, leaver, *, month, signed_by=()) -> DipSample:
    sample = sample_led_by(world, leaver, month=month)
    assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    sample = services.dip_sample_complete(actor=world.cps_lead, dip_sample=sample)
    for user in signed_by:
        sample = services.dip_sample_sign_off(actor=user, dip_sample=sample)
    return sample


def name_lead(user, sample: DipSample, **fields):
    data = {"row_version": DipSample.objects.get(pk=sample.pk).row_version, **fields}
    return signed_in(user).post(url("namelead", sample.pk), data, follow=True)


# --- naming -----------------------------------------------------------------------------------


def test_a_police_lead_who_does_not_lead_the_sample_names_its_police_lead_as_the_apis_patch_would(
    world, leaver, client_for
):
    by_page, by_api = (sample_led_by(world, leaver, month=month) for month in (1, 2))
    leaver.is_active = False  # the named police lead left the force
    leaver.save(update_fields=["is_active"])
    assert by_page.status == DipSampleStatus.IN_PROGRESS
    assert not may_change_dip_sample(actor=world.gmp_lead, dip_sample=by_page)  # no grant on the sample
    before = stored(by_page)

    page = signed_in(world.gmp_lead).get(url("change", by_page.pk))
    assert page.context["plan_form"] is None
    form = page.context["lead_form"]
    assert set(form.fields) == {"row_version", "police_lead"}  # the police side's field only
    # Active Crown Court leads of GMP, and the lead named now (kept: keeping it is no change).
    assert {user.username for user in form.fields["police_lead"].queryset} == {"gmp-lead", "gmp-lead-2"}
    content = page.content.decode()
    assert "Name the police lead" in content
    assert "Naming a new lead voids any signatures" in content

    response = name_lead(world.gmp_lead, by_page, police_lead=world.gmp_lead.pk)
    assert response.redirect_chain[-1][0] == url("change", by_page.pk)
    assert "gmp-lead is now the police lead." in shown(response)
    assert response.context["sample"].police_lead == world.gmp_lead  # the page shows the new name
    assert stored(by_page) == {**before, "police_lead": world.gmp_lead.pk, "row_version": before["row_version"] + 1}

    api = client_for(world.gmp_lead).patch(
        f"{SAMPLES}{by_api.pk}/", {"police_lead": "gmp-lead", "row_version": by_api.row_version}, format="json"
    )
    assert api.status_code == 200, api.json()

    # The same grants follow (the new lead may change the sample, the leaver no longer), and the same audit entry.
    for sample in (by_page, by_api):
        sample = DipSample.objects.get(pk=sample.pk)
        assert may_change_dip_sample(actor=world.gmp_lead, dip_sample=sample)
        assert not may_change_dip_sample(actor=leaver, dip_sample=sample)
    page_entry, api_entry = (
        LogEntry.objects.get_for_object(sample).filter(action=LogEntry.Action.UPDATE).latest("id")
        for sample in (by_page, by_api)
    )
    assert page_entry.actor == api_entry.actor == world.gmp_lead
    assert set(page_entry.changes_dict) == set(api_entry.changes_dict) == {"police_lead", "row_version"}


def test_naming_a_new_lead_of_a_completed_sample_voids_its_signatures(world, leaver):
    sample = completed(world, leaver, month=3, signed_by=[world.cps_lead])
    before = stored(sample)
    assert before["cps_signed_off_by"] == world.cps_lead.pk

    response = name_lead(world.gmp_lead, sample, police_lead=world.gmp_lead.pk)
    assert "gmp-lead is now the police lead." in shown(response)
    assert any("voided the signatures" in text for text in shown(response))
    assert stored(sample) == {
        **before,
        "police_lead": world.gmp_lead.pk,
        "cps_signed_off_by": None,
        "row_version": before["row_version"] + 1,
    }


def test_the_samples_own_lead_names_their_sides_lead_after_the_draw_and_no_page_offers_two_forms(world, leaver):
    planned = sample_led_by(world, leaver, month=1, draw=False)
    drawn = sample_led_by(world, leaver, month=2)

    # Planned: the sample's leads change its leads on Change plan; a lead of a side without the grant here.
    own = signed_in(world.cps_lead).get(url("change", planned.pk)).context
    assert own["plan_form"] is not None and own["lead_form"] is None
    other = signed_in(world.gmp_lead).get(url("change", planned.pk)).context
    assert other["plan_form"] is None and set(other["lead_form"].fields) == {"row_version", "police_lead"}

    # Drawn: Change plan is gone; the CPS lead (who holds the grant) names the CPS side's lead on this form.
    own = signed_in(world.cps_lead).get(url("change", drawn.pk)).context
    assert own["plan_form"] is None
    assert set(own["lead_form"].fields) == {"row_version", "cps_lead"}
    second_cps = UserFactory(username="cps-lead-2")
    member(second_cps, world.nw, Role.DISCLOSURE_LEAD, Stream.CC)
    response = name_lead(world.cps_lead, drawn, cps_lead=second_cps.pk)
    assert "cps-lead-2 is now the CPS lead." in shown(response)
    assert stored(drawn)["cps_lead"] == second_cps.pk


def test_a_superuser_names_either_sides_lead(world, leaver):
    sample = sample_led_by(world, leaver, month=2)
    form = signed_in(world.superuser).get(url("change", sample.pk)).context["lead_form"]
    assert set(form.fields) == {"row_version", "cps_lead", "police_lead"}
    response = name_lead(world.superuser, sample, cps_lead=world.cps_lead.pk, police_lead=world.gmp_lead.pk)
    assert "gmp-lead is now the police lead." in shown(response)
    assert stored(sample)["police_lead"] == world.gmp_lead.pk


# --- what is refused, or changes nothing -------------------------------------------------------


def test_a_police_lead_cannot_name_the_cps_lead(world, leaver, client_for):
    sample = sample_led_by(world, leaver, month=2)
    second_cps = UserFactory(username="cps-lead-2")
    member(second_cps, world.nw, Role.DISCLOSURE_LEAD, Stream.CC)
    before = stored(sample)

    # Not on the form: sent anyway, it is ignored (the police lead as it is: nothing changes).
    response = name_lead(world.gmp_lead, sample, police_lead=leaver.pk, cps_lead=second_cps.pk)
    assert "Nothing was changed: that is the lead named now." in shown(response)
    assert stored(sample) == before
    # The API refuses it outright.
    api = client_for(world.gmp_lead).patch(
        f"{SAMPLES}{sample.pk}/", {"cps_lead": "cps-lead-2", "row_version": sample.row_version}, format="json"
    )
    assert api.status_code == 403
    assert stored(sample) == before


def test_naming_the_lead_named_now_changes_nothing_and_is_refused_neither_by_page_nor_by_api(world, leaver, client_for):
    sample = sample_led_by(world, leaver, month=2)
    assert not may_change_dip_sample(actor=world.gmp_lead, dip_sample=sample)  # a lead of the side, no grant
    before = stored(sample)
    response = name_lead(world.gmp_lead, sample, police_lead=leaver.pk)
    assert "Nothing was changed: that is the lead named now." in shown(response)
    api = client_for(world.gmp_lead).patch(
        f"{SAMPLES}{sample.pk}/", {"police_lead": leaver.username, "row_version": sample.row_version}, format="json"
    )
    assert api.status_code == 200, api.content
    assert stored(sample) == before  # no new row_version either
    # Someone who may not name that side's lead (the CPS lead sends the police lead as it is): the grant
    # decides, as for every change but a side's own lead. The sample's CPS lead holds it; a second one does not.
    second_cps = UserFactory(username="cps-lead-2")
    member(second_cps, world.nw, Role.DISCLOSURE_LEAD, Stream.CC)
    api = client_for(second_cps).patch(
        f"{SAMPLES}{sample.pk}/", {"police_lead": leaver.username, "row_version": sample.row_version}, format="json"
    )
    assert api.status_code == 403
    assert stored(sample) == before


def test_a_stale_page_naming_the_lead_someone_else_named_meanwhile_is_told_so(world, leaver):
    sample = sample_led_by(world, leaver, month=2)
    stale_version = sample.row_version
    services.dip_sample_update(
        actor=world.gmp_lead, dip_sample=sample, row_version=stale_version, police_lead=world.gmp_lead
    )
    response = signed_in(world.gmp_lead).post(
        url("namelead", sample.pk), {"row_version": stale_version, "police_lead": world.gmp_lead.pk}, follow=True
    )
    assert (
        "Someone changed this sample after you opened the page: nothing was changed. Here it is as it is now."
        in shown(response)
    )


def test_a_lead_of_another_force_or_a_choice_outside_the_force_and_stream_is_a_form_error(world, leaver):
    sample = sample_led_by(world, leaver, month=2)
    before = stored(sample)
    for someone in (world.lancs_lead, world.gmp_mc_lead, world.cps_lead):
        response = signed_in(world.gmp_lead).post(
            url("namelead", sample.pk), {"row_version": sample.row_version, "police_lead": someone.pk}
        )
        assert response.status_code == 200
        assert "police_lead" in response.context["lead_form"].errors, someone
        assert "Nothing was changed: see the errors below." in shown(response)
    assert stored(sample) == before


def test_a_stale_page_writes_nothing(world, leaver):
    sample = sample_led_by(world, leaver, month=2)
    opened = signed_in(world.gmp_lead).get(url("change", sample.pk)).context["lead_form"]["row_version"].value()
    services.dip_sample_update(actor=world.cps_lead, dip_sample=sample, row_version=sample.row_version, cps_lead=None)
    meanwhile = stored(sample)
    assert meanwhile["row_version"] == opened + 1

    response = signed_in(world.gmp_lead).post(
        url("namelead", sample.pk), {"row_version": opened, "police_lead": world.gmp_lead.pk}, follow=True
    )
    assert any("someone changed this sample after you opened the page" in text.lower() for text in shown(response))
    assert stored(sample) == meanwhile


def test_a_signed_off_sample_offers_no_form_and_refuses_the_post(world, leaver):
    sample = completed(world, leaver, month=4, signed_by=[world.cps_lead, leaver])
    before = stored(sample)
    assert before["status"] == DipSampleStatus.SIGNED_OFF
    for user in (world.gmp_lead, world.cps_lead):
        page = signed_in(user).get(url("change", sample.pk))
        assert page.context["lead_form"] is None
        assert "name-lead" not in page.content.decode()

    response = name_lead(world.gmp_lead, sample, police_lead=world.gmp_lead.pk)
    assert "A signed-off dip sample cannot be changed." in shown(response)
    assert stored(sample) == before


# --- who ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("kent_lead", 404),  # another Area: the sample is not found
        ("outsider", 404),
        ("lancs_lead", 404),  # another force of the Area
        ("cps_quality", 403),  # reads the sample, leads no side
        ("gmp_mc_lead", 403),  # a lead of GMP, of another stream
        ("gmp_chief", 403),  # reads no case-level rows
    ],
)
def test_who_does_not_lead_a_side_of_the_samples_force_and_stream_gets_no_form_and_cannot_post(
    world, leaver, who, status
):
    sample = sample_led_by(world, leaver, month=2)
    before = stored(sample)
    client = signed_in(getattr(world, who))
    page = client.get(url("change", sample.pk))
    if page.status_code == 200:
        assert page.context["lead_form"] is None
    else:
        assert page.status_code == status
    posted = client.post(url("namelead", sample.pk), {"row_version": sample.row_version, "police_lead": ""})
    assert posted.status_code == status
    # POST only: require_POST answers any GET 405, before the view looks the sample up.
    assert client.get(url("namelead", sample.pk)).status_code == 405
    assert stored(sample) == before
