"""The display columns of the list selectors (names, codes, counts) are built once and reused by every request."""

import pickle

from django.contrib.auth import get_user_model

from disclosure import selectors
from disclosure.models import Assessment, Defect, DefectCategory, Schedule
from forces.models import Organisation
from tests.factories import assess, make_sample

User = get_user_model()


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
    before = [pickle.dumps(query) for query in kept]
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=1, schedules=1)
    assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    for user in (world.cps_lead, world.kent_lead, world.gmp_lead):
        for resource in ("cases", "dip-samples", "assessments", "defects"):
            assert client_for(user).get(f"/api/v1/{resource}/").status_code == 200
    # Each use resolved a copy into its page's statement (renaming its aliases there): the kept query is as built.
    assert [pickle.dumps(query) for query in kept] == before


def test_the_shared_columns_give_each_user_their_own_rows(world, client_for):
    sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=1, schedules=1)
    assessment = assess(actor=world.cps_lead, sample=sample, schedule=sample.schedules.get())
    gmp = client_for(world.gmp_lead).get("/api/v1/assessments/").json()["results"]
    kent = client_for(world.kent_lead).get("/api/v1/assessments/").json()["results"]
    assert [(row["id"], row["force"], row["assessed_by"]) for row in gmp] == [
        (assessment.pk, "GMP", world.cps_lead.username)
    ]
    assert kent == [] and Assessment.objects.filter(force=world.kent).count() == 0
