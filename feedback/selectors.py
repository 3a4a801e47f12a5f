"""Reads for feedback: the API's read layer (each starts from ``visible_to(user)``) and the figures for reports."""

import datetime
from collections import Counter

from django.db.models import Count, Exists, Expression, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from backend.querysets import related_count
from disclosure.models import Defect, DipSample, DipSampleStatus, Side
from feedback.models import (
    AWAITING_CPS,
    AWAITING_POLICE,
    Feedback,
    FeedbackMessage,
    FeedbackStatus,
    Notice,
    Outcome,
    overdue_q,
)
from feedback.workdays import working_days_counter
from forces.models import Membership, OrganisationKind, Role


def feedback_list(*, user) -> QuerySet[Feedback]:
    """Feedback ``user`` may read (drafts only on the CPS side), with ``is_overdue`` as of today."""
    return (
        Feedback.objects.visible_to(user)
        .with_overdue(timezone.localdate())
        .select_related("force", "area", "case", "created_by", "responded_by")
        .prefetch_related(Prefetch("defects", queryset=Defect.objects.select_related("category").order_by("id")))
        .annotate(message_count=related_count(FeedbackMessage.objects.all(), "feedback"))
    )


def feedback_messages(*, feedback: Feedback) -> QuerySet[FeedbackMessage]:
    """The thread of a feedback item the caller has already found in scope, oldest first."""
    return FeedbackMessage.objects.filter(feedback=feedback).select_related("author").order_by("created_at", "id")


def notice_list(*, user) -> QuerySet[Notice]:
    """The caller's own notices, with their feedback's due date and force."""
    return Notice.objects.visible_to(user).select_related("force", "feedback")


def feedback_awaiting(*, user) -> Q:
    """A filter for feedback waiting for ``user``'s side: the CPS leads' drafts and responses, the force's sent items.

    By the streams ``user`` leads; nothing for anyone else.
    """
    scope = Q(pk__in=[])
    memberships = Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD).values_list(
        "organisation_id", "organisation__kind", "stream"
    )
    for organisation_id, kind, stream in memberships:
        if kind == OrganisationKind.CPS_AREA:
            where = Q(area_id=organisation_id, status__in=AWAITING_CPS)
        else:
            where = Q(force_id=organisation_id, status__in=AWAITING_POLICE)
        scope |= where & Q(stream=stream) if stream else where
    return scope


def samples_ready_for_feedback(*, user) -> QuerySet[DipSample]:
    """Signed-off samples ``user`` may draft feedback from (a CPS lead of their stream, in their Area)
    that have police-side defects not yet in any feedback: the CPS lead's next step. Oldest period first."""
    scope = Q(pk__in=[])
    memberships = Membership.objects.filter(
        user=user, role=Role.DISCLOSURE_LEAD, organisation__kind=OrganisationKind.CPS_AREA
    ).values_list("organisation_id", "stream")
    for organisation_id, stream in memberships:
        where = Q(area_id=organisation_id)
        scope |= where & Q(stream=stream) if stream else where
    undrafted = Defect.objects.filter(
        assessment__dip_sample=OuterRef("pk"), category__side=Side.POLICE, feedback__isnull=True
    )
    return (
        DipSample.objects.visible_to(user)
        .filter(scope, Exists(undrafted), status=DipSampleStatus.SIGNED_OFF)
        .select_related("force")
        .order_by("period_start", "id")
    )


def feedback_summary(*, defects: QuerySet[Defect], today: datetime.date) -> dict:
    """Figures about the feedback items linked to any of ``defects`` (each item counted once).

    ``sent``: ever sent (not a draft); ``responded``: answered (responded, or closed since);
    ``responded_on_time``: answered on or before ``due_on``; ``overdue``: awaiting the force and
    past ``due_on`` on ``today``; ``disputed``; ``breaches`` (an X03 defect);
    ``median_days_to_response``: in working days from sending to the response. One query,
    whatever the number of items (``feedback_summaries``). The caller scopes ``defects``.
    """
    items = Feedback.objects.filter(
        pk__in=Feedback.defects.through.objects.filter(defect__in=defects).values("feedback_id")
    )
    return feedback_summaries(items=items, by=Value(True), today=today).get(True) or empty_feedback_summary()


def empty_feedback_summary() -> dict:
    """``feedback_summary``'s figures about no item."""
    return dict.fromkeys(FEEDBACK_COUNTS, 0) | {"median_days_to_response": None}


#: The counts of ``feedback_summary``, in its order.
FEEDBACK_COUNTS = ("sent", "responded", "responded_on_time", "overdue", "disputed", "breaches")


def feedback_summaries(*, items: QuerySet[Feedback], by: Expression, today: datetime.date) -> dict:
    """``feedback_summary``'s figures of ``items`` for each value of ``by``: ``{value: figures}``, in one query.

    ``items`` may repeat an item (joined to several of its defects) and ``by`` may read the joined
    rows (which window a defect is in): an item counts once for each value of ``by`` it has. Values
    with no item are absent.
    """
    return feedback_figures(feedback_counts(items=items, by=by, today=today))


def feedback_counts(*, items: QuerySet[Feedback], by: Expression, today: datetime.date) -> QuerySet:
    """The statement of ``feedback_summaries``: counts of distinct items per (``by``, day sent, day answered).

    Local days. The counts add up over the groups, which part the items, and the median reads a
    row per pair of days, not per item (at national volume a force-year has thousands of items,
    few pairs of days). ``feedback_figures`` reads its rows.
    """
    answered = Q(status__in=(FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED), responded_at__isnull=False)
    return (
        items.order_by()
        .values(key=by, sent_on=TruncDate("sent_at"), responded_on=TruncDate("responded_at"))
        .annotate(
            sent=Count("pk", distinct=True, filter=~Q(status=FeedbackStatus.DRAFT)),
            responded=Count("pk", distinct=True, filter=answered),
            responded_on_time=Count("pk", distinct=True, filter=answered & Q(responded_at__date__lte=F("due_on"))),
            overdue=Count("pk", distinct=True, filter=overdue_q(today)),
            disputed=Count("pk", distinct=True, filter=Q(outcome=Outcome.DISPUTED)),
            breaches=Count("pk", distinct=True, filter=Q(is_breach=True)),
            timed=Count("pk", distinct=True, filter=answered & Q(sent_at__isnull=False)),
        )
    )


def feedback_figures(rows) -> dict:
    """``{key: figures}`` from the rows (dicts) of ``feedback_counts``."""
    counts, timed = {}, {}
    for row in rows:
        key = row["key"]
        totals = counts.setdefault(key, dict.fromkeys(FEEDBACK_COUNTS, 0))
        for name in FEEDBACK_COUNTS:
            totals[name] += row[name]
        pairs = timed.setdefault(key, [])
        if row["timed"]:
            pairs.append((row["sent_on"], row["responded_on"], row["timed"]))
    days_between = working_days_counter(day for pairs in timed.values() for pair in pairs for day in pair[:2])
    figures = {}
    for key, totals in counts.items():
        items_by_days = Counter()
        for sent_on, responded_on, n in timed[key]:
            items_by_days[days_between(sent_on, responded_on)] += n
        figures[key] = totals | {"median_days_to_response": _weighted_median(items_by_days)}
    return figures


def _weighted_median(counts: Counter) -> float | None:
    """The median of the values counted in ``counts`` (value -> how many), as ``statistics.median`` of them all."""
    total = sum(counts.values())
    if not total:
        return None
    middle = {(total - 1) // 2, total // 2}  # the one middle position, or the two of an even count
    found, seen = [], 0
    for value, n in sorted(counts.items()):
        found.extend(value for position in sorted(middle) if seen <= position < seen + n)
        seen += n
    return float(sum(found) / len(found))
