"""A second `make run` does not re-check unchanged demo passwords, and still puts a changed one back."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management import call_command

from forces.demo import demo_users, load_seals, save_seals, seed_organisations_and_users

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def checks(monkeypatch):
    """Usernames whose password was checked (the slow hash), in order."""
    checked: list[str] = []
    real = AbstractBaseUser.check_password

    def counting(self, raw):
        checked.append(self.username)
        return real(self, raw)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return checked


def _seed(path):
    seals = load_seals(path)
    seed_organisations_and_users(password=PASSWORD, stdout=io.StringIO(), seals=seals)
    save_seals(path, seals)


def test_unchanged_demo_passwords_are_not_checked_again_and_a_changed_one_is_put_back(db, tmp_path, checks):
    state = tmp_path / "demo-seed-state.json"
    _seed(state)
    assert checks == []  # all created
    _seed(state)
    assert checks == []  # all sealed: nothing re-hashed
    user = get_user_model().objects.get(username="gmp-cc-lead")
    user.set_password("someone-changed-it-since")
    user.save()
    _seed(state)
    assert checks == ["gmp-cc-lead"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    checks.clear()
    # Another demo password: every seal is void, every user checked and reset.
    seals = load_seals(state)
    seed_organisations_and_users(password="another-demo-password", stdout=io.StringIO(), seals=seals)
    assert sorted(checks) == sorted(demo_users())


def test_without_a_state_file_every_password_is_checked(db, checks):
    _seed(None)
    _seed(None)
    assert sorted(checks) == sorted(demo_users())


def test_seed_demo_says_each_step_and_ends_with_where_to_go_and_who_to_be(db, settings):
    settings.DEMO_PASSWORD = PASSWORD
    from django.apps import apps

    from forces.apps import ForcesConfig

    out = io.StringIO()
    # Only the organisations and users step (the year of samples is tests/test_seed_demo.py's).
    only_forces = [
        config
        for config in apps.get_app_configs()
        if isinstance(config, ForcesConfig) or not hasattr(config, "seed_demo")
    ]
    from unittest import mock

    with mock.patch.object(apps, "get_app_configs", return_value=only_forces):
        call_command("seed_demo", "--url", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert "Seeding organisations and memberships ..." in text
    block = text[text.rindex("=" * 78, 0, text.rindex("=" * 78)) :]
    assert "http://127.0.0.1:8000/" in block
    assert "gmp-chief" in block and "Chief officer, GMP" in block
    assert "cps-admin" in block and "Organisation admin, CPS-NW" in block
    assert "the DEMO_PASSWORD environment variable" in block
    assert PASSWORD not in text  # where the password is, never the password
