"""A list request that sends none of its filterset's parameters skips the filterset's form.

``backend.filters.ScopedFilterBackend.filter_queryset`` answers such a request with the queryset
as it came, without building and validating the form. That is only the same answer if every API
FilterSet, bound to a query without any of its parameters, is valid and leaves the queryset as it
was: held here for every list route, for the users of the cast. Strict input (an unknown query
parameter, a bad filter value) is still a 400 naming the parameter.
"""

import pytest
from django.http import QueryDict
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from backend.filters import ScopedFilterBackend, ScopedFilterSet, query_parameter_names
from tests.factories import build_rows
from tests.test_list_query_counts import _api_routes

READERS = ("superuser", "cps_lead", "gmp_lead", "kent_lead", "cps_admin", "cps_quality")


def _filtered_list_views():
    """``(route name, viewset class, filterset class)`` for every list route whose view has a filterset."""
    found = []
    backend = ScopedFilterBackend()
    for pattern in _api_routes():
        actions = getattr(pattern.callback, "actions", None) or {}
        if actions.get("get") != "list":
            continue
        view_class = pattern.callback.cls
        if ScopedFilterBackend not in view_class.filter_backends:
            continue
        filterset_class = backend.get_filterset_class(view_class(), view_class.queryset)
        if filterset_class is not None:
            found.append((pattern.name, view_class, filterset_class))
    return found


def _view_for(view_class, user):
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    view = view_class()
    view.request, view.format_kwarg, view.args, view.kwargs = request, None, (), {}
    view.action = "list"
    return view, request


def test_the_skip_covers_the_disclosure_lists():
    names = {name for name, _, _ in _filtered_list_views()}
    assert {"case-list", "schedule-list", "dip-sample-list", "assessment-list", "defect-list"} <= names


@pytest.mark.parametrize("reader", READERS)
def test_every_api_filterset_bound_to_a_query_without_its_parameters_is_valid_and_filters_nothing(world, reader):
    """What makes the skip the same answer: the form the skip leaves out would accept and change nothing."""
    user = getattr(world, reader)
    checked = 0
    for name, view_class, filterset_class in _filtered_list_views():
        view, request = _view_for(view_class, user)
        queryset = view.get_queryset()
        # A query of only parameters the filterset does not read (the page's, the ordering's, the format).
        data = QueryDict("page_size=3&ordering=-id&format=json")
        assert query_parameter_names(filterset_class).isdisjoint(data), name
        filterset = filterset_class(data=data, queryset=queryset, request=request)
        assert filterset.is_valid(), (name, filterset.errors)
        assert str(filterset.qs.query) == str(queryset.query), name
        checked += 1
    assert checked >= 9


def test_a_list_without_filter_parameters_does_not_build_the_form(world, client_for, monkeypatch):
    built = []
    original = ScopedFilterSet.form

    def counting(self):
        built.append(type(self).__name__)
        return original.fget(self)

    monkeypatch.setattr(ScopedFilterSet, "form", property(counting))
    client = client_for(world.cps_lead)
    assert client.get(reverse("api:case-list"), {"ordering": "urn", "page_size": 5}).status_code == 200
    assert built == []
    # With one of its parameters the filterset runs as before.
    assert client.get(reverse("api:case-list"), {"stream": "cc"}).status_code == 200
    assert built and set(built) == {"CaseFilter"}


@pytest.mark.parametrize(
    ("route", "query", "named"),
    [
        ("case-list", {"forse": "GMP"}, "forse"),
        ("case-list", {"ordering": "urn", "colour": "red"}, "colour"),
        ("dip-sample-list", {"status": "nonsense"}, "status"),
        ("assessment-list", {"drs_complete": "maybe"}, "drs_complete"),
        ("assessment-list", {"dip_sample": "1x"}, "dip_sample"),
        ("defect-list", {"created_after": "yesterday", "page_size": 5}, "created_after"),
    ],
)
def test_strict_input_still_answers_400_naming_the_parameter(world, client_for, route, query, named):
    response = client_for(world.cps_lead).get(reverse(f"api:{route}"), query)
    assert response.status_code == 400
    assert named in response.json()["fields"]


@pytest.mark.heavy
def test_every_filtered_list_answers_the_same_bytes_with_and_without_the_skip(world, client_for, monkeypatch):
    build_rows(world)
    queries = [{}, {"page_size": 200}, {"ordering": "-id", "page_size": 7}]
    different, non_empty, compared = [], 0, 0
    for name, _, _ in _filtered_list_views():
        for query in queries:
            for reader in READERS:
                user = getattr(world, reader)
                path = reverse(f"api:{name}")
                served = client_for(user).get(path, query)
                with monkeypatch.context() as patched:
                    # The backend as django-filter ships it: the form built and validated on every request.
                    patched.setattr(ScopedFilterBackend, "filter_queryset", DjangoFilterBackend.filter_queryset)
                    unskipped = client_for(user).get(path, query)
                compared += 1
                if (served.status_code, served.content) != (unskipped.status_code, unskipped.content):
                    different.append((reader, name, query))
                if served.status_code == 200 and b'{"id":' in served.content:
                    non_empty += 1
    assert not different, different
    assert non_empty > compared // 2, (non_empty, compared)
