from forces.models import Role, Stream
from tests.factories import AreaFactory, ForceFactory, UserFactory, member


def test_me_lists_the_user_memberships_roles_and_streams(world, client_for):
    member(world.gmp_lead, world.gmp, Role.DISCLOSURE_LEAD, Stream.RASSO)
    body = client_for(world.gmp_lead).get("/api/v1/me/").json()
    assert body["username"] == "gmp-lead"
    assert body["roles"] == ["disclosure_lead"]
    assert body["streams"] == ["cc", "rasso"]
    assert {(m["organisation"], m["role"], m["stream"]) for m in body["memberships"]} == {
        ("GMP", "disclosure_lead", "cc"),
        ("GMP", "disclosure_lead", "rasso"),
    }


def test_an_all_streams_lead_covers_every_stream(world, client_for):
    assert client_for(world.outsider).get("/api/v1/me/").json()["streams"] == ["cc", "mc", "rasso"]


def test_organisations_are_filtered_by_kind_and_area(world, client_for):
    client = client_for(world.superuser)
    forces = client.get("/api/v1/organisations/", {"kind": "police_force", "area": "CPS-NW"}).json()["results"]
    assert [o["code"] for o in forces] == ["GMP", "LANCS"]
    assert forces[0] == {"code": "GMP", "name": "Greater Manchester Police", "kind": "police_force", "area": "CPS-NW"}


def test_organisations_can_be_ordered(world, client_for):
    results = client_for(world.superuser).get("/api/v1/organisations/", {"ordering": "-code"}).json()["results"]
    codes = [o["code"] for o in results]
    assert codes == sorted(codes, reverse=True)


def _grow(user, start: int, stop: int) -> None:
    """Give ``user`` memberships of Areas ``start..stop-1``, each Area with a force and a lead of its own."""
    for i in range(start, stop):
        area = AreaFactory(code=f"CPS-G{i}")
        force = ForceFactory(code=f"GROW{i}", area=area)
        member(user, area, Role.DISCLOSURE_LEAD, None)
        member(UserFactory(username=f"extra{i}"), force, Role.DISCLOSURE_LEAD, Stream.MC)


def test_me_query_count_stays_constant_as_memberships_double(world, client_for, count_queries):
    client = client_for(world.outsider)
    _grow(world.outsider, 0, 3)
    with count_queries() as small:
        small_count = len(client.get("/api/v1/me/").json()["memberships"])
    _grow(world.outsider, 3, 7)
    with count_queries() as large:
        large_count = len(client.get("/api/v1/me/").json()["memberships"])
    assert large_count >= 2 * small_count
    # 1: its memberships with their organisations (the user is not read again); 2: the forces whose
    # summary and the Areas whose comparison it reads. Tests force authentication.
    assert len(small) == len(large) == 2


def test_organisation_list_query_count_stays_constant_as_rows_double(world, client_for, count_queries):
    client = client_for(world.outsider)
    _grow(world.outsider, 0, 3)
    with count_queries() as small:
        small_count = client.get("/api/v1/organisations/").json()["count"]
    _grow(world.outsider, 3, 9)
    with count_queries() as large:
        large_count = client.get("/api/v1/organisations/").json()["count"]
    assert large_count >= 2 * small_count
    # 1: the bounded count of the scoped organisations; 2: the page's ids; 3: those rows, with the Area joined.
    assert len(small) == len(large) == 3
