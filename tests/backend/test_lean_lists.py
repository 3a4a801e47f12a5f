"""Lists rendered by ``backend.api.lean.LeanListSerializer`` answer the very bytes DRF's own path answers.

The oracle is DRF itself: each list is requested twice, once as served and once with the lean
path switched back to ``ListSerializer.to_representation`` (DRF's per-field rendering), and the
two response bodies must be byte-identical, for every list route of the API, several readers and
filters. The unit tests below hold the plan to DRF's output on values a page from the database
does not show (naive and UTC date-times, summer time, empty choices, missing annotations).
"""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from backend.api import lean
from backend.api.lean import LeanListSerializer
from disclosure.api.serializers import (
    AssessmentOutputSerializer,
    CaseOutputSerializer,
    DefectOutputSerializer,
    DipSampleOutputSerializer,
    ScheduleOutputSerializer,
)
from disclosure.models import Case, Schedule, ScheduleKind
from forces.models import Organisation, OrganisationKind, Stream
from tests.factories import build_rows
from tests.test_list_query_counts import list_routes

READERS = ("superuser", "cps_lead", "gmp_lead", "kent_lead", "cps_admin", "cps_quality")

#: A few filters and orderings per list, besides the plain page.
QUERIES = {
    "case-list": [{"stream": "cc"}, {"ordering": "urn"}, {"force": "GMP"}],
    "schedule-list": [{"force": "GMP"}, {"ordering": "-id"}],
    "dip-sample-list": [{"status": "signed_off"}, {"status": "planned"}, {"ordering": "created_at"}],
    "assessment-list": [{"rating": "fully_meets"}, {"ordering": "-id"}],
    "defect-list": [{"category": "D02"}, {"side": "police"}, {"ordering": "-severity"}],
}


def drf_path(monkeypatch):
    monkeypatch.setattr(LeanListSerializer, "to_representation", serializers.ListSerializer.to_representation)


@pytest.mark.heavy
def test_every_list_answers_the_same_bytes_as_drf_for_every_reader_and_filter(world, client_for, monkeypatch):
    build_rows(world)
    requests = []
    for name, paginated in sorted(list_routes().items()):
        for params in [{}, *QUERIES.get(name, [])]:
            query = {**params, "page_size": 200} if paginated else params
            requests.extend((user, reverse(f"api:{name}"), query) for user in READERS)
    different = []
    non_empty = 0
    for user, path, query in requests:
        # Back to back: a list read is logged, so the audit-events list changes between other requests.
        served = client_for(getattr(world, user)).get(path, query)
        with monkeypatch.context() as patched:
            drf_path(patched)
            response = client_for(getattr(world, user)).get(path, query)
        if (served.status_code, served.content) != (response.status_code, response.content):
            different.append((user, path, query))
        if served.status_code == 200 and b'"results":[{' in served.content:
            non_empty += 1
    assert not different, different
    # The comparison means something: most of the pages compared held rows.
    assert non_empty > len(requests) // 2, (non_empty, len(requests))


#: The output serializers of the disclosure lists.
DISCLOSURE_LISTS = (
    CaseOutputSerializer,
    ScheduleOutputSerializer,
    DipSampleOutputSerializer,
    AssessmentOutputSerializer,
    DefectOutputSerializer,
)


def test_the_disclosure_lists_are_served_by_the_lean_path():
    for serializer_class in DISCLOSURE_LISTS:
        assert isinstance(serializer_class([], many=True), LeanListSerializer), serializer_class


def test_the_disclosure_lists_render_force_and_area_codes_from_columns_of_the_row():
    """No ``Organisation`` object per row: the codes are annotations (``disclosure.selectors.organisation_codes``)."""
    for serializer_class in DISCLOSURE_LISTS:
        steps = {step.name: step for step in lean.plan_for(serializer_class()).steps}
        assert (steps["force"].kind, steps["force"].attrs) == (lean.TEXT, ("force_code",)), serializer_class
        assert (steps["area"].kind, steps["area"].attrs) == (lean.TEXT, ("area_code",)), serializer_class


def test_the_case_plan_reads_every_field_itself():
    kinds = {step.name: step.kind for step in lean.plan_for(CaseOutputSerializer()).steps}
    assert kinds == {
        "id": lean.INTEGER,
        "urn": lean.TEXT,
        "force": lean.TEXT,
        "area": lean.TEXT,
        "stream": lean.CHOICE,
        "schedule_count": lean.INTEGER,
        "created_at": lean.DATETIME,
        "updated_at": lean.DATETIME,
    }


# --- the plan against DRF on values a seeded page does not show --------------------------------------


class ProbeSerializer(serializers.ModelSerializer):
    """Every kind of step over a schedule: columns, a path through the case, slugs, a method, a property."""

    force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    urn = serializers.CharField(source="case.urn", read_only=True)
    stream = serializers.ChoiceField(source="case.stream", choices=Stream.choices, read_only=True)
    counted = serializers.IntegerField(read_only=True)  # an annotation, missing on some rows
    label = serializers.SerializerMethodField()
    as_text = serializers.CharField(source="__str__", read_only=True)  # a method: rendered by the field
    pk_only = serializers.PrimaryKeyRelatedField(source="case", read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "case",
            "pk_only",
            "urn",
            "force",
            "area",
            "stream",
            "kind",
            "received_on",
            "item_count",
            "counted",
            "label",
            "as_text",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_label(self, schedule) -> str:
        return f"{schedule.kind}-{schedule.revision}"


def _schedule(pk, *, created_at, case=True, area=True, counted=None, kind=ScheduleKind.MG6C):
    gmp = Organisation(id=2, code="GMP", name="GMP", kind=OrganisationKind.POLICE_FORCE)
    nw = Organisation(id=1, code="CPS-NW", name="NW", kind=OrganisationKind.CPS_AREA)
    row = Schedule(
        id=pk,
        kind=kind,
        revision=1,
        received_on=datetime.date(2026, 3, 29),
        item_count=0,
        created_at=created_at,
        updated_at=created_at,
    )
    row.force = gmp
    row.area = nw if area else None
    if case:
        row.case = Case(id=pk + 100, urn="06AB1234525", stream=Stream.CC, force=gmp, area=nw)
    if counted is not None:
        row.counted = counted
    return row


def _both(serializer_class, rows):
    drf = serializers.ListSerializer(child=serializer_class()).to_representation(rows)
    served = LeanListSerializer(child=serializer_class()).to_representation(rows)
    return drf, served


def test_the_plan_renders_what_drf_renders_around_summer_time_and_utc():
    london = zoneinfo.ZoneInfo("Europe/London")
    rows = [
        # GMT (+00:00 renders "Z"), the hour the clocks go forward, summer time (+01:00), microseconds.
        _schedule(1, created_at=datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC), counted=3),
        _schedule(2, created_at=datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC), counted=0),
        _schedule(3, created_at=datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=london), counted=7),
    ]
    drf, served = _both(ProbeSerializer, rows)
    assert served == drf
    assert [row["created_at"] for row in served] == [
        "2026-01-15T12:00:00Z",
        "2026-03-29T02:30:00+01:00",
        "2026-07-01T23:59:59.999999+01:00",
    ]


def test_a_row_the_plan_cannot_read_is_rendered_by_drf_as_drf_would():
    rows = [
        # No annotation: DRF leaves the read-only field out (SkipField).
        _schedule(4, created_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)),
        # No Area (a null relation) and a naive date-time (DRF makes it aware in the current zone).
        _schedule(5, created_at=datetime.datetime(2026, 8, 1, 9, 0), area=False, counted=1),
        _schedule(6, created_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC), counted=2),
    ]
    drf, served = _both(ProbeSerializer, rows)
    assert served == drf
    assert "counted" not in served[0] and served[2]["counted"] == 2
    assert served[1]["area"] is None and served[1]["created_at"] == "2026-08-01T09:00:00+01:00"


def test_a_choice_given_as_an_enum_member_renders_its_value():
    row = _schedule(7, created_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC), counted=1, kind=ScheduleKind.SDC)
    drf, served = _both(ProbeSerializer, [row])
    assert served == drf
    assert served[0]["kind"] == ScheduleKind.SDC.value


def test_the_current_time_zone_is_read_per_page():
    row = _schedule(8, created_at=datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC), counted=1)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        drf, served = _both(ProbeSerializer, [row])
    assert served == drf
    assert served[0]["created_at"] == "2026-01-15T07:00:00-05:00"


def test_a_serializer_that_trims_its_fields_per_instance_gets_a_plan_per_instance():
    """Per-role fields (the usual ``__init__`` that pops fields): a plan cached from the first instance would
    give every later request that instance's fields."""

    class Trimmed(serializers.ModelSerializer):
        class Meta:
            model = Organisation
            fields = ["code", "name", "kind"]

        def __init__(self, *args, hide=(), **kwargs):
            super().__init__(*args, **kwargs)
            for name in hide:
                self.fields.pop(name)

    wide = lean.plan_for(Trimmed())
    narrow = lean.plan_for(Trimmed(hide=("name",)))
    assert [step.name for step in wide.steps] == ["code", "name", "kind"]
    assert [step.name for step in narrow.steps] == ["code", "kind"]
