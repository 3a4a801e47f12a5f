"""The life of a feedback item through the API: every step, every wrong state, every actor who may not act."""

import pytest
from django.core.exceptions import ValidationError

from disclosure import services as disclosure_services
from disclosure.models import Schedule
from feedback.models import FeedbackMessage
from forces.models import Membership, Role, Stream
from forces.services import membership_delete, membership_update
from tests.factories import UserFactory, answers_rated, assess, make_case, make_sample, make_schedule, member
from tests.feedback.conftest import log_defects, sign_off

RESPONSE = {"outcome": "accepted", "action_taken": "Schedule re-served with each item listed."}


def url(feedback, action=""):
    return f"/api/v1/feedback/{feedback.pk}/{action}"


def test_it_walks_every_step_from_draft_to_closed_and_back(world, client_for, gmp_defects):
    cps, police = client_for(world.cps_lead), client_for(world.gmp_lead)
    created = cps.post(
        "/api/v1/feedback/",
        {
            "defects": [gmp_defects["D02"].pk, gmp_defects["D01"].pk],
            "summary": "Items 3-7 block listed; item 12 described only as 'statement'.",
            "requested_action": "List each item separately and re-serve the MG6C.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["force"], body["area"], body["stream"]) == ("draft", "GMP", "CPS-NW", "cc")
    assert body["defect_codes"] == ["D01", "D02"]
    assert body["case"] == gmp_defects["D02"].assessment.schedule.case_id
    assert body["is_breach"] is False and body["due_on"] is None and body["row_version"] == 1
    item = f"/api/v1/feedback/{body['id']}/"

    sent = cps.post(item + "send/").json()
    assert sent["status"] == "sent" and sent["due_on"] and sent["is_overdue"] is False
    assert police.post(item + "acknowledge/").json()["status"] == "acknowledged"
    responded = police.post(item + "respond/", RESPONSE, format="json").json()
    assert (responded["status"], responded["outcome"], responded["responded_by"]) == (
        "responded",
        "accepted",
        "gmp-lead",
    )
    assert cps.post(item + "close/").json()["status"] == "closed"
    reopened = cps.post(item + "reopen/", {"reason": "Items 3-7 are still block listed."}, format="json").json()
    assert (reopened["status"], reopened["outcome"], reopened["reopen_reason"]) == (
        "sent",
        "",
        "Items 3-7 are still block listed.",
    )
    assert reopened["due_on"]
    # A response can be reopened too, before it is closed.
    police.post(item + "respond/", {**RESPONSE, "outcome": "disputed", "reasons": "Items were listed."}, format="json")
    assert cps.post(item + "reopen/", {"reason": "Not so: see item 5."}, format="json").json()["status"] == "sent"


#: The step each action takes, from the states it may start in (docs/decisions/0010-feedback-loop.md).
ALLOWED = {
    "send": {"draft"},
    "acknowledge": {"sent"},
    "respond": {"sent", "acknowledged"},
    "close": {"responded"},
    "reopen": {"responded", "closed"},
    "edit": {"draft"},
}
POLICE_ACTIONS = {"acknowledge", "respond"}
STATUSES = ["draft", "sent", "acknowledged", "responded", "closed"]


@pytest.mark.parametrize(
    ("status", "action"),
    [(status, action) for action, allowed in ALLOWED.items() for status in STATUSES if status not in allowed],
)
def test_a_step_asked_in_the_wrong_state_answers_409(world, client_for, feedback_in, status, action):
    feedback = feedback_in(status)
    actor = world.gmp_lead if action in POLICE_ACTIONS else world.cps_lead
    client = client_for(actor)
    if action == "edit":
        response = client.patch(
            url(feedback), {"summary": "Changed.", "row_version": feedback.row_version}, format="json"
        )
    else:
        body = {"respond": RESPONSE, "reopen": {"reason": "Not settled."}}.get(action)
        response = client.post(url(feedback, f"{action}/"), body, format="json")
    if status == "draft" and action in POLICE_ACTIONS:
        assert response.status_code == 404  # the force does not see the CPS's drafts
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "invalid_state"


@pytest.mark.parametrize(
    ("who", "status", "action", "expected"),
    [
        # another force (same Area) or another Area: the row is not found
        ("lancs_lead", "sent", "acknowledge", 404),
        ("kent_lead", "acknowledged", "respond", 404),
        ("outsider", "draft", "send", 404),
        ("outsider", "responded", "close", 404),
        # the force's own leads do not see drafts
        ("gmp_lead", "draft", "send", 404),
        # wrong side
        ("gmp_lead", "responded", "close", 403),
        ("gmp_lead", "closed", "reopen", 403),
        ("cps_lead", "sent", "acknowledge", 403),
        ("cps_lead", "acknowledged", "respond", 403),
        # wrong stream (a GMP magistrates' court lead on Crown Court feedback)
        ("gmp_mc_lead", "sent", "acknowledge", 403),
        ("gmp_mc_lead", "acknowledged", "respond", 403),
        # readers who act for neither side
        ("cps_quality", "draft", "send", 403),
        ("cps_admin", "responded", "close", 403),
        ("gmp_admin", "sent", "acknowledge", 403),
        ("superuser", "sent", "acknowledge", 403),
        ("superuser", "draft", "send", 403),
        # chief officers read no case-level feedback
        ("gmp_chief", "sent", "acknowledge", 404),
    ],
)
def test_only_the_right_side_and_stream_may_act(world, client_for, feedback_in, who, status, action, expected):
    feedback = feedback_in(status)
    body = {"respond": RESPONSE, "reopen": {"reason": "Not settled."}}.get(action)
    response = client_for(getattr(world, who)).post(url(feedback, f"{action}/"), body, format="json")
    assert response.status_code == expected, response.json()
    feedback.refresh_from_db()
    assert feedback.status == status


def test_a_cps_lead_of_another_stream_may_not_send(world, client_for, feedback_in):
    cps_mc = UserFactory(username="cps-mc")
    member(cps_mc, world.nw, Role.DISCLOSURE_LEAD, Stream.MC)
    response = client_for(cps_mc).post(url(feedback_in("draft"), "send/"))
    assert response.status_code == 403


def _create(client, defects, **extra):
    body = {"defects": [d.pk for d in defects], "summary": "Items block listed.", "requested_action": "Re-serve it."}
    return client.post("/api/v1/feedback/", {**body, **extra}, format="json")


def test_defects_of_another_force_or_stream_or_side_are_refused_naming_the_field(world, client_for, gmp_defects):
    client = client_for(world.cps_lead)
    lancs = make_sample(cps_lead=world.cps_lead, police_lead=world.lancs_lead, force=world.lancs, month=3)
    (lancs_defect,) = log_defects(world=world, sample=lancs, codes_by_schedule=[["D03"]])
    mc_lead = UserFactory(username="cps-mc-2")
    member(mc_lead, world.nw, Role.DISCLOSURE_LEAD, Stream.MC)
    gmp_mc = make_sample(cps_lead=mc_lead, police_lead=world.gmp_mc_lead, force=world.gmp, month=4, stream="mc")
    assessment = disclosure_services.assessment_create(
        actor=mc_lead,
        dip_sample=gmp_mc,
        schedule=gmp_mc.schedules.get(),
        rating="partially_meets",
        drs_complete=True,
        answers=answers_rated("mg6c", "partially_meets"),
    )
    mc_defect = disclosure_services.defect_create(
        actor=mc_lead,
        assessment=assessment,
        category=gmp_defects["D02"].category,
        description="Items 1-4 block listed.",
    )
    for defects, says in [
        ([gmp_defects["D02"], lancs_defect], "another force"),
        ([gmp_defects["D02"], mc_defect], "another stream"),
        ([gmp_defects["D02"], gmp_defects["P01"]], "CPS-side"),
    ]:
        response = _create(client, defects)
        assert response.status_code == 400, response.json()
        assert says in " ".join(response.json()["fields"]["defects"])
    assert _create(client, []).json()["fields"].keys() == {"defects"}


def test_a_defect_you_cannot_see_is_refused_like_one_that_does_not_exist(world, client_for, gmp_defects):
    kent = make_sample(cps_lead=world.outsider, police_lead=world.kent_lead, force=world.kent, month=3)
    assessment = assess(actor=world.outsider, sample=kent, schedule=kent.schedules.get())
    kent_defect = disclosure_services.defect_create(
        actor=world.outsider, assessment=assessment, category=gmp_defects["D02"].category, description="Items 1-3."
    )
    response = _create(client_for(world.cps_lead), [kent_defect])
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["defects[0]"]


def test_a_police_lead_may_not_draft_feedback(world, client_for, gmp_defects):
    assert _create(client_for(world.gmp_lead), [gmp_defects["D02"]]).status_code == 403


def test_every_text_is_screened_for_personal_data(world, client_for, gmp_defects, feedback_in):
    cps = client_for(world.cps_lead)
    refused = _create(cps, [gmp_defects["D02"]], summary="Call the witness on 07700 900123.")
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["summary"]
    acknowledged = feedback_in("acknowledged")
    response = client_for(world.gmp_lead).post(
        url(acknowledged, "respond/"), {**RESPONSE, "action_taken": "Witness lives at 12 Acacia Avenue."}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["fields"]) == ["action_taken"]
    message = cps.post(url(acknowledged, "messages/"), {"body": "Write to jane.doe@example.com"}, format="json")
    assert message.status_code == 400 and list(message.json()["fields"]) == ["body"]
    reopen = cps.post(url(feedback_in("closed"), "reopen/"), {"reason": "Ring 0161 496 0000."}, format="json")
    assert reopen.status_code == 400 and list(reopen.json()["fields"]) == ["reason"]


def test_a_dispute_needs_reasons(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    client = client_for(world.gmp_lead)
    response = client.post(url(feedback, "respond/"), {**RESPONSE, "outcome": "disputed"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["reasons"]
    ok = client.post(
        url(feedback, "respond/"), {**RESPONSE, "outcome": "disputed", "reasons": "Each item is listed."}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "disputed"


def test_a_revised_schedule_must_be_of_the_same_case(world, client_for, feedback_in, gmp_defects):
    feedback = feedback_in("acknowledged")
    client = client_for(world.gmp_lead)
    other_case = make_case(actor=world.gmp_lead, force=world.gmp)
    other = make_schedule(actor=world.gmp_lead, case=other_case, received_on=gmp_defects["sample"].period_start)
    response = client.post(url(feedback, "respond/"), {**RESPONSE, "revised_schedule": other.pk}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["revised_schedule"]
    schedule = gmp_defects["D02"].assessment.schedule
    revised = make_schedule(
        actor=world.gmp_lead, case=schedule.case, received_on=schedule.received_on, kind="mg6c", revision=2
    )
    ok = client.post(url(feedback, "respond/"), {**RESPONSE, "revised_schedule": revised.pk}, format="json")
    assert ok.status_code == 200 and ok.json()["revised_schedule"] == revised.pk
    assert Schedule.objects.filter(pk=revised.pk).exists()


def test_an_x03_defect_makes_a_breach_whose_response_must_say_whether_the_ico_was_told(world, client_for, feedback_in):
    breach = feedback_in("acknowledged", breach=True)
    ordinary = feedback_in("acknowledged")
    assert breach.is_breach and not ordinary.is_breach
    client = client_for(world.gmp_lead)
    missing = client.post(url(breach, "respond/"), RESPONSE, format="json")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["ico_reported"]
    no_date = client.post(url(breach, "respond/"), {**RESPONSE, "ico_reported": "yes"}, format="json")
    assert no_date.status_code == 400 and list(no_date.json()["fields"]) == ["ico_reported_on"]
    ok = client.post(
        url(breach, "respond/"), {**RESPONSE, "ico_reported": "yes", "ico_reported_on": "2025-02-03"}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["ico_reported"], ok.json()["ico_reported_on"]) == ("yes", "2025-02-03")
    # Not a breach: no ICO answer is needed.
    assert client.post(url(ordinary, "respond/"), RESPONSE, format="json").status_code == 200
    listed = client_for(world.cps_lead).get("/api/v1/feedback/", {"breach": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [breach.pk]


def test_drafts_are_edited_with_the_version_read(world, client_for, feedback_in, gmp_defects):
    feedback = feedback_in("draft")
    client = client_for(world.cps_lead)
    missing = client.patch(url(feedback), {"summary": "Items 3-9 block listed."}, format="json")
    assert missing.status_code == 409 and missing.json()["code"] == "row_version_required"
    ok = client.patch(
        url(feedback),
        {"summary": "Items 3-9 block listed.", "defects": [gmp_defects["D02"].pk, gmp_defects["X03"].pk]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["row_version"], ok.json()["is_breach"], ok.json()["defect_codes"]) == (2, True, ["D02", "X03"])
    stale = client.patch(url(feedback), {"summary": "Other.", "row_version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_update"


def test_the_thread_is_open_to_both_sides_from_sending_to_closing(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    cps, police = client_for(world.cps_lead), client_for(world.gmp_lead)
    assert (
        cps.post(url(feedback, "messages/"), {"body": "Which items were re-listed?"}, format="json").status_code == 201
    )
    assert police.post(url(feedback, "messages/"), {"body": "Items 3 to 7."}, format="json").status_code == 201
    thread = police.get(url(feedback, "messages/")).json()
    assert [(m["author"], m["side"], m["body"]) for m in thread] == [
        ("cps-lead", "cps", "Which items were re-listed?"),
        ("gmp-lead", "police", "Items 3 to 7."),
    ]
    assert client_for(world.lancs_lead).get(url(feedback, "messages/")).status_code == 404
    assert (
        client_for(world.gmp_mc_lead).post(url(feedback, "messages/"), {"body": "Hello."}, format="json").status_code
        == 403
    )
    for status in ("draft", "closed"):
        closed = cps.post(url(feedback_in(status), "messages/"), {"body": "Anything else?"}, format="json")
        assert closed.status_code == 409


def test_messages_cannot_be_edited_or_deleted(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    client = client_for(world.cps_lead)
    client.post(url(feedback, "messages/"), {"body": "Which items were re-listed?"}, format="json")
    assert client.patch(url(feedback, "messages/"), {"body": "Changed."}, format="json").status_code == 405
    assert client.delete(url(feedback, "messages/")).status_code == 405
    message = FeedbackMessage.objects.get()
    message.body = "Changed."
    with pytest.raises(ValidationError):
        message.save()
    with pytest.raises(ValidationError):
        message.delete()
    assert FeedbackMessage.objects.get().body == "Which items were re-listed?"


def test_chief_officers_see_no_case_level_feedback(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    client = client_for(world.gmp_chief)
    assert client.get("/api/v1/feedback/").json()["count"] == 0
    assert client.get(url(feedback)).status_code == 404


def test_the_force_sees_feedback_once_sent_and_never_the_drafts(world, client_for, feedback_in):
    draft, sent = feedback_in("draft"), feedback_in("sent")
    police = client_for(world.gmp_lead).get("/api/v1/feedback/").json()["results"]
    assert [row["id"] for row in police] == [sent.pk]
    cps = client_for(world.cps_lead).get("/api/v1/feedback/").json()["results"]
    assert {row["id"] for row in cps} == {draft.pk, sent.pk}


def test_a_lead_who_leaves_the_stream_can_no_longer_respond(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    membership = Membership.objects.get(user=world.gmp_lead, role=Role.DISCLOSURE_LEAD)
    membership_update(actor=world.superuser, membership=membership, role=Role.DISCLOSURE_LEAD, stream=Stream.MC)
    assert client_for(world.gmp_lead).post(url(feedback, "acknowledge/")).status_code == 403
    # and one who leaves the force can no longer even see it
    second = feedback_in("sent")
    membership_delete(actor=world.superuser, membership=Membership.objects.get(user=world.gmp_lead))
    assert client_for(world.gmp_lead).post(url(second, "acknowledge/")).status_code == 404


def test_a_police_lead_appointed_after_sending_may_respond(world, client_for, feedback_in):
    feedback = feedback_in("sent")
    newcomer = UserFactory(username="gmp-cc-newcomer")
    member(newcomer, world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    response = client_for(newcomer).post(url(feedback, "acknowledge/"))
    assert response.status_code == 200, response.json()


def test_draft_feedback_makes_one_draft_per_case_with_police_defects_once(world, client_for):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=6, schedules=3)
    log_defects(world=world, sample=sample, codes_by_schedule=[["D02", "X03", "D02"], ["P01"], []])
    client = client_for(world.cps_lead)
    draft_url = f"/api/v1/dip-samples/{sample.pk}/draft-feedback/"
    assert client.post(draft_url).status_code == 409  # not signed off yet
    sign_off(world, sample, world.gmp_lead)
    first = client.post(draft_url)
    assert first.status_code == 201, first.json()
    (draft,) = first.json()
    first_case = sample.schedules.order_by("sampled__position").first().case
    assert (draft["status"], draft["case"], draft["dip_sample"], draft["is_breach"]) == (
        "draft",
        first_case.pk,
        sample.pk,
        True,
    )
    assert draft["defect_codes"] == ["D02", "D02", "X03"]
    assert "D02 x2, X03" in draft["summary"] and first_case.urn in draft["summary"]
    again = client.post(draft_url)
    assert (again.status_code, again.json()) == (200, [])
    assert client.get("/api/v1/feedback/", {"dip_sample": sample.pk}).json()["count"] == 1
    assert client_for(world.gmp_lead).post(draft_url).status_code == 403
    assert client_for(world.lancs_lead).post(draft_url).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("cps_lead", {"draft", "responded"}), ("gmp_lead", {"sent", "acknowledged"}), ("gmp_mc_lead", set())],
)
def test_awaiting_me_lists_what_waits_for_the_callers_side(world, client_for, feedback_in, who, expected):
    for status in STATUSES:
        feedback_in(status)
    results = client_for(getattr(world, who)).get("/api/v1/feedback/", {"awaiting": "me"}).json()["results"]
    assert {row["status"] for row in results} == expected
