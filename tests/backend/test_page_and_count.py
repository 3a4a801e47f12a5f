"""A list page reads its bounded count and its ids in one statement (``page_ids_and_count``), with the same answers
as the count then the ids one after the other (docs/decisions/0014-list-counts.md)."""

import re

import pytest

from backend.api import pagination
from backend.api.pagination import StandardPagination
from disclosure.models import Case
from tests.factories import make_case

CASES = "/api/v1/cases/"


@pytest.fixture
def seven_cases(world):
    """Five GMP cases and two LANCS ones: the CPS-NW lead reads both forces (a merged page on PostgreSQL)."""
    made = [make_case(actor=world.gmp_lead, force=world.gmp) for _ in range(5)]
    made += [make_case(actor=world.lancs_lead, force=world.lancs) for _ in range(2)]
    return made


def _pages(client, **params):
    """Every answer from page 1 until the first error, and that error's status."""
    bodies, number = [], 1
    while True:
        response = client.get(CASES, {**params, "page": number})
        if response.status_code != 200:
            return bodies, response.status_code
        bodies.append(response.json())
        number += 1


def _one_after_the_other(monkeypatch):
    monkeypatch.setattr(pagination, "page_ids_and_count", lambda *args, **kwargs: None)


@pytest.mark.parametrize("cap", [2, 7, 1000])
def test_it_answers_every_page_as_the_count_then_the_ids_would(world, seven_cases, client_for, monkeypatch, cap):
    monkeypatch.setattr(StandardPagination, "count_cap", cap)
    client = client_for(world.cps_lead)
    together = _pages(client, page_size=2)
    last_together = client.get(CASES, {"page_size": 2, "page": "last"}).json()
    _one_after_the_other(monkeypatch)
    assert together == _pages(client, page_size=2)
    assert last_together == client.get(CASES, {"page_size": 2, "page": "last"}).json()

    bodies, status = together
    expected = list(Case.objects.filter(force__in=[world.gmp, world.lancs]).order_by("-created_at", "-id"))
    assert [row["id"] for body in bodies for row in body["results"]] == [case.pk for case in expected]
    assert (len(bodies), status) == (4, 404)  # 7 rows, 2 a page; page 5 is past the end
    assert [(body["count"], body["count_exact"]) for body in bodies] == [(min(7, cap), cap >= 7)] * 4
    assert bodies[-1]["next"] is None and bodies[2]["next"].endswith("page=4&page_size=2")


def test_the_count_and_the_ids_are_one_statement_and_the_count_stops_past_the_cap(
    world, seven_cases, client_for, count_queries, monkeypatch
):
    monkeypatch.setattr(StandardPagination, "count_cap", 3)
    with count_queries() as queries:
        body = client_for(world.cps_lead).get(CASES, {"page_size": 2}).json()
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")], sqls  # no statement of its own
    together = [sql for sql in sqls if "AS bounded" in sql]
    assert len(together) == 1, sqls
    # At most cap + 1 = 4 rows counted (the page's ids read page_size + 1 = 3).
    assert re.search(r"LIMIT 4\) AS bounded\) FROM", together[0]), together
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, False, 2)


def test_an_empty_list_is_one_empty_page_and_the_next_a_404(world, seven_cases, client_for):
    client = client_for(world.kent_lead)  # KENT has no case
    assert client.get(CASES).json() == {"count": 0, "count_exact": True, "next": None, "previous": None, "results": []}
    assert client.get(CASES, {"page": 2}).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "x", "999999999999999999999"])
def test_a_page_number_that_no_list_has_is_a_404(world, seven_cases, client_for, page):
    assert client_for(world.cps_lead).get(CASES, {"page": page}).status_code == 404
