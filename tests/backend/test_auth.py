from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


def login(client, username, password=TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def test_it_gives_an_expiring_token_for_good_credentials(alice):
    client = APIClient()
    response = login(client, "alice")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    expiry = timezone.datetime.fromisoformat(response.json()["expiry"])
    expected = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs((expiry - expected).total_seconds()) < 60

    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(ME).json()["username"] == "alice"


def test_it_refuses_a_wrong_password_with_400_and_no_token(alice):
    response = login(APIClient(), "alice", "not-the-password")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["fields"]["non_field_errors"]


def test_it_answers_401_without_credentials(db):
    response = APIClient().get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_401_for_a_revoked_token(alice):
    client = APIClient()
    token = login(client, "alice").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post(LOGOUT).status_code == 204
    assert client.get(ME).status_code == 401


def test_it_answers_401_for_an_expired_token(alice):
    client = APIClient()
    token = login(client, "alice").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(ME).status_code == 200
    later = timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(ME).status_code == 401


def test_it_answers_401_for_a_made_up_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 64)
    assert client.get(ME).status_code == 401


def test_it_locks_the_account_out_after_repeated_failures_through_the_api(alice):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "alice", "wrong-password").status_code == 400
    locked = login(client, "alice", "wrong-password")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())

    # Now even the right password is refused, from any address.
    again = APIClient(REMOTE_ADDR="10.9.8.7")
    assert login(again, "alice").status_code == 429


def test_it_lets_the_account_in_again_after_the_cool_off(alice):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    assert login(client, "alice").status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        assert login(client, "alice").status_code == 200


def test_it_locks_the_account_out_after_repeated_failures_through_the_admin(db, client):
    UserFactory(username="staffer", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "staffer", "password": "wrong-password"})
    response = client.post("/admin/login/", {"username": "staffer", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    # The API refuses the same account: the count is per account, not per entry point.
    assert login(APIClient(), "staffer").status_code == 429


def test_it_does_not_let_one_account_lock_another(alice):
    UserFactory(username="bob")
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "bob", "wrong-password")
    assert login(client, "alice").status_code == 200


def test_it_rate_limits_api_calls_with_retry_after(alice, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "3/min", raising=False)
    client = APIClient()
    client.force_authenticate(alice)
    statuses = [client.get(ME).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get(ME)
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json()["code"] == "throttled"


def test_it_refuses_more_tokens_than_the_limit_in_the_error_shape(alice):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    client = APIClient()
    for _ in range(limit):
        assert login(client, "alice").status_code == 200
    refused = login(client, "alice")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "Too many active API tokens" in refused.json()["detail"]
