"""The admin: feedback read-only and scoped like the API; response times set by the Area's org admins only."""

from django.test import Client
from django.urls import reverse

from feedback.models import ForceFeedbackSettings
from tests.factories import make_feedback, make_sample
from tests.feedback.conftest import log_defects


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_feedback_list_is_scoped_and_read_only(world, feedback_in):
    gmp = feedback_in("sent")
    lancs_sample = make_sample(cps_lead=world.cps_lead, police_lead=world.lancs_lead, force=world.lancs, month=5)
    lancs_defects = log_defects(world=world, sample=lancs_sample, codes_by_schedule=[["D04"]])
    lancs = make_feedback(cps=world.cps_lead, police=world.lancs_lead, defects=lancs_defects, status="sent")
    response = signed_in(world.gmp_admin).get(reverse("admin:feedback_feedback_changelist"))
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [gmp.pk]
    assert signed_in(world.gmp_admin).get(reverse("admin:feedback_feedback_change", args=[lancs.pk])).status_code == 404
    page = signed_in(world.cps_admin).get(reverse("admin:feedback_feedback_change", args=[gmp.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_an_area_org_admin_sets_a_forces_response_time_and_a_force_admin_cannot(world):
    add = reverse("admin:feedback_forcefeedbacksettings_add")
    response = signed_in(world.cps_admin).post(add, {"force": world.gmp.pk, "response_working_days": 7})
    assert response.status_code == 302
    assert ForceFeedbackSettings.objects.get(force=world.gmp).response_working_days == 7
    assert signed_in(world.gmp_admin).get(add).status_code == 403
    outside = signed_in(world.cps_admin).post(add, {"force": world.kent.pk, "response_working_days": 3})
    assert outside.status_code == 200  # the form refuses a force of another Area
    assert not ForceFeedbackSettings.objects.filter(force=world.kent).exists()
