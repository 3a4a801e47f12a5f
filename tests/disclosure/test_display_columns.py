"""The display columns of the list selectors (names, codes, counts) are built once and reused by every request."""

from django.contrib.auth import get_user_model
from django.db.models.sql.where import WhereNode

from disclosure import selectors
from disclosure.models import Assessment, Defect, DefectCategory, Schedule
from forces.models import Organisation
from tests.factories import assess, make_case, make_sample

User = get_user_model()


def _state(query):
    """What resolving a copy could change in place in a kept query: its aliases and its where tree's lookups.

    (Not a pickle: resolving fills expressions' cached properties, ``contains_aggregate``..., which change nothing.)
    """
    leaves, nodes = [], [query.where]
    while nodes:
        node = nodes.pop()
        for child in node.children:
            (nodes if isinstance(child, WhereNode) else leaves).append(child)
    return (
        {table: list(aliases) for table, aliases in query.table_map.items()},
        {alias: (join.table_name, join.table_alias) for alias, join in query.alias_map.items()},
        dict(query.alias_refcount),
        [(type(leaf).__name__, repr(leaf.lhs), repr(leaf.rhs)) for leaf in leaves],
    )


def _kept():
    """The queries kept for the display columns the lists use (built on first use, then the same object)."""
    selectors.username_of("assessed_by_id"), selectors.count_of(Defect, "assessment")
    return [
        selectors._lookup(User, "assessed_by_id", "username"),
        selectors._lookup(Organisation, "force_id", "code"),
        selectors._lookup(DefectCategory, "category_id", "code"),
        selectors._count(Defect, "assessment"),
        selectors._count(Schedule, "case"),
    ]


def test_each_display_column_is_built_once_and_stays_what_it_was_after_any_users_lists(world, client_for):
    kept = _kept()
    assert [a is b for a, b in zip(kept, _kept(), strict=True)] == [True] * len(kept)
    assert selectors.column_of(Organisation, "force_id", "code") is not selectors.column_of(
        Organisation, "force_id", "code"
    )
    before = [_state(query) for query in kept]
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=1, schedules=1)
    assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    for user in (world.cps_lead, world.kent_lead, world.gmp_lead):
        for resource in ("cases", "dip-samples", "assessments", "defects"):
            assert client_for(user).get(f"/api/v1/{resource}/").status_code == 200
    # Each use resolved a copy into its page's statement (renaming its aliases there): the kept query is as built.
    assert [_state(query) for query in kept] == before


def test_the_shared_columns_give_each_user_their_own_rows(world, client_for):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=1, schedules=1)
    assessment = assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    gmp = client_for(world.gmp_lead).get("/api/v1/assessments/").json()["results"]
    kent = client_for(world.kent_lead).get("/api/v1/assessments/").json()["results"]
    assert [(row["id"], row["force"], row["assessed_by"]) for row in gmp] == [
        (assessment.pk, "GMP", world.cps_lead.username)
    ]
    assert kent == [] and Assessment.objects.filter(force=world.kent).count() == 0


def test_a_column_resolved_into_a_query_of_another_alias_prefix_leaves_the_kept_query_as_built(world, client_for):
    """A subquery in a subquery (the outer query's aliases ``U0``...) resolves its lookups differently."""
    kept = selectors._lookup(Organisation, "force_id", "code")
    before = _state(kept)
    outer = Schedule.objects.all()
    outer.query.alias_prefix = "U"  # as a queryset is when Django nests it in another
    str(outer.annotate(code=selectors.column_of(Organisation, "force_id", "code")).query)
    assert _state(kept) == before
    make_case(actor=world.gmp_lead, force=world.gmp)
    assert [row["force"] for row in client_for(world.cps_lead).get("/api/v1/cases/").json()["results"]] == ["GMP"]
