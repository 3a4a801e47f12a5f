"""A start page costs a fixed number of queries however many rows there are (its own module: it builds its own
world, where tests/portal/test_start_pages.py shares one)."""

from django.test import Client

from forces.models import Role, Stream
from tests.factories import UserFactory, assess, make_feedback, make_sample, member

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


def _queries(client, count_queries, who) -> tuple[int, str]:
    with count_queries() as ctx:
        response = client.get("/admin/")
    assert response.status_code == 200, who
    return len(ctx), response.content.decode()


#: Each member with a start page of their own.
STARTERS = ("cps_lead", "gmp_lead", "gmp_chief", "cps_quality", "cps_admin", "gmp_admin")


def test_a_start_page_costs_the_same_queries_when_the_rows_double(world, rows, count_queries):
    """Each starter's page counted with the rows of ``build_rows``, then again once the rows have doubled (the rows are
    doubled once for all of them: each has its own session, and a page only reads)."""
    world.__dict__["rows"] = rows
    clients, before = {}, {}
    for who in STARTERS:
        clients[who] = Client()
        clients[who].force_login(getattr(world, who))
        clients[who].get("/admin/")  # warm: the session and content types
        before[who] = _queries(clients[who], count_queries, who)
    more_rows(world)
    for n in range(3):  # and more members for the admins' lists
        member(UserFactory(username=f"more-gmp-{n}"), world.gmp, Role.DISCLOSURE_LEAD, Stream.CC)
        member(UserFactory(username=f"more-cps-{n}"), world.nw, Role.DISCLOSURE_LEAD, Stream.CC)
    wrong = []
    for who in STARTERS:
        (queries, page), (after, grown) = before[who], _queries(clients[who], count_queries, who)
        if after != queries:
            wrong.append(f"{who}: {queries} queries before the rows doubled, {after} after")
        linked = who in ("gmp_chief", "cps_quality")  # their start page is a link, whatever the rows
        if not linked and not len(grown) > len(page):
            wrong.append(f"{who}: the new rows are not on the page")
    assert not wrong, "\n".join(wrong)
