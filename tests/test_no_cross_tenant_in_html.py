"""No other tenant's values in the HTML the API renders (the browsable API and its filter forms).

Every list under /api/v1/ is rendered as HTML for low-privilege members of the cast. The pages
must show none of the rows of forces the member may not read: no URN, no distinctive defect
text, and no id of such a row among the choices of a filter form. Which forces each may read is
written out in the permission matrix (CASE_LEVEL_READERS), not computed by the code under test.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from disclosure.models import Assessment, Case, Defect, DipSample, Schedule
from tests.test_permission_matrix import CASE_LEVEL_READERS, TARGETS

#: Low-privilege members: a force's lead (one force of an Area), a chief officer (no case-level rows),
#: a lead of another Area, and a signed-in user with no membership.
ROLES = ("lancs_lead", "gmp_chief", "kent_lead", "nobody")

#: For a filter form's <select name=...>: the model whose ids it may offer.
SELECT_MODELS = {"case": Case, "schedule": Schedule, "dip_sample": DipSample, "assessment": Assessment}


def _list_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _list_paths(pattern, prefix + str(pattern.pattern))
        elif (
            isinstance(pattern, URLPattern) and prefix.startswith("api/v1/") and (pattern.name or "").endswith("-list")
        ):
            route = str(pattern.pattern).lstrip("^").rstrip("$")
            yield "/" + prefix + route


LIST_PATHS = sorted(set(_list_paths()))


def _marker(code: str) -> str:
    return f"MARKER-{code}-4417"


@pytest.fixture
def marked(shared_world, db):
    """A distinctive item reference on each force's defect, undone with the test's savepoint."""
    for code in TARGETS:
        Defect.objects.filter(pk=shared_world.rows[code].defect.pk).update(item_reference=_marker(code))
    return shared_world


def _options(html: str) -> dict[str, set[str]]:
    found = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, flags=re.S):
        found[name] = {value for value in re.findall(r'<option value="([^"]*)"', body) if value}
    return found


def test_every_list_route_is_rendered():
    assert "/api/v1/cases/" in LIST_PATHS
    assert "/api/v1/audit-events/" in LIST_PATHS
    assert len(LIST_PATHS) >= 9


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("path", LIST_PATHS)
def test_the_browsable_api_shows_no_other_tenants_values(marked, path, who):
    world = marked
    readable = CASE_LEVEL_READERS.get(who, set())
    foreign = [code for code in TARGETS if code not in readable]
    client = Client()
    client.force_login(getattr(world, who))
    response = client.get(path, {"format": "api"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()

    for code in foreign:
        assert _marker(code) not in html
        for urn in Case.objects.filter(force__code=code).values_list("urn", flat=True):
            assert urn not in html, f"{code} URN {urn} shown to {who} on {path}"

    for name, values in _options(html).items():
        model = SELECT_MODELS.get(name)
        if model is None:
            continue
        foreign_ids = {str(pk) for pk in model.objects.filter(force__code__in=foreign).values_list("pk", flat=True)}
        assert not values & foreign_ids, f"{who} is offered {name} ids of other forces on {path}"
        own_ids = {str(pk) for pk in model.objects.filter(force__code__in=readable).values_list("pk", flat=True)}
        assert values == own_ids, f"{name} choices on {path} for {who}"


def test_the_filter_forms_offer_related_rows_at_all(marked):
    """The check above is not vacuous: a reader of LANCS is offered LANCS's samples and schedules."""
    client = Client()
    client.force_login(marked.lancs_lead)
    options = _options(client.get("/api/v1/assessments/", {"format": "api"}, HTTP_ACCEPT="text/html").content.decode())
    assert str(marked.rows["LANCS"].in_progress.pk) in options["dip_sample"]
    assert str(marked.rows["LANCS"].schedule.pk) in options["schedule"]


@pytest.mark.parametrize(
    ("path", "param", "row"),
    [
        ("/api/v1/schedules/", "case", "case"),
        ("/api/v1/assessments/", "dip_sample", "in_progress"),
        ("/api/v1/assessments/", "schedule", "schedule"),
        ("/api/v1/defects/", "assessment", "assessment"),
        ("/api/v1/defects/", "dip_sample", "in_progress"),
    ],
)
def test_an_id_of_another_tenant_answers_exactly_like_one_that_does_not_exist(marked, client_for, path, param, row):
    client = client_for(marked.lancs_lead)
    elsewhere = getattr(marked.rows["KENT"], row).pk
    missing = 10**9
    answers = [client.get(path, {param: value}) for value in (elsewhere, missing)]
    assert [a.status_code for a in answers] == [400, 400]
    bodies = [a.json() for a in answers]
    assert bodies[0]["fields"] == bodies[1]["fields"]
    assert list(bodies[0]["fields"]) == [param]
    own = client.get(path, {param: getattr(marked.rows["LANCS"], row).pk})
    assert own.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/dip-samples/", "/api/v1/defects/"])
def test_a_force_code_of_another_tenant_answers_exactly_like_one_that_does_not_exist(marked, client_for, path):
    client = client_for(marked.lancs_lead)
    answers = [client.get(path, {"force": code}) for code in ("KENT", "NOPE")]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json()["count"] for a in answers] == [0, 0]
    assert client.get(path, {"force": "lancs"}).json()["count"] > 0
