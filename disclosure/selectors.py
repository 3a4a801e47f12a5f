"""Reads for dip sampling.

The ``*_list`` selectors are the read layer of the API (and of the reports to come): each takes
the acting user, starts from ``visible_to(user)`` and shapes the rows a page shows, so that a
page costs the same few queries however many rows there are.
"""

import datetime
import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.sql import Query

from backend.errors import InvalidStateError
from backend.querysets import related_count_query
from backend.types import Viewer
from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Case,
    Checklist,
    Criterion,
    Defect,
    DefectCategory,
    DipSample,
    DipSampleStatus,
    SampledSchedule,
    Schedule,
)
from forces.models import Organisation

User = get_user_model()


def organisation_codes() -> dict[str, Subquery]:
    """The row's force and Area codes as columns, ``force_code`` and ``area_code``, for ``annotate``.

    What a list shows of the two organisations is their codes: two columns instead of two joined
    ``Organisation`` objects built per row (about a tenth of a list's time went to building model
    objects, docs/PERFORMANCE.md). A row read for a write still loads its force and Area when asked.
    """
    return {
        "force_code": column_of(Organisation, "force_id", "code"),
        "area_code": column_of(Organisation, "area_id", "code"),
    }


def case_list(*, user: Viewer) -> QuerySet[Case]:
    """Cases ``user`` may read, with their force's and Area's codes and the number of schedules."""
    rows: QuerySet[Case] = Case.objects.visible_to(user).annotate(
        **organisation_codes(), schedule_count=count_of(Schedule, "case")
    )
    return rows


def schedule_list(*, user: Viewer) -> QuerySet[Schedule]:
    """Schedules ``user`` may read, with their case and their force's and Area's codes."""
    rows: QuerySet[Schedule] = Schedule.objects.visible_to(user).select_related("case").annotate(**organisation_codes())
    return rows


def defect_category_list(*, user: Viewer) -> QuerySet[DefectCategory]:
    """The defect taxonomy (any signed-in user)."""
    return DefectCategory.objects.visible_to(user)


def checklist_list(*, user: Viewer) -> QuerySet[Checklist]:
    """Published checklist versions with their criteria (any signed-in user)."""
    return Checklist.objects.visible_to(user).filter(published_at__isnull=False).prefetch_related("criteria")


def username_of(field: str) -> Subquery:
    """The username of the user ``field`` points at (None when empty), as a column of the row.

    A scalar subquery per name instead of a JOIN per user column: the page's query stays a join of
    few tables (PostgreSQL spent tens of milliseconds planning the dip-samples page with four user
    joins), and no user object is built for a name.
    """
    return column_of(User, field, "username")


def column_of(model: type[Model], field: str, column: str) -> Subquery:
    """``column`` of the ``model`` row that ``field`` (a foreign key of the row) points at, as a column of the row.

    A scalar subquery rather than ``F("<relation>__<column>")``, whose JOIN would stay in the page's
    bounded count and its ids query: there it made PostgreSQL probe the joined table for every row
    counted, and prefer the primary key to the list's ``(force, id)`` index for the ids.
    """
    return _fresh(_lookup(model, field, column))


def count_of(model: type[Model], field: str) -> Coalesce:
    """``backend.querysets.related_count`` of all of ``model``'s rows whose ``field`` points at the row."""
    return Coalesce(_fresh(_count(model, field)), 0)


# The queries of the display columns above are built once per process, then copied for each use. Each is the
# same for every user (a lookup by the row's own key, never a visibility rule: those are built on every call,
# ``visible_to``), and building one (a queryset: a filter, its lookups, a slice) cost more than compiling it:
# with five to seven such columns a page, about a tenth of a list request's time (docs/PERFORMANCE.md).


@functools.cache
def _lookup(model: type[Model], field: str, column: str) -> Query:
    return model._default_manager.filter(pk=OuterRef(field)).order_by().values(column)[:1].query


@functools.cache
def _count(model: type[Model], field: str) -> Query:
    return related_count_query(model._default_manager.all(), field).query


def _fresh(query: Query) -> Subquery:
    """A subquery of a copy of the kept ``query``, which nothing done to the copy can change.

    ``Query.clone`` shares with the original its table map's lists of aliases and the lookups of its where
    tree, and resolving a subquery into a statement changes both in place: it renames the aliases in those
    lists (``U0``...) and sets each lookup's outer reference to a column of that statement (where the outer
    query's alias prefix differs from the kept one's, nothing replaces those lookups first). The copy gets
    lists and lookups of its own: an identity relabelling clones every lookup of the tree.
    """
    copy = query.clone()
    copy.table_map = {table: list(aliases) for table, aliases in query.table_map.items()}
    copy.where = copy.where.relabeled_clone({alias: alias for alias in copy.alias_map})
    return Subquery(copy)


def _dip_samples(*, user: Viewer) -> QuerySet[DipSample]:
    rows: QuerySet[DipSample] = DipSample.objects.visible_to(user).annotate(
        assessment_count=count_of(Assessment, "dip_sample"),
        cps_lead_username=username_of("cps_lead_id"),
        police_lead_username=username_of("police_lead_id"),
        cps_signed_off_by_username=username_of("cps_signed_off_by_id"),
        police_signed_off_by_username=username_of("police_signed_off_by_id"),
    )
    return rows


def dip_sample_list(*, user: Viewer) -> QuerySet[DipSample]:
    """Dip samples ``user`` may read, with their force and Area, leads, signatures and the number of assessments."""
    return _dip_samples(user=user).select_related("force", "area")


def dip_sample_rows(*, user: Viewer) -> QuerySet[DipSample]:
    """Dip samples ``user`` may read as the API shows them: ``dip_sample_list``'s columns and the force's and
    Area's codes (no ``Organisation`` object)."""
    return _dip_samples(user=user).annotate(**organisation_codes())


def sampled_by_dip_sample(dip_sample_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """``{dip sample id: [sampled schedule, ...]}`` in draw order, as plain dicts, in one query.

    Not scoped: pass ids of samples already read in scope.
    """
    sampled: dict[int, list[dict[str, Any]]] = {pk: [] for pk in dip_sample_ids}
    rows = (
        SampledSchedule.objects.filter(dip_sample_id__in=dip_sample_ids)
        .order_by("dip_sample_id", "position")
        .values_list("dip_sample_id", "schedule_id", "position", "method", "reason", "not_assessable_reason")
    )
    for dip_sample_id, schedule_id, position, method, reason, not_assessable_reason in rows:
        sampled[dip_sample_id].append(
            {
                "schedule": schedule_id,
                "position": position,
                "method": method,
                "reason": reason,
                "assessable": not not_assessable_reason,
                "not_assessable_reason": not_assessable_reason,
            }
        )
    return sampled


def assessment_list(*, user: Viewer) -> QuerySet[Assessment]:
    """Assessments ``user`` may read, with their answers (criterion codes) and the number of defects.

    The schedule's kind, the checklist's version and the assessor's name are columns of the row,
    and each answer carries its criterion's code: no schedule, checklist, user or criterion
    object is built for a page.
    """
    rows: QuerySet[Assessment] = Assessment.objects.visible_to(user).annotate(
        **organisation_codes(),
        schedule_kind=column_of(Schedule, "schedule_id", "kind"),
        checklist_version=column_of(Checklist, "checklist_id", "version"),
        assessed_by_username=username_of("assessed_by_id"),
        defect_count=count_of(Defect, "assessment"),
    )
    return rows


def answers_by_assessment(assessment_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """``{assessment id: [{"criterion": code, "result": ...}, ...]}`` in checklist order, in one query.

    Plain tuples from the database, not an answer and a criterion object per answer: a page of
    assessments holds about ten answers each. Not scoped: pass ids of rows already read in scope.
    """
    answers: dict[int, list[dict[str, str]]] = {pk: [] for pk in assessment_ids}
    rows = (
        AssessmentAnswer.objects.filter(assessment_id__in=assessment_ids)
        .order_by("assessment_id", "criterion__position")
        .values_list("assessment_id", "criterion__code", "result")
    )
    for assessment_id, code, result in rows:
        answers[assessment_id].append({"criterion": code, "result": result})
    return answers


def defect_list(*, user: Viewer) -> QuerySet[Defect]:
    """Defects ``user`` may read, with their force's, Area's and category's codes, the category's name and side and
    their dip sample's id as columns."""
    rows: QuerySet[Defect] = Defect.objects.visible_to(user).annotate(
        **organisation_codes(),
        dip_sample_id=column_of(Assessment, "assessment_id", "dip_sample_id"),
        category_code=column_of(DefectCategory, "category_id", "code"),
        category_name=column_of(DefectCategory, "category_id", "name"),
        category_side=column_of(DefectCategory, "category_id", "side"),
    )
    return rows


#: The draw's size cap: the larger of DRAW_CAP_MINIMUM and DRAW_CAP_PERCENT% of the eligible
#: schedules (rounded up), and never more than there are.
DRAW_CAP_MINIMUM = 10
DRAW_CAP_PERCENT = 20
DRAW_RULE = (
    f"A draw picks at random, with a seed the server chooses and records, from this force's schedules of the "
    f"stream received in the period and never sampled before; it may take at most the larger of "
    f"{DRAW_CAP_MINIMUM} and {DRAW_CAP_PERCENT}% of them (and never more than there are)."
)


def draw_cap(eligible_count: int) -> int:
    """The largest sample a draw may take from ``eligible_count`` eligible schedules."""
    twenty_percent = -(-eligible_count * DRAW_CAP_PERCENT // 100)  # rounded up
    return min(eligible_count, max(DRAW_CAP_MINIMUM, twenty_percent))


def checklist_current() -> Checklist:
    """The newest published checklist version: new assessments are made against it (409 while there is none)."""
    checklist: Checklist | None = Checklist.objects.filter(published_at__isnull=False).order_by("-version").first()
    if checklist is None:
        raise InvalidStateError("No checklist version is published yet.", code="no_checklist")
    return checklist


def criteria_by_code(*, checklist: Checklist) -> dict[str, Criterion]:
    return {criterion.code: criterion for criterion in checklist.criteria.all()}


def dip_sample_eligible_schedules(*, dip_sample: DipSample) -> QuerySet[Schedule]:
    """Schedules a draw may pick: the sample's force and stream, received in its period, never sampled before.

    Ordered by id so that the same seed over the same eligible set always picks the same schedules.
    """
    return (
        Schedule.objects.filter(
            force_id=dip_sample.force_id,
            case__stream=dip_sample.stream,
            received_on__gte=dip_sample.period_start,
            received_on__lte=dip_sample.period_end,
        )
        .exclude(sampled__isnull=False)
        .order_by("id")
    )


def dip_sample_draw_preview(*, dip_sample: DipSample) -> dict[str, object]:
    """What a draw would pick from, before drawing: the count, the cap and the rule in plain words.

    For a drawn sample, ``drawn_from`` is the sorted ids the draw picked from (to re-run it).
    """
    count = dip_sample_eligible_schedules(dip_sample=dip_sample).count()
    force_code = getattr(dip_sample, "force_code", None)  # a column of the API's row (``dip_sample_rows``)
    return {
        "force": force_code if force_code is not None else dip_sample.force.code,
        "stream": dip_sample.stream,
        "period": {"from": dip_sample.period_start, "to": dip_sample.period_end},
        "count": count,
        "cap": draw_cap(count),
        "rule": DRAW_RULE,
        "drawn_from": dip_sample.eligible_ids,
    }


def overlapping_dip_sample_ids(
    *, force_id: int, stream: str, period_start: datetime.date, period_end: datetime.date, exclude_pk: int | None = None
) -> list[int]:
    """Ids of the samples of the same force and stream whose period shares a day with the given one."""
    samples = DipSample.objects.filter(
        force_id=force_id, stream=stream, period_start__lte=period_end, period_end__gte=period_start
    )
    if exclude_pk is not None:
        samples = samples.exclude(pk=exclude_pk)
    return list(samples.order_by("id").values_list("id", flat=True))


# --- roll-ups (force summaries, Area comparisons) ----------------------------------------------------------


def _rollup_window(
    prefix: str,
    *,
    force_ids: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    stream: str | None,
    include_unsigned: bool,
) -> Q:
    """The roll-up's conditions on an assessment reached through ``prefix`` ("" or "assessment__").

    Join conditions, not ``assessment IN (subquery)``: PostgreSQL plans a join well even
    without statistics (a test's uncommitted rows have none), where the subquery form was
    seen to run for minutes.
    """
    condition = Q(
        **{
            f"{prefix}force_id__in": force_ids,
            # The sample's force too (an assessment is of its sample's force: ``tenancy_of``): with it PostgreSQL
            # reads the force's samples from an index instead of every sample of the window (docs/PERFORMANCE.md,
            # "National volume summaries").
            f"{prefix}dip_sample__force_id__in": force_ids,
            f"{prefix}dip_sample__period_end__gte": period_from,
            f"{prefix}dip_sample__period_end__lte": period_to,
        }
    )
    if not include_unsigned:
        condition &= Q(**{f"{prefix}dip_sample__status": DipSampleStatus.SIGNED_OFF})
    if stream:
        condition &= Q(**{f"{prefix}dip_sample__stream": stream})
    return condition


def rollup_condition(
    prefix: str,
    *,
    force_ids: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    stream: str | None = None,
    include_unsigned: bool = False,
    category_ids: Any = None,
) -> Q:
    """The roll-up's conditions on a defect reached through ``prefix`` (for example ``"defects__"`` from a feedback
    item): a defect ``rollup_defects`` counts with the same arguments. One ``Q``, so that a ``filter()`` of it
    joins the defect once and every condition is on that one defect.

    ``category_ids``: only defects of these categories (the ids of one side's categories, read beforehand: a list
    of ids lets PostgreSQL test each defect's column instead of joining the category table for every defect).
    Not scoped by user, like ``rollup_assessments``.
    """
    condition = _rollup_window(
        f"{prefix}assessment__",
        force_ids=force_ids,
        period_from=period_from,
        period_to=period_to,
        stream=stream,
        include_unsigned=include_unsigned,
    )
    if category_ids is not None:
        condition &= Q(**{f"{prefix}category_id__in": category_ids})
    return condition


def rollup_assessments(
    *,
    force_ids: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    stream: str | None = None,
    include_unsigned: bool = False,
) -> QuerySet[Assessment]:
    """Assessments counted in the summaries of ``force_ids`` (ids, or a subquery) for a window.

    The agreed figures: assessments of dip samples that both sides signed off and whose period
    ends inside ``period_from``..``period_to`` (both days in); ``include_unsigned`` adds samples
    still in progress or completed but not yet signed off. Optionally one ``stream``.

    **Not scoped by user**: only for roll-ups whose caller has already decided the reader may
    see these forces' figures (``forces.selectors.summary_force_list``); never hand the rows
    themselves to a client.
    """
    window = _rollup_window(
        "",
        force_ids=force_ids,
        period_from=period_from,
        period_to=period_to,
        stream=stream,
        include_unsigned=include_unsigned,
    )
    return Assessment.objects.filter(window)


def rollup_defects(
    *,
    force_ids: Any,
    period_from: datetime.date,
    period_to: datetime.date,
    stream: str | None = None,
    include_unsigned: bool = False,
    category_ids: Any = None,
) -> QuerySet[Defect]:
    """Defects logged on the assessments ``rollup_assessments`` counts (same arguments), of ``category_ids`` if
    given (``rollup_condition``).

    Not scoped by user, like ``rollup_assessments``.
    """
    return Defect.objects.filter(
        rollup_condition(
            "",
            force_ids=force_ids,
            period_from=period_from,
            period_to=period_to,
            stream=stream,
            include_unsigned=include_unsigned,
            category_ids=category_ids,
        )
    )
