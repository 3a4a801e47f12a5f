"""Meetings freeze the figures they present; action items; the Area comparison; /me/ lists the summaries."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from reports import services
from tests.factories import make_meeting
from tests.reports.test_summary import Row, Sample, _year, build


def _year_window():
    year = _year()
    return {"from": f"{year}-01-01", "to": f"{year}-12-31"}


def _meeting_body(**overrides):
    year = _year()
    body = {
        "area": "CPS-NW",
        "forces": ["GMP", "LANCS"],
        "kind": "joint_forum",
        "held_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "notes": "Monthly forum: block listing and MG6E returns.",
    }
    return {**body, **overrides}


GMP_MARCH = [Sample("GMP", "cc", 3, True, [Row("not_meeting", drs=False, defects=[("D02", None)])])]
GMP_APRIL = [Sample("GMP", "cc", 4, True, [Row("fully_meets", drs=True), Row("fully_meets", drs=True)])]


def test_a_meeting_freezes_its_forces_figures_as_presented(world, client_for):
    build(world, GMP_MARCH)
    client = client_for(world.cps_lead)
    created = client.post("/api/v1/meetings/", _meeting_body(), format="json")
    assert created.status_code == 201, created.json()
    meeting = created.json()
    assert meeting["forces"] == ["GMP", "LANCS"]
    assert meeting["snapshot"]["GMP"]["schedules_assessed"] == 1
    assert meeting["snapshot"]["GMP"]["defective_rate"]["value"] == 1.0
    assert meeting["snapshot"]["LANCS"]["schedules_assessed"] == 0

    build(world, GMP_APRIL)  # signed off after the meeting was recorded
    summary = client.get("/api/v1/organisations/GMP/summary/", _year_window()).json()
    assert summary["schedules_assessed"] == 3
    again = client.get(f"/api/v1/meetings/{meeting['id']}/").json()
    assert again["snapshot"] == meeting["snapshot"]

    refreshed = client.post(f"/api/v1/meetings/{meeting['id']}/snapshot/")
    assert refreshed.status_code == 200, refreshed.json()
    assert refreshed.json()["snapshot"]["GMP"]["schedules_assessed"] == 3


def test_a_held_meeting_cannot_be_snapshotted_again(world, client_for):
    held_on = timezone.localdate() + datetime.timedelta(days=3)
    meeting = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp], held_on=held_on)
    with time_machine.travel(datetime.datetime.combine(held_on, datetime.time(12), tzinfo=datetime.UTC), tick=False):
        answer = client_for(world.cps_lead).post(f"/api/v1/meetings/{meeting.pk}/snapshot/")
    assert answer.status_code == 409, answer.json()
    assert answer.json()["code"] == "meeting_held"


def test_police_see_meetings_of_their_force_and_only_their_forces_figures(world, client_for):
    both = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp, world.lancs])
    lancs_only = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.lancs], kind="chief_officer")
    chief = client_for(world.gmp_chief)
    listed = chief.get("/api/v1/meetings/").json()["results"]
    assert [row["id"] for row in listed] == [both.pk]
    assert set(listed[0]["snapshot"]) == {"GMP"}
    assert chief.get(f"/api/v1/meetings/{lancs_only.pk}/").status_code == 404
    lancs = client_for(world.lancs_lead).get(f"/api/v1/meetings/{both.pk}/").json()
    assert set(lancs["snapshot"]) == {"LANCS"}
    quality = client_for(world.cps_quality).get(f"/api/v1/meetings/{both.pk}/").json()
    assert set(quality["snapshot"]) == {"GMP", "LANCS"}
    assert client_for(world.kent_lead).get(f"/api/v1/meetings/{both.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"forces": ["GMP", "KENT"]}, "forces"),  # KENT is of another Area (the superuser sees it)
        ({"forces": []}, "forces"),
        ({"period_end": "2000-01-01"}, "period_end"),
        ({"notes": "Witness can be contacted on 07700 900123 after 6pm"}, "notes"),
        ({"kind": "tea_party"}, "kind"),
        ({"area": "GMP"}, "area"),
    ],
)
def test_a_bad_meeting_is_refused_naming_the_field_and_nothing_is_written(world, client_for, overrides, field):
    from reports.models import Meeting

    answer = client_for(world.superuser).post("/api/v1/meetings/", _meeting_body(**overrides), format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"]
    assert not Meeting.objects.exists()


def test_an_open_action_item_past_due_is_overdue_and_counted_in_the_summary(world, client_for):
    meeting = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp])
    client = client_for(world.cps_lead)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    overdue = client.post(
        "/api/v1/action-items/",
        {"meeting": meeting.pk, "owner": "GMP", "description": "Re-serve the MG6E returns.", "due_on": str(yesterday)},
        format="json",
    )
    assert overdue.status_code == 201, overdue.json()
    assert overdue.json()["is_overdue"] is True
    later = client.post(
        "/api/v1/action-items/",
        {"meeting": meeting.pk, "owner": "GMP", "description": "Audit block listing.", "due_on": "2099-01-01"},
        format="json",
    )
    assert later.json()["is_overdue"] is False
    chief = client_for(world.gmp_chief)
    assert chief.get("/api/v1/organisations/GMP/summary/").json()["action_items"] == {"open": 2, "overdue": 1}

    done = client_for(world.gmp_lead).post(f"/api/v1/action-items/{overdue.json()['id']}/done/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert chief.get("/api/v1/organisations/GMP/summary/").json()["action_items"] == {"open": 1, "overdue": 0}
    assert client_for(world.gmp_lead).post(f"/api/v1/action-items/{overdue.json()['id']}/done/").status_code == 409
    assert chief.post(f"/api/v1/action-items/{later.json()['id']}/done/").status_code == 403


def test_an_action_item_is_owned_by_the_meeting_area_or_one_of_its_forces(world, client_for):
    meeting = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp])
    answer = client_for(world.cps_lead).post(
        "/api/v1/action-items/",
        {"meeting": meeting.pk, "owner": "LANCS", "description": "Review schedules.", "due_on": "2099-01-01"},
        format="json",
    )
    assert answer.status_code == 400 and "owner" in answer.json()["fields"]
    screened = client_for(world.cps_lead).post(
        "/api/v1/action-items/",
        {"meeting": meeting.pk, "owner": "CPS-NW", "description": "Call 07700 900123.", "due_on": "2099-01-01"},
        format="json",
    )
    assert screened.status_code == 400 and "description" in screened.json()["fields"]


# --- the Area comparison ------------------------------------------------------------------------------------


def test_the_comparison_sets_the_forces_side_by_side_and_flags_the_one_beyond_chance(world, client_for):
    build(
        world,
        [
            Sample("GMP", "cc", 2, True, [Row("not_meeting", drs=False, defects=[("D02", None)])] * 10),
            Sample("LANCS", "cc", 2, True, [Row("fully_meets", drs=True)] * 10),
            Sample("LANCS", "cc", 3, False, [Row("not_meeting", drs=False, defects=[("D02", None)])]),  # unsigned
        ],
    )
    data = client_for(world.cps_quality).get("/api/v1/organisations/CPS-NW/comparison/", _year_window()).json()
    assert data["area"] == "CPS-NW"
    rows = {row["force"]: row for row in data["forces"]}
    assert list(rows) == ["GMP", "LANCS"]
    assert rows["GMP"]["schedules_assessed"] == 10 and rows["LANCS"]["schedules_assessed"] == 10
    assert rows["GMP"]["defective_rate"]["value"] == 1.0
    assert rows["LANCS"]["defective_rate"]["value"] == 0.0
    # 10/10: Wilson 0.72247..1; 0/10: 0..0.27753 (z²/(n+z²) = 3.84146/13.84146): no overlap.
    assert rows["GMP"]["defective_rate"]["ci_low"] == pytest.approx(0.72247, abs=1e-4)
    assert rows["GMP"]["differs"] == "higher" and rows["LANCS"]["differs"] == "lower"
    assert data["total"]["schedules_assessed"] == 20
    assert data["total"]["defective_rate"]["value"] == 0.5
    assert data["total"]["defects_per_schedule"] == 0.5
    assert data["total"]["drs_complete_rate"] == 0.5


def test_forces_within_chance_of_each_other_are_not_flagged(world, client_for):
    build(
        world,
        [
            Sample(
                "GMP", "cc", 2, True, [Row("not_meeting", drs=False, defects=[("D02", None)]), Row("fully_meets", True)]
            ),
            Sample("LANCS", "cc", 2, True, [Row("fully_meets", drs=True)] * 2),
        ],
    )
    data = client_for(world.cps_admin).get("/api/v1/organisations/CPS-NW/comparison/", _year_window()).json()
    assert [row["differs"] for row in data["forces"]] == [None, None]


# --- /me/ ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "forces", "comparisons"),
    [
        ("gmp_chief", ["GMP"], []),
        ("gmp_lead", ["GMP"], []),
        ("cps_quality", ["GMP", "LANCS"], ["CPS-NW"]),
        ("cps_lead", ["GMP", "LANCS"], ["CPS-NW"]),
        ("outsider", ["KENT"], ["CPS-SE"]),
        ("nobody", [], []),
        ("superuser", ["GMP", "KENT", "LANCS"], ["CPS-NW", "CPS-SE"]),
    ],
)
def test_me_lists_the_summaries_the_user_may_read(world, client_for, who, forces, comparisons):
    data = client_for(getattr(world, who)).get("/api/v1/me/").json()
    assert data["summaries"] == {"forces": forces, "comparisons": comparisons}


def _meetings(world, count):
    for _ in range(count):
        meeting = make_meeting(actor=world.cps_lead, area=world.nw, forces=[world.gmp, world.lancs])
        for owner in (world.gmp, world.lancs):
            services.action_item_create(
                actor=world.cps_lead,
                meeting=meeting,
                owner=owner,
                description="Review schedules.",
                due_on=meeting.held_on,
            )


@pytest.mark.parametrize("resource", ["meetings", "action-items"])
def test_meeting_and_action_item_lists_cost_the_same_queries_when_rows_double(
    world, client_for, count_queries, resource
):
    client = client_for(world.gmp_chief)
    _meetings(world, 2)
    with count_queries() as small:
        small_count = client.get(f"/api/v1/{resource}/").json()["count"]
    _meetings(world, 3)
    with count_queries() as large:
        large_count = client.get(f"/api/v1/{resource}/").json()["count"]
    assert large_count >= 2 * small_count > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
