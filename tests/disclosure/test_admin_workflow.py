"""Dip sampling in the admin (disclosure/admin_workflow.py): the pages a lead works on, with the API's rules.

Each page is driven through the Django test client as the cast of tests/conftest.py: who may open
it and press its buttons, what another tenant gets (404), and what a refused write shows (a form
error or a message in plain words, and nothing written).
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from disclosure import services
from disclosure.models import Assessment, Criterion, Defect, DefectCategory, DipSample, SampledSchedule
from tests.conftest import replayed
from tests.factories import answers_for, answers_rated, assess, last_year_month, make_case, make_sample, make_schedule


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> list[str]:
    """The messages shown on the page a (followed) response ends on."""
    return [str(message) for message in response.context["messages"]]


def url(name: str, *args) -> str:
    return reverse(f"admin:disclosure_dipsample_{name}", args=args)


def answer_data(answers: list[dict], **extra) -> dict:
    return {**{f"answer_{a['criterion']}": a["result"] for a in answers}, **extra}


@pytest.fixture
def gmp(world):
    """GMP Crown Court: a planned sample with three eligible schedules, and a drawn one of two (replayed from a
    recording where one fits: tests/replay.py)."""

    def build():
        leads = {"cps_lead": world.cps_lead, "police_lead": world.gmp_lead, "force": world.gmp}
        planned = make_sample(**leads, month=1, schedules=3, draw=False)
        drawn = make_sample(**leads, month=2, schedules=2)
        return planned, drawn

    return replayed(world, "disclosure.test_admin_workflow.gmp", build)


# --- the list ------------------------------------------------------------------------------


def test_a_lead_lists_the_samples_it_may_read_in_plain_words(world, gmp):
    kent = make_sample(cps_lead=world.outsider, police_lead=world.kent_lead, force=world.kent, month=1)
    response = signed_in(world.gmp_lead).get(url("changelist"))
    assert response.status_code == 200
    assert {row.pk for row in response.context["cl"].result_list} == {gmp[0].pk, gmp[1].pk}
    html = response.content.decode()
    first, last = last_year_month(1)
    assert f"{first.day} Jan {first.year} to {last.day} Jan {last.year}" in html
    for words in ("Greater Manchester Police", "Crown Court", "Planned", "In progress", "cps-lead / gmp-lead"):
        assert words in html
    assert "Kent Police" not in html
    assert kent.pk not in {row.pk for row in signed_in(world.cps_lead).get(url("changelist")).context["cl"].result_list}


@pytest.mark.parametrize(("who", "status"), [("gmp_chief", 403), ("nobody", 302), ("cps_quality", 200)])
def test_the_list_opens_to_the_roles_that_read_samples_in_the_api(world, gmp, who, status):
    assert signed_in(getattr(world, who)).get(url("changelist")).status_code == status


def test_the_list_costs_the_same_queries_for_twice_the_samples(world, count_queries):
    client = signed_in(world.cps_lead)

    def run():
        with count_queries() as ctx:
            assert client.get(url("changelist")).status_code == 200
        return len(ctx)

    for month in (1, 2):
        make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=month)
    few = run()
    for month in (3, 4):
        make_sample(cps_lead=world.cps_lead, police_lead=world.lancs_lead, force=world.lancs, month=month)
    assert run() == few


# --- plan ----------------------------------------------------------------------------------


def plan_data(world, month=6, **extra):
    first, last = last_year_month(month)
    return {
        "force": world.gmp.pk,
        "stream": "cc",
        "period_start": first.strftime("%d/%m/%Y"),
        "period_end": last.strftime("%d/%m/%Y"),
        "other_lead": world.gmp_lead.pk,
        **extra,
    }


def test_a_cps_lead_plans_a_sample_naming_the_police_lead(world):
    client = signed_in(world.cps_lead)
    form = client.get(url("add")).context["form"]
    assert set(form.fields["force"].queryset) == {world.gmp, world.lancs}
    offered = set(form.fields["other_lead"].queryset.values_list("username", flat=True))
    assert offered == {"gmp-lead", "lancs-lead", "gmp-mc-lead"}  # the police leads of its Area's forces
    assert [value for value, _ in form.fields["stream"].choices] == ["cc"]  # the stream it leads

    response = client.post(url("add"), plan_data(world))
    sample = DipSample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("change", sample.pk)
    assert (sample.cps_lead, sample.police_lead, sample.force, sample.status) == (
        world.cps_lead,
        world.gmp_lead,
        world.gmp,
        "planned",
    )
    assert sample.period_start == last_year_month(6)[0]


def test_a_police_lead_plans_with_a_cps_lead_and_cannot_choose_another_force(world):
    client = signed_in(world.gmp_lead)
    form = client.get(url("add")).context["form"]
    assert set(form.fields["force"].queryset) == {world.gmp}
    assert set(form.fields["other_lead"].queryset.values_list("username", flat=True)) == {"cps-lead"}
    refused = client.post(url("add"), plan_data(world, force=world.lancs.pk, other_lead=world.cps_lead.pk))
    assert refused.status_code == 200
    assert "force" in refused.context["form"].errors
    client.post(url("add"), plan_data(world, other_lead=world.cps_lead.pk))
    sample = DipSample.objects.get()
    assert (sample.cps_lead, sample.police_lead) == (world.cps_lead, world.gmp_lead)


def test_a_plan_the_service_refuses_shows_why_and_saves_nothing(world):
    client = signed_in(world.cps_lead)
    wrong_stream = client.post(url("add"), plan_data(world, other_lead=world.gmp_mc_lead.pk))
    assert wrong_stream.status_code == 200
    assert "gmp-mc-lead is not a cc disclosure lead of GMP" in str(wrong_stream.context["form"].errors["other_lead"])
    backwards = plan_data(world, period_start="31/03/2020", period_end="01/03/2020")
    assert "period_end" in client.post(url("add"), backwards).context["form"].errors
    assert not DipSample.objects.exists()

    client.post(url("add"), plan_data(world))
    overlap = client.post(url("add"), plan_data(world), follow=True)
    assert overlap.status_code == 200
    assert any("overlaps dip sample" in text and "tick the box" in text for text in shown(overlap))
    assert not any("allow_overlap" in text for text in shown(overlap))
    assert DipSample.objects.count() == 1
    screened = client.post(
        url("add"), plan_data(world, allow_overlap="on", overlap_reason="Asked by jane.exampleton@example.org")
    )
    assert "e-mail address" in str(screened.context["form"].errors["overlap_reason"])
    assert DipSample.objects.count() == 1


@pytest.mark.parametrize("who", ["gmp_chief", "cps_quality", "cps_admin"])
def test_only_leads_may_plan(world, who):
    client = signed_in(getattr(world, who))
    assert client.get(url("add")).status_code == 403
    assert client.post(url("add"), plan_data(world)).status_code == 403
    assert not DipSample.objects.exists()


# --- eligible count, draw, undraw ------------------------------------------------------------


def test_the_planned_sample_shows_the_eligible_count_and_a_lead_draws(world, gmp):
    planned, _ = gmp
    page = signed_in(world.cps_lead).get(url("change", planned.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="eligible-count">3</strong>' in html
    assert '<strong id="eligible-cap">3</strong>' in html  # at most all of them

    response = signed_in(world.gmp_lead).post(
        url("draw", planned.pk), {"size": 2, "seed": 1, "row_version": planned.row_version}, follow=True
    )
    planned.refresh_from_db()
    assert planned.status == "in_progress"
    assert SampledSchedule.objects.filter(dip_sample=planned).count() == 2
    assert planned.seed != 1  # the server chose it; a posted seed is no field of the form
    assert any("Drew 2 schedule(s) at random from 3 eligible" in text for text in shown(response))


def test_a_draw_refused_shows_why_and_draws_nothing(world, gmp):
    planned, _ = gmp
    client = signed_in(world.cps_lead)
    too_many = client.post(url("draw", planned.pk), {"size": 4, "row_version": planned.row_version})
    assert too_many.status_code == 200
    assert "size" in too_many.context["draw_form"].errors
    stale = client.post(url("draw", planned.pk), {"size": 1, "row_version": planned.row_version + 1}, follow=True)
    assert any("changed by someone else" in text for text in shown(stale))
    planned.refresh_from_db()
    assert (planned.status, planned.draw_count) == ("planned", 0)
    assert not SampledSchedule.objects.filter(dip_sample=planned).exists()


def test_a_draw_with_nothing_eligible_is_a_message(world):
    sample = make_sample(
        cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=7, schedules=0, draw=False
    )
    page = signed_in(world.cps_lead).get(url("change", sample.pk))
    assert '<strong id="eligible-count">0</strong>' in page.content.decode()
    response = signed_in(world.cps_lead).post(
        url("draw", sample.pk), {"size": 1, "row_version": sample.row_version}, follow=True
    )
    assert response.status_code == 200
    assert any("No schedules are eligible" in text for text in shown(response))


@pytest.mark.parametrize(("who", "status"), [("gmp_mc_lead", 403), ("gmp_chief", 403), ("lancs_lead", 404)])
def test_only_the_samples_leads_may_draw(world, gmp, who, status):
    planned, _ = gmp
    client = signed_in(getattr(world, who))
    assert client.post(url("draw", planned.pk), {"size": 1, "row_version": planned.row_version}).status_code == status
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_the_draw_button_shows_only_to_the_samples_leads(world, gmp):
    planned, _ = gmp
    assert b'id="draw-form"' in signed_in(world.gmp_lead).get(url("change", planned.pk)).content
    mc_page = signed_in(world.gmp_mc_lead).get(url("change", planned.pk))
    assert mc_page.status_code == 200
    assert b'id="draw-form"' not in mc_page.content
    assert signed_in(world.gmp_lead).get(url("draw", planned.pk)).status_code == 405  # buttons POST


def test_undraw_while_nothing_is_assessed_then_409_once_assessed(world, gmp):
    _, drawn = gmp
    client = signed_in(world.cps_lead)
    assert b"Undo the draw" in client.get(url("change", drawn.pk)).content
    schedule = drawn.schedules.first()
    assess(actor=world.gmp_lead, sample=drawn, schedule=schedule)
    drawn.refresh_from_db()
    assert b"Undo the draw" not in client.get(url("change", drawn.pk)).content
    refused = client.post(url("undraw", drawn.pk), {"row_version": drawn.row_version}, follow=True)
    assert any("withdraw the assessments before undoing the draw" in text for text in shown(refused))
    drawn.refresh_from_db()
    assert drawn.status == "in_progress"
    assert SampledSchedule.objects.filter(dip_sample=drawn).count() == 2

    Assessment.objects.filter(dip_sample=drawn).delete()
    client.post(url("undraw", drawn.pk), {"row_version": drawn.row_version})
    drawn.refresh_from_db()
    assert drawn.status == "planned"
    assert not SampledSchedule.objects.filter(dip_sample=drawn).exists()


# --- the sample's page -----------------------------------------------------------------------


def test_the_sample_page_lists_the_sampled_schedules_with_their_state_and_links(world, gmp):
    _, drawn = gmp
    first, second = drawn.schedules.order_by("sampled__position")
    assess(actor=world.gmp_lead, sample=drawn, schedule=first, rating="not_meeting")
    html = signed_in(world.cps_lead).get(url("change", drawn.pk)).content.decode()
    assert first.case.urn in html and second.case.urn in html
    assert "Not meeting the standard; DRS complete; 0 defects" in html
    assert "Not assessed yet" in html
    assert url("assess", drawn.pk, second.pk) in html


def test_the_sample_page_costs_the_same_queries_for_twice_the_schedules(world, count_queries):
    category = DefectCategory.objects.get(code="D02")
    client = signed_in(world.cps_lead)

    def page_queries(count):
        sample = make_sample(
            cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=count, schedules=count
        )
        for schedule in sample.schedules.all():
            assessment = assess(actor=world.cps_lead, sample=sample, schedule=schedule)
            services.defect_create(actor=world.cps_lead, assessment=assessment, category=category, description="Block")
        with count_queries() as ctx:
            assert client.get(url("change", sample.pk)).status_code == 200
        return len(ctx)

    assert page_queries(2) == page_queries(4)


def test_the_assessment_page_costs_the_same_queries_for_three_times_the_defects(world, gmp, count_queries):
    _, drawn = gmp
    first, second = drawn.schedules.order_by("sampled__position")
    client = signed_in(world.cps_lead)
    category = DefectCategory.objects.get(code="D02")

    def page_queries(schedule, defects):
        assessment = assess(actor=world.cps_lead, sample=drawn, schedule=schedule)
        for _ in range(defects):
            services.defect_create(actor=world.cps_lead, assessment=assessment, category=category, description="Block")
        with count_queries() as ctx:
            assert client.get(url("assess", drawn.pk, schedule.pk)).status_code == 200
        return len(ctx)

    assert page_queries(first, 1) == page_queries(second, 3)


# --- assessing -----------------------------------------------------------------------------


def kind_codes(kind: str) -> set[str]:
    """Criteria of checklist v1 that apply to ``kind`` (by the ADR's rule: its kind's, and the DRS ones)."""
    return {
        code
        for code, applies in Criterion.objects.filter(checklist__version=1).values_list("code", "applies_to")
        if kind in applies or "drs" in applies
    }


def test_the_assessment_page_asks_the_criteria_of_the_schedules_kind(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    page = signed_in(world.gmp_lead).get(url("assess", drawn.pk, schedule.pk))
    assert page.status_code == 200
    form = page.context["form"]
    asked = {field.removeprefix("answer_") for field in form.fields if field.startswith("answer_")}
    assert asked == kind_codes("mg6c")
    assert "E1" not in asked  # the MG6E's criterion
    assert b'id="save-assessment"' in page.content


def test_a_lead_assesses_and_the_rating_follows_from_the_answers(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    client = signed_in(world.cps_lead)
    data = answer_data(answers_for("mg6c", N8="not_meeting"), drs_complete="on", rating="fully_meets")
    response = client.post(url("assess", drawn.pk, schedule.pk), data, follow=True)
    assessment = Assessment.objects.get(dip_sample=drawn, schedule=schedule)
    assert assessment.rating == "not_meeting"  # N8 is critical; the posted 'rating' is not a field
    assert assessment.drs_complete is True
    assert any("The answers give: Not meeting the standard" in text for text in shown(response))
    assert "Not meeting the standard" in response.content.decode()


def test_an_incomplete_or_screened_assessment_is_refused_with_nothing_saved(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    client = signed_in(world.cps_lead)
    answers = answers_for("mg6c")
    missing = client.post(url("assess", drawn.pk, schedule.pk), answer_data(answers[1:]))
    assert missing.status_code == 200
    assert f"answer_{answers[0]['criterion']}" in missing.context["form"].errors
    screened = client.post(
        url("assess", drawn.pk, schedule.pk), answer_data(answers, notes="Witness mobile 07700 900123 on item 4")
    )
    assert screened.status_code == 200
    assert "UK phone number" in str(screened.context["form"].errors["notes"])
    assert screened.context["shown_rating"] == "Fully meeting the standard"  # of the answers typed, unsaved
    all_na = client.post(
        url("assess", drawn.pk, schedule.pk), answer_data(answers_for("mg6c", result="not_applicable"))
    )
    assert "nothing has been assessed" in str(all_na.context["form"].errors)
    assert not Assessment.objects.exists()


def test_a_stale_assessment_edit_is_refused_and_the_newer_one_kept(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assessment = assess(actor=world.gmp_lead, sample=drawn, schedule=schedule, rating="partially_meets")
    client = signed_in(world.cps_lead)
    page = client.get(url("assess", drawn.pk, schedule.pk))
    read_version = page.context["form"].initial["row_version"]
    services.assessment_update(
        actor=world.gmp_lead, assessment=assessment, row_version=assessment.row_version, notes="Second look."
    )
    data = answer_data(answers_for("mg6c"), row_version=read_version)
    response = client.post(url("assess", drawn.pk, schedule.pk), data)
    assert response.status_code == 200
    assert any("changed by someone else" in text for text in shown(response))
    assessment.refresh_from_db()
    assert (assessment.rating, assessment.notes) == ("partially_meets", "Second look.")

    fresh = answer_data(answers_for("mg6c"), row_version=assessment.row_version, notes="Second look.")
    client.post(url("assess", drawn.pk, schedule.pk), fresh)
    assessment.refresh_from_db()
    assert assessment.rating == "fully_meets"


def test_a_signed_off_sample_is_read_only_on_the_assessment_page(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    for entry in drawn.schedules.all():
        assess(actor=world.gmp_lead, sample=drawn, schedule=entry, rating="partially_meets")
    services.dip_sample_complete(actor=world.cps_lead, dip_sample=drawn)
    client = signed_in(world.cps_lead)
    assert b'id="save-assessment"' in client.get(url("assess", drawn.pk, schedule.pk)).content  # completed: editable
    services.dip_sample_sign_off(actor=world.cps_lead, dip_sample=drawn)
    services.dip_sample_sign_off(actor=world.gmp_lead, dip_sample=drawn)
    page = client.get(url("assess", drawn.pk, schedule.pk))
    assert b'id="save-assessment"' not in page.content
    assert b'id="defect-form"' not in page.content
    assessment = Assessment.objects.get(dip_sample=drawn, schedule=schedule)
    data = answer_data(answers_for("mg6c"), row_version=assessment.row_version)
    response = client.post(url("assess", drawn.pk, schedule.pk), data)
    assert response.status_code == 200
    assert any("signed off" in text for text in shown(response))
    assessment.refresh_from_db()
    assert assessment.rating == "partially_meets"


# --- defects -------------------------------------------------------------------------------


def test_a_defect_is_logged_with_the_categorys_severity_and_withdrawn(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assessment = assess(actor=world.gmp_lead, sample=drawn, schedule=schedule, rating="partially_meets")
    client = signed_in(world.cps_lead)
    page = client.get(url("assess", drawn.pk, schedule.pk))
    html = page.content.decode()
    assert '<optgroup label="Item descriptions (police)">' in html
    assert 'data-default-severity="significant"' in html
    assert "disclosure/defect_form.js" in html
    d02 = DefectCategory.objects.get(code="D02")
    client.post(
        url("adddefect", drawn.pk, schedule.pk),
        {"category": d02.pk, "severity": "", "item_reference": "items 3-7", "description": "Block listed."},
    )
    defect = Defect.objects.get(assessment=assessment)
    assert (defect.category, defect.severity, defect.item_reference) == (d02, "significant", "items 3-7")

    client.post(url("withdrawdefect", drawn.pk, schedule.pk, defect.pk))
    assert not Defect.objects.filter(pk=defect.pk).exists()


def test_a_defect_the_service_refuses_is_a_form_error(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assess(actor=world.gmp_lead, sample=drawn, schedule=schedule, rating="fully_meets")
    c01 = DefectCategory.objects.get(code="C01")  # police side, critical
    response = signed_in(world.cps_lead).post(
        url("adddefect", drawn.pk, schedule.pk), {"category": c01.pk, "description": "Item omitted."}
    )
    assert response.status_code == 200
    assert "cannot sit on an assessment rated 'fully_meets'" in " ".join(
        response.context["defect_form"].errors["severity"]
    )
    screened = signed_in(world.cps_lead).post(
        url("adddefect", drawn.pk, schedule.pk),
        {"category": c01.pk, "severity": "minor", "description": "Item 6: postcode pr1 2he"},
    )
    assert "UK postcode" in str(screened.context["defect_form"].errors["description"])
    assert not Defect.objects.exists()


# --- not assessable, hand-picked -------------------------------------------------------------


def test_a_lead_marks_a_schedule_not_assessable_with_a_reason(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    client = signed_in(world.gmp_lead)
    empty = client.post(url("notassessable", drawn.pk, schedule.pk), {"reason": "", "row_version": drawn.row_version})
    assert "reason" in empty.context["reason_form"].errors
    client.post(
        url("notassessable", drawn.pk, schedule.pk), {"reason": "Not supplied.", "row_version": drawn.row_version}
    )
    assert SampledSchedule.objects.get(dip_sample=drawn, schedule=schedule).not_assessable_reason == "Not supplied."
    assert b"Not assessable: Not supplied." in client.get(url("change", drawn.pk)).content


def test_a_lead_adds_an_eligible_schedule_by_hand(world, gmp):
    _, drawn = gmp
    spare = make_schedule(
        actor=world.gmp_lead,
        case=make_case(actor=world.gmp_lead, force=world.gmp),
        received_on=last_year_month(2)[0] + datetime.timedelta(days=1),
    )
    client = signed_in(world.cps_lead)
    offered = client.get(url("change", drawn.pk)).context["pick_form"].fields["schedule"].queryset
    assert list(offered) == [spare]
    no_reason = client.post(url("addschedule", drawn.pk), {"schedule": spare.pk, "row_version": drawn.row_version})
    assert "reason" in no_reason.context["pick_form"].errors
    client.post(
        url("addschedule", drawn.pk),
        {"schedule": spare.pk, "reason": "Flagged by the CPS.", "row_version": drawn.row_version},
    )
    entry = SampledSchedule.objects.get(dip_sample=drawn, schedule=spare)
    assert (entry.method, entry.reason) == ("hand_picked", "Flagged by the CPS.")


# --- complete and sign off ---------------------------------------------------------------------


def test_complete_and_each_side_signs_with_buttons_for_those_who_may(world, gmp):
    _, drawn = gmp
    first, second = drawn.schedules.order_by("sampled__position")
    cps, police, mc = signed_in(world.cps_lead), signed_in(world.gmp_lead), signed_in(world.gmp_mc_lead)
    assess(actor=world.gmp_lead, sample=drawn, schedule=first)

    early = cps.post(url("complete", drawn.pk), {"row_version": drawn.row_version}, follow=True)
    assert any("1 drawn schedule(s) are not assessed yet" in text for text in shown(early))
    assert DipSample.objects.get(pk=drawn.pk).status == "in_progress"
    assert b'id="complete-button"' not in mc.get(url("change", drawn.pk)).content
    assert mc.post(url("complete", drawn.pk), {"row_version": drawn.row_version}).status_code == 403

    assess(actor=world.gmp_lead, sample=drawn, schedule=second)
    assert b'id="complete-button"' in cps.get(url("change", drawn.pk)).content
    cps.post(url("complete", drawn.pk), {"row_version": drawn.row_version})
    drawn.refresh_from_db()
    assert drawn.status == "completed"

    assert b"Sign off for the CPS side" in cps.get(url("change", drawn.pk)).content
    assert b"Sign off for the police side" in police.get(url("change", drawn.pk)).content
    assert b'id="sign-off-button"' not in mc.get(url("change", drawn.pk)).content  # a magistrates' court lead
    assert b'id="sign-off-button"' not in signed_in(world.superuser).get(url("change", drawn.pk)).content
    assert mc.post(url("signoff", drawn.pk), {"row_version": drawn.row_version}).status_code == 403

    cps.post(url("signoff", drawn.pk), {"row_version": drawn.row_version})
    drawn.refresh_from_db()
    assert (drawn.cps_signed_off_by, drawn.status) == (world.cps_lead, "completed")
    assert b'id="sign-off-button"' not in cps.get(url("change", drawn.pk)).content
    twice = cps.post(url("signoff", drawn.pk), {"row_version": drawn.row_version}, follow=True)
    assert any("already signed" in text for text in shown(twice))

    police.post(url("signoff", drawn.pk), {"row_version": drawn.row_version})
    drawn.refresh_from_db()
    assert (drawn.police_signed_off_by, drawn.status) == (world.gmp_lead, "signed_off")


def test_a_sign_off_on_a_stale_page_is_refused(world, gmp):
    _, drawn = gmp
    for schedule in drawn.schedules.all():
        assess(actor=world.gmp_lead, sample=drawn, schedule=schedule)
    drawn = services.dip_sample_complete(actor=world.cps_lead, dip_sample=drawn)
    seen = drawn.row_version
    services.dip_sample_reopen(actor=world.cps_lead, dip_sample=drawn, reason="One more look.")
    services.dip_sample_complete(actor=world.cps_lead, dip_sample=drawn)
    response = signed_in(world.gmp_lead).post(url("signoff", drawn.pk), {"row_version": seen}, follow=True)
    assert any("changed by someone else" in text for text in shown(response))
    assert DipSample.objects.get(pk=drawn.pk).police_signed_off_by is None


# --- another tenant's sample: 404 on every page ------------------------------------------------


def every_page(sample, schedule, defect):
    return [
        ("get", url("change", sample.pk)),
        ("post", url("draw", sample.pk)),
        ("post", url("undraw", sample.pk)),
        ("post", url("complete", sample.pk)),
        ("post", url("signoff", sample.pk)),
        ("post", url("reopen", sample.pk)),
        ("post", url("addschedule", sample.pk)),
        ("get", url("assess", sample.pk, schedule.pk)),
        ("post", url("assess", sample.pk, schedule.pk)),
        ("post", url("notassessable", sample.pk, schedule.pk)),
        ("post", url("adddefect", sample.pk, schedule.pk)),
        ("post", url("withdrawdefect", sample.pk, schedule.pk, defect.pk)),
    ]


@pytest.mark.parametrize("who", ["lancs_lead", "kent_lead", "outsider"])
def test_another_forces_sample_answers_404_on_every_page(world, gmp, who):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assessment = assess(actor=world.gmp_lead, sample=drawn, schedule=schedule)
    defect = services.defect_create(
        actor=world.gmp_lead, assessment=assessment, category=DefectCategory.objects.get(code="D02"), description="x"
    )
    client = signed_in(getattr(world, who))
    statuses = {path: getattr(client, method)(path).status_code for method, path in every_page(drawn, schedule, defect)}
    assert set(statuses.values()) == {404}, statuses
    assert Defect.objects.filter(pk=defect.pk).exists()


def test_a_schedule_of_another_sample_answers_404_on_this_samples_pages(world, gmp):
    _, drawn = gmp
    other = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3, schedules=1)
    foreign = other.schedules.get()
    client = signed_in(world.cps_lead)
    assert client.get(url("assess", drawn.pk, foreign.pk)).status_code == 404
    assert client.post(url("notassessable", drawn.pk, foreign.pk), {"reason": "x"}).status_code == 404


def test_a_chief_officer_is_refused_every_page(world, gmp):
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assessment = assess(actor=world.gmp_lead, sample=drawn, schedule=schedule)
    defect = services.defect_create(
        actor=world.gmp_lead, assessment=assessment, category=DefectCategory.objects.get(code="D02"), description="x"
    )
    client = signed_in(world.gmp_chief)
    statuses = {path: getattr(client, method)(path).status_code for method, path in every_page(drawn, schedule, defect)}
    assert set(statuses.values()) == {403}, statuses


def test_answers_rated_helper_agrees_with_the_page(world, gmp):
    """The page saves what the ADR's rule gives for each rating (answers built by the rule, not the code)."""
    _, drawn = gmp
    first, second = drawn.schedules.order_by("sampled__position")
    client = signed_in(world.cps_lead)
    client.post(url("assess", drawn.pk, first.pk), answer_data(answers_rated("mg6c", "partially_meets")))
    client.post(url("assess", drawn.pk, second.pk), answer_data(answers_rated("mg6c", "fully_meets")))
    assert dict(Assessment.objects.filter(dip_sample=drawn).values_list("schedule_id", "rating")) == {
        first.pk: "partially_meets",
        second.pk: "fully_meets",
    }


def test_reading_the_list_the_sample_and_an_assessment_is_logged_as_a_consultation(world, gmp):
    from audit.models import AuditEvent

    access = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS, actor=world.cps_lead)
    _, drawn = gmp
    schedule = drawn.schedules.first()
    assessment = assess(actor=world.gmp_lead, sample=drawn, schedule=schedule)
    client = signed_in(world.cps_lead)
    client.get(url("changelist"))
    listed = access.get(content_type__model="dipsample", object_pk="")
    assert sorted(listed.additional_data["list"]["ids"]) == sorted(sample.pk for sample in gmp)
    client.get(url("change", drawn.pk))
    client.get(url("assess", drawn.pk, schedule.pk))
    read = set(access.exclude(object_pk="").values_list("content_type__model", "object_pk"))
    assert read == {("dipsample", str(drawn.pk)), ("schedule", str(schedule.pk)), ("assessment", str(assessment.pk))}


def test_a_sample_id_that_is_not_a_number_answers_404_not_a_crash(world):
    client = signed_in(world.cps_lead)
    for bad in ("abc", "1.5", "99999999999999999999999"):
        assert client.get(f"/admin/disclosure/dipsample/{bad}/change/").status_code == 404, bad
