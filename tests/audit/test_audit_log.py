import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from audit.models import ERASED, AuditEvent
from forces.models import Membership, Role, Stream
from tests.factories import UserFactory, member

CREATE, UPDATE, DELETE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE


def admin_client(user, address="192.0.2.10") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def events_for(obj, pk=None):
    pk = obj.pk if pk is None else pk
    return AuditEvent.objects.filter(content_type__model=obj._meta.model_name, object_pk=str(pk)).order_by("id")


def test_it_logs_create_update_and_delete_with_actor_and_address(world):
    newcomer = UserFactory(username="newcomer")
    gmp = world.gmp
    member(newcomer, gmp, Role.CHIEF_OFFICER)  # one of GMP's people: its admin may give them another role
    client = admin_client(world.gmp_admin)

    response = client.post(
        "/admin/forces/membership/add/",
        {"user": newcomer.pk, "organisation": gmp.pk, "role": Role.DISCLOSURE_LEAD, "stream": Stream.MC},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=newcomer, role=Role.DISCLOSURE_LEAD)
    pk = membership.pk

    response = client.post(
        f"/admin/forces/membership/{membership.pk}/change/",
        {"user": newcomer.pk, "organisation": gmp.pk, "role": Role.DISCLOSURE_LEAD, "stream": Stream.RASSO},
    )
    assert response.status_code == 302
    response = client.post(f"/admin/forces/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    created, updated, deleted = events_for(membership, pk)
    assert [created.action, updated.action, deleted.action] == [CREATE, UPDATE, DELETE]
    for event in (created, updated, deleted):
        assert event.actor == world.gmp_admin
        assert event.remote_addr == "192.0.2.10"
        assert event.area == world.nw
        assert event.force == gmp
    assert updated.changes["stream"] == [Stream.MC, Stream.RASSO]


def test_it_keeps_no_erased_values_in_a_deletion_entry(world):
    membership = Membership.objects.get(user=world.gmp_lead)
    pk = membership.pk
    membership.delete()
    deleted = events_for(membership, pk).get(action=DELETE)
    assert deleted.changes  # field names are kept ...
    assert all(old == ERASED and new is None for old, new in deleted.changes.values())  # ... values are not
    assert deleted.serialized_data is None


def test_it_ignores_a_forged_forwarded_for_header(world):
    client = admin_client(world.gmp_admin, address="192.0.2.20")
    client.post(  # a new person: an org admin gives roles to its own people or to people it adds
        "/admin/forces/membership/add-member/",
        {
            "username": "newcomer2",
            "email": "newcomer2@example.org",
            "password": "a-long-enough-passphrase-42",
            "organisation": world.gmp.pk,
            "role": Role.CHIEF_OFFICER,  # not org admin: only a superuser makes one
            "stream": "",
        },
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    event = AuditEvent.objects.filter(action=CREATE).latest("id")
    assert event.remote_addr == "192.0.2.20"


def test_it_ignores_a_forged_forwarded_port_header(world):
    client = admin_client(world.gmp_admin, address="192.0.2.21")
    client.post(  # a new person: an org admin gives roles to its own people or to people it adds
        "/admin/forces/membership/add-member/",
        {
            "username": "newcomer4",
            "email": "newcomer4@example.org",
            "password": "a-long-enough-passphrase-42",
            "organisation": world.gmp.pk,
            "role": Role.CHIEF_OFFICER,  # not org admin: only a superuser makes one
            "stream": "",
        },
        HTTP_X_FORWARDED_PORT="4444",
    )
    event = AuditEvent.objects.filter(action=CREATE).latest("id")
    assert (event.remote_addr, event.remote_port) == ("192.0.2.21", None)


@pytest.fixture
def event(world):
    return AuditEvent.objects.filter(force=world.gmp).first()


def test_it_refuses_to_change_an_audit_event(event):
    event.object_repr = "tampered"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="tampered")
    event.refresh_from_db()
    assert event.object_repr != "tampered"


def test_it_refuses_to_delete_an_audit_event(event):
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_change_or_delete_of_audit_events(world, event):
    client = admin_client(world.superuser)
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"object_repr": "x"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_offers_no_writes_to_audit_events(world, client_for, event, method):
    client = client_for(world.superuser)
    response = getattr(client, method)(f"/api/v1/audit-events/{event.pk}/", {}, format="json")
    assert response.status_code == 405
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_api_filters_audit_events_by_action_and_model(world, client_for):
    Membership.objects.get(user=world.gmp_lead).delete()
    response = client_for(world.cps_admin).get(
        "/api/v1/audit-events/", {"action": "delete", "model": "forces.membership"}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1
    assert results[0]["action"] == "delete"
    assert results[0]["force"] == "GMP"
