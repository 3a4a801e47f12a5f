"""A start page costs a fixed number of queries however many rows there are (its own module: it builds its own
world, where tests/portal/test_start_pages.py shares one)."""

import pytest
from django.test import Client

from forces.models import Role, Stream
from tests.factories import UserFactory, assess, build_rows, make_feedback, make_sample, member

LEADS = {"GMP": ("cps_lead", "gmp_lead"), "LANCS": ("cps_lead", "lancs_lead"), "KENT": ("outsider", "kent_lead")}


def more_rows(world) -> None:
    """As many open samples and waiting feedback again as ``build_rows`` made (its periods are taken, so others)."""
    for code, (cps_key, police_key) in LEADS.items():
        cps, police = getattr(world, cps_key), getattr(world, police_key)
        rows = world.__dict__["rows"][code]
        kwargs = {"cps_lead": cps, "police_lead": police, "force": getattr(world, code.lower())}
        make_sample(month=6, draw=False, **kwargs)
        make_sample(month=7, schedules=2, **kwargs)
        completed = make_sample(month=8, **kwargs)
        assess(actor=police, sample=completed, schedule=completed.schedules.get())
        for status in ("draft", "sent", "acknowledged", "responded", "closed"):
            make_feedback(cps=cps, police=police, defects=[rows.defect], status=status)


def _queries(client, count_queries) -> tuple[int, str]:
    with count_queries() as ctx:
        response = client.get("/admin/")
    assert response.status_code == 200
    return len(ctx), response.content.decode()


@pytest.mark.parametrize("who", ["cps_lead", "gmp_lead", "gmp_chief", "cps_quality", "cps_admin", "gmp_admin"])
def test_a_start_page_costs_the_same_queries_when_the_rows_double(world, count_queries, who):
    world.__dict__["rows"] = build_rows(world)
    client = Client()
    client.force_login(getattr(world, who))
    client.get("/admin/")  # warm: the session and content types
    before, page = _queries(client, count_queries)
    more_rows(world)
    for n in range(3):  # and more members for the admins' lists
        member(UserFactory(username=f"more-gmp-{n}"), world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
        member(UserFactory(username=f"more-cps-{n}"), world.nw, Role.DISCLOSURE_LEAD, Stream.CC)
    after, grown = _queries(client, count_queries)
    assert after == before
    if who not in ("gmp_chief", "cps_quality"):  # their start page is a link, whatever the rows
        assert len(grown) > len(page), "the new rows are on the page"
