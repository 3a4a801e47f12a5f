"""Working days in England and Wales: weekends and bank holidays excluded.

Bank holidays come from the maintained ``holidays`` package (England's calendar, which Wales
shares), substitute days included (Boxing Day on a Saturday is observed on the Monday).
"""

import datetime
import functools
from collections.abc import Callable, Iterable

import holidays


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (negative: before it). ``start`` itself never counts."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_counter(days: Iterable[datetime.date]) -> Callable[[datetime.date, datetime.date], int]:
    """``working_days_between`` for pairs of ``days``, from one pass over the calendar from the first to the last.

    A force-year has a thousand pairs of days (day sent, day answered) a few weeks apart: walking each
    pair's days cost more than the query at national volume. Here each day of the span is looked at
    once: the working days up to it, less those up to the start.
    """
    days = sorted(set(days))
    if not days:
        return working_days_between
    up_to, count, day = {}, 0, days[0]
    while day <= days[-1]:
        if day != days[0] and is_working_day(day):
            count += 1
        up_to[day] = count
        day += datetime.timedelta(days=1)

    def between(start: datetime.date, end: datetime.date) -> int:
        return up_to[end] - up_to[start] if end > start else 0

    return between
