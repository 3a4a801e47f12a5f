from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from backend.net import client_address
from tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
LOGOUT_ALL = "/api/v1/auth/logout-all/"
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


# --- one query per request: the token with its user, nothing else ----------------------------


def _authenticate(token):
    from backend.api.authentication import TokenAuthentication

    request = RequestFactory().get(ME, HTTP_AUTHORIZATION=f"Token {token}")
    return TokenAuthentication().authenticate(request)


def _expired_tokens(user, n):
    past = timezone.now() - timedelta(minutes=5)
    for _ in range(n):
        instance, _ = AuthToken.objects.create(user)
        AuthToken.objects.filter(pk=instance.pk).update(expiry=past)


def test_a_token_is_checked_in_one_query_whatever_other_tokens_the_user_has(alice, count_queries):
    token = login(APIClient(), "alice").json()["token"]
    _expired_tokens(alice, 3)  # knox read them all (and deleted them) on every call: a second query
    with count_queries() as queries:
        user, auth_token = _authenticate(token)
    assert (user, auth_token.user_id) == (alice, alice.pk)
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert "JOIN" in queries.captured_queries[0]["sql"]  # the user comes with the token
    assert AuthToken.objects.filter(user=alice).count() == 4  # nothing pruned on an ordinary call


def test_an_authenticated_api_call_reads_the_token_once_and_the_user_never_again(alice, count_queries):
    token = login(APIClient(), "alice").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with count_queries() as queries:
        assert client.get(ME).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "knox_authtoken"' in sql for sql in sqls) == 1, sqls
    assert not [sql for sql in sqls if sql.startswith("SELECT") and 'FROM "auth_user"' in sql], sqls


def test_an_expired_token_is_refused_and_deleted_and_sign_in_prunes_the_others(alice):
    token = login(APIClient(), "alice").json()["token"]
    later = timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + timedelta(minutes=1)
    _expired_tokens(alice, 2)
    with time_machine.travel(later, tick=False):
        assert me_status(token) == 401
        assert AuthToken.objects.filter(user=alice).count() == 2  # the presented one went
        fresh = login(APIClient(), "alice").json()["token"]
        assert AuthToken.objects.filter(user=alice).count() == 1  # the expired ones went at sign-in
        assert me_status(fresh) == 200


def test_a_token_with_a_known_key_prefix_but_another_secret_is_refused(alice):
    token = login(APIClient(), "alice").json()["token"]
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    assert me_status(forged) == 401
    assert me_status(token) == 200  # and the real one is not harmed by the attempt


def test_an_inactive_users_token_is_refused(alice):
    _, token = AuthToken.objects.create(alice)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)  # no signal: the token row stays
    assert me_status(token) == 401


def test_auto_refresh_still_extends_a_token_when_configured(alice, settings):
    token = login(APIClient(), "alice").json()["token"]
    settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH": True}
    before = AuthToken.objects.get(user=alice).expiry
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        assert me_status(token) == 200
    assert AuthToken.objects.get(user=alice).expiry >= before + timedelta(minutes=59)


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


def test_at_the_token_limit_a_login_revokes_the_oldest_token_instead_of_refusing(alice):
    # Someone who knows the password must not be able to fill every slot and lock the owner out.
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    client = APIClient()
    tokens = [login(client, "alice").json()["token"] for _ in range(limit)]
    newest = login(client, "alice")
    assert newest.status_code == 200
    assert AuthToken.objects.filter(user=alice).count() == limit
    assert me_status(tokens[0]) == 401  # the oldest went
    assert me_status(tokens[1]) == 200
    assert me_status(newest.json()["token"]) == 200


def me_status(token) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(ME).status_code


# --- log out everywhere; tokens end with the password or the account ----------------------


def test_logout_all_revokes_every_token_of_the_user_and_no_one_elses(alice):
    bob = UserFactory(username="bob")
    first, second = (login(APIClient(), "alice").json()["token"] for _ in range(2))
    bobs = login(APIClient(), "bob").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post(LOGOUT_ALL).status_code == 204
    assert (me_status(first), me_status(second)) == (401, 401)
    assert me_status(bobs) == 200
    assert AuthToken.objects.filter(user=bob).count() == 1


def test_logout_all_needs_a_token(db):
    assert APIClient().post(LOGOUT_ALL).status_code == 401


def test_a_password_change_revokes_every_token(alice):
    token = login(APIClient(), "alice").json()["token"]
    alice.set_password("a-new-long-passphrase-9")
    alice.save()
    assert me_status(token) == 401
    assert login(APIClient(), "alice", "a-new-long-passphrase-9").status_code == 200


def test_a_password_set_in_the_admin_revokes_every_token(alice):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    token = login(APIClient(), "alice").json()["token"]
    admin = Client()
    admin.force_login(root)
    new = "another-long-passphrase-7"
    response = admin.post(
        f"/admin/auth/user/{alice.pk}/password/", {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert me_status(token) == 401


def test_a_password_changed_by_its_owner_in_the_admin_revokes_their_tokens(db):
    staffer = UserFactory(username="staffer", is_staff=True)
    token = login(APIClient(), "staffer").json()["token"]
    admin = Client()
    admin.force_login(staffer)
    new = "owner-chosen-passphrase-3"
    response = admin.post(
        "/admin/password_change/", {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert me_status(token) == 401


def test_deactivating_an_account_revokes_every_token(alice):
    token = login(APIClient(), "alice").json()["token"]
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert AuthToken.objects.filter(user=alice).count() == 0
    assert me_status(token) == 401


def test_an_ordinary_save_keeps_the_tokens(alice):
    token = login(APIClient(), "alice").json()["token"]
    alice.first_name = "Alice"
    alice.save()
    assert me_status(token) == 200


# --- the lockout says who can unlock ------------------------------------------------------


def test_the_lockout_message_says_who_can_unlock_and_how_long_to_wait(alice):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong-password")
    detail = login(client, "alice").json()["detail"]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert "organisation admin" in detail
    assert "Area" in detail
    assert "portal administrator" in detail
    assert f"wait {minutes} minutes" in detail


# --- per-address login limits on every login path, keyed on the trusted address ------------


@pytest.fixture
def login_rate(monkeypatch):
    # The "login" rate itself, whichever throttle class reads it.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/min")
    return 3


def api_login_from(address, forwarded_for=None, username="nobody-here"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    client = APIClient(REMOTE_ADDR=address, **extra)
    return login(client, username, "wrong-password")


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # no trusted proxy: the header is the client's word
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "198.51.100.66, 203.0.113.5", "203.0.113.5"),  # the right hop: what our proxy saw
        (2, "10.0.0.2", "198.51.100.66, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "10.0.0.2", "203.0.113.5", "10.0.0.2"),  # fewer hops than proxies: the socket address
        (1, "10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(settings, proxies, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected


@pytest.mark.parametrize("throttle_class", api_settings.DEFAULT_THROTTLE_CLASSES)
def test_the_api_call_throttles_identify_clients_by_the_trusted_address(settings, throttle_class):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.90", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert throttle_class().get_ident(request) == "192.0.2.90"


def test_a_forged_forwarded_for_header_does_not_escape_the_login_limit(db, settings, login_rate):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [api_login_from("192.0.2.50", f"198.51.100.{n}").status_code for n in range(login_rate + 1)]
    assert statuses == [400] * login_rate + [429]
    # Another address has its own budget.
    assert api_login_from("192.0.2.51").status_code == 400


def test_behind_one_proxy_the_login_limit_keys_on_the_address_the_proxy_saw(db, settings, login_rate):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [api_login_from("10.0.0.2", f"198.51.100.{n}, 203.0.113.7").status_code for n in range(login_rate + 1)]
    assert statuses == [400] * login_rate + [429]
    # Same proxy, another client behind it: a budget of its own.
    assert api_login_from("10.0.0.2", "203.0.113.8").status_code == 400


def test_the_axes_attempt_records_the_trusted_address(db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    api_login_from("192.0.2.60", "198.51.100.1", username="alice")
    assert AccessAttempt.objects.get(username="alice").ip_address == "192.0.2.60"


@pytest.mark.parametrize("path", ["/admin/login/", "/api-auth/login/"])
def test_session_login_pages_are_limited_per_address(db, login_rate, path):
    client = Client(REMOTE_ADDR="192.0.2.70")
    assert client.get(path).status_code == 200  # showing the form spends nothing
    # A different username each time: the per-account lockout is not what stops these.
    statuses = [
        client.post(path, {"username": f"guess{n}", "password": "wrong-password"}).status_code
        for n in range(login_rate + 1)
    ]
    assert statuses == [200] * login_rate + [429]
    refused = client.post(path, {"username": "guess-last", "password": "wrong-password"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many login attempts" in refused.content.decode()
    assert Client(REMOTE_ADDR="192.0.2.71").post(path, {"username": "x", "password": "y"}).status_code == 200


def test_every_login_path_spends_one_budget_per_address(db, login_rate):
    address = "192.0.2.80"
    assert api_login_from(address).status_code == 400
    assert Client(REMOTE_ADDR=address).post("/admin/login/", {"username": "a", "password": "b"}).status_code == 200
    assert Client(REMOTE_ADDR=address).post("/api-auth/login/", {"username": "a", "password": "b"}).status_code == 200
    assert api_login_from(address).status_code == 429
