"""Who opens the dip sample and feedback pages: one rule, the API's (``forces.selectors.reads_case_level_rows``).

The pages used to disagree: the dip samples' admitted any staff account (with no membership, it read
nothing in the API), the feedback's only members. Each persona's expectation is written from the API's
rule (``TenantQuerySet.visible_to``: superusers every row, a member with a lead, Quality Group or org admin
role its tenants' rows, anyone else none), and checked against what the API serves the same persona.
"""

import pytest
from django.test import Client

from forces.models import Role, Stream
from forces.selectors import reads_case_level_rows
from tests.factories import UserFactory, make_sample, member

PAGES = ("/admin/disclosure/dipsample/", "/admin/feedback/feedback/")
LOGIN = "login"


def _persona(world, name):
    """The edge cases of the rule; the cast's own where it has one."""
    if name == "staff_no_membership":
        return UserFactory(username="staffer", is_staff=True)
    if name == "staff_chief_officer":
        chief = UserFactory(username="staff-chief", is_staff=True)
        member(chief, world.gmp, Role.CHIEF_OFFICER)
        return chief
    if name == "org_admin_not_staff":
        admin = UserFactory(username="plain-gmp-admin")
        member(admin, world.gmp, Role.ORG_ADMIN)
        return admin
    if name == "deactivated_staff_lead":
        user = world.deactivated
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return user
    if name == "staff_no_membership_superuser":
        return UserFactory(username="root-no-membership", is_superuser=True, is_staff=True)
    return getattr(world, name)


#: persona -> what both pages answer (200 open, 403 refused; LOGIN: the site signs no such account in).
EXPECTED = {
    "staff_no_membership": 403,  # the API serves it no sample and no feedback
    "staff_chief_officer": 403,  # a chief officer reads figures, staff flag or not
    "gmp_chief": 403,
    "superuser": 200,
    "staff_no_membership_superuser": 200,  # the API serves a superuser every row, membership or not
    "gmp_admin": 200,  # org admins read their tenants' case-level rows
    "org_admin_not_staff": 200,
    "cps_quality": 200,
    "gmp_lead": 200,
    "deactivated_staff_lead": LOGIN,
}


def _outcome(response):
    if response.status_code == 302 and "/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", EXPECTED)
def test_it_opens_the_sample_and_feedback_pages_to_whom_the_api_serves_their_rows(world, client_for, name):
    user = _persona(world, name)
    make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3, stream=Stream.CC)
    client = Client()
    client.force_login(user)
    outcomes = {page: _outcome(client.get(page)) for page in PAGES}
    assert outcomes == dict.fromkeys(PAGES, EXPECTED[name])

    # The same rule as the API: admitted exactly when the API serves the persona the GMP sample.
    api = client_for(user).get("/api/v1/dip-samples/")
    served = api.status_code == 200 and api.json()["count"] > 0
    assert reads_case_level_rows(user=user) is (EXPECTED[name] == 200) is served


def test_a_page_its_reader_may_not_open_is_a_403_whatever_the_row_and_an_unseen_row_a_404(world):
    """A dip sample's history: a chief officer (no dip sample pages) was sent to the index for a row outside its
    scope, and refused for one inside it; a reader of samples gets 404 for another Area's sample."""
    gmp = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=3)
    kent = make_sample(cps_lead=world.outsider, police_lead=world.kent_lead, force=world.kent, month=3)
    history = "/admin/disclosure/dipsample/{}/history/".format
    chief, lead = Client(), Client()
    chief.force_login(world.gmp_chief)
    lead.force_login(world.cps_lead)
    assert [chief.get(history(pk)).status_code for pk in (gmp.pk, kent.pk, 999_999)] == [403, 403, 403]
    assert [lead.get(history(pk)).status_code for pk in (gmp.pk, kent.pk, 999_999)] == [200, 404, 404]
