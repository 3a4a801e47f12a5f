"""``make_world()``, ``build_rows()`` and other fixtures' builds done once per test process, then replayed (SQLite).

Building the cast and its rows through the services costs about a second per test (some 2,400
SQL statements: the services' checks, guardian grants, audit entries), and hundreds of tests ask
for them (or for a fixture's samples and defects built over the cast). Given the database it
starts from, the objects it is given, the settings and the day, such a build is deterministic,
so the first one is recorded:

- the rows it inserted, table by table (``sqlite_sequence`` as it left it), read back as stored;
- the Python objects it returned, pickled (stale attributes, caches and shared references kept,
  exactly as the services left them), and the state it left on the objects it was given and may
  change in place (``live``: the cast's users and organisations for ``build_rows``).

A replay inserts the same rows again (one ``executemany`` per table) and unpickles the objects,
in a few milliseconds. It happens only onto the very database the recording was made on (every
table's rows, ``sqlite_sequence`` included, compared by hash), with the live objects in the
state they were in then, under the same settings, on the same day and within ``MAX_AGE`` of the
recording; otherwise the build runs again through the services and is recorded afresh. What
differs from building again: the timestamps are those of the recording (minutes earlier at
most), and the URNs and factory sequence numbers those it drew. Code patched by a fixture set up
before the build is not seen: do not replay a build that such a fixture changes.

Only on SQLite: elsewhere (``scripts/test-postgres.sh``) every test builds through the services,
which keeps that path exercised as well. ``TESTS_REPLAY_ROWS=0`` turns replaying off.
``tests/test_replay.py`` checks that a replay equals a fresh build.
"""

import datetime
import hashlib
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

#: A recording older than this is made again (its timestamps would drift from the test's clock).
MAX_AGE = datetime.timedelta(minutes=15)

SEQUENCE_TABLE = "sqlite_sequence"


def enabled() -> bool:
    return connection.vendor == "sqlite" and os.environ.get("TESTS_REPLAY_ROWS", "1") != "0"


@dataclass
class Recording:
    made_at: datetime.datetime
    days: tuple[datetime.date, datetime.date]
    #: table -> (columns, rows in rowid order) the build added; sqlite_sequence whole, as it left it.
    inserted: dict[str, tuple[tuple[str, ...], list[tuple]]]
    sequence: list[tuple]
    #: pickle of (result, {key: state of each live object after the build}).
    objects: bytes

    def fresh(self) -> bool:
        now = timezone.now()
        return _days(now) == self.days and self.made_at <= now < self.made_at + MAX_AGE


_recordings: dict[tuple[str, bytes], Recording | None] = {}  # None: that build cannot be replayed

#: How many builds went through the services and how many were replayed (for tests/test_replay.py).
counts = {"built": 0, "replayed": 0}


def _days(now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    return timezone.localdate(now), now.astimezone(datetime.UTC).date()


def replay(stage: str, build: Callable[[], Any], live: dict[str, Any] | None = None) -> Any:
    """``build()``'s result, replayed from a recording when one fits, else built (and recorded).

    ``live``: objects the build receives and changes in place, by a stable key (the cast of
    ``make_world`` for ``build_rows``); a replay gives them the state the build left them in.
    """
    live = live or {}
    if not enabled():
        counts["built"] += 1
        return build()
    key = (stage, _fingerprint(_dump()) + _pickled_states(live) + _settings())
    if key in _recordings and _recordings[key] is None:
        counts["built"] += 1
        return build()
    recording = _recordings.get(key)
    if recording is None or not recording.fresh():
        recording = _recordings[key] = _record(build, live)
        if recording is None:  # the build changed rows it did not add: built through the services from now on
            counts["built"] += 1
            return build()
    counts["replayed"] += 1
    return _replay(recording, live)


# --- reading the database as stored ---------------------------------------------------------------


def _raw():
    connection.ensure_connection()
    return connection.connection


_columns_by_sql: dict[str, tuple[str, ...]] = {}


def _tables() -> list[tuple[str, tuple[str, ...]]]:
    raw = _raw()
    tables = []
    for name, sql in raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if sql not in _columns_by_sql:
            _columns_by_sql[sql] = tuple(row[1] for row in raw.execute(f'PRAGMA table_info("{name}")'))
        tables.append((name, _columns_by_sql[sql]))
    return tables


def _dump() -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """Every table's rows in rowid order, as stored (``+col`` keeps the sqlite3 type converters off)."""
    raw = _raw()
    dump = {}
    for name, columns in _tables():
        select = ", ".join(f'+"{column}"' for column in columns)
        rows = raw.execute(f'SELECT {select} FROM "{name}" ORDER BY rowid').fetchall()  # noqa: S608 - names from sqlite_master
        if name == SEQUENCE_TABLE:
            rows.sort()  # a replay writes it back whole, in its own order
        dump[name] = (columns, rows)
    return dump


def _fingerprint(dump) -> bytes:
    return hashlib.sha256(pickle.dumps(sorted(dump.items()), protocol=pickle.HIGHEST_PROTOCOL)).digest()


def _settings() -> bytes:
    """The settings as they are (a ``settings`` fixture or ``override_settings`` may change what a build does)."""
    values = repr([(name, getattr(settings, name)) for name in sorted(dir(settings)) if name.isupper()])
    return hashlib.sha256(values.encode()).digest()


# --- pickling with the live objects referred to by key ---------------------------------------------


class _Pickler(pickle.Pickler):
    def __init__(self, file, live: dict[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._keys = {id(obj): key for key, obj in live.items()}

    def persistent_id(self, obj):
        return self._keys.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, live: dict[str, Any]):
        super().__init__(file)
        self._live = live

    def persistent_load(self, pid):
        return self._live[pid]


def _state(obj) -> dict:
    """The live container itself (a dict, or an object's ``__dict__``): filled in place on replay."""
    return obj if isinstance(obj, dict) else obj.__dict__


def _states(live: dict[str, Any]) -> dict[str, dict]:
    """A copy of each live object's state (a copy: the live dict itself would pickle as a reference)."""
    return {key: dict(_state(obj)) for key, obj in live.items()}


def _pickle(value, live: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, live).dump(value)
    return buffer.getvalue()


def _pickled_states(live: dict[str, Any]) -> bytes:
    return _pickle(_states(live), live) if live else b""


# --- recording and replaying -----------------------------------------------------------------------


def _record(build: Callable[[], Any], live: dict[str, Any]) -> Recording | None:
    made_at = timezone.now()
    with transaction.atomic():
        before = _dump()
        result = build()
        after = _dump()
        objects = _pickle((result, _states(live)), live)
        transaction.set_rollback(True)
    counts["built"] += 1
    inserted = {}
    for name, (columns, rows) in after.items():
        if name == SEQUENCE_TABLE:
            continue
        kept = before.get(name, (columns, []))[1]
        if before.get(name, (columns,))[0] != columns or rows[: len(kept)] != kept:
            return None  # a table's schema changed, or rows there before were changed or removed
        if len(rows) > len(kept):
            inserted[name] = (columns, rows[len(kept) :])
    return Recording(
        made_at=made_at,
        days=_days(made_at),
        inserted=inserted,
        sequence=after[SEQUENCE_TABLE][1],
        objects=objects,
    )


def _replay(recording: Recording, live: dict[str, Any]) -> Any:
    raw = _raw()
    for name, (columns, rows) in recording.inserted.items():
        names = ", ".join(f'"{column}"' for column in columns)
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)  # noqa: S608 - as in _dump
    raw.execute("DELETE FROM sqlite_sequence")
    raw.executemany("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", recording.sequence)
    result, states = _Unpickler(io.BytesIO(recording.objects), live).load()
    for key, state in states.items():
        target = _state(live[key])
        target.clear()
        target.update(state)
    return result
