"""A row's nested collection read as one JSON column of the row's own statement (issue 12).

``JSONRows(queryset, order_by=[...], key=expression, ...)`` is a correlated subquery that aggregates
the rows of ``queryset`` (filtered on ``OuterRef``) into one JSON array of objects, in ``order_by``'s
order, keys in the order given, decoded once per row (``JSONField``): a page of dip samples gets its
sampled schedules, a page of assessments its answers, without a second statement and a Python loop.

Each database aggregates with its own function:

- PostgreSQL: ``json_agg(row ORDER BY ...)`` of ``json_build_object`` (not ``jsonb``: a jsonb object
  sorts its keys, and the output must keep the serializer's key order); the aggregate's own
  ``ORDER BY`` guarantees the order.
- SQLite (3.40 here, before the aggregate ``ORDER BY`` of 3.44): ``json_group_array`` over the
  subquery ordered by the same columns; SQLite does not flatten an ordered subquery into an
  aggregate query (its query flattener's rule 16), so the aggregate sees the rows in that order.

An empty collection is ``[]``, never NULL.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, F, Func, JSONField, QuerySet, Subquery, TextField, Value

_ROW = "_json_row"
_ORDER = "_json_order_"


class _SQLiteBoolean(Func):
    """A boolean as JSON ``true``/``false`` inside SQLite's ``json_object`` (which writes 1/0 for a number)."""

    template = "json(CASE WHEN %(expressions)s THEN 'true' ELSE 'false' END)"
    output_field = TextField()


class JSONRow(Func):
    """A JSON object of ``fields`` with its keys in the order given.

    Django's ``JSONObject`` builds a ``jsonb`` on PostgreSQL, whose keys come out sorted by length.
    """

    output_field = TextField()

    def __init__(self, **fields: Any):
        expressions = []
        for key, value in fields.items():
            expressions.extend((Value(key), value))
        super().__init__(*expressions)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="json_build_object", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        copy = self.copy()
        copy.set_source_expressions(
            [
                _SQLiteBoolean(expression)
                if index % 2 and isinstance(getattr(expression, "output_field", None), BooleanField)
                else expression
                for index, expression in enumerate(copy.get_source_expressions())
            ]
        )
        return super(JSONRow, copy).as_sql(compiler, connection, function="json_object", **extra_context)


class JSONRows(Subquery):
    """``fields`` of every row of ``queryset``, ordered by ``order_by`` (ascending columns), as a JSON array.

    ``queryset`` is filtered on ``OuterRef`` (the outer row's children); values are columns or
    expressions of its rows (``F("criterion__code")``, ``ExpressionWrapper(Q(...), BooleanField())``).
    """

    #: ``rows``: the compiled rows subquery (parenthesised), aliased ``r``; ``row``: its JSON object column.
    postgresql_template = "(SELECT COALESCE(json_agg(%(row)s ORDER BY %(order)s), '[]')::text FROM %(rows)s r)"
    sqlite_template = "(SELECT COALESCE(json_group_array(json(%(row)s)), '[]') FROM %(rows)s r)"

    def __init__(self, queryset: QuerySet[Any], *, order_by: Sequence[str], **fields: Any):
        order = {f"{_ORDER}{index}": F(name) for index, name in enumerate(order_by)}
        rows = queryset.annotate(**{_ROW: JSONRow(**fields)}, **order).order_by(*order).values(_ROW, *order)
        self.order_aliases = list(order)
        super().__init__(rows, output_field=JSONField())

    def as_sql(self, compiler, connection, template=None, **extra_context):
        raise NotImplementedError(f"JSONRows has no SQL for {connection.vendor}: add an as_{connection.vendor}().")

    def _rows_sql(self, compiler, connection, *, ordered: bool):
        copy = self.copy()
        copy.query = copy.query.clone()
        if not ordered:
            copy.query.clear_ordering(force=True)
        return Subquery.as_sql(copy, compiler, connection)

    def as_postgresql(self, compiler, connection, **extra_context):
        rows, params = self._rows_sql(compiler, connection, ordered=False)
        quote = connection.ops.quote_name
        order = ", ".join(f"r.{quote(alias)}" for alias in self.order_aliases)
        return self.postgresql_template % {"row": f"r.{quote(_ROW)}", "order": order, "rows": rows}, params

    def as_sqlite(self, compiler, connection, **extra_context):
        rows, params = self._rows_sql(compiler, connection, ordered=True)
        if " ORDER BY " not in rows:
            raise AssertionError("JSONRows: the rows subquery lost its order.")
        return self.sqlite_template % {"row": f"r.{connection.ops.quote_name(_ROW)}", "rows": rows}, params
