"""The forces' response times in the admin (ForceFeedbackSettingsAdmin): the service's rule decides who, the
service saves, and a refusal says why with nothing written (as the membership admin does, forces/admin.py)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client

from feedback import services
from feedback.models import ForceFeedbackSettings
from forces.models import Role
from tests.factories import UserFactory, member

LIST = "/admin/feedback/forcefeedbacksettings/"
ADD = LIST + "add/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(settings) -> str:
    return f"{LIST}{settings.pk}/change/"


def said(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def area_admin_not_staff(world):
    """An org admin of CPS-NW without the staff flag: the service lets it set GMP's and LANCS's response times."""
    admin = UserFactory(username="nw-admin-not-staff")
    member(admin, world.nw, Role.ORG_ADMIN)
    return admin


def test_an_area_org_admin_without_the_staff_flag_sets_its_forces_response_times(world, area_admin_not_staff):
    client = signed_in(area_admin_not_staff)
    assert client.get(LIST).status_code == 200
    response = client.post(ADD, {"force": world.lancs.pk, "response_working_days": 9})
    assert response.status_code == 302
    saved = ForceFeedbackSettings.objects.get(force=world.lancs)
    assert saved.response_working_days == 9
    # The page names and logs the row the service saved (not an unsaved form instance with no id).
    assert f"{LIST}{saved.pk}/change/" in said(response)[0][1]
    assert LogEntry.objects.get(user=area_admin_not_staff).object_id == str(saved.pk)


@pytest.mark.parametrize("who", ["staff_no_membership", "gmp_admin", "gmp_chief", "cps_lead"])
def test_whom_the_service_would_refuse_may_not_open_the_pages(world, who):
    user = UserFactory(username="staffer", is_staff=True) if who == "staff_no_membership" else getattr(world, who)
    settings = ForceFeedbackSettings.objects.create(force=world.gmp, response_working_days=10)
    client = signed_in(user)
    assert [client.get(url).status_code for url in (LIST, ADD, change_url(settings))] == [403, 403, 403]


def test_another_areas_force_is_not_found(world):
    kent = ForceFeedbackSettings.objects.create(force=world.kent, response_working_days=10)
    client = signed_in(world.cps_admin)
    assert client.get(change_url(kent)).status_code == 404
    assert client.post(change_url(kent), {"response_working_days": 2}).status_code == 404
    assert ForceFeedbackSettings.objects.get(pk=kent.pk).response_working_days == 10


def test_a_refusal_by_the_service_is_shown_as_an_error_and_nothing_is_written(world, monkeypatch):
    """Whatever the service refuses (here: the admin's role ended meanwhile) is its message, not Django's
    "changed successfully", and neither the row nor the admin's change log is written."""
    settings = ForceFeedbackSettings.objects.create(force=world.gmp, response_working_days=10)
    refusal = "Only an org admin of CPS-NW may set GMP's response time."

    def refuse(**kwargs):
        raise PermissionDenied(refusal)

    monkeypatch.setattr(services, "force_feedback_settings_set", refuse)
    client = signed_in(world.cps_admin)

    response = client.post(change_url(settings), {"response_working_days": 3})
    assert response.status_code == 302 and response["Location"] == change_url(settings)
    assert said(response) == [("error", f"Not saved: {refusal}")]
    assert ForceFeedbackSettings.objects.get(pk=settings.pk).response_working_days == 10

    added = signed_in(world.cps_admin).post(ADD, {"force": world.lancs.pk, "response_working_days": 3})
    assert added.status_code == 302 and added["Location"] == LIST
    assert said(added) == [("error", f"Not saved: {refusal}")]
    assert not ForceFeedbackSettings.objects.filter(force=world.lancs).exists()
    assert not LogEntry.objects.exists()


def test_days_out_of_range_are_refused_on_the_form(world):
    settings = ForceFeedbackSettings.objects.create(force=world.gmp, response_working_days=10)
    response = signed_in(world.cps_admin).post(change_url(settings), {"response_working_days": 61})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ForceFeedbackSettings.objects.get(pk=settings.pk).response_working_days == 10
