"""The fixed cast of the suite (Healthchecks.io style).

Two CPS Areas: CPS-NW with forces GMP and LANCS, and CPS-SE with force KENT. The cast:

- ``superuser``
- ``cps_lead``      CPS-NW disclosure lead, Crown Court stream
- ``gmp_lead``      GMP disclosure lead, Crown Court stream
- ``gmp_mc_lead``   GMP disclosure lead, magistrates' court stream only
- ``lancs_lead``    LANCS disclosure lead, Crown Court stream (another force, same Area)
- ``gmp_chief``     GMP chief officer (summaries only)
- ``cps_quality``   CPS-NW Casework Quality Group
- ``cps_admin``     CPS-NW org admin
- ``gmp_admin``     GMP org admin
- ``outsider``      CPS-SE disclosure lead, all streams (another Area)
- ``kent_lead``     KENT disclosure lead, Crown Court stream (another Area's force)
- ``nobody``        signed in, no membership

and, outside ``CAST`` (it cannot sign in, so the "signed in" tables of tests skip it):

- ``deactivated``   a former GMP disclosure lead, Crown Court stream: membership kept, ``is_active=False``
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forces.models import Organisation, Role, Stream
from tests import replay
from tests.factories import AreaFactory, ForceFactory, UserFactory, member

CAST = (
    "superuser",
    "cps_lead",
    "gmp_lead",
    "gmp_mc_lead",
    "lancs_lead",
    "gmp_chief",
    "cps_quality",
    "cps_admin",
    "gmp_admin",
    "outsider",
    "kent_lead",
    "nobody",
)
DEACTIVATED = "deactivated"


@dataclass
class World:
    nw: Organisation
    gmp: Organisation
    lancs: Organisation
    se: Organisation
    kent: Organisation
    users: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_world() -> World:
    """Build the cast (see the module docstring)."""
    nw = AreaFactory(code="CPS-NW", name="CPS North West")
    gmp = ForceFactory(code="GMP", name="Greater Manchester Police", area=nw)
    lancs = ForceFactory(code="LANCS", name="Lancashire Constabulary", area=nw)
    se = AreaFactory(code="CPS-SE", name="CPS South East")
    kent = ForceFactory(code="KENT", name="Kent Police", area=se)

    users = {"superuser": UserFactory(username="root", is_superuser=True, is_staff=True)}
    cast = [
        ("cps_lead", nw, Role.DISCLOSURE_LEAD, Stream.CC),
        ("gmp_lead", gmp, Role.DISCLOSURE_LEAD, Stream.CC),
        ("gmp_mc_lead", gmp, Role.DISCLOSURE_LEAD, Stream.MC),
        ("lancs_lead", lancs, Role.DISCLOSURE_LEAD, Stream.CC),
        ("gmp_chief", gmp, Role.CHIEF_OFFICER, None),
        ("cps_quality", nw, Role.QUALITY_GROUP, None),
        ("cps_admin", nw, Role.ORG_ADMIN, None),
        ("gmp_admin", gmp, Role.ORG_ADMIN, None),
        ("outsider", se, Role.DISCLOSURE_LEAD, None),
        ("kent_lead", kent, Role.DISCLOSURE_LEAD, Stream.CC),
    ]
    for key, organisation, role, stream in cast:
        users[key] = UserFactory(username=key.replace("_", "-"), is_staff=role == Role.ORG_ADMIN)
        member(users[key], organisation, role, stream)
    users["nobody"] = UserFactory(username="nobody")
    users[DEACTIVATED] = UserFactory(username=DEACTIVATED)
    member(users[DEACTIVATED], gmp, Role.DISCLOSURE_LEAD, Stream.CC)
    users[DEACTIVATED].is_active = False  # left the force: the account is switched off, nothing else removed
    users[DEACTIVATED].save(update_fields=["is_active"])
    return World(nw=nw, gmp=gmp, lancs=lancs, se=se, kent=kent, users=users)


def _cast_objects(world: World) -> dict:
    """The objects ``build_rows(world)`` receives and may change in place, by a stable key (tests/replay.py)."""
    objects = {"world": world, "users": world.users}
    objects.update({f"organisation:{name}": getattr(world, name) for name in ("nw", "gmp", "lancs", "se", "kent")})
    objects.update({f"user:{key}": user for key, user in world.users.items()})
    return objects


def replayed(world: World, stage: str, build):
    """``build()`` of rows over the cast (a fixture's), replayed from a recording where one fits (tests/replay.py).

    ``stage`` names the build, which takes no other input: the same rows from the same database and cast.
    """
    return replay.replay(stage, build, live=_cast_objects(world))


def world_and_rows(world: World | None = None):
    """``make_world()`` (unless given) and ``build_rows`` of it: replayed from a recording where one fits."""
    from tests.factories import build_rows

    world = world or replay.replay("world", make_world)
    return world, replayed(world, "rows", lambda: build_rows(world))


@pytest.fixture
def world(db) -> World:
    """The cast (``make_world()``), replayed from a recording where one fits (tests/replay.py)."""
    return replay.replay("world", make_world)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The cast and ``build_rows`` built once per test module, for read-mostly tables of tests.

    Like Django's ``setUpTestData``: the rows are created inside a transaction that stays open
    for the module and is rolled back at its end; each test (through its ``db`` fixture) runs
    in a savepoint inside it, so what one test writes is gone before the next. Tests using it
    must not keep state on the returned objects.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            shared, rows = world_and_rows()
            shared.__dict__["rows"] = rows
            yield shared
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client signed in as ``user`` (None: anonymous)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def count_queries():
    """``with count_queries() as ctx: ...``; ``len(ctx)`` is the number of SQL statements run."""

    def make():
        return CaptureQueriesContext(connection)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rows(world):
    """Rows in every workflow state for GMP, LANCS and KENT (see ``tests.factories.build_rows``).

    Replayed from a recording where one fits (tests/replay.py).
    """
    return world_and_rows(world)[1]


def pytest_collection_modifyitems(config, items):
    """Heavy tests first (stable order otherwise).

    Longest job first keeps the run's tail short under pytest-xdist. On PostgreSQL it matters
    more: the demo-data test, started after thousands of rolled-back tests, meets tables full of
    dead rows that autovacuum has not yet cleared and no statistics for its own uncommitted rows,
    and its plans degrade badly (seen: over 300 s, against about 30 s on a fresh database).
    """
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)
