"""Role x endpoint x tenant: every API route, every member of the cast, own / other force / other Area.

Expectations are written out from the rules in DESIGN.md, not computed by the code under
test. A route missing here, or not built on the tenant-scoped base viewset, fails
``test_every_api_route_is_in_the_matrix``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from backend.api.viewsets import TenantScopedViewSet
from tests.conftest import CAST

ANON = "anonymous"
EVERYONE = (ANON, *CAST)

#: Routes that are not over tenant-owned rows: auth, the user itself, the schema and its UI.
NON_TENANT_ROUTES = {"login", "logout", "me", "schema", "docs"}

#: Organisations each member of the cast may see (DESIGN.md: own, the forces of its Area, the Area of its force).
VISIBLE_ORGANISATIONS = {
    "superuser": {"CPS-NW", "GMP", "LANCS", "CPS-SE", "KENT"},
    "cps_lead": {"CPS-NW", "GMP", "LANCS"},
    "cps_quality": {"CPS-NW", "GMP", "LANCS"},
    "cps_admin": {"CPS-NW", "GMP", "LANCS"},
    "gmp_lead": {"CPS-NW", "GMP"},
    "gmp_mc_lead": {"CPS-NW", "GMP"},
    "gmp_chief": {"CPS-NW", "GMP"},
    "gmp_admin": {"CPS-NW", "GMP"},
    "lancs_lead": {"CPS-NW", "LANCS"},
    "outsider": {"CPS-SE", "KENT"},
    "kent_lead": {"CPS-SE", "KENT"},
    "nobody": set(),
}

#: Audit entries each may read, by the force they concern: Area org admins and the Quality Group
#: their Area's, force org admins their force's, nobody else.
VISIBLE_AUDIT_FORCES = {
    "superuser": {"GMP", "LANCS", "KENT"},
    "cps_quality": {"GMP", "LANCS"},
    "cps_admin": {"GMP", "LANCS"},
    "gmp_admin": {"GMP"},
}

TARGETS = ("GMP", "LANCS", "KENT")  # own force (for GMP and CPS-NW people), other force, other Area


@dataclass
class Endpoint:
    route: str
    method: str
    url: Callable  # (world, target) -> path
    expect: Callable  # (who, target) -> status
    body: Callable = field(default=lambda world, target: None)
    targets: tuple = (None,)


def _signed_in(status):
    return lambda who, target: 401 if who == ANON else status


ENDPOINTS = [
    Endpoint("me", "get", lambda w, t: "/api/v1/me/", _signed_in(200)),
    Endpoint(
        "login",
        "post",
        lambda w, t: "/api/v1/auth/login/",
        lambda who, t: 400,  # open to all; an empty body is refused by field
        body=lambda w, t: {},
    ),
    Endpoint("logout", "post", lambda w, t: "/api/v1/auth/logout/", _signed_in(204)),
    Endpoint("schema", "get", lambda w, t: "/api/v1/schema/", lambda who, t: 200),
    Endpoint("docs", "get", lambda w, t: "/api/v1/docs/", lambda who, t: 200),
    Endpoint("organisation-list", "get", lambda w, t: "/api/v1/organisations/", _signed_in(200)),
    Endpoint(
        "organisation-detail",
        "get",
        lambda w, t: f"/api/v1/organisations/{t}/",
        lambda who, t: 401 if who == ANON else (200 if t in VISIBLE_ORGANISATIONS[who] else 404),
        targets=(*TARGETS, "CPS-NW", "CPS-SE"),
    ),
    Endpoint("audit-event-list", "get", lambda w, t: "/api/v1/audit-events/", _signed_in(200)),
    Endpoint(
        "audit-event-detail",
        "get",
        lambda w, t: f"/api/v1/audit-events/{AuditEvent.objects.filter(force__code=t).values_list('pk', flat=True)[0]}/",
        lambda who, t: 401 if who == ANON else (200 if t in VISIBLE_AUDIT_FORCES.get(who, set()) else 404),
        targets=TARGETS,
    ),
]


def _cases():
    for endpoint in ENDPOINTS:
        for target in endpoint.targets:
            for who in EVERYONE:
                yield pytest.param(endpoint, target, who, id=f"{endpoint.method}-{endpoint.route}-{target}-{who}")


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, key = AuthToken.objects.create(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(("endpoint", "target", "who"), _cases())
def test_permission_matrix(world, endpoint, target, who):
    client = token_client(None if who == ANON else getattr(world, who))
    body = endpoint.body(world, target)
    response = getattr(client, endpoint.method)(endpoint.url(world, target), body, format="json")
    assert response.status_code == endpoint.expect(who, target), getattr(response, "data", response)


@pytest.mark.parametrize("who", CAST)
def test_organisation_list_shows_exactly_the_visible_organisations(world, client_for, who):
    results = client_for(getattr(world, who)).get("/api/v1/organisations/").json()["results"]
    assert {o["code"] for o in results} == VISIBLE_ORGANISATIONS[who]


@pytest.mark.parametrize("who", CAST)
def test_audit_event_list_shows_exactly_the_visible_entries(world, client_for, who):
    results = client_for(getattr(world, who)).get("/api/v1/audit-events/", {"page_size": 200}).json()["results"]
    forces = {event["force"] for event in results if event["force"]}
    assert forces == VISIBLE_AUDIT_FORCES.get(who, set())


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and prefix.startswith("api/v1/"):
            yield pattern


def test_every_api_route_is_in_the_matrix_and_tenant_routes_use_the_base_viewset():
    covered = {endpoint.route for endpoint in ENDPOINTS}
    routes = list(_api_routes())
    assert routes, "no API routes found"
    for pattern in routes:
        name = pattern.name
        assert name in covered, f"API route {name!r} is missing from the permission matrix"
        view_class = getattr(pattern.callback, "cls", None)
        if name not in NON_TENANT_ROUTES:
            assert view_class is not None and issubclass(view_class, TenantScopedViewSet), (
                f"API route {name!r} is not built on TenantScopedViewSet"
            )


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_permissions", "initial"])
def test_the_base_viewset_refuses_subclasses_that_bypass_scoping(method):
    with pytest.raises(TypeError, match=method):
        type("Sneaky", (TenantScopedViewSet,), {method: lambda self: None})


def test_the_base_viewset_refuses_a_queryset_without_scoping():
    from django.contrib.auth import get_user_model

    with pytest.raises(TypeError, match="visible_to"):
        type("Unscoped", (TenantScopedViewSet,), {"queryset": get_user_model().objects.all()})
