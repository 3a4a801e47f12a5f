"""Page-number pagination whose cost does not grow with the table (docs/decisions/0014-list-counts.md).

A list page costs a bounded count and the page's ids (one statement: ``page_ids_and_count``), then
the page's rows by id (the joins and prefetches of the list's selector, over at most a page of
rows). ``count`` is exact up to ``COUNT_CAP`` rows; past it, the count stops there and the
answer says so with ``count_exact: false`` (``next`` then comes from reading one row more than
the page).
"""

import math

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

#: Rows counted at most per list request; past it, ``count`` is this and ``count_exact`` false.
COUNT_CAP = 1000
#: Past this many rows, a page number is answered as empty (404) before it reaches the database.
MAX_OFFSET = 2**62


def page_rows(queryset, bottom: int, top: int) -> list:
    """Rows ``bottom``..``top`` of ``queryset`` in its order: their ids first, then the rows by id.

    The ids come from the list's own query narrowed to one column (no select_related joins, no
    annotations but those it filters or orders by), which the database plans and runs cheaply
    however wide the rows are; the rows, with their joins, annotations and prefetches, are then
    read for those ids only. Both queries carry the list's filters, its scoping included.
    """
    if not isinstance(queryset, QuerySet):
        return list(queryset[bottom:top])
    return rows_by_ids(queryset, page_ids(queryset, bottom, top))


def rows_by_ids(queryset: QuerySet, ids: list) -> list:
    """The rows of ``queryset`` whose primary keys are ``ids``, in that order (one statement, none for no ids)."""
    if not ids:
        return []
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def page_ids(queryset: QuerySet, bottom: int, top: int) -> list:
    """The primary keys of rows ``bottom``..``top`` of ``queryset``, in its order.

    One statement. When the queryset's scope is several values of one column (a CPS lead's forces:
    ``force_id IN (...)``, ``ScopedQuerySet.partitioned_by``), its order ends with the primary key and
    the database is PostgreSQL, the statement is a ``UNION ALL`` of one branch per value, each
    ``ORDER BY <the list's order> LIMIT top``, then ordered and sliced: each branch pages in order
    from an index that leads with the column (``(force, received_on, id)``...), where the plain
    query reads every row in scope and sorts them. The same rows in the same order (the order is
    total), reading at most ``top`` rows per value. Elsewhere (SQLite, one value, another order):
    the plain query.
    """
    merged = _merged_page_ids(queryset, bottom, top)
    if merged is not None:
        return merged
    return list(queryset.values_list("pk", flat=True)[bottom:top])


def _total_order(queryset: QuerySet) -> list[tuple[str, bool]] | None:
    """The queryset's order as ``[(column, descending), ...]`` up to its primary key; None when it is not
    a plain order of the model's own columns that includes the primary key (rows would tie)."""
    query = queryset.query
    meta = queryset.model._meta
    if query.extra_order_by:
        return None
    if query.order_by:
        terms = list(query.order_by)
    elif query.default_ordering and meta.ordering:
        terms = list(meta.ordering)
    else:
        return None
    order: list[tuple[str, bool]] = []
    for term in terms:
        if not isinstance(term, str) or term.startswith("--") or term.strip("-") in ("", "?"):
            return None
        name = term.removeprefix("-")
        if "__" in name:
            return None
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None  # an annotation or an unknown name: the plain query
        if field.is_relation or not field.concrete:
            return None  # a relation orders by the related model's ordering
        if field.attname not in {name for name, _ in order}:  # a repeated column orders nothing more
            order.append((field.attname, term.startswith("-")))
        if field.primary_key:
            return order
    return None


def _merged_partition(queryset: QuerySet) -> tuple[str, tuple] | None:
    """The queryset's partition (``ScopedQuerySet.partitioned_by``) where its page is merged per value: on
    PostgreSQL, over two values or more. None elsewhere."""
    partition = getattr(queryset, "partition", None)
    if partition is None or len(partition[1]) < 2 or connections[queryset.db].vendor != "postgresql":
        return None
    return partition


def _shaped_beyond_paging(query) -> bool:
    """True for a query these statements cannot page themselves: combined, distinct, sliced or locking."""
    return bool(query.combinator or query.distinct or query.is_sliced or query.select_for_update)


def _columns_and_terms(order: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
    """An order's columns, and its terms for ``order_by`` (``-column`` when descending)."""
    return [name for name, _ in order], [f"-{name}" if descending else name for name, descending in order]


def _directions(order: list[tuple[str, bool]]) -> str:
    """``ORDER BY`` an order by the positions of its columns in the select list: ``1 DESC, 2 ASC``."""
    return ", ".join(
        f"{position} {'DESC' if descending else 'ASC'}" for position, (_, descending) in enumerate(order, 1)
    )


def _merged_page_ids(queryset: QuerySet, bottom: int, top: int) -> list | None:
    partition = _merged_partition(queryset)
    if partition is None:
        return None
    query = queryset.query
    if _shaped_beyond_paging(query):
        return None
    if top <= bottom or query.is_empty():
        return []  # (a union of empty branches is no statement at all)
    order = _total_order(queryset)
    if order is None:
        return None
    column, values = partition
    columns, terms = _columns_and_terms(order)
    pk_at = columns.index(queryset.model._meta.pk.attname)
    try:
        statement = _one_branch_statement(queryset, column, values, columns, terms, order, bottom, top)
    except EmptyResultSet:
        return []  # a condition that matches nothing (``pk__in=[]``): no statement, as the ORM runs none
    if statement is not None:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(*statement)
            return [row[pk_at] for row in cursor.fetchall()]
    branches = [queryset.filter(**{column: value}).order_by(*terms).values_list(*columns)[:top] for value in values]
    merged = branches[0].union(*branches[1:], all=True).order_by(*terms)[bottom:top]
    return [row[pk_at] for row in merged]


#: Stands for the partition's value while one branch is compiled (no force has this id).
_BRANCH_VALUE = -7_318_554_210_004_417


def _one_branch_statement(queryset, column, values, columns, terms, order, bottom, top) -> tuple[str, list] | None:
    """The merged statement, its branch compiled by the ORM once (not once per value) and repeated.

    The branches differ only in the partition's value, a parameter: the ORM compiles one branch
    with a stand-in value, and each branch is that SQL with its own value in the stand-in's place.
    Compiling a branch costs about as much as running it, and a CPS Area has up to five forces.
    None (the caller compiles each branch) when the stand-in is not exactly one of the parameters,
    for instance when a filter's own value happens to equal it.
    """
    branch = queryset.filter(**{column: _BRANCH_VALUE}).order_by(*terms).values_list(*columns)[:top]
    sql, params = branch.query.get_compiler(using=queryset.db).as_sql()
    at = [i for i, param in enumerate(params) if type(param) is int and param == _BRANCH_VALUE]
    if len(at) != 1:
        return None
    params = list(params)
    statement_params: list = []
    for value in values:
        params[at[0]] = value
        statement_params.extend(params)
    union = " UNION ALL ".join([f"({sql})"] * len(values))
    return f"{union} ORDER BY {_directions(order)} LIMIT {int(top - bottom)} OFFSET {int(bottom)}", statement_params


def page_ids_and_count(queryset: QuerySet, bottom: int, top: int, *, cap: int) -> tuple[list, int | None] | None:
    """``page_ids(queryset, bottom, top)`` and the list's count up to ``cap + 1``, in one statement.

    ``SELECT page.*, (<the bounded count>) FROM (<the page's ids>) AS page ORDER BY <the list's order>``: the
    same two statements the paginator would run one after the other (the count over at most ``cap + 1`` ids,
    the ids by the list's order, merged per force where ``page_ids`` merges them), as one round trip that
    reads both in one snapshot. The count is a value of each row, so a page with no rows has none: ``([],
    None)``. None (the caller counts, then pages) where ``page_ids`` would run the plain query for want of a
    total order of the model's own columns, or would build each branch of a merged page itself.
    """
    query = queryset.query
    if _shaped_beyond_paging(query) or top <= bottom:
        return None
    order = _total_order(queryset)
    if order is None:
        return None
    if query.is_empty():
        return [], 0
    columns, terms = _columns_and_terms(order)
    partition = _merged_partition(queryset)
    try:
        count_sql, count_params = (
            queryset.order_by().values("pk")[: cap + 1].query.get_compiler(using=queryset.db).as_sql()
        )
        if partition is not None:
            column, values = partition
            ids = _one_branch_statement(queryset, column, values, columns, terms, order, bottom, top)
            if ids is None:
                return None
        else:
            branch = queryset.order_by(*terms).values_list(*columns)[bottom:top]
            ids = branch.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return [], 0  # a condition that matches nothing (``pk__in=[]``): no statement, as the ORM runs none
    ids_sql, ids_params = ids
    # Both parts are the ORM's own SQL, every value a parameter; the directions are positions and keywords.
    sql = (
        f"SELECT page.*, (SELECT COUNT(*) FROM ({count_sql}) AS bounded) "  # noqa: S608
        f"FROM ({ids_sql}) AS page ORDER BY {_directions(order)}"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*count_params, *ids_params])
        rows = cursor.fetchall()
    if not rows:
        return [], None
    pk_at = columns.index(queryset.model._meta.pk.attname)
    return [row[pk_at] for row in rows], rows[0][-1]


class BoundedCountPaginator(Paginator):
    """Django's paginator with a count that stops at ``count_cap`` (``count_cap + 1`` means "more")."""

    def __init__(self, object_list, per_page, *, count_cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_cap = count_cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return min(len(rows), self.count_cap + 1)
        # SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1): never more than cap + 1 rows read.
        return rows.order_by().values("pk")[: self.count_cap + 1].count()

    @property
    def count_exact(self) -> bool:
        return self.count <= self.count_cap

    @cached_property
    def exact_count(self) -> int:
        """The full count (only for ``?page=last`` past the cap)."""
        if self.count_exact:
            return self.count
        rows = self.object_list
        return rows.count() if isinstance(rows, QuerySet) else len(rows)

    @cached_property
    def num_pages(self) -> int:
        if self.count_exact:
            return super().num_pages
        return max(1, math.ceil(self.exact_count / self.per_page))

    def validate_number(self, number):
        if self.count_exact:
            return super().validate_number(number)
        return self._checked_number(number)

    def _checked_number(self, number) -> int:
        """``number`` as a page number any list could have (a whole number from 1, within 64 bits of offset)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if (number - 1) * self.per_page >= MAX_OFFSET:
            # No list holds that many rows, and the database refuses an OFFSET past 64 bits.
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        if (
            "count" not in self.__dict__
            and isinstance(self.object_list, QuerySet)
            and not self.orphans
            and self.allow_empty_first_page
        ):
            page = self._page_with_its_count(self.object_list, number)
            if page is not None:
                return page
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.count_exact:
            top = min(bottom + self.per_page, self.count)
            return Page(page_rows(self.object_list, bottom, top), number, self)
        # Past the cap: one row more than the page says whether there is a next page.
        rows = page_rows(self.object_list, bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return OpenEndedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)

    def _page_with_its_count(self, rows: QuerySet, number) -> Page | None:
        """The page and the bounded count read together (``page_ids_and_count``); None where they cannot be.

        The number is checked as ``validate_number`` checks it past the cap (``_checked_number``), that is
        without the comparison with the number of pages, which needs the count: a page past the end is a page
        with no rows, and as there, an error but for the first page (an empty list is one empty page).
        """
        number = self._checked_number(number)
        bottom = (number - 1) * self.per_page
        # One id more than the page: past the cap, whether there is a next page.
        fetched = page_ids_and_count(rows, bottom, bottom + self.per_page + 1, cap=self.count_cap)
        if fetched is None:
            return None
        ids, count = fetched
        if not ids:
            if number > 1:
                raise EmptyPage("That page contains no results")
            count = 0
        self.__dict__["count"] = count  # the cached_property's value
        page = rows_by_ids(rows, ids[: self.per_page])
        if self.count_exact:
            return Page(page, number, self)
        return OpenEndedPage(page, number, self, has_more=len(ids) > self.per_page)


class OpenEndedPage(Page):
    """A page of a list longer than the count cap: whether a next page exists was read, not computed."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more


class StandardPagination(PageNumberPagination):
    """`count`, `count_exact`, `next`, `previous`, `results`; `page_size` may be asked for, capped at 200.

    A ``page_size`` that is not a whole number from 1 is refused (400 naming it) rather than
    silently replaced by the default: a client that asked for something else learns it. A
    larger one than the cap gets the cap, as documented.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = BoundedCountPaginator
    count_cap = COUNT_CAP

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {self.max_page_size})."]}
            )
        # Parsed only when short: a many-thousand-digit number is simply more than the cap.
        return min(int(raw), self.max_page_size) if len(raw) <= 6 else self.max_page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size, count_cap=self.count_cap)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc))) from exc
        if self.template is not None and (not paginator.count_exact or paginator.num_pages > 1):
            self.display_page_controls = True
        return list(self.page)

    def _paginator(self) -> BoundedCountPaginator:
        if self.page is None or not isinstance(self.page.paginator, BoundedCountPaginator):
            raise TypeError("StandardPagination pages with a BoundedCountPaginator.")
        return self.page.paginator

    def get_html_context(self):
        if self._paginator().count_exact:
            return super().get_html_context()
        # Past the cap the browsable API shows previous and next only: numbered links need the full count.
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            number = paginator.num_pages
        return number

    def get_paginated_response(self, data):
        paginator = self._paginator()
        return Response(
            {
                "count": min(paginator.count, paginator.count_cap),
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Rows in the list, counted up to {self.count_cap}; past that, {self.count_cap} (see count_exact)."
        )
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "example": True,
            "description": f"False when the list has more than {self.count_cap} rows and count stops there.",
        }
        schema["required"] = ["count", "count_exact", "results"]
        return schema
