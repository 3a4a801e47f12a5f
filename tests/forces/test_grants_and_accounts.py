"""Membership changes revoke the object grants they justified; account security (tokens, unlock, own roles)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from disclosure.models import DipSampleUserObjectPermission
from forces import services
from forces.models import Membership, OrganisationUserObjectPermission, Role, Stream
from tests.factories import TEST_PASSWORD, member

CHANGE = "disclosure.change_dipsample"


def sample_writes(client, sample) -> dict[str, int]:
    """Status of each write a sample's lead may make: change, draw, delete (in that order; delete last)."""
    url = f"/api/v1/dip-samples/{sample.pk}/"
    return {
        "patch": client.patch(url, {"period_end": str(sample.period_end), "row_version": 1}, format="json").status_code,
        "draw": client.post(url + "draw/", {"size": 1}, format="json").status_code,
        "delete": client.delete(url).status_code,
    }


REFUSED = {"patch": 403, "draw": 403, "delete": 403}


# --- (6) stale object permissions -----------------------------------------------------------


def test_a_lead_moved_to_another_stream_can_no_longer_change_draw_or_delete_the_old_streams_samples(
    world, rows, client_for
):
    sample = rows["GMP"].planned  # a Crown Court sample naming gmp-lead as its police lead
    assert world.gmp_lead.has_perm(CHANGE, sample)
    membership = Membership.objects.get(user=world.gmp_lead, organisation=world.gmp)
    services.membership_update(
        actor=world.gmp_admin, membership=membership, role=Role.DISCLOSURE_LEAD, stream=Stream.MC
    )

    assert not DipSampleUserObjectPermission.objects.filter(user=world.gmp_lead).exists()
    # Still a GMP member, so the sample is visible: the answer is 403, and nothing changed.
    assert sample_writes(client_for(world.gmp_lead), sample) == REFUSED
    sample.refresh_from_db()
    assert sample.status == "planned"


def test_a_lead_whose_lead_membership_ends_loses_the_samples_grants(world, rows, client_for):
    # Also a GMP org admin, so the samples stay visible (403, not 404) once the lead role ends.
    member(world.gmp_lead, world.gmp, Role.ORG_ADMIN)
    services.membership_delete(
        actor=world.gmp_admin, membership=Membership.objects.get(user=world.gmp_lead, role=Role.DISCLOSURE_LEAD)
    )
    assert sample_writes(client_for(world.gmp_lead), rows["GMP"].planned) == REFUSED
    for name in ("planned", "in_progress", "assessed", "completed", "signed_off"):
        assert not world.gmp_lead.has_perm(CHANGE, getattr(rows["GMP"], name))


def test_a_cps_lead_losing_its_stream_loses_the_grants_in_every_force_of_the_area(world, rows):
    membership = Membership.objects.get(user=world.cps_lead)
    services.membership_update(
        actor=world.cps_admin, membership=membership, role=Role.DISCLOSURE_LEAD, stream=Stream.RASSO
    )
    for force in ("GMP", "LANCS"):
        assert not world.cps_lead.has_perm(CHANGE, rows[force].planned)


def test_grants_still_justified_by_another_membership_are_kept(world, rows, client_for):
    member(world.gmp_lead, world.gmp, Role.DISCLOSURE_LEAD, None)  # all streams at GMP
    services.membership_delete(
        actor=world.gmp_admin,
        membership=Membership.objects.get(user=world.gmp_lead, role=Role.DISCLOSURE_LEAD, stream=Stream.CC),
    )
    sample = rows["GMP"].planned
    assert world.gmp_lead.has_perm(CHANGE, sample)
    assert client_for(world.gmp_lead).post(f"/api/v1/dip-samples/{sample.pk}/draw/", {"size": 1}).status_code == 200


def test_a_change_elsewhere_leaves_other_users_grants_alone(world, rows):
    membership = Membership.objects.get(user=world.gmp_lead, organisation=world.gmp)
    services.membership_update(
        actor=world.gmp_admin, membership=membership, role=Role.DISCLOSURE_LEAD, stream=Stream.MC
    )
    assert world.cps_lead.has_perm(CHANGE, rows["GMP"].planned)
    assert world.lancs_lead.has_perm(CHANGE, rows["LANCS"].planned)


def test_deactivating_an_account_revokes_its_object_grants(world, rows):
    world.gmp_chief.is_active = False
    world.gmp_chief.save()
    world.gmp_lead.is_active = False
    world.gmp_lead.save()
    assert not DipSampleUserObjectPermission.objects.filter(user=world.gmp_lead).exists()
    assert not OrganisationUserObjectPermission.objects.filter(user=world.gmp_chief).exists()


def test_a_reactivated_account_gets_back_what_its_memberships_give(world):
    world.gmp_chief.is_active = False
    world.gmp_chief.save()
    world.gmp_chief.is_active = True
    world.gmp_chief.save()
    assert world.gmp_chief.has_perm("forces.view_summary", world.gmp)


def test_a_role_change_in_the_admin_revokes_the_grants(world, rows):
    membership = Membership.objects.get(user=world.gmp_lead, organisation=world.gmp)
    client = Client()
    client.force_login(world.gmp_admin)
    response = client.post(
        f"/admin/forces/membership/{membership.pk}/change/", {"role": Role.DISCLOSURE_LEAD, "stream": Stream.RASSO}
    )
    assert response.status_code == 302
    assert not world.gmp_lead.has_perm(CHANGE, rows["GMP"].planned)


# --- (8) tokens end with the last membership --------------------------------------------------


def test_the_last_membership_ending_revokes_the_users_tokens(world):
    AuthToken.objects.create(world.gmp_chief)
    services.membership_delete(actor=world.gmp_admin, membership=Membership.objects.get(user=world.gmp_chief))
    assert not AuthToken.objects.filter(user=world.gmp_chief).exists()


def test_a_membership_ending_while_others_remain_keeps_the_tokens(world):
    member(world.gmp_chief, world.gmp, Role.ORG_ADMIN)
    AuthToken.objects.create(world.gmp_chief)
    services.membership_delete(
        actor=world.gmp_admin, membership=Membership.objects.get(user=world.gmp_chief, role=Role.CHIEF_OFFICER)
    )
    assert AuthToken.objects.filter(user=world.gmp_chief).count() == 1


# --- (8) separation of duties ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISCLOSURE_LEAD, Role.CHIEF_OFFICER, Role.ORG_ADMIN])
def test_an_org_admin_cannot_give_themselves_a_role(world, role):
    with pytest.raises(PermissionDenied, match="yourself"):
        services.membership_create(actor=world.gmp_admin, user=world.gmp_admin, organisation=world.gmp, role=role)
    assert list(Membership.objects.filter(user=world.gmp_admin).values_list("role", flat=True)) == [Role.ORG_ADMIN]


def test_an_org_admin_cannot_change_their_own_membership(world):
    own = Membership.objects.get(user=world.cps_admin)
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=world.cps_admin, membership=own, role=Role.DISCLOSURE_LEAD, stream=Stream.CC)
    own.refresh_from_db()
    assert own.role == Role.ORG_ADMIN


def test_a_superuser_may_give_themselves_a_role(world):
    services.membership_create(
        actor=world.superuser, user=world.superuser, organisation=world.nw, role=Role.QUALITY_GROUP
    )


def test_the_admin_does_not_offer_an_org_admin_their_own_account(world):
    client = Client()
    client.force_login(world.gmp_admin)
    response = client.post(
        "/admin/forces/membership/add/",
        {"user": world.gmp_admin.pk, "organisation": world.gmp.pk, "role": Role.DISCLOSURE_LEAD, "stream": Stream.CC},
    )
    assert response.status_code == 200  # the form comes back with an error on "user"
    assert "user" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=world.gmp_admin, role=Role.DISCLOSURE_LEAD).exists()


# --- (8) unlocking locked accounts -----------------------------------------------------------


def lock_out(username):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/login/", {"username": username, "password": "wrong-password"}, format="json")
    assert can_log_in(username) == 429


def can_log_in(username) -> int:
    return APIClient().post("/api/v1/auth/login/", {"username": username, "password": TEST_PASSWORD}).status_code


def unlock(client, code, username):
    return client.post(f"/api/v1/organisations/{code}/unlock/", {"username": username}, format="json")


@pytest.mark.parametrize(
    ("admin", "code", "username"),
    [("cps_admin", "CPS-NW", "cps-lead"), ("gmp_admin", "GMP", "gmp-lead"), ("superuser", "LANCS", "lancs-lead")],
)
def test_an_org_admin_unlocks_a_member_of_its_organisation(world, client_for, admin, code, username):
    lock_out(username)
    response = unlock(client_for(getattr(world, admin)), code, username)
    assert response.status_code == 204
    assert not AccessAttempt.objects.filter(username=username).exists()
    assert can_log_in(username) == 200


def test_an_unlock_is_audited_with_who_unlocked_whom(world, client_for):
    lock_out("gmp-lead")
    unlock(client_for(world.cps_admin), "CPS-NW", "cps-quality")  # not locked: still audited
    unlock(client_for(world.gmp_admin), "GMP", "gmp-lead")
    event = AuditEvent.objects.filter(additional_data__action="account_unlock").latest("id")
    assert event.actor == world.gmp_admin
    assert event.additional_data["username"] == "gmp-lead"
    assert event.changes == {"login_lockout": ["locked", "unlocked"]}
    assert (event.area, event.force) == (world.nw, world.gmp)
    # The GMP and the Area admins can read it; the other Area's cannot.
    assert client_for(world.gmp_admin).get(f"/api/v1/audit-events/{event.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("admin", "code", "username"),
    [
        ("cps_admin", "CPS-NW", "gmp-lead"),  # a member of a force of the Area, not of the Area itself
        ("gmp_admin", "GMP", "lancs-lead"),  # another force's member
        ("gmp_admin", "GMP", "no-such-user"),
    ],
)
def test_an_org_admin_cannot_unlock_someone_outside_its_organisation(world, client_for, admin, code, username):
    if username != "no-such-user":
        lock_out(username)
    assert unlock(client_for(getattr(world, admin)), code, username).status_code == 404
    if username != "no-such-user":
        assert can_log_in(username) == 429


def test_only_admins_of_the_organisation_may_unlock(world, client_for):
    lock_out("gmp-lead")
    assert unlock(client_for(world.cps_admin), "GMP", "gmp-lead").status_code == 403  # Area admin, force account
    assert unlock(client_for(world.gmp_chief), "GMP", "gmp-lead").status_code == 403
    assert unlock(client_for(world.outsider), "GMP", "gmp-lead").status_code == 404  # cannot see GMP
    assert can_log_in("gmp-lead") == 429


def test_unlock_names_a_missing_username(world, client_for):
    response = unlock(client_for(world.gmp_admin), "GMP", "")
    assert response.status_code == 400
    assert "username" in response.json()["fields"]


def test_the_service_refuses_non_members_and_non_admins(world):
    with pytest.raises(Http404):
        services.account_unlock(actor=world.gmp_admin, organisation=world.gmp, username="cps-lead")
    with pytest.raises(PermissionDenied):
        services.account_unlock(actor=world.gmp_lead, organisation=world.gmp, username="gmp-chief")


def test_an_org_admin_unlocks_members_from_the_admin_list(world):
    lock_out("gmp-lead")
    membership = Membership.objects.get(user=world.gmp_lead, organisation=world.gmp)
    client = Client()
    client.force_login(world.gmp_admin)
    response = client.post(
        "/admin/forces/membership/", {"action": "unlock_accounts", "_selected_action": [membership.pk]}
    )
    assert response.status_code == 302
    assert can_log_in("gmp-lead") == 200
    assert AuditEvent.objects.filter(additional_data__action="account_unlock", actor=world.gmp_admin).exists()
