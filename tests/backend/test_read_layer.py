"""The read layer: a viewset's selector must start from ``visible_to(user)``, for that very user."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from backend.api.viewsets import TenantScopedViewSet
from disclosure.models import Case
from disclosure.selectors import case_list


class _CaseIdSerializer(serializers.Serializer):
    id = serializers.IntegerField()


def _list_with(selector, user):
    viewset = type(
        "CaseProbeViewSet",
        (TenantScopedViewSet, mixins.ListModelMixin),
        {"queryset": Case.objects.all(), "selector": selector, "serializer_class": _CaseIdSerializer},
    )
    request = APIRequestFactory().get("/probe/")
    force_authenticate(request, user=user)
    return viewset.as_view({"get": "list"})(request)


def test_a_selector_that_starts_from_visible_to_is_accepted(world):
    response = _list_with(case_list, world.gmp_lead)
    assert response.status_code == 200


def test_a_selector_that_forgets_visible_to_is_refused(world):
    with pytest.raises(ImproperlyConfigured, match=r"visible_to\(user\)"):
        _list_with(lambda *, user: Case.objects.select_related("force"), world.gmp_lead)


def test_a_selector_scoped_for_someone_else_is_refused(world):
    with pytest.raises(ImproperlyConfigured):
        _list_with(lambda *, user: Case.objects.visible_to(world.cps_lead), world.gmp_lead)


def test_the_scope_survives_chaining_and_is_not_shared_with_the_source(world):
    scoped = Case.objects.visible_to(world.gmp_lead)
    chained = scoped.filter(stream="cc").select_related("force").order_by("-id").annotate()
    assert chained.is_scoped_for(world.gmp_lead)
    assert not chained.is_scoped_for(world.lancs_lead)
    assert not Case.objects.all().is_scoped_for(world.gmp_lead)
    assert not Case.objects.filter(pk__in=scoped.values("pk")).is_scoped_for(world.gmp_lead)
