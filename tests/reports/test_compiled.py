"""``reports.compiled.rows``: a statement built once per shape answers each call with that call's values."""

import datetime

import pytest
from django.db.models import Count

from disclosure.models import DefectCategory, Side
from forces.models import Organisation
from reports import compiled


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(compiled, "_COMPILED", {})


def forces_of(area_id):
    return Organisation.objects.forces().filter(area_id=area_id).order_by("code").values("code")


def test_it_binds_each_calls_values_into_the_statement_built_for_the_first(world, count_queries):
    nw = compiled.rows(Organisation, ("forces",), forces_of, area_id=world.nw.pk)
    with count_queries() as second:
        se = compiled.rows(Organisation, ("forces",), forces_of, area_id=world.se.pk)
    assert [row["code"] for row in nw] == ["GMP", "LANCS"]
    assert [row["code"] for row in se] == ["KENT"]
    assert len(second) == 1
    (statement,) = compiled._COMPILED.values()  # one shape, built once: the area is a parameter
    assert ("area_id", False) in statement.slots


def test_lists_dates_and_strings_are_parameters_and_rows_come_back_as_the_orm_gives_them(world):
    def categories(codes, side, since):
        return (
            DefectCategory.objects.filter(code__in=codes, side=side)
            .order_by("code")
            .values("code", "side")
            .annotate(n=Count("pk"))
        )

    values = {"codes": ["D02", "P01", "C01"], "side": Side.POLICE, "since": datetime.date(2025, 1, 1)}
    first = compiled.rows(DefectCategory, ("categories", 3), categories, **values)
    again = compiled.rows(DefectCategory, ("categories", 3), categories, **{**values, "side": Side.CPS})
    assert first == [{"code": "C01", "side": "police", "n": 1}, {"code": "D02", "side": "police", "n": 1}]
    assert again == [{"code": "P01", "side": "cps", "n": 1}]
    assert list(categories(**values)) == first


def test_a_value_written_into_the_sql_text_makes_that_shape_run_uncached(world):
    def by_code(code):
        return DefectCategory.objects.extra(where=[f"code = '{code}'"]).values("code")  # noqa: S610 - the test's point

    assert compiled.rows(DefectCategory, ("by code",), by_code, code="D02") == [{"code": "D02"}]
    assert compiled.rows(DefectCategory, ("by code",), by_code, code="P01") == [{"code": "P01"}]
    assert list(compiled._COMPILED.values()) == [None]


def test_a_build_that_reads_the_database_is_refused(world):
    def reads_first(area_id):
        codes = list(Organisation.objects.filter(area_id=area_id).values_list("code", flat=True))
        return Organisation.objects.filter(code__in=codes).values("code")

    with pytest.raises(compiled.BuildReadTheDatabase):
        compiled.rows(Organisation, ("reads first",), reads_first, area_id=world.nw.pk)


def test_a_shape_that_matches_nothing_runs_no_query(world, count_queries):
    def in_forces(force_ids):
        return Organisation.objects.filter(pk__in=force_ids).values("code")

    with count_queries() as queries:
        assert compiled.rows(Organisation, ("in forces", 0), in_forces, force_ids=[]) == []
    assert len(queries) == 0


def test_columns_keep_the_order_values_gave_them_when_an_annotation_comes_first(world):
    from django.db.models import Value

    def codes(area_id):
        return forces_of(area_id).annotate(one=Value(1)).values("one", "code")

    assert compiled.rows(Organisation, ("one first",), codes, area_id=world.nw.pk) == [
        {"one": 1, "code": "GMP"},
        {"one": 1, "code": "LANCS"},
    ]


def test_an_id_the_orm_fixed_while_building_never_reaches_another_call(world):
    """A build that takes scope from outside its values (here a closure; in a request, the memo of the user's
    forces) leaves a constant id in the SQL: that shape is run uncached, with each call's own scope."""
    scope = {"area": world.nw.pk}  # the first Area: on a fresh SQLite database its id is 1, as an EXISTS's marker

    def forces_in_scope(kind):
        return Organisation.objects.filter(kind=kind, area_id=scope["area"]).order_by("code").values("code")

    kind = world.gmp.kind
    assert compiled.rows(Organisation, ("scoped",), forces_in_scope, kind=kind) == [
        {"code": "GMP"},
        {"code": "LANCS"},
    ]
    scope["area"] = world.se.pk
    assert compiled.rows(Organisation, ("scoped",), forces_in_scope, kind=kind) == [{"code": "KENT"}]
    scope["area"] = world.nw.pk
    assert compiled.rows(Organisation, ("scoped",), forces_in_scope, kind=kind) == [
        {"code": "GMP"},
        {"code": "LANCS"},
    ]


def test_the_current_time_zone_is_part_of_the_shape(world):
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from forces.models import Membership

    def joined_on(organisation_id):
        return (
            Membership.objects.filter(organisation_id=organisation_id)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(n=Count("pk"))
        )

    with timezone.override("UTC"):
        compiled.rows(Membership, ("days",), joined_on, organisation_id=world.gmp.pk)
    with timezone.override("Asia/Tokyo"):
        compiled.rows(Membership, ("days",), joined_on, organisation_id=world.gmp.pk)
    # A statement per zone (the zone's name is one of its parameters), neither of them left uncached.
    assert len(compiled._COMPILED) == 2
    assert None not in compiled._COMPILED.values()


@pytest.mark.parametrize("stream", [None, "cc"])
def test_every_statement_of_the_summary_and_the_comparison_is_remembered(world, client_for, stream):
    """The guard against fixed ids and dates must not leave the roll-ups themselves uncached (their point)."""
    window = {"from": "2026-01-01", "to": "2026-06-30"}
    if stream:
        window["stream"] = stream
    client = client_for(world.cps_quality)
    assert client.get("/api/v1/organisations/GMP/summary/", {**window, "include_unsigned": "true"}).status_code == 200
    assert client.get("/api/v1/organisations/CPS-NW/comparison/", window).status_code == 200
    assert compiled._COMPILED, "the roll-ups no longer go through reports.compiled"
    uncached = [key for key, statement in compiled._COMPILED.items() if statement is None]
    assert uncached == []
