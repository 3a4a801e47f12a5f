"""STUB of the summaries (branch ``reportsb``): the real ones come from branch ``reports``.

Same signatures and the same shape of result as the interface agreed between the two branches,
with fixed, realistic figures, so the packs, the poster and the dashboards can be built and
tested. The lead keeps the ``reports`` branch's version of this file at merge; nothing on this
branch depends on the figures below, only on the shape.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404

from forces.models import Membership, Organisation, OrganisationKind

_CATEGORIES = [
    ("D01", "Item description insufficient to decide whether to inspect", 14),
    ("D02", "Inappropriate block / generic listing", 9),
    ("E01", "MG6E missing, or nil without explanation", 6),
    ("S02", "Schedule not signed or dated", 4),
    ("C01", "Relevant item omitted from the schedules", 2),
]


def _may_read(user, organisation: Organisation) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    ids = {organisation.pk, organisation.area_id} - {None}
    return Membership.objects.filter(user=user, organisation_id__in=ids).exists()


def _rate(value, low, high) -> dict:
    return {"value": value, "ci_low": low, "ci_high": high}


def _headline(seed: int) -> dict:
    assessed = 120 + seed
    return {
        "schedules_assessed": assessed,
        "ratings": {"fully_meets": 62 + seed, "partially_meets": 41, "not_meeting": 17},
        "defective_rate": _rate(0.4833, 0.3957, 0.5719),
        "defects_per_schedule": 0.29,
        "drs_complete_rate": 0.8417,
        "prosecutor_fed_back_rate": 0.6,
        "feedback": {
            "sent": 58,
            "responded": 49,
            "responded_on_time": 41,
            "overdue": 6,
            "disputed": 3,
            "breaches": 8,
            "median_days_to_response": 12.0,
        },
    }


def _months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months, month = [], date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


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
    """STUB. The force's figures for the period; Http404 when ``user`` may not read them."""
    if force.kind != OrganisationKind.POLICE_FORCE or not _may_read(user, force):
        raise Http404("No such force.")
    headline = _headline(len(force.code))
    monthly = [
        {
            "month": month.isoformat()[:7],
            "schedules_assessed": 8 + (index % 4),
            "defective_rate": _rate(round(0.55 - 0.01 * index, 4), 0.3, 0.75),
        }
        for index, month in enumerate(_months(date_from, date_to))
    ]
    return {
        "force": force.code,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "stream": stream,
        "include_unsigned": include_unsigned,
        **headline,
        "defects_by_category": [{"code": c, "name": n, "count": k} for c, n, k in _CATEGORIES],
        "defects_by_severity": {"minor": 12, "significant": 17, "critical": 6},
        "by_stream": [{"stream": name, **_headline(n)} for n, name in enumerate(("mc", "cc", "rasso"), start=1)],
        "monthly": monthly,
        "action_items": {"open": 3, "overdue": 1},
        "previous": _headline(0),
    }


def area_comparison(*, user, area: Organisation, date_from, date_to, stream=None, today=None) -> dict:
    """STUB. The Area's forces side by side; Http404 when ``user`` may not read the Area."""
    if area.kind != OrganisationKind.CPS_AREA or not _may_read(user, area):
        raise Http404("No such Area.")
    forces = [
        {"force": force.code, "name": force.name, **_headline(len(force.code)), "differs": None}
        for force in Organisation.objects.filter(area=area).order_by("code")
    ]
    return {
        "area": area.code,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "stream": stream,
        "forces": forces,
        "total": _headline(10),
    }


def summary_window(from_str: str | None, to_str: str | None, today: datetime.date) -> tuple:
    """STUB. The period asked for: ``to`` defaults to today, ``from`` to a year before ``to``."""
    errors = {}
    try:
        date_to = datetime.date.fromisoformat(to_str) if to_str else today
    except ValueError:
        errors["to"] = "Give a date as YYYY-MM-DD."
    try:
        date_from = datetime.date.fromisoformat(from_str) if from_str else None
    except ValueError:
        errors["from"] = "Give a date as YYYY-MM-DD."
    if errors:
        raise ValidationError(errors)
    if date_from is None:
        date_from = date_to - datetime.timedelta(days=364)
    if date_from > date_to:
        raise ValidationError({"to": "The period ends before it starts."})
    return date_from, date_to
