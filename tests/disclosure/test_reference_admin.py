"""Reference data in the web interface: what the API serves, to whom it serves it."""

import pytest
from django.test import Client

from disclosure.models import Checklist


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft_version(world):
    return Checklist.objects.create(version=999, title="Next year's checklist (draft)", published_at=None)


@pytest.mark.parametrize("who", ["gmp_lead", "gmp_chief", "cps_quality"])
def test_a_member_reads_the_published_checklists_as_the_api_serves_them(world, draft_version, who):
    client = signed_in(getattr(world, who))
    listing = client.get("/admin/disclosure/checklist/")
    assert listing.status_code == 200
    shown = {row.version for row in listing.context["cl"].result_list}
    served = {row["version"] for row in _api_checklists(world, who)}
    assert shown == served and 999 not in shown
    # The draft's own page is not theirs either: Django's "does not exist" (back to the index).
    assert client.get(f"/admin/disclosure/checklist/{draft_version.pk}/change/").status_code == 302


def test_a_superuser_prepares_the_next_version_in_the_admin(world, draft_version):
    listing = signed_in(world.superuser).get("/admin/disclosure/checklist/")
    assert 999 in {row.version for row in listing.context["cl"].result_list}


def _api_checklists(world, who):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    _, key = AuthToken.objects.create(getattr(world, who))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/checklists/")
    assert response.status_code == 200
    return response.json()["results"]
