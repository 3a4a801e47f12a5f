"""List pages: a count bounded by a cap (docs/decisions/0014-list-counts.md), ids first then rows."""

import pytest

from backend.api.pagination import COUNT_CAP, StandardPagination

ORGS = "/api/v1/organisations/"


@pytest.fixture
def cap_of_two(monkeypatch):
    monkeypatch.setattr(StandardPagination, "count_cap", 2)


def test_a_list_within_the_cap_has_an_exact_count(world, client_for):
    body = client_for(world.superuser).get(ORGS).json()
    assert (body["count"], body["count_exact"], body["next"], body["previous"]) == (5, True, None, None)
    assert [o["code"] for o in body["results"]] == ["CPS-NW", "CPS-SE", "GMP", "KENT", "LANCS"]


def test_past_the_cap_the_count_stops_there_and_the_pages_still_follow_each_other(world, client_for, cap_of_two):
    client = client_for(world.superuser)
    first = client.get(ORGS, {"page_size": 2}).json()
    assert (first["count"], first["count_exact"]) == (2, False)  # five organisations: more than the cap of two
    assert [o["code"] for o in first["results"]] == ["CPS-NW", "CPS-SE"]
    assert first["next"].endswith("?page=2&page_size=2") and first["previous"] is None
    second = client.get(ORGS, {"page_size": 2, "page": 2}).json()
    assert [o["code"] for o in second["results"]] == ["GMP", "KENT"]
    assert second["next"].endswith("?page=3&page_size=2") and second["previous"]
    third = client.get(ORGS, {"page_size": 2, "page": 3}).json()
    assert [o["code"] for o in third["results"]] == ["LANCS"]
    assert third["next"] is None and third["previous"].endswith("?page=2&page_size=2")
    assert client.get(ORGS, {"page_size": 2, "page": 4}).status_code == 404
    assert client.get(ORGS, {"page_size": 2, "page": 0}).status_code == 404
    assert client.get(ORGS, {"page_size": 2, "page": "x"}).status_code == 404


def test_the_last_page_is_still_found_past_the_cap(world, client_for, cap_of_two):
    body = client_for(world.superuser).get(ORGS, {"page_size": 2, "page": "last"}).json()
    assert [o["code"] for o in body["results"]] == ["LANCS"]
    assert body["next"] is None


def test_a_list_exactly_at_the_cap_has_an_exact_count(world, client_for, monkeypatch):
    monkeypatch.setattr(StandardPagination, "count_cap", 5)
    body = client_for(world.superuser).get(ORGS, {"page_size": 2}).json()
    assert (body["count"], body["count_exact"]) == (5, True)


def test_the_count_reads_at_most_one_row_more_than_the_cap(world, client_for, count_queries):
    with count_queries() as queries:
        client_for(world.superuser).get(ORGS)
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and f"LIMIT {COUNT_CAP + 1}" in counts[0], counts


def test_the_page_keeps_the_order_of_the_list_when_rows_are_read_by_id(world, client_for):
    descending = client_for(world.superuser).get(ORGS, {"ordering": "-code"}).json()["results"]
    assert [o["code"] for o in descending] == ["LANCS", "KENT", "GMP", "CPS-SE", "CPS-NW"]


def test_an_empty_list_is_one_empty_page(world, client_for):
    body = client_for(world.nobody).get(ORGS).json()
    assert body == {"count": 0, "count_exact": True, "next": None, "previous": None, "results": []}


def test_a_page_number_past_any_list_is_a_404_not_a_database_error(world, client_for, cap_of_two):
    response = client_for(world.superuser).get(ORGS, {"page_size": 2, "page": 999999999999999999})
    assert response.status_code == 404
