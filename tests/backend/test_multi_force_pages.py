"""A list over several forces (a CPS lead's Area) pages exactly as the plain query would.

On PostgreSQL the page's ids are read as one ordered branch per force, merged
(``backend.api.pagination.page_ids``); on SQLite with the plain query. Either way every page holds
the rows of the list's order, worked out here in Python from the rows themselves: first, middle
and last pages, ties in the ordering column, filters, another ordering, and past the count cap.
"""

import datetime
import itertools

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.api import pagination
from backend.api.pagination import StandardPagination, page_ids
from backend.querysets import request_memo
from disclosure.models import Case, DefectCategory, Schedule
from forces.models import Organisation
from tests.factories import ForceFactory

CASES = "/api/v1/cases/"
SCHEDULES = "/api/v1/schedules/"
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def three_forces(world):
    """CPS-NW's GMP and LANCS and a third force of the Area, and KENT (another Area's): cases and schedules,
    many of them sharing a creation time or a day of receipt, across forces and within one."""
    third = ForceFactory(code="CUMB", name="Cumbria Constabulary", area=world.nw)
    forces = [world.gmp, world.lancs, third, world.kent]
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)
    cases = []
    for i in range(36):
        force = forces[i % 4]
        cases.append(
            Case(force=force, area_id=force.area_id, urn=f"06AB{10000 + i:05d}25", stream="cc" if i % 3 else "mc")
        )
    Case.objects.bulk_create(cases)
    for i, case in enumerate(Case.objects.order_by("pk")):
        # Times repeat every 5 rows (so forces tie with each other and with themselves), out of id order.
        Case.objects.filter(pk=case.pk).update(created_at=base + datetime.timedelta(hours=(i * 7) % 5))
    schedules = []
    for i, case in enumerate(Case.objects.order_by("-pk")):
        for k, kind in enumerate(("mg6c", "mg6d")):
            schedules.append(
                Schedule(
                    force_id=case.force_id,
                    area_id=case.area_id,
                    case=case,
                    kind=kind,
                    # Three days over four forces: each day's schedules come from every force.
                    received_on=datetime.date(2025, 3, 1) + datetime.timedelta(days=(i + k) % 3),
                    item_count=3,
                )
            )
    Schedule.objects.bulk_create(schedules)
    return forces


def visible_force_ids(world):
    return set(Organisation.objects.filter(area=world.nw).values_list("pk", flat=True))


def expected_cases(world, *, descending=True, stream=None):
    rows = [
        (c.created_at, c.pk)
        for c in Case.objects.filter(force_id__in=visible_force_ids(world))
        if stream is None or c.stream == stream
    ]
    return [pk for _, pk in sorted(rows, reverse=descending)]


def expected_schedules(world, *, force=None):
    forces = {force.pk} if force else visible_force_ids(world)
    rows = [(s.received_on, s.pk) for s in Schedule.objects.filter(force_id__in=forces)]
    return [pk for _, pk in sorted(rows, reverse=True)]


def flat(pages):
    return list(itertools.chain.from_iterable(pages))


def read_all_pages(client, path, params, page_size):
    """Every page in turn, by number: ``(ids of each page, the body of the first)``."""
    pages, first, number = [], None, 1
    while True:
        response = client.get(path, {**params, "page_size": page_size, "page": number})
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        first = first or body
        pages.append([row["id"] for row in body["results"]])
        if body["next"] is None:
            return pages, first
        number += 1


def test_it_pages_a_cps_leads_cases_in_the_lists_order_across_forces_with_ties(world, client_for, three_forces):
    expected = expected_cases(world)
    assert len(expected) == 27  # three forces of CPS-NW; KENT's rows are not the lead's
    pages, first = read_all_pages(client_for(world.cps_lead), CASES, {}, page_size=4)
    assert pages == [expected[i : i + 4] for i in range(0, 27, 4)]  # first, middle and last (3 rows) pages
    assert (first["count"], first["count_exact"]) == (27, True)


def test_it_pages_filtered_and_reordered_lists_as_the_plain_order(world, client_for, three_forces):
    client = client_for(world.cps_lead)
    mc = expected_cases(world, stream="mc")
    pages, _ = read_all_pages(client, CASES, {"stream": "mc"}, page_size=2)
    assert flat(pages) == mc and all(len(page) == 2 for page in pages[:-1])
    ascending = expected_cases(world, descending=False)
    pages, _ = read_all_pages(client, CASES, {"ordering": "created_at,id"}, page_size=5)
    assert flat(pages) == ascending and len(pages) == 6


def test_it_pages_schedules_tied_on_their_day_of_receipt(world, client_for, three_forces):
    client = client_for(world.cps_lead)
    pages, _ = read_all_pages(client, SCHEDULES, {}, page_size=7)
    assert flat(pages) == expected_schedules(world) and len(pages) == 8  # 54 schedules
    pages, _ = read_all_pages(client, SCHEDULES, {"force": "LANCS"}, page_size=7)
    assert flat(pages) == expected_schedules(world, force=world.lancs)


def test_it_pages_past_the_count_cap_in_the_same_order(world, client_for, three_forces, monkeypatch):
    monkeypatch.setattr(StandardPagination, "count_cap", 5)
    expected = expected_cases(world)
    pages, first = read_all_pages(client_for(world.cps_lead), CASES, {}, page_size=4)
    assert (first["count"], first["count_exact"]) == (5, False)
    assert flat(pages) == expected and len(pages) == 7


def test_a_police_leads_page_is_its_own_forces_rows(world, client_for, three_forces):
    gmp = [pk for pk in expected_cases(world) if Case.objects.get(pk=pk).force_id == world.gmp.pk]
    pages, _ = read_all_pages(client_for(world.gmp_lead), CASES, {}, page_size=4)
    assert flat(pages) == gmp and len(gmp) == 9


@pytest.mark.parametrize(("bottom", "top"), [(0, 5), (5, 10), (20, 27), (25, 40), (40, 45)])
def test_page_ids_are_the_plain_querys_slice(world, three_forces, bottom, top):
    with request_memo():  # the forces a literal list, as within an API request
        scoped = Case.objects.visible_to(world.cps_lead)
        assert scoped.partition is not None and len(scoped.partition[1]) == 3
        plain = list(scoped.values_list("pk", flat=True))
        assert page_ids(scoped, bottom, top) == plain[bottom:top]
        assert (
            page_ids(scoped.filter(stream="cc").order_by("created_at", "pk"), bottom, top)
            == list(scoped.filter(stream="cc").order_by("created_at", "pk").values_list("pk", flat=True))[bottom:top]
        )


@pytest.mark.parametrize(("bottom", "top"), [(0, 7), (12, 30)])
def test_a_filter_whose_value_equals_the_branch_stand_in_still_pages_as_the_plain_query(
    world, three_forces, bottom, top
):
    # The merged statement compiles one branch with a stand-in for the force and repeats it; a
    # parameter of the list's own equal to that stand-in must not be mistaken for it.
    stand_in = pagination._BRANCH_VALUE
    with request_memo():
        scoped = Case.objects.visible_to(world.cps_lead).exclude(pk=stand_in)
        plain = list(scoped.values_list("pk", flat=True))
        assert page_ids(scoped, bottom, top) == plain[bottom:top]


def test_a_page_of_a_condition_that_matches_nothing_is_empty(world, three_forces):
    with request_memo():
        assert page_ids(Case.objects.visible_to(world.cps_lead).filter(pk__in=[]), 0, 10) == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the merged page is PostgreSQL's; SQLite pages with the plain query")
def test_the_merged_page_compiles_one_branch_not_a_union_per_force(world, three_forces, monkeypatch):
    # The ORM's union (each branch compiled) is the fallback only: a plain page must not take it.
    def union(*args, **kwargs):
        raise AssertionError("the page compiled every branch")

    monkeypatch.setattr(QuerySet, "union", union)
    with request_memo():
        scoped = Case.objects.visible_to(world.cps_lead)
        assert page_ids(scoped, 0, 12) == expected_cases(world)[:12]


def test_each_branch_of_the_merged_page_reads_its_own_force(world, three_forces, count_queries):
    expected = expected_cases(world)[:12]
    with request_memo(), count_queries() as queries:
        scoped = Case.objects.visible_to(world.cps_lead)
        assert page_ids(scoped, 0, 12) == expected
    if ON_POSTGRESQL:
        (statement,) = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
        branches = statement.split(" UNION ALL ")
        # One branch per force, each filtering on that force (bound as its own parameter).
        assert len(branches) == len(scoped.partition[1]) == 3
        for branch, pk in zip(branches, scoped.partition[1], strict=True):
            assert f'"disclosure_case"."force_id" = {pk})' in branch, branch


def test_the_page_is_read_per_force_on_postgresql_only_and_only_in_a_total_order(
    world, client_for, three_forces, count_queries
):
    client = client_for(world.cps_lead)

    def ids_statements(params):
        with count_queries() as queries:
            assert client.get(CASES, params).status_code == 200
        return [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]

    merged = ids_statements({})
    assert len(merged) == (1 if ON_POSTGRESQL else 0)
    if ON_POSTGRESQL:
        assert merged[0].count("UNION ALL") == 2  # three forces, one branch each
    # Ordered by URN alone, rows could tie: the plain query, whatever the database.
    assert ids_statements({"ordering": "urn"}) == []
    with count_queries() as queries:
        client_for(world.gmp_lead).get(CASES)
    assert not [q for q in queries.captured_queries if "UNION ALL" in q["sql"]]  # one force: the plain query


def test_combining_scoped_querysets_forgets_the_partition(world, three_forces):
    with request_memo():
        scoped = Case.objects.visible_to(world.cps_lead)
        kent = Case.objects.visible_to(world.kent_lead)
        assert scoped.filter(stream="cc").partition == scoped.partition
        assert (scoped | kent).partition is None
        assert (scoped ^ kent).partition is None
        assert (scoped | Case.objects.none()).partition == scoped.partition


def test_the_force_filter_matches_the_code_in_any_case_and_only_within_scope(world, client_for, three_forces):
    client = client_for(world.cps_lead)
    lancs = expected_schedules(world, force=world.lancs)
    pages, first = read_all_pages(client, SCHEDULES, {"force": "lancs"}, page_size=50)
    assert flat(pages) == lancs and first["count"] == 9 * 2
    for code in ("KENT", "NOPE"):  # another Area's force; no such force
        assert client.get(CASES, {"force": code}).json()["count"] == 0
    assert client_for(world.kent_lead).get(CASES, {"force": "kent"}).json()["count"] == 9


def test_the_category_filter_matches_the_code_in_any_case(world, client_for, rows):
    client = client_for(world.cps_lead)
    d02 = sorted(rows[code].defect.pk for code in ("GMP", "LANCS"))  # build_rows: one D02 defect per force
    for code in ("D02", "d02"):
        assert [d["id"] for d in client.get("/api/v1/defects/", {"category": code}).json()["results"]] == d02
    assert client.get("/api/v1/defects/", {"category": "D01"}).json()["count"] == 0
    assert client.get("/api/v1/defects/", {"category": "ZZZ"}).json()["count"] == 0


def test_a_category_code_is_upper_case_so_a_code_in_any_case_is_one_category(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        DefectCategory.objects.create(code="d02", name="Lower-case twin", side="police", default_severity="minor")
    assert DefectCategory.objects.filter(code__iexact="d02").count() == 1
