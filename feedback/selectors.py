"""Reads for feedback to forces."""

import datetime

from django.db.models import QuerySet

from disclosure.models import Defect


def feedback_summary(*, defects: QuerySet[Defect], today: datetime.date) -> dict:
    """stub until the feedback app lands"""
    return {
        "sent": 0,
        "responded": 0,
        "responded_on_time": 0,
        "overdue": 0,
        "disputed": 0,
        "breaches": 0,
        "median_days_to_response": None,
    }
