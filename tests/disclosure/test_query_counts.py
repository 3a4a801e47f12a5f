"""List endpoints run the same number of queries however many rows they page over."""

import re

import pytest
from django.db import connection

from disclosure import services
from disclosure.models import Defect, DefectCategory
from tests.factories import assess, make_sample


def _more_rows(world, months):
    for month in months:
        sample = make_sample(
            cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=month, schedules=2
        )
        for schedule in sample.schedules.all():
            assessment = assess(actor=world.cps_lead, sample=sample, schedule=schedule)
            services.defect_create(
                actor=world.cps_lead,
                assessment=assessment,
                category=DefectCategory.objects.get(code="D04"),
                description="Numbering jumps from item 4 to item 9.",
            )


@pytest.mark.parametrize("resource", ["cases", "schedules", "dip-samples", "assessments", "defects"])
def test_list_query_count_is_constant_when_rows_double(world, client_for, count_queries, resource):
    client = client_for(world.cps_lead)
    _more_rows(world, [1, 2, 3])
    with count_queries() as small:
        small_count = client.get(f"/api/v1/{resource}/", {"page_size": 200}).json()["count"]
    _more_rows(world, [4, 5, 6, 7, 8, 9])
    with count_queries() as large:
        large_count = client.get(f"/api/v1/{resource}/", {"page_size": 200}).json()["count"]
    assert large_count >= 2 * small_count > 0
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_the_dip_sample_list_reads_ids_then_rows_and_inserts_the_audit_entry(world, client_for, count_queries):
    _more_rows(world, [1, 2])
    with count_queries() as queries:
        client_for(world.cps_lead).get("/api/v1/dip-samples/")
    sqls = [q["sql"] for q in queries.captured_queries]
    # 1: the forces whose rows the lead reads (once per request); 2: the page's ids with the bounded count
    # as a column (backend.api.pagination.page_ids_and_count); 3: those rows, usernames, codes and the
    # assessment count as columns; 4: the consultation entry of the page (audit log); 5: the drawn schedules
    # of the page, as plain rows.
    assert len(sqls) == 5, sqls
    assert 'FROM "forces_organisation"' in sqls[0] and '"disclosure_' not in sqls[0]
    assert sqls[1].startswith("SELECT page.*, (SELECT COUNT(*) FROM (SELECT ") and "LIMIT 1001" in sqls[1]
    # The ids: one table, the forces a literal list (no joins, no subquery on the memberships); on
    # PostgreSQL one ordered branch per force of the Area, merged (backend.api.pagination.page_ids).
    ids_part = sqls[1].split(") AS bounded) FROM (", 1)[1]
    if connection.vendor == "postgresql":
        assert ids_part.startswith('(SELECT "disclosure_dipsample"."period_start"') and "UNION ALL" in ids_part
    else:
        assert ids_part.startswith(
            'SELECT "disclosure_dipsample"."period_start" AS "period_start", "disclosure_dipsample"."id"'
        )
        assert '"disclosure_dipsample"."force_id" IN (' in ids_part
    assert "JOIN" not in sqls[1] and "forces_membership" not in sqls[1]
    assert '"auth_user"' in sqls[2] and 'JOIN "auth_user"' not in sqls[2]  # names by subquery, no user joins
    assert sqls[3].startswith('INSERT INTO "audit_auditevent"')
    assert 'FROM "disclosure_sampledschedule"' in sqls[4]


def test_the_defects_list_filters_by_category_code_in_any_case_and_by_side(world, rows, client_for):
    client = client_for(world.cps_lead)

    def listed(params):
        response = client.get("/api/v1/defects/", params)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    visible = Defect.objects.visible_to(world.cps_lead)
    some = visible.select_related("category").first()
    code = some.category.code
    expected = sorted(visible.filter(category__code=code).values_list("pk", flat=True))
    assert expected and listed({"category": code}) == expected
    assert listed({"category": code.lower()}) == expected
    assert listed({"category": "Z99"}) == []
    for side in ("police", "cps"):
        assert listed({"side": side, "page_size": 200}) == sorted(
            visible.filter(category__side=side).values_list("pk", flat=True)
        )


@pytest.mark.parametrize(("resource", "table"), [("assessments", "assessment"), ("defects", "defect")])
def test_the_count_and_the_ids_of_a_list_read_its_own_table_alone(world, client_for, count_queries, resource, table):
    """The names and codes a row shows (schedule kind, checklist version, category, dip sample) are read for
    the page's rows only: the bounded count and the page of ids join nothing."""
    _more_rows(world, [1, 2])
    with count_queries() as queries:
        response = client_for(world.cps_lead).get(f"/api/v1/{resource}/")
    assert response.json()["count"] > 0
    # One statement: the bounded count and the page's ids (backend.api.pagination.page_ids_and_count), the ids
    # the plain statement or, on PostgreSQL, one ordered branch per force of the Area, merged; either way on
    # the list's own table.
    together = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT page.*, (SELECT COUNT(*)")]
    assert len(together) == 1, [q["sql"] for q in queries.captured_queries]
    assert "JOIN" not in together[0], together
    assert set(re.findall(r'"(disclosure_[a-z]+)"', together[0])) == {f"disclosure_{table}"}, together


@pytest.mark.parametrize("resource", ["cases", "schedules", "dip-samples", "assessments", "defects"])
def test_a_list_page_reads_the_force_and_area_codes_without_joining_the_organisations(
    world, client_for, count_queries, resource
):
    """The codes are columns of the rows statement (``disclosure.selectors.organisation_codes``): no
    ``Organisation`` object is built per row, and the page's statements join no organisation."""
    _more_rows(world, [1, 2])
    with count_queries() as queries:
        response = client_for(world.cps_lead).get(f"/api/v1/{resource}/")
    rows = response.json()["results"]
    assert rows and {(row["force"], row["area"]) for row in rows} == {("GMP", world.nw.code)}
    joined = [q["sql"] for q in queries.captured_queries if 'JOIN "forces_organisation"' in q["sql"]]
    assert not joined, joined
