import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from guardian.shortcuts import get_objects_for_user

from forces import services
from forces.models import Membership, OrganisationKind, Role, Stream
from tests.factories import ForceFactory, UserFactory


def summarisable(user) -> set[str]:
    return set(
        get_objects_for_user(user, "forces.view_summary", accept_global_perms=False).values_list("code", flat=True)
    )


def test_a_chief_officer_may_summarise_only_their_force(world):
    assert summarisable(world.gmp_chief) == {"GMP"}
    assert world.gmp_chief.has_perm("forces.view_summary", world.gmp)
    assert not world.gmp_chief.has_perm("forces.view_summary", world.lancs)


def test_the_quality_group_may_summarise_every_force_of_its_area(world):
    assert summarisable(world.cps_quality) == {"GMP", "LANCS"}


def test_a_new_force_is_summarised_by_its_area_quality_group_at_once(world):
    services.organisation_create(
        code="CUMBRIA", name="Cumbria Constabulary", kind=OrganisationKind.POLICE_FORCE, area=world.nw
    )
    assert summarisable(world.cps_quality) == {"GMP", "LANCS", "CUMBRIA"}
    assert summarisable(world.gmp_chief) == {"GMP"}


@pytest.mark.parametrize("key", ["gmp_lead", "cps_lead", "cps_admin", "gmp_admin", "outsider", "nobody"])
def test_nobody_else_may_summarise(world, key):
    assert summarisable(getattr(world, key)) == set()


def test_removing_a_membership_removes_its_grants(world):
    membership = Membership.objects.get(user=world.gmp_chief)
    services.membership_delete(actor=world.gmp_admin, membership=membership)
    assert summarisable(world.gmp_chief) == set()


def test_changing_a_role_moves_the_grants(world):
    membership = Membership.objects.get(user=world.gmp_chief)
    services.membership_update(
        actor=world.gmp_admin, membership=membership, role=Role.DISCLOSURE_LEAD, stream=Stream.CC
    )
    assert summarisable(world.gmp_chief) == set()


def test_an_org_admin_may_add_members_to_its_own_organisation(world):
    newcomer = UserFactory(username="newcomer")
    membership = services.membership_create(
        actor=world.gmp_admin, user=newcomer, organisation=world.gmp, role=Role.DISCLOSURE_LEAD, stream=Stream.RASSO
    )
    assert membership.organisation == world.gmp


@pytest.mark.parametrize("key", ["gmp_admin", "cps_admin", "gmp_lead", "cps_quality"])
def test_no_one_but_its_admins_may_add_members_to_another_organisation(world, key):
    with pytest.raises(PermissionDenied):
        services.membership_create(
            actor=getattr(world, key), user=UserFactory(username="x"), organisation=world.lancs, role=Role.CHIEF_OFFICER
        )


@pytest.mark.parametrize(
    ("organisation", "role", "stream", "field"),
    [
        ("nw", Role.CHIEF_OFFICER, None, "role"),  # chief officers belong to forces
        ("gmp", Role.QUALITY_GROUP, None, "role"),  # the Quality Group belongs to a CPS Area
        ("gmp", Role.CHIEF_OFFICER, Stream.CC, "stream"),  # only leads have a stream
        ("gmp", "inspector", None, "role"),  # not a role
    ],
)
def test_it_refuses_a_role_the_organisation_cannot_hold(world, organisation, role, stream, field):
    with pytest.raises(ValidationError) as raised:
        services.membership_create(
            actor=world.superuser,
            user=UserFactory(username="y"),
            organisation=getattr(world, organisation),
            role=role,
            stream=stream,
        )
    assert field in raised.value.message_dict


def test_it_refuses_a_duplicate_membership(world):
    with pytest.raises(ValidationError):
        services.membership_create(
            actor=world.superuser,
            user=world.gmp_lead,
            organisation=world.gmp,
            role=Role.DISCLOSURE_LEAD,
            stream=Stream.CC,
        )


def test_a_force_must_point_at_a_cps_area(world):
    with pytest.raises(ValidationError) as raised:
        services.organisation_create(code="LOST", name="Lost force", kind=OrganisationKind.POLICE_FORCE)
    assert "area" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.organisation_create(code="ODD", name="Odd", kind=OrganisationKind.POLICE_FORCE, area=world.gmp)


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_org_admin_sees_only_its_organisations_memberships_in_the_admin(world):
    response = _admin(world.gmp_admin).get("/admin/forces/membership/")
    assert response.status_code == 200
    shown = {m.user.username for m in response.context["cl"].result_list}
    expected = set(Membership.objects.filter(organisation=world.gmp).values_list("user__username", flat=True))
    assert shown == expected
    assert "lancs-lead" not in shown


def test_an_org_admin_cannot_open_another_organisations_membership(world):
    foreign = Membership.objects.get(user=world.lancs_lead)
    response = _admin(world.gmp_admin).get(f"/admin/forces/membership/{foreign.pk}/change/")
    assert response.status_code == 404  # not found, as in the API (decision 0013), not Django's redirect
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_an_org_admin_cannot_add_a_member_to_another_organisation_in_the_admin(world):
    newcomer = UserFactory(username="sneaky")
    response = _admin(world.gmp_admin).post(
        "/admin/forces/membership/add/",
        {"user": newcomer.pk, "organisation": world.lancs.pk, "role": Role.DISCLOSURE_LEAD, "stream": Stream.CC},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_lead_cannot_reach_the_membership_admin(world):
    assert _admin(world.gmp_lead).get("/admin/forces/membership/").status_code in (302, 403)


def test_only_superusers_manage_organisations_in_the_admin(world):
    assert _admin(world.gmp_admin).get("/admin/forces/organisation/").status_code == 403
    assert _admin(world.superuser).get("/admin/forces/organisation/").status_code == 200


def test_a_third_force_for_the_area_is_visible_to_its_cps_lead(world, client_for):
    ForceFactory(code="CUMBRIA", area=world.nw)
    codes = {o["code"] for o in client_for(world.cps_lead).get("/api/v1/organisations/").json()["results"]}
    assert "CUMBRIA" in codes
