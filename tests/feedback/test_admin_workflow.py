"""Feedback in the admin, as the leads use it in a browser (Django's test client).

Each step by the roles that may take it, refused for the others (403, or 404 for rows they cannot
see), and every refusal shown as a message or a form error with nothing written. Who may do what is
written out here from docs/decisions/0010-feedback-loop.md, not computed by the code under test.
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback, FeedbackMessage
from feedback.selectors import feedback_list, feedback_messages
from feedback.services import feedback_message_create
from tests.factories import make_feedback
from tests.feedback.conftest import more_feedback, sign_off

CHANGELIST = "admin:feedback_feedback_changelist"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def item_url(feedback) -> str:
    return reverse("admin:feedback_feedback_change", args=[feedback.pk])


def step_url(feedback, step: str) -> str:
    return reverse(f"admin:feedback_feedback_{step}", args=[feedback.pk])


def draft_url(sample) -> str:
    return reverse("admin:feedback_feedback_draft_from_sample", args=[sample.pk])


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def steps_offered(response) -> set[str]:
    return set(re.findall(r'id="step-([a-z]+)"', response.content.decode()))


def reread(feedback) -> Feedback:
    return Feedback.objects.get(pk=feedback.pk)


RESPONSE = {"outcome": "accepted", "action_taken": "Schedule re-served with each item described."}


# --- drafting from a signed-off sample, in one click -------------------------------------------------------


def test_the_cps_lead_drafts_feedback_from_a_signed_off_sample_in_one_click_and_a_second_click_adds_nothing(
    world, gmp_defects
):
    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    client = signed_in(world.cps_lead)
    first = client.post(draft_url(sample))
    drafts = list(Feedback.objects.filter(dip_sample=sample))
    assert len(drafts) == 1  # one case has police-side defects (D02, D01, X03); the other only a CPS-side P01
    assert first.status_code == 302 and first.url == item_url(drafts[0])
    draft = drafts[0]
    assert draft.status == "draft" and draft.is_breach
    assert {d.category.code for d in draft.defects.all()} == {"D02", "D01", "X03"}
    again = client.post(draft_url(sample))
    assert again.status_code == 302
    assert Feedback.objects.filter(dip_sample=sample).count() == 1
    assert any("Nothing new to draft" in message for message in told(again))
    assert client.get(draft_url(sample)).status_code == 405  # a click is a POST


def test_the_inbox_offers_the_cps_lead_the_samples_ready_for_feedback_until_drafted(world, gmp_defects):
    def ready(user):
        return [row.sample for row in signed_in(user).get(reverse(CHANGELIST)).context["samples_ready"]]

    sample = gmp_defects["sample"]
    assert ready(world.cps_lead) == []  # not signed off yet
    sign_off(world, sample, world.gmp_lead)
    assert ready(world.cps_lead) == [sample]
    page = signed_in(world.cps_lead).get(reverse(CHANGELIST)).content.decode()
    assert f'action="{draft_url(sample)}"' in page
    for who in ("gmp_lead", "cps_quality", "cps_admin", "superuser", "outsider"):
        assert ready(getattr(world, who)) == [], who
    signed_in(world.cps_lead).post(draft_url(sample))
    assert ready(world.cps_lead) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("gmp_lead", 403), ("cps_quality", 403), ("cps_admin", 403), ("superuser", 403), ("lancs_lead", 404)],
)
def test_others_cannot_draft_from_a_sample(world, gmp_defects, who, status):
    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    response = signed_in(getattr(world, who)).post(draft_url(sample))
    assert response.status_code == status
    assert not Feedback.objects.exists()
    if status == 403:
        assert 'id="refusal"' in response.content.decode()


def test_drafting_from_a_sample_not_signed_off_is_refused_in_plain_words(world, gmp_defects):
    response = signed_in(world.cps_lead).post(draft_url(gmp_defects["sample"]))
    assert response.status_code == 409
    assert "once the sample is signed off" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_sample_page_button_shows_only_to_those_who_may_draft(world, gmp_defects):
    from django.template import RequestContext, Template
    from django.test import RequestFactory

    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    template = Template("{% load feedback_admin %}{% draft_feedback_button sample %}")

    def render(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return template.render(RequestContext(request, {"sample": sample}))

    assert draft_url(sample) in render(world.cps_lead)
    assert "draft-feedback-form" not in render(world.gmp_lead)
    assert "dip_sample__id__exact" in render(world.gmp_lead)  # readers find what was drafted from it
    assert render(world.gmp_chief).strip() == ""


def test_the_dip_sample_page_carries_the_draft_button_and_its_link_lists_that_samples_feedback(world, gmp_defects):
    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    sample_page = reverse("admin:disclosure_dipsample_change", args=[sample.pk])
    page = signed_in(world.cps_lead).get(sample_page).content.decode()
    assert f'action="{draft_url(sample)}"' in page
    signed_in(world.cps_lead).post(draft_url(sample))
    drafted = Feedback.objects.get(dip_sample=sample)

    listed = signed_in(world.cps_lead).get(f"{reverse(CHANGELIST)}?dip_sample__id__exact={sample.pk}")
    assert listed.status_code == 200  # a lookup the changelist refused would redirect with ?e=1
    assert [row.pk for row in listed.context["cl"].result_list] == [drafted.pk]
    elsewhere = signed_in(world.cps_lead).get(f"{reverse(CHANGELIST)}?dip_sample__id__exact={sample.pk + 1000}")
    assert list(elsewhere.context["cl"].result_list) == []


# --- the steps, by who may take them -----------------------------------------------------------------------


def test_the_cps_lead_sends_a_draft_and_the_force_now_sees_it(world, feedback_in):
    draft = feedback_in("draft")
    assert signed_in(world.gmp_lead).get(item_url(draft)).status_code == 404  # a draft is the CPS's own
    page = signed_in(world.cps_lead).get(item_url(draft))
    assert steps_offered(page) == {"edit", "send"}
    response = signed_in(world.cps_lead).post(step_url(draft, "send"), {"row_version": draft.row_version})
    assert response.status_code == 302 and response.url == item_url(draft)
    sent = feedback_list(user=world.gmp_lead).get(pk=draft.pk)
    assert sent.status == "sent" and sent.due_on > timezone.localdate()
    assert signed_in(world.gmp_lead).get(item_url(draft)).status_code == 200


def test_the_cps_lead_edits_a_draft_and_a_stale_page_writes_nothing(world, feedback_in):
    draft = feedback_in("draft")
    client = signed_in(world.cps_lead)
    version = draft.row_version
    edit = {"row_version": version, "summary": "Items 3-9 are block listed.", "requested_action": "List each item."}
    assert client.post(step_url(draft, "edit"), edit).status_code == 302
    assert reread(draft).summary == "Items 3-9 are block listed."
    stale = client.post(step_url(draft, "edit"), {**edit, "summary": "Another summary."})
    assert stale.status_code == 409
    assert any("changed this feedback after you opened the page" in message for message in told(stale))
    assert reread(draft).summary == "Items 3-9 are block listed."
    assert reread(draft).row_version == version + 1


def test_the_police_lead_acknowledges_and_disputes_with_reasons(world, feedback_in):
    sent = feedback_in("sent")
    client = signed_in(world.gmp_lead)
    page = client.get(item_url(sent))
    assert steps_offered(page) == {"acknowledge", "respond", "message"}
    assert client.post(step_url(sent, "acknowledge"), {"row_version": sent.row_version}).status_code == 302
    acknowledged = reread(sent)
    assert acknowledged.status == "acknowledged"
    no_reasons = client.post(
        step_url(sent, "respond"), {**RESPONSE, "outcome": "disputed", "row_version": acknowledged.row_version}
    )
    assert no_reasons.status_code == 400
    assert "A dispute needs the force&#x27;s reasons." in no_reasons.content.decode()
    assert reread(sent).status == "acknowledged"
    disputed = client.post(
        step_url(sent, "respond"),
        {
            **RESPONSE,
            "outcome": "disputed",
            "reasons": "Items 3-7 were listed separately on revision 2.",
            "row_version": acknowledged.row_version,
        },
    )
    assert disputed.status_code == 302
    answered = feedback_list(user=world.cps_lead).get(pk=sent.pk)
    assert (answered.status, answered.outcome, answered.responded_by) == ("responded", "disputed", world.gmp_lead)
    assert "Items 3-7 were listed separately" in signed_in(world.cps_lead).get(item_url(sent)).content.decode()


def test_a_breach_response_needs_the_ico_answer_and_takes_a_uk_date(world, feedback_in):
    breach = feedback_in("sent", breach=True)
    client = signed_in(world.gmp_lead)
    missing = client.post(step_url(breach, "respond"), {**RESPONSE, "row_version": breach.row_version})
    assert missing.status_code == 400
    assert "Information Commissioner" in missing.content.decode()
    assert reread(breach).status == "sent"
    reported_on = timezone.localdate() - datetime.timedelta(days=2)
    ok = client.post(
        step_url(breach, "respond"),
        {
            **RESPONSE,
            "ico_reported": "yes",
            "ico_reported_on": reported_on.strftime("%d/%m/%Y"),
            "row_version": breach.row_version,
        },
    )
    assert ok.status_code == 302
    assert (reread(breach).ico_reported, reread(breach).ico_reported_on) == ("yes", reported_on)


def test_the_ico_question_is_asked_only_for_breaches(world, feedback_in):
    assert "ico_reported" not in signed_in(world.gmp_lead).get(item_url(feedback_in("sent"))).content.decode()


def test_the_cps_lead_closes_and_reopens(world, feedback_in):
    responded = feedback_in("responded")
    client = signed_in(world.cps_lead)
    assert steps_offered(client.get(item_url(responded))) == {"close", "reopen", "message"}
    assert client.post(step_url(responded, "close"), {"row_version": responded.row_version}).status_code == 302
    closed = reread(responded)
    assert closed.status == "closed"
    assert steps_offered(client.get(item_url(responded))) == {"reopen"}
    no_reason = client.post(step_url(responded, "reopen"), {"row_version": closed.row_version})
    assert no_reason.status_code == 400 and reread(responded).status == "closed"
    reopened = client.post(
        step_url(responded, "reopen"), {"row_version": closed.row_version, "reason": "Revision 2 still block lists."}
    )
    assert reopened.status_code == 302 and reread(responded).status == "sent"


@pytest.mark.parametrize(
    ("status", "step", "who"),
    [
        ("draft", "send", "superuser"),
        ("draft", "send", "cps_quality"),
        ("sent", "acknowledge", "cps_lead"),
        ("sent", "acknowledge", "superuser"),
        ("sent", "acknowledge", "gmp_mc_lead"),
        ("sent", "respond", "cps_admin"),
        ("responded", "close", "gmp_lead"),
        ("responded", "reopen", "gmp_lead"),
        ("responded", "close", "superuser"),
        ("sent", "message", "cps_quality"),
        ("sent", "message", "gmp_admin"),
    ],
)
def test_a_step_by_a_role_that_may_not_take_it_is_refused_with_a_message_and_no_write(
    world, feedback_in, status, step, who
):
    feedback = feedback_in(status)
    before = reread(feedback)
    data = {
        "row_version": before.row_version,
        **RESPONSE,
        "reason": "Not settled.",
        "body": "Which items were re-listed?",
    }
    response = signed_in(getattr(world, who)).post(step_url(feedback, step), data)
    assert response.status_code == 403
    assert told(response) and "Only" in told(response)[0]
    after = reread(feedback)
    assert (after.status, after.row_version) == (before.status, before.row_version)
    assert not FeedbackMessage.objects.filter(feedback=feedback).exists()


def test_a_step_in_the_wrong_state_is_a_409_message(world, feedback_in):
    closed = feedback_in("closed")
    response = signed_in(world.cps_lead).post(step_url(closed, "close"), {"row_version": closed.row_version})
    assert response.status_code == 409
    assert told(response) == ["Only responded feedback can be closed; this one is closed."]


@pytest.mark.parametrize(
    ("status", "step", "who", "data"),
    [
        ("draft", "send", "cps_lead", {}),
        ("sent", "acknowledge", "gmp_lead", {}),
        ("acknowledged", "respond", "gmp_lead", RESPONSE),
        ("responded", "close", "cps_lead", {}),
        ("closed", "reopen", "cps_lead", {"reason": "Revision 2 still block lists."}),
    ],
)
def test_a_step_from_a_page_drawn_before_someone_else_changed_the_item_is_refused_and_writes_nothing(
    world, feedback_in, status, step, who, data
):
    feedback = feedback_in(status)
    seen = feedback.row_version
    Feedback.objects.filter(pk=feedback.pk).update(row_version=seen + 1)  # another lead's change, as it were
    response = signed_in(getattr(world, who)).post(step_url(feedback, step), {**data, "row_version": seen})
    assert response.status_code == 409
    assert told(response) == [
        "Someone changed this feedback after you opened the page: nothing was done. Here it is as it is now."
    ]
    assert (reread(feedback).status, reread(feedback).row_version) == (status, seen + 1)
    assert f'name="row_version" value="{seen + 1}"' in response.content.decode()  # the page is redrawn as it is now


def test_every_step_url_takes_a_post_only(world, feedback_in):
    sent = feedback_in("sent")
    assert signed_in(world.gmp_lead).get(step_url(sent, "acknowledge")).status_code == 405
    assert reread(sent).status == "sent"


# --- the thread --------------------------------------------------------------------------------------------


def test_both_sides_write_in_the_thread_which_is_screened_and_never_edited(world, feedback_in):
    sent = feedback_in("sent")
    assert signed_in(world.gmp_lead).post(step_url(sent, "message"), {"body": "Which items?"}).status_code == 302
    assert signed_in(world.cps_lead).post(step_url(sent, "message"), {"body": "Items 3 to 7."}).status_code == 302
    screened = signed_in(world.gmp_lead).post(
        step_url(sent, "message"), {"body": "Witness can be contacted on 07700 900123"}
    )
    assert screened.status_code == 400
    assert "Looks like personal data" in screened.content.decode()
    assert [(m.author, m.side, m.body) for m in feedback_messages(feedback=sent)] == [
        (world.gmp_lead, "police", "Which items?"),
        (world.cps_lead, "cps", "Items 3 to 7."),
    ]
    page = signed_in(world.cps_lead).get(item_url(sent)).content.decode()
    assert "Which items?" in page and "Items 3 to 7." in page
    assert "feedbackmessage" not in page  # no link to change or delete a message
    assert signed_in(world.superuser).get("/admin/feedback/feedbackmessage/").status_code == 404


def test_the_thread_of_closed_feedback_is_closed(world, feedback_in):
    closed = feedback_in("closed")
    response = signed_in(world.gmp_lead).post(step_url(closed, "message"), {"body": "One more thing."})
    assert response.status_code == 409
    assert not FeedbackMessage.objects.filter(feedback=closed).exists()


# --- who sees what -----------------------------------------------------------------------------------------


def test_readers_who_may_not_act_see_the_item_with_no_step(world, feedback_in):
    sent = feedback_in("sent")
    # gmp_mc_lead reads GMP's rows but leads the magistrates' court stream, not this Crown Court item's.
    for who in ("cps_admin", "gmp_admin", "cps_quality", "superuser", "gmp_mc_lead"):
        page = signed_in(getattr(world, who)).get(item_url(sent))
        assert page.status_code == 200, who
        assert steps_offered(page) == set(), who


def test_a_chief_officer_and_a_member_of_nothing_are_refused_the_feedback_pages(world, feedback_in):
    sent = feedback_in("sent")
    chief = signed_in(world.gmp_chief)
    assert chief.get(reverse(CHANGELIST)).status_code == 403
    assert chief.get(item_url(sent)).status_code == 403
    nobody = signed_in(world.nobody).get(reverse(CHANGELIST))
    assert nobody.status_code == 302 and "/login/" in nobody.url


@pytest.mark.parametrize("who", ["lancs_lead", "kent_lead", "outsider"])
def test_another_forces_feedback_answers_404_on_every_page(world, gmp_defects, feedback_in, who):
    sent = feedback_in("sent")
    sample = sign_off(world, gmp_defects["sample"], world.gmp_lead)
    client = signed_in(getattr(world, who))
    data = {"row_version": sent.row_version, **RESPONSE, "reason": "x", "body": "x"}
    assert client.get(item_url(sent)).status_code == 404
    assert client.get(reverse("admin:feedback_feedback_history", args=[sent.pk])).status_code == 404
    assert client.get(reverse("admin:feedback_feedback_delete", args=[sent.pk])).status_code == 404
    for step in ("edit", "send", "acknowledge", "respond", "close", "reopen", "message"):
        assert client.post(step_url(sent, step), data).status_code == 404, step
    assert client.post(draft_url(sample)).status_code == 404
    listed = client.get(reverse(CHANGELIST))
    assert listed.status_code == 200 and sent.pk not in [row.pk for row in listed.context["cl"].result_list]
    assert reread(sent).row_version == sent.row_version
    assert not Feedback.objects.filter(dip_sample=sample).exists()


def test_ids_that_are_not_ids_answer_404(world):
    client = signed_in(world.cps_lead)
    for value in ("abc", "99999999999999999999999", "-1"):
        assert client.get(f"/admin/feedback/feedback/{value}/change/").status_code == 404
        assert client.post(f"/admin/feedback/feedback/draft-from-sample/{value}/").status_code == 404


# --- the inbox ---------------------------------------------------------------------------------------------


def test_the_inbox_puts_overdue_items_first_marked_with_uk_dates(world, feedback_in):
    on_time = feedback_in("sent")
    late = feedback_in("acknowledged")
    long_ago = timezone.localdate() - datetime.timedelta(days=3)
    Feedback.objects.filter(pk=late.pk).update(due_on=long_ago)  # as if sent weeks ago
    page = signed_in(world.gmp_lead).get(reverse(CHANGELIST))
    rows = list(page.context["cl"].result_list)
    assert [row.pk for row in rows][:2] == [late.pk, on_time.pk]
    html = page.content.decode()
    assert html.count('class="fb-badge fb-overdue"') == 1
    assert f"{long_ago.day} {long_ago:%b %Y}" in html
    assert f"{on_time.due_on.day} {on_time.due_on:%b %Y}" in html


def test_the_inbox_filters_like_the_api(world, feedback_in):
    draft, sent, responded = feedback_in("draft"), feedback_in("sent"), feedback_in("responded")
    Feedback.objects.filter(pk=sent.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))

    def listed(user, **params):
        return {row.pk for row in signed_in(user).get(reverse(CHANGELIST), params).context["cl"].result_list}

    assert listed(world.cps_lead) == {draft.pk, sent.pk, responded.pk}
    assert listed(world.cps_lead, awaiting="me") == {draft.pk, responded.pk}
    assert listed(world.gmp_lead, awaiting="me") == {sent.pk}
    assert listed(world.gmp_lead, overdue="yes") == {sent.pk}
    assert listed(world.gmp_lead, status__exact="responded") == {responded.pk}
    assert listed(world.cps_lead, dip_sample__id__exact=draft.dip_sample_id or 0) == set()


def test_the_inbox_force_filter_offers_only_visible_forces(world, rows):
    page = signed_in(world.lancs_lead).get(reverse(CHANGELIST))
    html = page.content.decode()
    assert "Lancashire Constabulary" in html
    assert "Greater Manchester Police" not in html and "Kent Police" not in html


# --- query counts: constant as the rows double -------------------------------------------------------------


def test_the_inbox_query_count_is_constant_when_rows_double(world, count_queries):
    client = signed_in(world.cps_lead)
    more_feedback(world, overdue=True, months=[1, 2])
    client.get(reverse(CHANGELIST))  # the session, the content types: cached after the first page
    with count_queries() as small:
        small_rows = len(client.get(reverse(CHANGELIST)).context["cl"].result_list)
    more_feedback(world, overdue=True, months=[3, 4])
    with count_queries() as large:
        large_rows = len(client.get(reverse(CHANGELIST)).context["cl"].result_list)
    assert large_rows == 2 * small_rows > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_the_item_page_query_count_is_constant_when_its_defects_and_messages_double(world, gmp_defects, count_queries):
    def item_with(n: int) -> Feedback:
        defects = [gmp_defects["D02"], gmp_defects["D01"]][:n]
        feedback = make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=defects, status="sent")
        for _ in range(n):
            feedback_message_create(actor=world.gmp_lead, feedback=feedback, body="Which items were re-listed?")
        return feedback

    one, two = item_with(1), item_with(2)
    client = signed_in(world.gmp_lead)
    client.get(item_url(one))
    with count_queries() as small:
        assert client.get(item_url(one)).status_code == 200
    with count_queries() as large:
        assert client.get(item_url(two)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
