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
