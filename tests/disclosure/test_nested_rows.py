"""A dip sample's sampled schedules and an assessment's answers, in list and detail: in draw and checklist
order (not the rows' insertion order), with the keys in the schema's order and JSON types.

They hold whichever way the nested rows are read (a second statement per page today; session 6 measured
a JSON column of the rows statement instead, docs/PERFORMANCE.md). Expectations are built here from the
tables, not from the selectors' output.
"""

import datetime

from disclosure import services
from disclosure.models import AssessmentAnswer, Criterion, SampledSchedule
from tests.factories import assess, last_year_month, make_case, make_sample, make_schedule

SAMPLED_KEYS = ["schedule", "position", "method", "reason", "assessable", "not_assessable_reason"]


def _sample_with_a_hand_picked_and_a_not_assessable_schedule(world):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3, schedules=3)
    first, _ = last_year_month(3)
    case = make_case(actor=world.gmp_lead, force=world.gmp)
    extra = make_schedule(actor=world.gmp_lead, case=case, received_on=first + datetime.timedelta(days=5))
    sample = services.dip_sample_add_schedule(
        actor=world.cps_lead, dip_sample=sample, schedule=extra, reason='Late schedule \u2013 "quoted" \\ reason.'
    )
    drawn = SampledSchedule.objects.filter(dip_sample=sample, method="random").order_by("position").first()
    sample = services.dip_sample_mark_not_assessable(
        actor=world.cps_lead, dip_sample=sample, schedule=drawn.schedule, reason="Illegible scan."
    )
    # Positions no longer in the rows' insertion (id) order: the first and the last swap places.
    rows = list(SampledSchedule.objects.filter(dip_sample=sample).order_by("position"))
    first_row, last_row = rows[0], rows[-1]
    low, high = first_row.position, last_row.position
    SampledSchedule.objects.filter(pk=first_row.pk).update(position=10_000)
    SampledSchedule.objects.filter(pk=last_row.pk).update(position=low)
    SampledSchedule.objects.filter(pk=first_row.pk).update(position=high)
    return sample


def _expected_sampled(sample):
    rows = SampledSchedule.objects.filter(dip_sample=sample).order_by("position")
    return [
        [
            ("schedule", row.schedule_id),
            ("position", row.position),
            ("method", row.method),
            ("reason", row.reason),
            ("assessable", row.not_assessable_reason == ""),
            ("not_assessable_reason", row.not_assessable_reason),
        ]
        for row in rows
    ]


def test_it_shows_the_sampled_schedules_in_draw_order_with_their_keys_and_types_in_list_and_detail(world, client_for):
    sample = _sample_with_a_hand_picked_and_a_not_assessable_schedule(world)
    expected = _expected_sampled(sample)
    ids_by_position = [pairs[0][1] for pairs in expected]
    assert ids_by_position != sorted(
        SampledSchedule.objects.filter(dip_sample=sample).values_list("schedule_id", flat=True),
        key=lambda pk: SampledSchedule.objects.get(dip_sample=sample, schedule_id=pk).pk,
    )  # the order is the position's, not the rows' ids
    assert {pairs[2][1] for pairs in expected} == {"random", "hand_picked"}
    assert {pairs[4][1] for pairs in expected} == {True, False}
    client = client_for(world.cps_lead)
    listed = client.get("/api/v1/dip-samples/").json()["results"]
    detail = client.get(f"/api/v1/dip-samples/{sample.pk}/").json()
    (row,) = [row for row in listed if row["id"] == sample.pk]
    for shown in (row, detail):
        assert [list(item.items()) for item in shown["sampled"]] == expected
        assert shown["selection"] == ids_by_position
        for item in shown["sampled"]:
            assert list(item) == SAMPLED_KEYS
            assert type(item["schedule"]) is int and type(item["position"]) is int
            assert type(item["assessable"]) is bool


def test_it_shows_an_undrawn_sample_with_no_sampled_schedules(world, client_for):
    sample = make_sample(
        cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=4, schedules=1, draw=False
    )
    client = client_for(world.cps_lead)
    (row,) = [row for row in client.get("/api/v1/dip-samples/").json()["results"] if row["id"] == sample.pk]
    detail = client.get(f"/api/v1/dip-samples/{sample.pk}/").json()
    for shown in (row, detail):
        assert shown["sampled"] == [] and shown["selection"] == []


def test_it_shows_the_answers_in_checklist_order_not_in_the_order_they_were_stored(world, client_for):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=5, schedules=1)
    assessment = assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    stored = list(AssessmentAnswer.objects.filter(assessment=assessment).select_related("criterion"))
    assert len(stored) > 2
    # Stored again in reverse checklist order (ids no longer follow the criteria's positions).
    AssessmentAnswer.objects.filter(assessment=assessment).delete()
    by_position = sorted(stored, key=lambda answer: answer.criterion.position)
    for answer in reversed(by_position):
        AssessmentAnswer.objects.create(assessment=assessment, criterion=answer.criterion, result=answer.result)
    expected = [
        {"criterion": code, "result": result}
        for code, result in sorted(
            ((answer.criterion.code, answer.result) for answer in stored),
            key=lambda pair: Criterion.objects.get(checklist=assessment.checklist, code=pair[0]).position,
        )
    ]
    client = client_for(world.cps_lead)
    (row,) = [row for row in client.get("/api/v1/assessments/").json()["results"] if row["id"] == assessment.pk]
    detail = client.get(f"/api/v1/assessments/{assessment.pk}/").json()
    for shown in (row, detail):
        assert shown["answers"] == expected
        assert [list(answer) for answer in shown["answers"]] == [["criterion", "result"]] * len(expected)
