"""`manage.py seed_demo`: exactly the demo users of docs/architecture.md, realistic data, idempotent."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from disclosure.models import Assessment, Defect, DipSample

PASSWORD = "demo-password-for-tests"

# docs/architecture.md "Demo data", written out by hand.
EXPECTED_USERS = {
    *(f"{org}-{stream}-lead" for org in ("cps", "gmp", "lancs", "cumbria") for stream in ("mc", "cc", "rasso")),
    "gmp-chief",
    "lancs-chief",
    "cumbria-chief",
    "cps-quality",
    "cps-admin",
    "gmp-admin",
    "lancs-admin",
    "cumbria-admin",
    "admin",
}


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_area_and_is_idempotent(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("seed_demo", stdout=io.StringIO())
    User = get_user_model()
    assert set(User.objects.values_list("username", flat=True)) == EXPECTED_USERS
    assert User.objects.get(username="admin").is_superuser

    # A year of signed-off samples for every force and stream, with different defect profiles.
    signed = DipSample.objects.filter(status="signed_off")
    assert set(signed.values_list("force__code", "stream").distinct()) == {
        (force, stream) for force in ("GMP", "LANCS", "CUMBRIA") for stream in ("mc", "cc", "rasso")
    }
    rates = {}
    for force in ("GMP", "LANCS", "CUMBRIA"):
        assessed = Assessment.objects.filter(force__code=force)
        defective = assessed.filter(defects__category__side="police").distinct().count()
        rates[force] = defective / assessed.count()
    assert rates["GMP"] > rates["LANCS"] > rates["CUMBRIA"]
    assert Defect.objects.values("category").distinct().count() >= 10

    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before

    for username in sorted(EXPECTED_USERS):
        response = APIClient().post("/api/v1/auth/login/", {"username": username, "password": PASSWORD}, format="json")
        assert response.status_code == 200, username
