"""A year of synthetic dip sampling for the demo Area (docs/architecture.md "Demo data").

Deterministic (seeded) and free of personal data: cases are URNs, defects are described
the way a disclosure lead describes a schedule, never a person. Each force has its own
defect profile and its own trend over the year (GMP improving, LANCS flat, CUMBRIA getting
worse), so the charts show something true of the data. Every timestamp is backdated to when
it would have happened: a schedule is recorded the day it is received, a month's sample is
planned and drawn just after the month ends, assessed over the next fortnight, then completed
and signed off (never later than now). Idempotent: once any demo sample exists, nothing more
is added.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from disclosure import services
from disclosure.models import (
    Criterion,
    DefectCategory,
    DipSample,
    ScheduleKind,
)
from disclosure.selectors import checklist_current, dip_sample_eligible_schedules, draw_cap
from forces.models import Organisation, Stream

# Force number (first two URN digits), station codes, and the defect profile: the share of
# sampled schedules that are defective in the first and in the last month of the year (in between it
# moves in a straight line), and the categories its defects come from (weighted).
PROFILES = {
    "GMP": {
        "number": "06",
        "units": ["MA", "MB", "MC"],
        "cases_per_month": 6,
        "defective": (0.80, 0.44),  # improving
        "categories": {"D02": 6, "D01": 5, "E01": 3, "C01": 2, "D03": 3, "X01": 1, "T01": 2, "P01": 2, "P03": 1},
    },
    "LANCS": {
        "number": "04",
        "units": ["LP", "LB"],
        "cases_per_month": 5,
        "defective": (0.45, 0.45),  # flat
        "categories": {"T01": 5, "S02": 4, "D04": 3, "D05": 3, "D01": 2, "E02": 1, "P02": 2, "P04": 2},
    },
    "CUMBRIA": {
        "number": "03",
        "units": ["CC", "CK"],
        "cases_per_month": 3,
        "defective": (0.12, 0.44),  # getting worse
        "categories": {"D03": 4, "D05": 3, "X02": 2, "S02": 2, "C03": 2, "X01": 1, "P01": 1},
    },
}

#: How a lead would describe each defect. No names, addresses or dates of birth: ever.
DESCRIPTIONS = {
    "S01": "MG6E not supplied with the file; chased with the OIC.",
    "S02": "MG6C not signed or dated by the disclosure officer.",
    "S03": "SDC supplied although an MG6 series is required for a Crown Court trial.",
    "D01": "Item {n} described only as 'statement'; cannot tell whether to inspect.",
    "D02": "Items {n}-{m} block listed as 'various documents'; list each item separately.",
    "D03": "Unexplained abbreviations (e.g. 'FSR', 'NFA') in the item descriptions.",
    "D04": "Numbering jumps from item {n} to item {m} on the continuation sheet.",
    "D05": "Location of items {n}-{m} not stated.",
    "C01": "Officer's pocket notebook entries for the arrest not scheduled.",
    "C02": "Previous incident logs (presumed to meet the test) not revealed.",
    "C03": "No strategy for the phone download or third-party material in the DMD.",
    "X01": "Item {n} on the MG6C is sensitive (informant-related) and belongs on the MG6D.",
    "X02": "MG6D item {n} claims sensitivity without a reason.",
    "X03": "Item {n} description on the MG6C includes personal details of a witness; redact and re-serve.",
    "E01": "MG6E is nil without any explanation.",
    "E02": "CCTV gap at item {n} might assist the defence but is not on the MG6E.",
    "T01": "Schedules received {n} days after the date agreed in the case progression plan.",
    "P01": "Prosecutor endorsed the MG6C without recording reasons on the DRS.",
    "P02": "Defective MG6C accepted without challenge to the disclosure officer.",
    "P03": "DRS does not record the decision on items {n}-{m}.",
    "P04": "No feedback sent to the police on the defective schedule.",
}

STREAM_SHAPES = {
    Stream.MC: [ScheduleKind.SDC],
    Stream.CC: [ScheduleKind.MG6C, ScheduleKind.MG6D, ScheduleKind.MG6E],
    Stream.RASSO: [ScheduleKind.MG6C, ScheduleKind.MG6D, ScheduleKind.MG6E, ScheduleKind.DMD],
}


def _months(today: datetime.date, count: int = 12) -> list[tuple[datetime.date, datetime.date]]:
    """The ``count`` whole calendar months before ``today``'s month, oldest first."""
    months = []
    first = today.replace(day=1)
    for _ in range(count):
        last = first - datetime.timedelta(days=1)
        first = last.replace(day=1)
        months.append((first, last))
    return list(reversed(months))


#: Days after a month's end on which its sample is planned, drawn, assessed (a range),
#: completed and signed off by each side. Meetings (reports/demo.py) come after the sign-offs.
PLANNED_AFTER, DRAWN_AFTER, ASSESSED_AFTER = 1, 2, (3, 12)
COMPLETED_AFTER, CPS_SIGNED_AFTER, POLICE_SIGNED_AFTER = 13, 15, 17


def defective_chance(profile: dict, index: int, months: int = 12) -> float:
    """The share of month ``index``'s schedules (0 the oldest) that are defective: the profile's trend.

    Each force and stream carries what it owes from month to month, so the shares follow the
    trend to within a schedule rather than by chance."""
    start, end = profile["defective"]
    return start + (end - start) * index / max(1, months - 1)


def _moment(rng: random.Random, day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """A working-hours moment on ``day`` (UTC), never later than ``now``."""
    at = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
    at += datetime.timedelta(minutes=rng.randrange(8 * 60))
    return min(at, now)


def _backdate(rows: list, moments: list[datetime.datetime]) -> None:
    """Set ``created_at`` and ``updated_at`` of ``rows`` (saved models) to ``moments``, in one query per model."""
    if not rows:
        return
    for row, at in zip(rows, moments, strict=True):
        row.created_at = row.updated_at = at
    type(rows[0]).objects.bulk_update(rows, ["created_at", "updated_at"])


def _answers(rng: random.Random, criteria: list[Criterion], kind: str, defective: bool) -> list[dict]:
    """One answer per criterion applying to ``kind``, as a lead would give them.

    A sound schedule meets every criterion. A defective one falls short on one to three
    criteria, and, half the time where a critical criterion applies, fails a critical one.
    The rating is left to the service, which computes it from these answers.
    """
    applying = [criterion for criterion in criteria if criterion.applies_to_kind(kind)]
    results = {criterion.code: "fully_meets" for criterion in applying}
    if defective:
        ordinary = [criterion for criterion in applying if not criterion.is_critical]
        for criterion in rng.sample(ordinary, k=min(len(ordinary), rng.randint(1, 3))):
            results[criterion.code] = rng.choice(["partially_meets", "not_meeting"])
        critical = [criterion for criterion in applying if criterion.is_critical]
        if critical and rng.random() < 0.5:
            results[rng.choice(critical).code] = "not_meeting"
    return [{"criterion": code, "result": result} for code, result in results.items()]


def _backdate_sample(sample: DipSample, *, last: datetime.date, clock: random.Random, now, signed: bool) -> None:
    """A month's sample is planned and drawn just after the month, completed and signed off a fortnight later."""

    def after(days: int) -> datetime.datetime:
        return _moment(clock, last + datetime.timedelta(days=days), now)

    created, drawn = after(PLANNED_AFTER), after(DRAWN_AFTER)
    moments = {"created_at": created, "drawn_at": drawn, "updated_at": drawn}
    if signed:
        moments.update(
            completed_at=after(COMPLETED_AFTER),
            cps_signed_off_at=after(CPS_SIGNED_AFTER),
            police_signed_off_at=after(POLICE_SIGNED_AFTER),
        )
        moments["updated_at"] = moments["police_signed_off_at"]
    DipSample.objects.filter(pk=sample.pk).update(**moments)


def seed_dip_samples(*, stdout) -> None:
    forces = {o.code: o for o in Organisation.objects.filter(code__in=PROFILES)}
    if DipSample.objects.filter(force__in=forces.values()).exists():
        stdout.write("Demo dip samples already present: nothing added.")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__endswith="-lead")}
    categories = {c.code: c for c in DefectCategory.objects.all()}
    criteria = list(checklist_current().criteria.all())
    months = _months(timezone.localdate())
    now = timezone.now()
    serial = 0
    totals = {"samples": 0, "assessments": 0, "defects": 0}

    for code, profile in PROFILES.items():
        force = forces[code]
        for stream in Stream.values:
            rng = random.Random(f"demo-{code}-{stream}")  # noqa: S311 - synthetic data, reproducible on purpose
            clock = random.Random(f"demo-clock-{code}-{stream}")  # noqa: S311 - the times, apart from the data
            owed = 0.0  # defective schedules the trend asks for and not yet given (so the trend shows, not noise)
            police_lead = users[f"{code.lower()}-{stream}-lead"]
            cps_lead = users[f"cps-{stream}-lead"]
            for index, (first, last) in enumerate(months):
                chance = defective_chance(profile, index, len(months))
                cases, schedules, schedule_times = [], [], []
                for _ in range(profile["cases_per_month"] - (1 if stream == Stream.RASSO else 0)):
                    serial += 1
                    urn = f"{profile['number']}{rng.choice(profile['units'])}{serial:05d}{first:%y}"
                    case = services.case_create(actor=police_lead, force=force, urn=urn, stream=stream)
                    cases.append(case)
                    for kind in STREAM_SHAPES[stream]:
                        received = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
                        schedule_times.append(_moment(clock, received, now))
                        schedule = services.schedule_create(
                            actor=police_lead,
                            case=case,
                            kind=kind,
                            received_on=received,
                            item_count=0 if kind == ScheduleKind.MG6D and rng.random() < 0.6 else rng.randint(4, 180),
                        )
                        schedules.append(schedule)
                # A case is recorded when its first schedule arrives; each schedule the day it is received.
                _backdate(schedules, schedule_times)
                per_case = len(STREAM_SHAPES[stream])
                _backdate(
                    cases, [min(schedule_times[i : i + per_case]) for i in range(0, len(schedule_times), per_case)]
                )
                sample = services.dip_sample_create(
                    actor=cps_lead,
                    force=force,
                    stream=stream,
                    period_start=first,
                    period_end=last,
                    police_lead=police_lead,
                )
                totals["samples"] += 1
                eligible = dip_sample_eligible_schedules(dip_sample=sample).count()
                sample = services.dip_sample_draw(
                    actor=cps_lead, dip_sample=sample, size=min(4, draw_cap(eligible)), seed=1000 + index
                )
                assessments, assessment_times, defects, defect_times = [], [], [], []
                drawn = list(sample.schedules.select_related("case").order_by("sampled__position"))
                owed += chance * len(drawn)
                quota = min(len(drawn), max(0, round(owed)))
                owed -= quota
                defective_positions = set(rng.sample(range(len(drawn)), quota))
                for position, schedule in enumerate(drawn):
                    defective = position in defective_positions
                    assessment = services.assessment_create(
                        actor=rng.choice([cps_lead, police_lead]),
                        dip_sample=sample,
                        schedule=schedule,
                        answers=_answers(rng, criteria, schedule.kind, defective),
                        drs_complete=rng.random() < (0.55 if defective else 0.9),
                        prosecutor_fed_back=defective and rng.random() < 0.4,
                    )
                    totals["assessments"] += 1
                    assessed_at = _moment(clock, last + datetime.timedelta(days=clock.randint(*ASSESSED_AFTER)), now)
                    assessments.append(assessment)
                    assessment_times.append(assessed_at)
                    if not defective:
                        continue
                    codes = list(profile["categories"])
                    weights = list(profile["categories"].values())
                    police = [code for code in codes if categories[code].side == "police"]
                    # Defective means at least one police-side defect (docs/domain.md); CPS-side ones may come with it.
                    chosen = rng.choices(police, weights=[profile["categories"][code] for code in police], k=1)
                    chosen += rng.choices(codes, weights=weights, k=rng.randint(0, 2))
                    for category_code in sorted(set(chosen)):
                        n = rng.randint(2, 40)
                        defect = services.defect_create(
                            actor=cps_lead,
                            assessment=assessment,
                            category=categories[category_code],
                            item_reference=f"{schedule.kind.upper()} item {n}",
                            description=DESCRIPTIONS[category_code].format(n=n, m=n + rng.randint(2, 9)),
                        )
                        totals["defects"] += 1
                        defects.append(defect)
                        defect_times.append(min(assessed_at + datetime.timedelta(minutes=5 * len(defects)), now))
                _backdate(assessments, assessment_times)
                _backdate(defects, defect_times)
                if index < len(months) - 1:  # the latest month is assessed but not yet completed
                    services.dip_sample_complete(actor=cps_lead, dip_sample=sample)
                    services.dip_sample_sign_off(actor=cps_lead, dip_sample=sample)
                    services.dip_sample_sign_off(actor=police_lead, dip_sample=sample)
                _backdate_sample(sample, last=last, clock=clock, now=now, signed=index < len(months) - 1)
    stdout.write(
        f"Demo dip sampling: {totals['samples']} samples, {totals['assessments']} assessments, "
        f"{totals['defects']} defects over {months[0][0]:%b %Y}-{months[-1][1]:%b %Y}."
    )
