"""Reads for the roll-ups: the force summary, the Area comparison, meetings and action items.

Who may read a summary is decided once, in ``forces.selectors.summary_force_list`` (and
``comparison_area_list``); the figures are the agreed ones of docs/decisions/0011-summaries-and-meetings.md.
Every figure is aggregated by the database: a summary costs the same few queries whatever the
number of samples, assessments and defects. Python only does arithmetic on those aggregates.
"""

import datetime
import math

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from disclosure.models import Defect, DefectCategory, Rating, Severity, Side
from disclosure.selectors import rollup_assessments, rollup_defects
from feedback.selectors import feedback_summary
from forces.models import Organisation, Stream
from forces.selectors import comparison_area_list, summary_force_list
from reports.models import ActionItem, ActionItemStatus, Meeting

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


# --- aggregates ---------------------------------------------------------------------------------------------


def _police_defect_of_outer_assessment():
    return Exists(Defect.objects.filter(assessment=OuterRef("pk"), category__side=Side.POLICE))


def _with_police_defect(assessments: QuerySet) -> QuerySet:
    """``assessments`` with ``has_police_defect``, the one ``EXISTS`` that ``_headline_aggregates`` reads.

    ``aggregate()`` over it selects the ``EXISTS`` once per assessment in a subquery and counts over
    that; a grouped ``annotate()`` inlines it in each count's ``FILTER``.
    """
    return assessments.annotate(has_police_defect=_police_defect_of_outer_assessment())


def _headline_aggregates() -> dict:
    """The headline counts, over ``_with_police_defect(assessments)``."""
    return {
        "assessed": Count("pk"),
        "fully_meets": Count("pk", filter=Q(rating=Rating.FULLY_MEETS)),
        "partially_meets": Count("pk", filter=Q(rating=Rating.PARTIALLY_MEETS)),
        "not_meeting": Count("pk", filter=Q(rating=Rating.NOT_MEETING)),
        "drs_complete": Count("pk", filter=Q(drs_complete=True)),
        "defective": Count("pk", filter=Q(has_police_defect=True)),
        # The column first: PostgreSQL evaluates an AND left to right and stops at the first false, so where
        # the EXISTS is inlined (grouped counts) it runs again only for the assessments fed back.
        "fed_back": Count("pk", filter=Q(prosecutor_fed_back=True) & Q(has_police_defect=True)),
    }


def _headline(counts: dict, police_defects: int) -> dict:
    """The headline figures from one row of ``_headline_aggregates`` (plus the police-side defect count)."""
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
    series: bool,
) -> dict:
    """The summary figures of ``force`` for a window, unchecked (callers decide who may read them)."""
    window = {
        "force_ids": [force.pk],
        "period_from": date_from,
        "period_to": date_to,
        "stream": stream,
        "include_unsigned": include_unsigned,
    }
    assessments = rollup_assessments(**window)
    police_defects = rollup_defects(**window, side=Side.POLICE)
    totals = _with_police_defect(assessments).aggregate(**_headline_aggregates())  # query 1
    severities = dict(
        police_defects.order_by().values_list("severity").annotate(n=Count("pk"))  # query 2
    )
    by_category = dict(
        rollup_defects(**window).order_by().values_list("category_id").annotate(n=Count("pk"))
    )  # query 3
    categories = sorted(
        (
            {"code": code, "name": name, "count": by_category.get(pk, 0)}
            for pk, code, name in DefectCategory.objects.order_by("code").values_list("pk", "code", "name")  # query 4
        ),
        key=lambda row: (-row["count"], row["code"]),
    )
    figures = {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        **_headline(totals, sum(severities.values())),
        "defects_by_category": categories,
        "defects_by_severity": {severity: severities.get(severity, 0) for severity in Severity.values},
        "feedback": feedback_summary(defects=police_defects, today=today),
    }
    if not series:
        return figures

    streams = [stream] if stream else Stream.values
    stream_counts = {
        row.pop("dip_sample__stream"): row
        for row in _with_police_defect(assessments)
        .order_by()
        .values("dip_sample__stream")
        .annotate(**_headline_aggregates())  # query 5
    }
    stream_defects = dict(
        police_defects.order_by().values_list("assessment__dip_sample__stream").annotate(n=Count("pk"))  # query 6
    )
    figures["by_stream"] = [
        {"stream": name, **_headline(stream_counts.get(name, {}), stream_defects.get(name, 0))} for name in streams
    ]
    monthly_counts = {
        _as_date(row["month"]): row
        for row in assessments.order_by()
        .annotate(month=TruncMonth("dip_sample__period_end"))
        .values("month")
        .annotate(assessed=Count("pk"), defective=Count("pk", filter=_police_defect_of_outer_assessment()))  # q 7
    }
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
    overdue = ActionItem.objects.filter(owner=force, status=ActionItemStatus.OPEN).aggregate(  # query 8
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    figures["action_items"] = {"open": overdue["open"], "overdue": overdue["overdue"]}
    return figures


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


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
    figures = _figures(
        force=force,
        date_from=date_from,
        date_to=date_to,
        stream=stream,
        include_unsigned=include_unsigned,
        today=today,
        series=True,
    )
    previous_from, previous_to = previous_window(date_from, date_to)
    previous = _figures(
        force=force,
        date_from=previous_from,
        date_to=previous_to,
        stream=stream,
        include_unsigned=include_unsigned,
        today=today,
        series=False,
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
    if not summary_force_list(user=user).filter(pk=force.pk).exists():
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
    if not comparison_area_list(user=user).filter(pk=area.pk).exists():
        raise Http404("No Area comparison that you can read.")
    forces = list(Organisation.objects.forces().filter(area=area).order_by("code").values_list("pk", "code", "name"))
    force_ids = Organisation.objects.forces().filter(area=area).values("pk")
    window = {"force_ids": force_ids, "period_from": date_from, "period_to": date_to, "stream": stream}
    assessments = rollup_assessments(**window)
    police_defects = rollup_defects(**window, side=Side.POLICE)
    per_force = {
        row.pop("force_id"): row
        for row in _with_police_defect(assessments).order_by().values("force_id").annotate(**_headline_aggregates())
    }
    defects_per_force = dict(police_defects.order_by().values_list("force_id").annotate(n=Count("pk")))
    total = _with_police_defect(assessments).aggregate(**_headline_aggregates())
    total_defects = police_defects.count()
    total_assessed, total_defective = total["assessed"] or 0, total["defective"] or 0

    rows = []
    for pk, code, name in forces:  # one row per force of the Area, from the aggregates above
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
