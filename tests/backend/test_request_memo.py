"""Scoping within an API request: the forces a user reads are worked out once, as a literal list."""

import re

from backend.querysets import request_memo
from disclosure.models import Case
from forces.models import Role, Stream
from tests.factories import member


def test_outside_a_request_the_scope_is_a_subquery_on_the_memberships(world):
    sql = str(Case.objects.visible_to(world.gmp_lead).query)
    assert "forces_membership" in sql


def test_within_a_request_the_forces_are_read_once_and_inlined(world, count_queries):
    with request_memo():
        with count_queries() as first:
            sql = str(Case.objects.visible_to(world.cps_lead).query)
        with count_queries() as again:
            Case.objects.visible_to(world.cps_lead)
    assert "forces_membership" not in sql
    assert _inlined_forces(sql) == {world.gmp.pk, world.lancs.pk}
    assert (len(first), len(again)) == (1, 0)


def _inlined_forces(sql: str) -> set[int]:
    match = re.search(r'"force_id" IN \(([0-9, ]+)\)', sql)
    assert match, sql
    return {int(pk) for pk in match.group(1).split(", ")}


def test_a_membership_granted_during_the_request_is_seen_by_its_later_reads(world):
    with request_memo():
        before = _inlined_forces(str(Case.objects.visible_to(world.gmp_lead).query))
        member(world.gmp_lead, world.lancs, Role.DISCLOSURE_LEAD, Stream.CC)
        after = _inlined_forces(str(Case.objects.visible_to(world.gmp_lead).query))
    assert (before, after) == ({world.gmp.pk}, {world.gmp.pk, world.lancs.pk})


def test_each_user_has_its_own_list_and_nothing_outlives_the_request(world):
    with request_memo():
        police = str(Case.objects.visible_to(world.kent_lead).query)
        cps = str(Case.objects.visible_to(world.cps_lead).query)
    assert (_inlined_forces(police), _inlined_forces(cps)) == ({world.kent.pk}, {world.gmp.pk, world.lancs.pk})
    assert "forces_membership" in str(Case.objects.visible_to(world.kent_lead).query)


def test_a_reader_of_no_force_sees_nothing_without_a_query_for_the_rows(world, count_queries):
    with request_memo():
        rows = Case.objects.visible_to(world.gmp_chief)  # a chief officer reads summaries only
        with count_queries() as queries:
            assert list(rows) == []
    assert len(queries) == 0
