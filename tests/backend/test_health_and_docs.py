import re
from unittest import mock

from django.db.utils import OperationalError
from rest_framework.test import APIClient


def test_it_reports_healthy_when_the_database_answers(db):
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_answers_503_when_the_database_is_down(db):
    with mock.patch("backend.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = APIClient().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_it_serves_the_openapi_schema(world, client_for):
    response = client_for(world.gmp_lead).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organisations/" in schema["paths"]


def test_it_serves_swagger_ui_without_a_cdn(world, client_for):
    response = client_for(world.gmp_lead).get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    # Every script and stylesheet comes from this server: no absolute http(s) or protocol-relative URL.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
