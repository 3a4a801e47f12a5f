"""The ``world`` and ``rows`` fixtures replay a recorded build (tests/replay.py): a replay must equal a fresh build."""

import datetime
import itertools
import pickle
from decimal import Decimal
from enum import Enum
from uuid import UUID

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.db import transaction
from django.utils import timezone

from disclosure.models import DefectCategory
from forces.models import Organisation
from tests import factories, replay
from tests.conftest import world_and_rows
from tests.factories import AreaFactory, UserFactory

pytestmark = pytest.mark.skipif("not replay.enabled()", reason="replaying is for SQLite only (TESTS_REPLAY_ROWS)")


@pytest.fixture
def no_recordings(monkeypatch):
    """No recording from earlier tests, and the URN counter restarted; call it again to start afresh."""

    def start_afresh():
        monkeypatch.setattr(replay, "_recordings", {})
        monkeypatch.setattr(replay, "counts", {"built": 0, "replayed": 0})
        monkeypatch.setattr(factories, "_urn_serial", itertools.count(10_000))

    start_afresh()
    return start_afresh


def _state_after(make) -> tuple[dict, bytes]:
    """Every table as stored, and the objects pickled together (shared references show), after ``make()``."""
    with transaction.atomic():
        world, rows = make()
        tables = replay._dump()
        objects = pickle.dumps((world, rows))
        transaction.set_rollback(True)
    return tables, objects


def _differences(replayed: dict, built: dict) -> list[str]:
    """Per table that differs: its first differing row, replayed and built."""
    differences = []
    for name in sorted(set(replayed) | set(built)):
        (columns, ours), (_, theirs) = replayed.get(name, ((), [])), built.get(name, ((), []))
        if ours != theirs:
            first = next(
                (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs))
            )
            differences.append(
                f"{name} {columns}: {len(ours)} rows replayed, {len(theirs)} built; row {first}: "
                f"{ours[first : first + 1]} replayed, {theirs[first : first + 1]} built"
            )
    return differences


SCALARS = (str, bytes, int, float, bool, type(None), datetime.date, datetime.time, datetime.timedelta, Decimal, UUID)


def _flattened(root) -> dict[str, object]:
    """Every value reachable from ``root`` by its path: scalars by value, and for each container or object
    the type, or the path it was first met at when it is the same object met again (shared references)."""
    flat, first_seen = {}, {}

    def visit(value, path):
        if isinstance(value, Enum):
            flat[path] = repr(value)
        elif isinstance(value, SCALARS):
            flat[path] = value
        elif id(value) in first_seen:
            flat[path] = ("same object as", first_seen[id(value)])
        else:
            first_seen[id(value)] = path
            flat[path] = type(value).__qualname__
            if isinstance(value, (set, frozenset)):
                flat[path] = (type(value).__qualname__, sorted(map(repr, value)))
            elif isinstance(value, dict):
                for key, item in value.items():
                    visit(item, f"{path}[{key!r}]")
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    visit(item, f"{path}[{index}]")
            else:
                for key, item in vars(value).items():
                    visit(item, f"{path}.{key}")

    visit(root, "")
    return flat


def test_a_replayed_world_and_rows_equal_a_fresh_build_through_the_services(db, no_recordings, monkeypatch):
    monkeypatch.setattr(type(get_hasher()), "salt", lambda self: "samesalt")  # the same password hashes in both
    with time_machine.travel(timezone.now(), tick=False):  # the same timestamps in both
        no_recordings()
        _state_after(world_and_rows)  # recorded (built through the services), then replayed
        assert replay.counts == {"built": 2, "replayed": 2}
        replayed_tables, replayed_objects = _state_after(world_and_rows)
        assert replay.counts == {"built": 2, "replayed": 4}

        no_recordings()
        monkeypatch.setenv("TESTS_REPLAY_ROWS", "0")
        built_tables, built_objects = _state_after(world_and_rows)
        assert replay.counts == {"built": 2, "replayed": 0}

    assert len(built_tables["audit_auditevent"][1]) > 300, "build_rows should have written its audit trail"
    assert not _differences(replayed_tables, built_tables)
    replayed = _flattened(pickle.loads(replayed_objects))  # noqa: S301 - pickled by this test
    built = _flattened(pickle.loads(built_objects))  # noqa: S301
    assert len(built) > 1000, "the flattening should reach every row's fields"
    assert replayed == built, sorted(replayed.items() ^ built.items(), key=str)[:10]


def test_a_replay_gives_the_rows_the_cast_s_very_objects_as_the_build_does(db):
    world, rows = world_and_rows()
    assert rows["GMP"].force is world.gmp
    assert rows["GMP"].case is rows["GMP"].schedule.case


def _probe(user=None):
    """A small build for the mechanism's tests: one row named after what it read, and a mark left on ``user``."""
    name = DefectCategory.objects.get(code="D02").name
    if user is not None:
        user.seen_by_probe = True
        name = f"{name} for {user.first_name}"
    return AreaFactory(code="CPS-PROBE", name=name)


def _rolled_back(make):
    with transaction.atomic():
        made = make()
        assert Organisation.objects.get(code="CPS-PROBE").pk == made.pk  # the row is there, as built
        transaction.set_rollback(True)
    return made


def test_a_database_that_differs_from_the_recording_gets_a_fresh_build(db, no_recordings):
    for replayed in (1, 2):
        _rolled_back(lambda: replay.replay("probe", _probe))
        assert replay.counts == {"built": 1, "replayed": replayed}
    assert not Organisation.objects.filter(code="CPS-PROBE").exists()

    DefectCategory.objects.filter(code="D02").update(name="Renamed for this test")
    probe = _rolled_back(lambda: replay.replay("probe", _probe))
    assert replay.counts == {"built": 2, "replayed": 3}
    assert probe.name == "Renamed for this test"


def test_other_settings_get_a_fresh_build(db, no_recordings, settings):
    _rolled_back(lambda: replay.replay("probe", _probe))
    settings.FEEDBACK_TEST_ONLY_SETTING = "anything"  # any setting at all: the build might read it
    _rolled_back(lambda: replay.replay("probe", _probe))
    assert replay.counts == {"built": 2, "replayed": 2}


def test_a_build_that_changes_rows_it_did_not_add_is_built_each_time_not_replayed(db, no_recordings):
    def renaming():
        DefectCategory.objects.filter(code="D02").update(name="Renamed by the build")
        return _probe()

    for _ in range(2):
        with transaction.atomic():
            assert replay.replay("probe", renaming).name == "Renamed by the build"
            assert DefectCategory.objects.get(code="D02").name == "Renamed by the build"
            transaction.set_rollback(True)
    assert replay.counts["replayed"] == 0


def test_the_state_a_build_leaves_on_an_object_it_is_given_is_replayed_and_a_changed_object_gets_a_fresh_build(
    db, no_recordings
):
    UserFactory(username="probe-user", first_name="Ann")
    for replayed in (1, 2):
        user = get_user_model().objects.get(username="probe-user")
        probe = _rolled_back(lambda user=user: replay.replay("probe", lambda: _probe(user), live={"user": user}))
        assert replay.counts == {"built": 1, "replayed": replayed}
        assert probe.name.endswith("for Ann") and user.seen_by_probe

    user = get_user_model().objects.get(username="probe-user")
    user.first_name = "Changed"  # not saved: only the object given to the build differs
    probe = _rolled_back(lambda: replay.replay("probe", lambda: _probe(user), live={"user": user}))
    assert replay.counts == {"built": 2, "replayed": 3}
    assert probe.name.endswith("for Changed") and user.first_name == "Changed"


def test_a_recording_is_replayed_on_its_day_only_and_for_max_age_at_most(db, no_recordings):
    start = timezone.now()
    recording = replay.Recording(made_at=start, days=replay._days(start), inserted={}, sequence=[], objects=b"")
    for moment, fresh in (
        (start, True),
        (start + replay.MAX_AGE - datetime.timedelta(microseconds=1), True),
        (start + replay.MAX_AGE, False),
        (start - datetime.timedelta(microseconds=1), False),
        (start + datetime.timedelta(days=1), False),
    ):
        with time_machine.travel(moment, tick=False):
            assert recording.fresh() == fresh, moment

    with time_machine.travel(start, tick=False):
        _rolled_back(lambda: replay.replay("probe", _probe))
    with time_machine.travel(start + replay.MAX_AGE, tick=False):
        _rolled_back(lambda: replay.replay("probe", _probe))
    assert replay.counts == {"built": 2, "replayed": 2}
