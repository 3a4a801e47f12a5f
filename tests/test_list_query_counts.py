"""Every list endpoint, the force summary and the Area comparison: the same number of SQL statements
however many rows there are (the rows of ``tests.factories.build_rows`` built once, then twice).

The list routes are found by walking the URL resolver (as ``tests/test_permission_matrix.py``
does), so a new list is measured without being added here. No timings: query counts only.
"""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from tests import factories
from tests.factories import build_rows
from tests.test_permission_matrix import _api_routes

#: Who reads each list: everything (superuser), an Area's CPS lead, a force's lead (its own notices),
#: an Area's org admin (audit entries).
READERS = ("superuser", "cps_lead", "gmp_lead", "cps_admin")

#: Lists over reference data or organisations: ``build_rows`` adds none of their rows.
REFERENCE_LISTS = {"organisation-list", "defect-category-list", "checklist-list"}


def list_routes() -> dict[str, bool]:
    """``{route name: paginated}`` for every route whose GET is a viewset's ``list``."""
    routes = {}
    for pattern in _api_routes():
        actions = getattr(pattern.callback, "actions", None) or {}
        if actions.get("get") == "list":
            routes[pattern.name] = pattern.callback.cls.pagination_class is not None
    return routes


def list_route_names() -> list[str]:
    return sorted(list_routes())


def _build_rows_two_years_earlier(world):
    """``build_rows`` again, its samples two years before the first set (no period overlaps)."""
    original = factories.last_year_month

    def earlier(month):
        first, last = original(month)
        return first.replace(year=first.year - 2), last.replace(year=last.year - 2)

    with mock.patch.object(factories, "last_year_month", earlier):
        return build_rows(world)


def _rows_in(body) -> int:
    if isinstance(body, dict) and "results" in body:
        return body["count"]  # the page may be full both times
    return len(body) if isinstance(body, list) else 0


def _measure(world, client_for, count_queries, requests):
    measured = {}
    for key, (user, path, params) in requests.items():
        client = client_for(getattr(world, user))
        with count_queries() as queries:
            response = client.get(path, params)
        assert response.status_code == 200, (key, response.status_code, response.content[:300])
        measured[key] = (len(queries), _rows_in(response.json()), [q["sql"] for q in queries.captured_queries])
    return measured


def test_the_list_routes_are_found():
    names = list_route_names()
    for expected in ("case-list", "dip-sample-list", "assessment-list", "defect-list", "feedback-list"):
        assert expected in names
    assert len(names) >= 12, names


@pytest.mark.heavy
def test_every_list_the_summary_and_the_comparison_cost_the_same_queries_when_the_rows_double(
    world, client_for, count_queries
):
    today = timezone.localdate()
    window = {"from": datetime.date(today.year - 4, 1, 1).isoformat(), "to": today.isoformat()}
    requests = {}
    for name, paginated in list_routes().items():
        for user in READERS:
            requests[(name, user)] = (user, reverse(f"api:{name}"), {"page_size": 200} if paginated else {})
    build_rows(world)
    feedback = Feedback.objects.filter(force=world.gmp, status="sent").order_by("pk").first()
    for user in ("cps_lead", "gmp_lead"):
        summary = {**window, "include_unsigned": "true"}
        requests[("summary", user)] = (user, "/api/v1/organisations/GMP/summary/", summary)
        requests[("feedback-messages", user)] = (user, f"/api/v1/feedback/{feedback.pk}/messages/", {})
    for user in ("superuser", "cps_lead", "cps_quality"):
        requests[("comparison", user)] = (user, "/api/v1/organisations/CPS-NW/comparison/", window)

    small = _measure(world, client_for, count_queries, requests)
    _build_rows_two_years_earlier(world)
    large = _measure(world, client_for, count_queries, requests)

    grew = {name for (name, _user), (_, rows, _) in large.items() if rows > small[(name, _user)][1]}
    changed = {key: (small[key][0], large[key][0], large[key][2]) for key in requests if small[key][0] != large[key][0]}
    assert not changed, changed
    # The measurement means something: every list over workflow rows showed more rows the second time.
    tenant_lists = set(list_route_names()) - REFERENCE_LISTS
    assert tenant_lists <= grew, sorted(tenant_lists - grew)
