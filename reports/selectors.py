"""Reads for the roll-ups: the force summary, the Area comparison, meetings and action items.

Who may read a summary is decided once, in ``forces.selectors.summary_force_list`` (and
``comparison_area_list``); the figures are the agreed ones of docs/decisions/0011-summaries-and-meetings.md.
Every figure is aggregated by the database: a summary costs the same few queries whatever the
number of samples, assessments and defects. Python only does arithmetic on those aggregates.
"""

import datetime
import math
from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from backend.querysets import for_this_request
from disclosure.models import Assessment, Defect, DefectCategory, Rating, Severity, Side
from disclosure.selectors import rollup_assessments, rollup_condition, rollup_defects
from feedback.models import Feedback
from feedback.selectors import empty_feedback_summary, feedback_counts, feedback_figures
from forces.models import Organisation, OrganisationKind, Stream, is_anonymous
from forces.selectors import comparison_area_list, summary_force_list, summary_organisation_list
from reports import compiled
from reports.models import ActionItem, ActionItemStatus, Meeting, _member_of

#: The 95% two-sided normal quantile.
Z_95 = 1.959963984540054

#: The longest window a summary covers (its monthly series has one row per month).
MAX_WINDOW_DAYS = 5 * 366

DECIMALS = 4


# --- arithmetic ---------------------------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` (0..1 when ``n`` is 0).

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    Unlike the normal approximation it stays inside 0..1 and is not empty at 0 or n.
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, DECIMALS) if whole else None


def _proportion(part: int, whole: int) -> dict:
    low, high = wilson_interval(part, whole)
    return {"value": _rate(part, whole), "ci_low": round(low, DECIMALS), "ci_high": round(high, DECIMALS)}


# --- windows ------------------------------------------------------------------------------------------------


def _parse_date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not a date of the form YYYY-MM-DD."}) from None


def default_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 full calendar months before ``today``'s month."""
    date_to = today.replace(day=1) - datetime.timedelta(days=1)
    date_from = date_to.replace(day=1)
    for _ in range(11):
        date_from = (date_from - datetime.timedelta(days=1)).replace(day=1)
    return date_from, date_to


def summary_window(
    from_str: str | None, to_str: str | None, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """Parse the ``from`` and ``to`` query parameters (``YYYY-MM-DD``, both days in).

    Neither: the last 12 full months. Only ``from``: up to ``today``. Only ``to``: the year
    ending that day. Raises ``ValidationError`` naming ``from`` or ``to`` for a malformed or
    impossible date, a window that ends before it starts, or one longer than five years.
    """
    from_str = from_str or None
    to_str = to_str or None
    if from_str is None and to_str is None:
        return default_window(today)
    errors = {}
    date_from = date_to = None
    for name, raw in (("from", from_str), ("to", to_str)):
        if raw is None:
            continue
        try:
            value = _parse_date(raw, name)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if name == "from":
            date_from = value
        else:
            date_to = value
    if errors:
        raise ValidationError(errors)
    if date_to is None:
        date_to = today
    if date_from is None:
        date_from = date_to - datetime.timedelta(days=364)
    if date_to < date_from:
        raise ValidationError({"to": f"The window ends ({date_to}) before it starts ({date_from})."})
    if (date_to - date_from).days >= MAX_WINDOW_DAYS:
        raise ValidationError({"from": "A summary covers at most five years."})
    check_window_in_range(date_from, date_to, fields=("from", "to"))
    return date_from, date_to


#: The years a window (of a summary or a meeting) may fall in. Outside them a window and the one
#: before it would leave the calendar (a 500 from date arithmetic), and no disclosure data exists.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def check_window_in_range(date_from: datetime.date, date_to: datetime.date, *, fields: tuple[str, str]) -> None:
    """Raise ``ValidationError`` naming ``fields`` when the window falls outside EARLIEST_YEAR..LATEST_YEAR."""
    errors = {}
    for name, value in zip(fields, (date_from, date_to), strict=True):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            errors[name] = f"A date from {EARLIEST_YEAR} to {LATEST_YEAR}, please."
    if errors:
        raise ValidationError(errors)


def previous_window(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The window of equal length (in days) just before ``date_from``..``date_to``."""
    previous_to = date_from - datetime.timedelta(days=1)
    return previous_to - (date_to - date_from), previous_to


def _months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    month, months = date_from.replace(day=1), []
    while month <= date_to:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- who may read which roll-up ----------------------------------------------------------------------------


def _readable_ids(user) -> dict[str, set[int]] | None:
    """The ids of the forces whose summary ``user`` may read and of the Areas whose comparison it may read
    (``forces.selectors.summary_force_list`` and ``comparison_area_list``: the rules are theirs), in one query
    once per API request (``backend.querysets.for_this_request``); None outside a request.

    Building those rules' SQL with the ORM cost more than running the summary's statements at one Area's volume:
    the view's lookup and the selector's own check built them twice a request (docs/PERFORMANCE.md, "National
    volume summaries"). Both checks stay; they read the rules' answer once.
    """

    def read() -> dict[str, set[int]]:
        forces = summary_force_list(user=user).order_by().values_list("pk", "kind")
        areas = comparison_area_list(user=user).order_by().values_list("pk", "kind")
        readable: dict[str, set[int]] = {"forces": set(), "areas": set()}
        for pk, kind in forces.union(areas, all=True):
            readable["forces" if kind == OrganisationKind.POLICE_FORCE else "areas"].add(pk)
        return readable

    return for_this_request(("reports: readable roll-ups", user.pk), read)


def report_organisation_list(*, user) -> QuerySet[Organisation]:
    """Forces whose summary and Areas whose comparison ``user`` may read, scoped for ``user``: the reports API's
    lookup (``forces.selectors.summary_organisation_list``, from the ids ``_readable_ids`` read in a request)."""
    readable = _readable_ids(user)
    if readable is None:
        return summary_organisation_list(user=user)
    ids = sorted(readable["forces"] | readable["areas"])
    return Organisation.objects.visible_to(user).filter(pk__in=ids).select_related("area")


def may_read_force_summary(*, user, force: Organisation) -> bool:
    """Whether ``user`` may read ``force``'s summary (``forces.selectors.summary_force_list``)."""
    readable = _readable_ids(user)
    if readable is None:
        return summary_force_list(user=user).filter(pk=force.pk).exists()
    return force.pk in readable["forces"]


def may_read_area_comparison(*, user, area: Organisation) -> bool:
    """Whether ``user`` may read ``area``'s comparison of forces (``forces.selectors.comparison_area_list``)."""
    readable = _readable_ids(user)
    if readable is None:
        return comparison_area_list(user=user).filter(pk=area.pk).exists()
    return area.pk in readable["areas"]


# --- aggregates ---------------------------------------------------------------------------------------------


def _police_defect_of_outer_assessment(police_category_ids: list[int]):
    """``EXISTS`` a police-side defect (one of ``police_category_ids``) of the outer assessment.

    Measured against a scalar subquery (``(SELECT id ... LIMIT 1) IS NOT NULL``; docs/PERFORMANCE.md, session 3).
    At one Area's volume PostgreSQL answers this ``EXISTS`` by hashing every police-side defect (20-60 ms; the
    scalar subquery's index probes took 10 ms in the same run); from a few Areas' volume it probes per assessment,
    as it should. The scalar subquery always probes, but is costed so high that PostgreSQL JIT-compiles it at
    SCALE=20 (25-30 ms a statement), which made the summary twice as slow there. National volume is what
    matters, so ``EXISTS`` stays. The police-side categories are given as ids: joining the category table in each
    probe cost a third of the statement at SCALE=100 (docs/PERFORMANCE.md, "National volume summaries").
    """
    return Exists(Defect.objects.filter(assessment=OuterRef("pk"), category_id__in=police_category_ids))


#: What ``_assessment_counts`` counts per group, beside ``assessed``.
_HEADLINE_COUNTS = ("assessed", *Rating.values, "drs_complete", "fed_back")


def _assessment_counts(assessments: QuerySet, *keys: str, police_category_ids: list[int]) -> QuerySet:
    """``assessments`` grouped by ``keys`` and by ``has_police_defect``: one row of counts per group.

    "Has a police-side defect" is a grouping key, so PostgreSQL asks the ``EXISTS`` once per
    assessment; the defective and fed-back counts are then the rows with it (``_add_counts``).
    """
    return (
        assessments.annotate(has_police_defect=_police_defect_of_outer_assessment(police_category_ids))
        .order_by()
        .values(*keys, "has_police_defect")
        .annotate(
            assessed=Count("pk"),
            **{rating: Count("pk", filter=Q(rating=rating)) for rating in Rating.values},
            drs_complete=Count("pk", filter=Q(drs_complete=True)),
            fed_back=Count("pk", filter=Q(prosecutor_fed_back=True)),
        )
    )


def _categories() -> tuple[list[dict], list[int]]:
    """The defect categories (each with its side), and the ids of the police-side ones (a statement's values)."""
    categories = compiled.rows(
        DefectCategory, ("summary: categories",), lambda: DefectCategory.objects.order_by("code").values()
    )
    return categories, sorted(row["id"] for row in categories if row["side"] == Side.POLICE)


def _add_counts(into: dict, row: dict) -> None:
    """Add one row of ``_assessment_counts`` to the headline counts ``into`` (``defective``: with a police defect;
    ``fed_back``: of those, the ones the prosecutor fed back on)."""
    police = bool(row["has_police_defect"])
    for name in _HEADLINE_COUNTS:
        if name != "fed_back":
            into[name] = into.get(name, 0) + row[name]
    into["defective"] = into.get("defective", 0) + (row["assessed"] if police else 0)
    into["fed_back"] = into.get("fed_back", 0) + (row["fed_back"] if police else 0)


def _headline(counts: dict, police_defects: int) -> dict:
    """The headline figures from counts added up by ``_add_counts`` (plus the police-side defect count)."""
    assessed = counts.get("assessed") or 0
    return {
        "schedules_assessed": assessed,
        "ratings": {rating: counts.get(rating) or 0 for rating in Rating.values},
        "defective_rate": _proportion(counts.get("defective") or 0, assessed),
        "defects_per_schedule": _rate(police_defects, assessed),
        "drs_complete_rate": _rate(counts.get("drs_complete") or 0, assessed),
        "prosecutor_fed_back_rate": _rate(counts.get("fed_back") or 0, counts.get("defective") or 0),
    }


def _figures(
    *,
    force: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    stream: str | None,
    include_unsigned: bool,
    today: datetime.date,
) -> tuple[dict, dict]:
    """The summary figures of ``force`` for a window and for the window before it, unchecked (callers decide who
    may read them): ``(figures with the series, previous figures without them)``.

    Both windows in the same statements: they cover the days from the start of the previous window to the end
    of this one, and each group says which window it is in (a sample's period end in this window or before).
    """
    previous_from, previous_to = previous_window(date_from, date_to)
    # Query 1: the categories (each with its side).
    categories, police = _categories()
    # The values of the statements, which are built once per shape (reports.compiled): a stream or all of them,
    # signed-off samples or all, how many police-side categories.
    both = {"force_ids": [force.pk], "period_from": previous_from, "period_to": date_to}
    if stream:
        both["stream"] = stream
    shape = (bool(stream), include_unsigned, len(police))

    # Query 2: the assessments' counts per stream and period end (a sample's month and window follow from it).
    counts = {True: {}, False: {}}
    stream_counts, monthly_counts = {}, {}
    rows = compiled.rows(
        Assessment,
        ("summary: assessments", *shape),
        lambda police, **window: _assessment_counts(
            rollup_assessments(**window, include_unsigned=include_unsigned),
            "dip_sample__stream",
            "dip_sample__period_end",
            police_category_ids=police,
        ),
        police=police,
        **both,
    )
    for row in rows:
        period_end = row["dip_sample__period_end"]
        current = period_end >= date_from
        _add_counts(counts[current], row)
        if current:
            _add_counts(stream_counts.setdefault(row["dip_sample__stream"], {}), row)
            _add_counts(monthly_counts.setdefault(period_end.replace(day=1), {}), row)

    # Query 3: the defects per window, stream, category, severity.
    police_categories = set(police)
    by_category = {True: Counter(), False: Counter()}
    severities = {True: Counter(), False: Counter()}
    stream_defects = Counter()
    defects = compiled.rows(
        Defect,
        ("summary: defects", *shape),
        lambda date_from, **window: (
            rollup_defects(**window, include_unsigned=include_unsigned)
            .order_by()
            .values(
                "category_id",
                "severity",
                current=ExpressionWrapper(Q(assessment__dip_sample__period_end__gte=date_from), BooleanField()),
                stream=F("assessment__dip_sample__stream"),
            )
            .annotate(n=Count("pk"))
        ),
        date_from=date_from,
        **both,
    )
    for row in defects:
        current, category_id, n = bool(row["current"]), row["category_id"], row["n"]
        by_category[current][category_id] += n
        if category_id in police_categories:
            severities[current][row["severity"]] += n
            if current:
                stream_defects[row["stream"]] += n

    # Query 4: the feedback on the police-side defects of either window.
    feedback = feedback_figures(
        compiled.rows(
            Feedback,
            ("summary: feedback", *shape),
            lambda date_from, today, police, **window: feedback_counts(
                items=Feedback.objects.filter(
                    rollup_condition("defects__", **window, include_unsigned=include_unsigned, category_ids=police)
                ),
                by=ExpressionWrapper(Q(defects__assessment__dip_sample__period_end__gte=date_from), BooleanField()),
                today=today,
            ),
            date_from=date_from,
            today=today,
            police=police,
            **both,
        )
    )

    def window_figures(current: bool, period: tuple[datetime.date, datetime.date]) -> dict:
        police_defects = sum(severities[current].values())
        return {
            "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
            **_headline(counts[current], police_defects),
            "defects_by_category": sorted(
                (
                    {"code": row["code"], "name": row["name"], "count": by_category[current].get(row["id"], 0)}
                    for row in categories
                ),
                key=lambda row: (-row["count"], row["code"]),
            ),
            "defects_by_severity": {severity: severities[current].get(severity, 0) for severity in Severity.values},
            "feedback": feedback.get(current) or empty_feedback_summary(),
        }

    figures = window_figures(True, (date_from, date_to))
    previous = window_figures(False, (previous_from, previous_to))
    streams = [stream] if stream else Stream.values
    figures["by_stream"] = [
        {"stream": name, **_headline(stream_counts.get(name, {}), stream_defects.get(name, 0))} for name in streams
    ]
    figures["monthly"] = [
        {
            "month": month.strftime("%Y-%m"),
            "schedules_assessed": monthly_counts.get(month, {}).get("assessed", 0),
            "defective_rate": _proportion(
                monthly_counts.get(month, {}).get("defective", 0), monthly_counts.get(month, {}).get("assessed", 0)
            ),
        }
        for month in _months(date_from, date_to)
    ]
    action_items = compiled.rows(  # query 5: a row for the force, if it owns an open item
        ActionItem,
        ("summary: action items",),
        lambda owner, today: (
            ActionItem.objects.filter(owner=owner, status=ActionItemStatus.OPEN)
            .order_by()
            .values("owner_id")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        ),
        owner=force.pk,
        today=today,
    )
    figures["action_items"] = {name: sum(row[name] for row in action_items) for name in ("open", "overdue")}
    return figures, previous


def force_figures(
    *,
    force: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    stream: str | None = None,
    include_unsigned: bool = False,
    today: datetime.date | None = None,
) -> dict:
    """The full summary of ``force`` (see ``force_summary``) **without** checking who reads it.

    For services that already decided (a meeting's snapshot); views call ``force_summary``.
    """
    today = today or timezone.localdate()
    with compiled.without_jit(Assessment):
        figures, previous = _figures(
            force=force,
            date_from=date_from,
            date_to=date_to,
            stream=stream,
            include_unsigned=include_unsigned,
            today=today,
        )
    return {
        "force": force.code,
        "stream": stream,
        "include_unsigned": include_unsigned,
        **figures,
        "previous": previous,
    }


def force_summary(
    *,
    user,
    force: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    stream: str | None = None,
    include_unsigned: bool = False,
    today: datetime.date | None = None,
) -> dict:
    """The summary of ``force`` for ``date_from``..``date_to``, as the summary endpoint answers it.

    Readable by the force's chief officers, police leads and org admins, the Area's CPS leads,
    Quality Group and org admins, and superusers (``forces.selectors.summary_force_list``);
    anyone else, and an organisation that is not a force, raises ``Http404``.

    Counts assessments of dip samples signed off by both sides whose period ends in the window
    (``include_unsigned``: also samples not yet signed off), with ``previous``: the same figures
    for the window of equal length just before. A fixed number of queries.
    """
    if not may_read_force_summary(user=user, force=force):
        raise Http404("No force summary that you can read.")
    return force_figures(
        force=force,
        date_from=date_from,
        date_to=date_to,
        stream=stream,
        include_unsigned=include_unsigned,
        today=today,
    )


def area_comparison(
    *,
    user,
    area: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    stream: str | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The forces of ``area`` side by side on the headline figures, with the Area total.

    Each force's ``differs`` says whether its defective rate differs from the rest of the Area
    beyond chance: ``"higher"`` or ``"lower"`` when its 95% Wilson interval does not overlap the
    interval of the Area's other forces taken together, else null. For the Area's Quality Group,
    CPS leads and org admins, and superusers; anyone else raises ``Http404``. Signed-off samples
    only. A fixed number of queries.
    """
    if not may_read_area_comparison(user=user, area=area):
        raise Http404("No Area comparison that you can read.")
    forces = compiled.rows(
        Organisation,
        ("comparison: forces",),
        lambda area_id: (
            Organisation.objects.forces().filter(area_id=area_id).order_by("code").values("pk", "code", "name")
        ),
        area_id=area.pk,
    )
    force_ids = [row["pk"] for row in forces]
    _, police = _categories()
    # Built once per shape (reports.compiled): the number of forces, a stream or all of them, how many police-side
    # categories.
    window = {"force_ids": force_ids, "period_from": date_from, "period_to": date_to, "police": police}
    if stream:
        window["stream"] = stream
    shape = (len(force_ids), bool(stream), len(police))
    with compiled.without_jit(Assessment):
        assessments = compiled.rows(
            Assessment,
            ("comparison: assessments", *shape),
            lambda police, **window: _assessment_counts(
                rollup_assessments(**window), "force_id", police_category_ids=police
            ),
            **window,
        )
        defects = compiled.rows(
            Defect,
            ("comparison: defects", *shape),
            lambda police, **window: (
                rollup_defects(**window, category_ids=police).order_by().values("force_id").annotate(n=Count("pk"))
            ),
            **window,
        )
    per_force, total = {}, {}
    for row in assessments:
        _add_counts(per_force.setdefault(row["force_id"], {}), row)
        _add_counts(total, row)  # the Area's total: each assessment is of one force
    defects_per_force = {row["force_id"]: row["n"] for row in defects}
    total_defects = sum(defects_per_force.values())
    total_assessed, total_defective = total.get("assessed", 0), total.get("defective", 0)

    rows = []
    for force in forces:  # one row per force of the Area, from the aggregates above
        pk, code, name = force["pk"], force["code"], force["name"]
        counts = per_force.get(pk, {})
        headline = _headline(counts, defects_per_force.get(pk, 0))
        assessed, defective = counts.get("assessed", 0), counts.get("defective", 0)
        rest = _proportion(total_defective - defective, total_assessed - assessed)
        rate = headline["defective_rate"]
        differs = None
        if assessed and total_assessed - assessed:
            if rate["ci_low"] > rest["ci_high"]:
                differs = "higher"
            elif rate["ci_high"] < rest["ci_low"]:
                differs = "lower"
        rows.append({"force": code, "name": name, **headline, "rest_of_area_defective_rate": rest, "differs": differs})
    return {
        "area": area.code,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "stream": stream,
        "forces": rows,
        "total": _headline(total, total_defects),
    }


# --- meetings and action items ------------------------------------------------------------------------------


def meeting_list(*, user) -> QuerySet[Meeting]:
    """Meetings ``user`` may read, with their Area, forces and action items."""
    return (
        Meeting.objects.visible_to(user)
        .select_related("area", "created_by")
        .prefetch_related("forces", "action_items__owner")
    )


def action_item_list(*, user) -> QuerySet[ActionItem]:
    """Action items ``user`` may read (those of the meetings it reads), with their meeting and owner."""
    return ActionItem.objects.visible_to(user).select_related("meeting", "meeting__area", "owner")


def reads_meetings(*, user) -> bool:
    """True when ``Meeting.objects.visible_to`` (and so ``ActionItem``'s) can give ``user`` rows: a superuser, or an
    active member of an organisation (an Area's members read its meetings; a force's members, chief officers included,
    those covering their force). That rule's yes/no, on the same membership condition, for the web pages of meetings
    and action items: the staff flag adds nothing.
    """
    if is_anonymous(user) or user.pk is None:
        return False
    return user.is_superuser or _member_of(user).exists()
