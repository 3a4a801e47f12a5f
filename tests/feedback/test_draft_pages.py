"""The web pages' parity with the API's POST /feedback/ and PATCH /feedback/{id}/: drafting from defects the CPS
lead picks, and changing a draft's texts and defects, by the same services and the same scoping."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory
from feedback import admin_forms, services
from feedback.models import Feedback
from tests.factories import assess, make_sample
from tests.feedback.conftest import log_defects, sign_off

DRAFT = "admin:feedback_feedback_draft"
TEXTS = {"summary": "Items 3-9 are block listed.", "requested_action": "List each item and re-serve the MG6C."}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def offered(response) -> set[int]:
    """The defect ids the page's form offers (its checkboxes)."""
    return {int(pk) for pk in re.findall(r'name="defects" value="(\d+)"', response.content.decode())}


def stored(feedback: Feedback) -> dict:
    feedback = Feedback.objects.get(pk=feedback.pk)
    return {
        "force": feedback.force_id,
        "area": feedback.area_id,
        "stream": feedback.stream,
        "case": feedback.case_id,
        "summary": feedback.summary,
        "requested_action": feedback.requested_action,
        "is_breach": feedback.is_breach,
        "status": feedback.status,
        "created_by": feedback.created_by_id,
        "dip_sample": feedback.dip_sample_id,
        "defects": set(feedback.defects.values_list("pk", flat=True)),
    }


@pytest.fixture
def lancs_defect(world):
    """A police-side defect of LANCS (the same Area as GMP: the CPS lead may feed it back, on its own)."""
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.lancs_lead, force=world.lancs, month=4)
    return log_defects(world=world, sample=sample, codes_by_schedule=[["D04"]])[0]


@pytest.fixture
def kent_defect(world):
    """A police-side defect of KENT, a force of another Area (CPS-SE, whose lead is ``outsider``)."""
    sample = make_sample(cps_lead=world.outsider, police_lead=world.kent_lead, force=world.kent, month=4)
    assessment = assess(actor=world.outsider, sample=sample, schedule=sample.schedules.get())
    return disclosure_services.defect_create(
        actor=world.outsider,
        assessment=assessment,
        category=DefectCategory.objects.get(code="D02"),
        description="Items 1-4 described only as 'bundle'.",
        item_reference="MG6C item 2",
    )


# --- drafting from picked defects ----------------------------------------------------------------------


def test_it_drafts_from_picked_defects_storing_what_the_api_post_stores(world, gmp_defects, client_for):
    picked = [gmp_defects["D02"], gmp_defects["X03"]]
    api = client_for(world.cps_lead).post(
        "/api/v1/feedback/", {"defects": [d.pk for d in picked], **TEXTS}, format="json"
    )
    assert api.status_code == 201, api.content
    client = signed_in(world.cps_lead)
    response = client.post(reverse(DRAFT), {"defects": [str(d.pk) for d in picked], **TEXTS})
    web = Feedback.objects.exclude(pk=api.json()["id"]).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:feedback_feedback_change", args=[web.pk])
    assert any(f"Feedback {web.pk} to {world.gmp.name} drafted" in message for message in told(response))
    expected = {
        "force": world.gmp.pk,
        "area": world.nw.pk,
        "stream": "cc",
        "case": gmp_defects["D02"].assessment.schedule.case_id,  # both defects are on one case
        **TEXTS,
        "is_breach": True,  # X03 is a personal-data breach
        "status": "draft",
        "created_by": world.cps_lead.pk,
        "dip_sample": None,
        "defects": {d.pk for d in picked},
    }
    assert stored(web) == expected
    assert stored(Feedback(pk=api.json()["id"])) == expected


def test_the_page_offers_the_police_side_defects_the_lead_may_feed_back_on_with_what_to_choose_by(
    world, gmp_defects, lancs_defect, kent_defect
):
    page = signed_in(world.cps_lead).get(reverse(DRAFT))
    assert page.status_code == 200
    police_side = {gmp_defects[code].pk for code in ("D02", "D01", "X03")}
    assert offered(page) == police_side | {lancs_defect.pk}  # not P01 (CPS-side), not KENT's (another Area)
    d02 = gmp_defects["D02"]
    schedule = d02.assessment.schedule
    found = re.search(rf'value="{d02.pk}"[^>]*>\s*([^<]+)', page.content.decode())
    assert found, "D02 is offered with a label"
    label = found.group(1)
    for shown in (
        f"dip sample {gmp_defects['sample'].pk}",
        f"{schedule.kind.upper()} rev. {schedule.revision}",
        "D02",
        d02.get_severity_display().lower(),
        f"item {d02.item_reference}" if d02.item_reference else "no item reference",
    ):
        assert shown in label, (shown, label)
    # The other Area's lead is offered its own force's defect only.
    outsiders = signed_in(world.outsider).get(reverse(DRAFT))
    assert offered(outsiders) == {kent_defect.pk}
    assert "item MG6C item 2" in outsiders.content.decode()


def test_the_page_lists_a_bounded_number_narrowed_by_sample_or_case_and_takes_any_it_may(
    world, gmp_defects, lancs_defect, monkeypatch
):
    """At national scale a lead may feed back on millions of defects: the page lists the newest few and finds others
    by dip sample or case URN; a defect it did not list is still accepted, as by the API."""
    monkeypatch.setattr(admin_forms, "SHOWN_MAX", 2)
    client = signed_in(world.cps_lead)
    newest = client.get(reverse(DRAFT))
    assert offered(newest) == {lancs_defect.pk, gmp_defects["X03"].pk}  # the two most recently logged
    assert 'id="more-defects"' in newest.content.decode()
    by_sample = client.get(reverse(DRAFT), {"dip_sample": gmp_defects["sample"].pk})
    assert offered(by_sample) == {gmp_defects["X03"].pk, gmp_defects["D01"].pk}
    lancs_urn = lancs_defect.assessment.schedule.case.urn
    by_case = client.get(reverse(DRAFT), {"urn": lancs_urn.lower()})
    assert offered(by_case) == {lancs_defect.pk}
    assert 'id="more-defects"' not in by_case.content.decode()
    # A refused post lists what was ticked, listed or not.
    blank = {"summary": "", "requested_action": ""}
    refused = client.post(reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk)], **blank})
    assert refused.status_code == 400 and gmp_defects["D02"].pk in offered(refused)
    done = client.post(reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk)], **TEXTS})
    assert done.status_code == 302
    assert stored(Feedback.objects.get())["defects"] == {gmp_defects["D02"].pk}


def test_the_defects_a_page_lists_are_logged_as_a_read_per_force(world, gmp_defects, lancs_defect):
    """Listing defects to tick is a read of case-level records, logged as the API logs a page of its defects list."""
    from audit.models import AuditEvent
    from disclosure.models import Defect

    signed_in(world.cps_lead).get(reverse(DRAFT))
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS, object_pk="", actor=world.cps_lead)
    listed = {
        event.force_id: set(event.additional_data["list"]["ids"])
        for event in reads
        if event.content_type.model_class() is Defect
    }
    assert listed == {
        world.gmp.pk: {gmp_defects[code].pk for code in ("D02", "D01", "X03")},
        world.lancs.pk: {lancs_defect.pk},
    }


def test_a_defect_of_another_area_is_not_offered_and_refused_on_the_field_if_posted(world, gmp_defects, kent_defect):
    client = signed_in(world.cps_lead)
    assert kent_defect.pk not in offered(client.get(reverse(DRAFT)))
    response = client.post(reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk), str(kent_defect.pk)], **TEXTS})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["defects"]
    assert str(kent_defect.pk) in response.context["form"].errors["defects"][0]
    assert not Feedback.objects.exists()


def test_defects_of_two_forces_are_refused_by_the_service_on_the_field(world, gmp_defects, lancs_defect):
    """Both forces are the lead's (one Area), so both are offered; one item is to one force (the service says)."""
    response = signed_in(world.cps_lead).post(
        reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk), str(lancs_defect.pk)], **TEXTS}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["defects"]
    assert f"Defect(s) {lancs_defect.pk} are of another force." in errors["defects"]
    assert not Feedback.objects.exists()


def test_a_cps_side_defect_posted_by_hand_is_refused_on_the_field(world, gmp_defects):
    response = signed_in(world.cps_lead).post(reverse(DRAFT), {"defects": [str(gmp_defects["P01"].pk)], **TEXTS})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["defects"]
    assert not Feedback.objects.exists()


def test_blank_texts_are_refused_naming_the_fields(world, gmp_defects):
    response = signed_in(world.cps_lead).post(
        reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk)], "summary": "  ", "requested_action": ""}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"summary", "requested_action"}
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("bad", ["99999999999999999999999", "-3", "1e3", "seven"])
def test_a_defect_id_no_row_can_have_is_refused_on_the_field(world, gmp_defects, bad):
    response = signed_in(world.cps_lead).post(reverse(DRAFT), {"defects": [bad], **TEXTS})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["defects"]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("who", ["gmp_lead", "cps_quality", "cps_admin", "superuser", "gmp_chief"])
def test_only_a_cps_lead_may_draft(world, gmp_defects, who):
    """The police lead, the Quality Group, org admins and superusers read feedback but draft none (the service's
    rule: a CPS lead of the stream); a chief officer reads no feedback at all. 403, nothing written."""
    client = signed_in(getattr(world, who))
    assert client.get(reverse(DRAFT)).status_code == 403
    response = client.post(reverse(DRAFT), {"defects": [str(gmp_defects["D02"].pk)], **TEXTS})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_the_inbox_links_to_the_page_for_a_cps_lead_only(world, gmp_defects):
    """Also from each signed-off sample ready for feedback: its defects to pick."""
    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    inbox = reverse("admin:feedback_feedback_changelist")
    page = signed_in(world.cps_lead).get(inbox).content.decode()
    assert f'href="{reverse(DRAFT)}"' in page
    assert f'href="{reverse(DRAFT)}?dip_sample={sample.pk}"' in page
    assert reverse(DRAFT) not in signed_in(world.gmp_lead).get(inbox).content.decode()


# --- changing a draft: the PATCH's fields -----------------------------------------------------------------


def edit_url(feedback) -> str:
    return reverse("admin:feedback_feedback_edit", args=[feedback.pk])


def test_a_draft_edit_changes_its_defects_as_the_patch_does(world, gmp_defects, feedback_in):
    draft = feedback_in("draft", breach=True)
    page = signed_in(world.cps_lead).get(reverse("admin:feedback_feedback_change", args=[draft.pk]))
    assert offered(page) == {gmp_defects[code].pk for code in ("D02", "D01", "X03")}
    body = {"row_version": draft.row_version, "defects_shown": "True", "defects": [str(gmp_defects["D01"].pk)], **TEXTS}
    response = signed_in(world.cps_lead).post(edit_url(draft), body)
    assert response.status_code == 302
    after = stored(draft)
    assert after["defects"] == {gmp_defects["D01"].pk}
    assert after["is_breach"] is False  # X03 taken off
    assert after["summary"] == TEXTS["summary"]


def test_unticking_every_defect_is_refused_on_the_field_and_no_defects_posted_leaves_them(world, feedback_in):
    draft = feedback_in("draft")
    before = stored(draft)
    client = signed_in(world.cps_lead)
    none = client.post(edit_url(draft), {"row_version": draft.row_version, "defects_shown": "True", **TEXTS})
    assert none.status_code == 400
    assert "Name at least one defect." in none.context["step_forms"][0].form.errors["defects"]
    assert stored(draft) == before
    kept = client.post(edit_url(draft), {"row_version": draft.row_version, **TEXTS})  # as a PATCH without defects
    assert kept.status_code == 302
    assert stored(draft)["defects"] == before["defects"]


def test_a_stale_draft_edit_gives_the_message_and_writes_nothing(world, gmp_defects, feedback_in):
    draft = feedback_in("draft")
    seen = draft.row_version
    # Someone else changes it after the page was drawn (through the API's service).
    services.feedback_update(actor=world.cps_lead, feedback=draft, row_version=seen, summary="Changed meanwhile.")
    before = stored(draft)
    body = {"row_version": seen, "defects_shown": "True", "defects": [str(gmp_defects["D01"].pk)], **TEXTS}
    response = signed_in(world.cps_lead).post(edit_url(draft), body)
    assert response.status_code == 409
    assert any("changed this feedback after you opened the page" in message for message in told(response))
    assert stored(draft) == before
    assert Feedback.objects.get(pk=draft.pk).row_version == seen + 1


def test_a_sent_item_offers_no_edit(world, feedback_in):
    sent = feedback_in("sent")
    page = signed_in(world.cps_lead).get(reverse("admin:feedback_feedback_change", args=[sent.pk]))
    assert 'id="step-edit"' not in page.content.decode()
    assert not offered(page)
