"""Fixtures for the feedback tests: defects on GMP's Crown Court schedules, and feedback on them."""

import datetime

import pytest
from django.utils import timezone

from disclosure import services as disclosure_services
from disclosure.models import DefectCategory
from feedback.models import Feedback
from feedback.services import feedback_message_create
from tests.conftest import replayed
from tests.factories import assess, make_feedback, make_sample


def log_defects(*, world, sample, codes_by_schedule):
    """Assess each sampled schedule of ``sample`` and log defects of the given category codes on it."""
    defects = []
    for schedule, codes in zip(sample.schedules.order_by("sampled__position"), codes_by_schedule, strict=True):
        assessment = assess(actor=world.cps_lead, sample=sample, schedule=schedule)
        for n, code in enumerate(codes, start=1):
            defects.append(
                disclosure_services.defect_create(
                    actor=world.cps_lead,
                    assessment=assessment,
                    category=DefectCategory.objects.get(code=code),
                    description=f"Item {n} described only as 'document'.",
                )
            )
    return defects


def more_feedback(world, months, *, overdue: bool = False) -> None:
    """For each month of last year: a GMP cc sample with two defects and feedback on them in three states
    (draft, sent, responded), the sent one with a message - and past its due date if ``overdue``."""
    for month in months:
        sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=month)
        defects = log_defects(world=world, sample=sample, codes_by_schedule=[["D02", "D03"]])
        for status in ("draft", "sent", "responded"):
            feedback = make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=defects, status=status)
            if status == "sent":
                feedback_message_create(actor=world.gmp_lead, feedback=feedback, body="Which items were re-listed?")
                if overdue:
                    yesterday = timezone.localdate() - datetime.timedelta(days=1)
                    Feedback.objects.filter(pk=feedback.pk).update(due_on=yesterday)


def sign_off(world, sample, police):
    sample = disclosure_services.dip_sample_complete(actor=world.cps_lead, dip_sample=sample)
    disclosure_services.dip_sample_sign_off(actor=world.cps_lead, dip_sample=sample)
    return disclosure_services.dip_sample_sign_off(actor=police, dip_sample=sample)


@pytest.fixture
def gmp_defects(world):
    """Three police-side defects (D02, D01, X03) on one GMP cc case, and one CPS-side (P01) on another.

    Replayed from a recording where one fits (tests/replay.py).
    """

    def build():
        sample = make_sample(cps_lead=world.cps_lead, police_lead=world.gmp_lead, force=world.gmp, month=2, schedules=2)
        codes = [["D02", "D01", "X03"], ["P01"]]
        d02, d01, x03, p01 = log_defects(world=world, sample=sample, codes_by_schedule=codes)
        return {"D02": d02, "D01": d01, "X03": x03, "P01": p01, "sample": sample}

    return replayed(world, "feedback.gmp_defects", build)


@pytest.fixture
def feedback_in(world, gmp_defects):
    """``feedback_in(status, breach=False)``: GMP cc feedback on D02 (and X03 for a breach) taken up to ``status``."""

    def make(status, *, breach=False, **respond):
        defects = [gmp_defects["D02"], *([gmp_defects["X03"]] if breach else [])]
        return make_feedback(cps=world.cps_lead, police=world.gmp_lead, defects=defects, status=status, **respond)

    return make


def monday(year, month, day):
    date = datetime.date(year, month, day)
    assert date.weekday() == 0
    return date
