"""Org admins manage their people in the admin, through the API's services and rules (forces/admin.py)."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from forces import services
from forces.models import Membership, Role, Stream
from tests.factories import UserFactory, member

User = get_user_model()
ADD = "/admin/forces/membership/add-member/"
NEW_PASSWORD = "a-long-enough-passphrase-42"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def can_sign_in(username, password) -> bool:
    """Through the admin's sign-in form, as a person would."""
    response = Client().post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/admin/"


def _person(world, **overrides):
    data = {
        "username": "new-gmp-lead",
        "first_name": "",
        "last_name": "",
        "email": "new-gmp-lead@example.org",
        "organisation": world.gmp.pk,
        "role": "disclosure_lead",
        "stream": "cc",
        "password": NEW_PASSWORD,
    }
    return {**data, **overrides}


def test_an_org_admin_adds_a_person_with_their_role_in_one_form_and_they_can_sign_in(world):
    response = signed_in(world.gmp_admin).post(ADD, _person(world))
    assert response.status_code == 302
    assert response["Location"] == "/admin/forces/membership/"
    user = User.objects.get(username="new-gmp-lead")
    assert user.email == "new-gmp-lead@example.org"
    assert list(user.memberships.values_list("organisation__code", "role", "stream")) == [
        ("GMP", "disclosure_lead", "cc")
    ]
    assert can_sign_in("new-gmp-lead", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"username": "gmp-lead"}, "username", "already exists"),
        ({"password": "short"}, "password", "too short"),
        ({"email": ""}, "email", "required"),
        ({"role": "chief_officer", "stream": "cc"}, None, "Only disclosure leads have a stream"),
    ],
)
def test_a_refused_person_is_a_form_error_in_plain_words_and_nothing_is_written(world, overrides, field, words):
    before = User.objects.count()
    response = signed_in(world.gmp_admin).post(ADD, _person(world, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    shown = " ".join(errors.get(field or "__all__", [])) + " ".join(e for es in errors.values() for e in es)
    assert words in shown, errors
    assert "Constraint" not in response.content.decode()
    assert User.objects.count() == before


def test_an_org_admin_cannot_add_a_person_to_another_organisation(world):
    response = signed_in(world.gmp_admin).post(ADD, _person(world, organisation=world.lancs.pk))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(username="new-gmp-lead").exists()
    assert signed_in(world.gmp_lead).get(ADD).status_code == 403  # not an admin at all


def test_a_duplicate_role_is_refused_in_plain_words_without_a_link_to_none(world):
    """The stock add form: the constraint's own message, not its name; no page about an object never saved."""
    client = signed_in(world.gmp_admin)
    response = client.post(
        "/admin/forces/membership/add/",
        {"user": world.gmp_lead.pk, "organisation": world.gmp.pk, "role": "disclosure_lead", "stream": "cc"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already holds this role for this stream" in html
    assert "forces_membership_unique" not in html and "/None/" not in html


def test_the_person_picker_offers_accounts_with_no_membership_to_superusers_only(world):
    UserFactory(username="no-membership-yet")

    def offered(who) -> set[str]:
        response = signed_in(getattr(world, who)).get("/admin/forces/membership/add/")
        return {user.username for user in response.context["adminform"].form.fields["user"].queryset}

    # Its own members, never itself (nor a superuser); nobody's accounts only to a superuser.
    assert offered("gmp_admin") == {"gmp-lead", "gmp-mc-lead", "gmp-chief", "deactivated"}
    assert offered("cps_admin") == {"cps-lead", "cps-quality"}
    assert "no-membership-yet" in offered("superuser")


def test_an_org_admin_lists_only_its_own_organisations_members(world):
    response = signed_in(world.gmp_admin).get("/admin/forces/membership/")
    assert {m.organisation.code for m in response.context["cl"].result_list} == {"GMP"}


def _lock(username):
    AccessAttempt.objects.create(
        username=username, ip_address="192.0.2.9", user_agent="t", failures_since_start=5, attempt_time=timezone.now()
    )


def test_an_org_admin_unlocks_a_locked_member_and_no_one_elses(world):
    _lock("gmp-chief")
    _lock("lancs-lead")
    client = signed_in(world.gmp_admin)
    chief = world.gmp_chief.memberships.get()
    response = client.post(f"/admin/forces/membership/{chief.pk}/unlock/", {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not AccessAttempt.objects.filter(username="gmp-chief").exists()
    lancs = world.lancs_lead.memberships.get()
    assert client.post(f"/admin/forces/membership/{lancs.pk}/unlock/").status_code == 404
    assert AccessAttempt.objects.filter(username="lancs-lead").exists()
    assert client.get(f"/admin/forces/membership/{chief.pk}/unlock/").status_code == 405  # a POST only
    # An offsite "next" is not followed.
    _lock("gmp-chief")
    response = client.post(f"/admin/forces/membership/{chief.pk}/unlock/", {"next": "https://elsewhere.example/"})
    assert response["Location"] == f"/admin/forces/membership/{chief.pk}/change/"


def test_an_org_admin_sends_a_password_reset_link_that_sets_a_new_password(world):
    client = signed_in(world.gmp_admin)
    lead = world.gmp_lead.memberships.get()
    response = client.post(f"/admin/forces/membership/{lead.pk}/password-reset/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["gmp-lead@example.org"]
    link = re.search(r"http://testserver(/reset/\S+/)", mail.outbox[0].body).group(1)
    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200
    done = visitor.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert can_sign_in("gmp-lead", NEW_PASSWORD)
    lancs = world.lancs_lead.memberships.get()
    assert client.post(f"/admin/forces/membership/{lancs.pk}/password-reset/").status_code == 404
    assert len(mail.outbox) == 1


def test_no_org_admin_opens_the_user_accounts_admin(world):
    for who in ("gmp_admin", "cps_admin"):
        client = signed_in(getattr(world, who))
        assert client.get("/admin/auth/user/").status_code == 403
        assert client.get(f"/admin/auth/user/{world.kent_lead.pk}/change/").status_code == 403


def test_a_membership_an_org_admin_does_not_manage_is_not_found(world):
    other = Membership.objects.get(user=world.kent_lead)
    assert signed_in(world.gmp_admin).get(f"/admin/forces/membership/{other.pk}/change/").status_code == 404


def test_anyone_asks_for_a_password_reset_link_from_the_sign_in_page(world):
    sign_in_page = Client().get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in sign_in_page  # "Forgotten your password?"
    response = Client().post("/admin/password_reset/", {"email": "gmp-lead@example.org"})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["gmp-lead@example.org"]]
    assert "/reset/" in mail.outbox[0].body


# --- privilege: an org admin never makes an admin, nor manages a superuser's account (review findings) ------


def test_an_org_admin_cannot_make_an_org_admin_so_no_second_account_gives_them_a_role(world):
    """An admin-made puppet admin could have given the admin any role, round the no-self-role rule."""
    response = signed_in(world.gmp_admin).post(ADD, _person(world, role="org_admin", stream=""))
    assert response.status_code == 200  # the form again, with the refusal
    assert response.context["form"].errors["role"]  # not offered to an org admin
    assert "org_admin" not in dict(response.context["form"].fields["role"].choices)
    assert not User.objects.filter(username="new-gmp-lead").exists()  # nothing written
    with pytest.raises(PermissionDenied):  # the service refuses it whatever the form offers
        services.member_create(
            actor=world.gmp_admin,
            organisation=world.gmp,
            role="org_admin",
            username="puppet",
            email="puppet@example.org",
            password="a-long-enough-passphrase-42",
        )
    assert not User.objects.filter(username="puppet").exists()
    # Nor by turning an existing role into an admin's (the service every page calls).
    lead = world.gmp_lead.memberships.get()
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=world.gmp_admin, membership=lead, role="org_admin", stream=None)
    assert Membership.objects.get(pk=lead.pk).role == "disclosure_lead"
    # A superuser still may.
    assert signed_in(world.superuser).post(ADD, _person(world, role="org_admin", stream="")).status_code == 302


def test_an_org_admin_cannot_unlock_reset_or_change_a_superusers_membership_of_their_organisation(world):
    member(world.superuser, world.gmp, Role.DISCLOSURE_LEAD, Stream.MC)
    membership = world.superuser.memberships.get()
    _lock(world.superuser.username)
    client = signed_in(world.gmp_admin)
    assert client.post(f"/admin/forces/membership/{membership.pk}/unlock/").status_code in (403, 404)
    assert AccessAttempt.objects.filter(username=world.superuser.username).exists()  # still locked
    assert client.post(f"/admin/forces/membership/{membership.pk}/password-reset/").status_code in (403, 404)
    assert mail.outbox == []
    listed = client.get("/admin/forces/membership/").context["cl"].result_list
    assert membership.pk not in [row.pk for row in listed]
    with pytest.raises(PermissionDenied):
        services.membership_delete(actor=world.gmp_admin, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_reset_link_for_an_account_without_a_usable_password_is_refused_not_reported_sent(world):
    world.gmp_lead.set_unusable_password()
    world.gmp_lead.save(update_fields=["password"])
    with pytest.raises(ValidationError):
        services.password_reset_send(actor=world.gmp_admin, organisation=world.gmp, user=world.gmp_lead)
    assert mail.outbox == []
