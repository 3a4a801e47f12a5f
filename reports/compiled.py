"""Roll-up statements built with the ORM once per shape, then run with each call's values as parameters.

A summary's statements are the same SQL from call to call; only their parameters change (the
window's days, the force's id, the stream, today). Building them with the ORM (resolving every
lookup, ``FILTER`` and join, then compiling) cost as much as running them at one Area's volume
(issue 12, docs/PERFORMANCE.md "Summaries (session 3)"). ``rows`` builds a statement the first
time a shape is asked for, from placeholder values no real call can hold, and remembers its SQL
with where each placeholder went among the parameters; later calls bind their own values there.
The SQL is Django's own, parameters stay parameters (nothing is pasted into the text), and the
values are converted back as the ORM would (a date on SQLite comes back as a date, not a string).

Safe because the key names everything that shapes the SQL (the caller's, plus the database alias
and vendor), because a statement is only remembered when every placeholder was found among its
parameters (a value the ORM wrote into the SQL text instead makes that shape run uncached), and
because building may not read the database (``BuildReadTheDatabase``): SQL that depended on rows
read while building it (say, a user's forces inlined as values) would be kept for other callers.
For the same reason the build runs without the request's memo (no memoised scope can be inlined),
and a statement holding a number or a date the ORM fixed (not one of the call's values: an id of
someone's scope, a day worked out from a placeholder) is not remembered either; only flags, words
(statuses, time zones) and an EXISTS's 1 may stay. The time zone is part of the key. Hence never
for an access check: those stay with ``forces.selectors``, built on every call.
"""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from backend.querysets import without_request_memo

#: Placeholders are of the value's type and impossible as data: dates in the year 1000, negative ids, NUL strings.
_PLACEHOLDER_YEAR = 1000


def _placeholder(index: int, value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        raise TypeError("rows() takes dates, not datetimes, as values")
    if isinstance(value, datetime.date):
        return datetime.date(_PLACEHOLDER_YEAR, 1, 1) + datetime.timedelta(days=index)
    if isinstance(value, bool):
        raise TypeError("a boolean changes the SQL: put it in the key and pass it to build() yourself")
    if isinstance(value, int):
        return -1_000_000_000 - index
    if isinstance(value, str):
        return f"\x00placeholder {index}\x00"
    raise TypeError(f"rows() cannot bind a {type(value).__name__}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Per parameter: ``(value name, bound as its string?)``, or ``(None, the constant)`` for one the ORM fixed.
    slots: tuple
    #: The columns' names, in the SQL's order.
    names: tuple[str, ...]
    converters: dict

    def params(self, values: dict[str, Any]) -> list:
        return [
            constant_or_string if name is None else str(values[name]) if constant_or_string else values[name]
            for name, constant_or_string in self.slots
        ]


#: A shape whose SQL matches nothing (``pk__in=[]``): the ORM runs no query for it either.
_EMPTY = object()

_COMPILED: dict[tuple, object] = {}


class BuildReadTheDatabase(RuntimeError):
    """A ``build`` ran a query: its SQL may depend on rows, so it cannot be kept for other calls."""


def _refuse_queries(execute, sql, params, many, context):
    raise BuildReadTheDatabase(f"building a remembered statement ran a query: {sql[:200]}")


def _compile(queryset: QuerySet, placeholders: dict[str, Any]) -> object:
    """``queryset``'s SQL and where each placeholder went; None when one is not a parameter; ``_EMPTY``."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _EMPTY
    where = {}
    for name, placeholder in placeholders.items():
        where[_key(placeholder)] = (name, False)
        where[_key(str(placeholder))] = (name, True)  # SQLite's backend binds a date as its ISO string
    slots, found = [], set()
    for param in params:
        try:
            slot = where.get(_key(param), (None, param))
        except TypeError:  # unhashable: not one of ours
            slot = (None, param)
        slots.append(slot)
        found.add(slot[0])
    if not set(placeholders) <= found:
        return None  # a value went into the SQL text, or was transformed: this shape runs uncached
    # The 1 each EXISTS selects (Django's ``SELECT %s AS "a"``) may stay; no other number, and no date.
    exists_ones = sql.count('%s AS "a"')
    fixed_ones = sum(1 for name, constant in slots if name is None and type(constant) is int and constant == 1)
    if fixed_ones > exists_ones or any(name is None and not _may_be_fixed(constant) for name, constant in slots):
        # An id or a date the ORM fixed while building: it may be a caller's (a user's forces taken from the
        # request's memo, a date worked out from a placeholder), which must never reach another call.
        return None
    query = queryset.query
    # Django 5.2 selects the values() columns in ``query.selected``'s order when it is set.
    names = (
        tuple(query.selected)
        if query.selected
        else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
    if len(names) != len(fields):
        return None
    return _Compiled(sql=sql, slots=tuple(slots), names=names, converters=compiler.get_converters(fields))


def _may_be_fixed(constant: Any) -> bool:
    """Whether a parameter the ORM wrote itself may stay in a remembered statement: a flag, a word (a status, a
    side, a time zone's name) or the 1 an ``EXISTS`` selects; never another number or a date, which could only
    have come from the caller (an id of its scope, a day worked out from a placeholder)."""
    return constant is None or isinstance(constant, bool | str) or (type(constant) is int and constant == 1)


def _key(value: Any) -> tuple:
    return (type(value), value)


def rows(model: type[Model], key: tuple, build: Callable[..., QuerySet], **values: Any) -> list[dict]:
    """The rows of the ``values()`` queryset ``build(**values)`` (over ``model``) as dicts; its SQL built once per
    ``key``.

    ``key`` names everything but ``values`` that changes the SQL (a stream given or not, how many
    force ids...). ``values`` are dates, ints, strings, or lists of those (a placeholder for each
    element: the list's length belongs in ``key``).
    """
    flat = {}
    for name, value in values.items():
        if isinstance(value, list | tuple):
            flat.update({f"{name}[{i}]": item for i, item in enumerate(value)})
        else:
            flat[name] = value
    alias = router.db_for_read(model)
    connection = connections[alias]
    # The current time zone's name is written into the SQL's parameters by date truncations.
    cache_key = (alias, connection.vendor, timezone.get_current_timezone_name(), *key)
    compiled = _COMPILED.get(cache_key)
    if cache_key not in _COMPILED:
        placeholders = {name: _placeholder(i, value) for i, (name, value) in enumerate(flat.items())}
        # Without the request's memo, a scope taken from it could not be inlined as a literal list of ids.
        with connection.execute_wrapper(_refuse_queries), without_request_memo():
            compiled = _compile(build(**_nest(values, placeholders)), placeholders)
        _COMPILED[cache_key] = compiled
    if compiled is _EMPTY:
        return []
    if compiled is None:
        return list(build(**values))
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params(flat))
        fetched = cursor.fetchall()
    converters = list(compiled.converters.items())
    result = []
    for row in fetched:
        row = list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        result.append(dict(zip(compiled.names, row, strict=True)))
    return result


#: The memory each sort or hash of a roll-up statement may use before spilling to disk (``without_jit``).
WORK_MEM = "16MB"


@contextmanager
def without_jit(model: type[Model]) -> Iterator[None]:
    """Run the roll-up statements over ``model``'s database in one transaction with PostgreSQL's JIT compiler off.

    At national volume each roll-up statement is costed above ``jit_above_cost``, and PostgreSQL spent 30-145 ms
    compiling each of them for a run of 100-500 ms (EXPLAIN ANALYZE at SCALE=100, docs/PERFORMANCE.md "National
    volume summaries"): more than JIT saved. ``SET LOCAL`` (``set_config(..., true)``) lasts until the transaction
    ends: on its own, the block's transaction; inside a caller's (a service freezing a meeting's figures), the
    caller's, whose later statements run with the same settings, harmlessly; never beyond it. ``work_mem``
    (``WORK_MEM``): the feedback statement's sort for its distinct counts spilled 2.5-16 MB to disk with the
    server's default 4 MB; in memory it ran 10% faster. A no-op on other databases.
    """
    alias = router.db_for_read(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)", [WORK_MEM])
        yield


def _nest(values: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each value (each list element) taken from ``flat``."""
    return {
        name: [flat[f"{name}[{i}]"] for i in range(len(value))] if isinstance(value, list | tuple) else flat[name]
        for name, value in values.items()
    }
