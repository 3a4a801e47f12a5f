"""Bulk seeding of the benchmark's synthetic data with PostgreSQL ``COPY`` (used by scripts/bench.py).

The organisation is always the national one in shape: 14 CPS Areas and 43 police forces (2 to 5
forces an Area, one very large force and a spread of sizes), each with its disclosure leads per
stream, a chief officer and an org admin; each Area with its leads, a Casework Quality Group
member and an org admin. The volume scales linearly with ``scale``:

- ``scale=1`` is about one Area's year of a busy portal: 15,000 assessments over 12 months;
- ``scale=100`` is about ten times the national volume over five years: 1.5 million
  assessments over 60 months, ~14 million checklist answers and ~5 million defects.

Per force, stream and month: ``1.5 x`` as many cases as assessments (2 to 4 schedules each, by
stream), dip samples of about 10 schedules drawn from that month's schedules (a schedule is
sampled once, ever), an assessment with its checklist answers per sampled schedule, about 3.3
defects per assessment (none on a fully-meeting one), feedback per (sample, case) with
police-side defects in every status, and a joint forum per Area and quarter with its action items.

Speed: rows are written as ``COPY ... FROM STDIN`` text, ids allocated here. The session runs
with ``session_replication_role = replica`` so that PostgreSQL does not check every foreign key
row by row (30 million index probes); instead, after loading, every foreign key of the loaded
tables is checked with one anti-join (``verify_foreign_keys``), and the run stops if any row
points nowhere. Unique and check constraints are enforced as usual (indexes, not triggers). The
audit log is not written to (its append-only trigger is untouched): seeding is not a user action.
"""

import datetime
import io
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from disclosure.demo import DESCRIPTIONS
from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Case,
    CriterionResult,
    Defect,
    DefectCategory,
    DipSample,
    DipSampleStatus,
    Rating,
    SampledSchedule,
    Schedule,
    ScheduleKind,
)
from disclosure.selectors import checklist_current
from feedback.models import BREACH_CATEGORY, Feedback, FeedbackMessage, FeedbackStatus, Outcome
from forces.models import Membership, Organisation, OrganisationKind, Role, Side, Stream
from reports.models import ActionItem, ActionItemStatus, Meeting, MeetingKind

User = get_user_model()

#: Forces per CPS Area (14 Areas, 43 forces), as in England and Wales.
FORCES_PER_AREA = [2, 5, 3, 4, 3, 2, 4, 3, 3, 4, 3, 2, 3, 2]
#: Assessments at scale 1, and the months they span (12 at scale 1, growing to 60 at scale 5).
ASSESSMENTS_PER_SCALE = 15_000
CASES_PER_ASSESSMENT = 1.5
SAMPLE_TARGET_SIZE = 10
#: Share of the cases (and so of the samples) per stream.
STREAM_WEIGHTS = {Stream.MC: 0.45, Stream.CC: 0.40, Stream.RASSO: 0.15}
#: The schedules each case of a stream gets: (kind, revision).
STREAM_SHAPES = {
    Stream.MC: [(ScheduleKind.SDC, 1), (ScheduleKind.SDC, 2)],
    Stream.CC: [(ScheduleKind.MG6C, 1), (ScheduleKind.MG6D, 1), (ScheduleKind.MG6E, 1)],
    Stream.RASSO: [(ScheduleKind.MG6C, 1), (ScheduleKind.MG6D, 1), (ScheduleKind.MG6E, 1), (ScheduleKind.DMD, 1)],
}
#: Status of a sample by the age of its month (1 = last full month); older: signed off.
STATUS_BY_AGE = {1: DipSampleStatus.PLANNED, 2: DipSampleStatus.IN_PROGRESS, 3: DipSampleStatus.COMPLETED}
#: Feedback statuses with their weights (for samples completed or signed off).
FEEDBACK_STATUSES = [
    (FeedbackStatus.CLOSED, 50),
    (FeedbackStatus.RESPONDED, 15),
    (FeedbackStatus.ACKNOWLEDGED, 10),
    (FeedbackStatus.SENT, 15),
    (FeedbackStatus.DRAFT, 10),
]
CHUNK_ROWS = 200_000


def months_for(scale: float) -> int:
    return max(12, min(60, round(12 * scale)))


def month_bounds(today: datetime.date, months_back: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar month ``months_back`` (>= 1) before ``today``'s."""
    index = today.year * 12 + today.month - 1 - months_back
    first = datetime.date(index // 12, index % 12 + 1, 1)
    following = datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def stochastic_round(value: float, rng: random.Random) -> int:
    whole = math.floor(value)
    return whole + (1 if rng.random() < value - whole else 0)


def text(value: str) -> str:
    """A value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def ts(day: datetime.date, hour: int = 10) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+00"


N = "\\N"


class Copier:
    """Rows of one table, sent with COPY every ``CHUNK_ROWS`` rows; ids allocated from the table's maximum."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.lines: list[str] = []
        self.rows = 0
        self.copy_seconds = 0.0
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a table name of ours
        self.last_id = cursor.fetchone()[0]

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def add(self, *values) -> None:
        self.lines.append("\t".join(map(str, values)))
        if len(self.lines) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        buffer = io.StringIO("\n".join(self.lines) + "\n")
        started = time.perf_counter()
        self.cursor.copy_expert(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", buffer)
        self.copy_seconds += time.perf_counter() - started
        self.rows += len(self.lines)
        self.lines = []

    def finish(self) -> None:
        self.flush()
        # Later inserts through the ORM (the benchmark's POSTs) take ids after ours.
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), %s, true)",
            [max(self.last_id, 1)],
        )


@dataclass
class World:
    """The organisations and people the benchmark data belongs to (created once)."""

    areas: list = field(default_factory=list)
    forces: list = field(default_factory=list)
    force_numbers: dict = field(default_factory=dict)  # force pk -> 1..43 (first two URN digits)
    force_weights: dict = field(default_factory=dict)  # force pk -> share of the national volume
    cps_leads: dict = field(default_factory=lambda: defaultdict(list))  # (area pk, stream) -> users
    police_leads: dict = field(default_factory=lambda: defaultdict(list))  # (force pk, stream) -> users
    chief_officers: dict = field(default_factory=dict)  # force pk -> user
    quality_group: dict = field(default_factory=dict)  # area pk -> user
    serials: dict = field(default_factory=lambda: defaultdict(int))  # force pk -> last URN serial used


def create_world(rng: random.Random) -> World:
    """14 CPS Areas, 43 forces, and their people (2 leads per stream and organisation, plus other roles)."""
    world = World()
    password = make_password(None)  # unusable: the benchmark signs in with tokens
    with transaction.atomic():
        world.areas = Organisation.objects.bulk_create(
            Organisation(code=f"CPS-B{a:02d}", name=f"Benchmark CPS Area {a}", kind=OrganisationKind.CPS_AREA)
            for a in range(1, len(FORCES_PER_AREA) + 1)
        )
        forces, number = [], 0
        for area, count in zip(world.areas, FORCES_PER_AREA, strict=True):
            for _ in range(count):
                number += 1
                forces.append(
                    Organisation(
                        code=f"BF{number:02d}",
                        name=f"Benchmark Force {number}",
                        kind=OrganisationKind.POLICE_FORCE,
                        area=area,
                    )
                )
        world.forces = Organisation.objects.bulk_create(forces)
        world.force_numbers = {force.pk: n for n, force in enumerate(world.forces, start=1)}
        # One metropolitan force (about a fifth of the volume), a large force leading Area 2, the rest spread.
        weights = {force.pk: rng.uniform(0.5, 2.0) for force in world.forces}
        weights[world.forces[0].pk] = 12.0
        weights[world.forces[FORCES_PER_AREA[0]].pk] = 4.0
        total = sum(weights.values())
        world.force_weights = {pk: w / total for pk, w in weights.items()}

        people = []  # (user, organisation, role, stream)
        for org in [*world.areas, *world.forces]:
            slug = org.code.lower()
            for stream in Stream.values:
                for n in (1, 2):
                    people.append((f"bench-{slug}-{stream}-lead{n}", org, Role.DISCLOSURE_LEAD, stream))
            if org.kind == OrganisationKind.CPS_AREA:
                people.append((f"bench-{slug}-quality", org, Role.QUALITY_GROUP, None))
            else:
                people.append((f"bench-{slug}-chief", org, Role.CHIEF_OFFICER, None))
            people.append((f"bench-{slug}-admin", org, Role.ORG_ADMIN, None))
        users = User.objects.bulk_create(User(username=name, password=password) for name, *_ in people)
        Membership.objects.bulk_create(
            Membership(user=user, organisation=org, role=role, stream=stream)
            for user, (_, org, role, stream) in zip(users, people, strict=True)
        )
        for user, (_, org, role, stream) in zip(users, people, strict=True):
            if role == Role.DISCLOSURE_LEAD:
                leads = world.cps_leads if org.kind == OrganisationKind.CPS_AREA else world.police_leads
                leads[(org.pk, stream)].append(user)
            elif role == Role.CHIEF_OFFICER:
                world.chief_officers[org.pk] = user
            elif role == Role.QUALITY_GROUP:
                world.quality_group[org.pk] = user
    return world


def _urn(world: World, force_pk: int, year: int) -> str:
    world.serials[force_pk] += 1
    unit, serial = divmod(world.serials[force_pk], 100_000)
    if unit >= 26 * 26:
        raise SystemExit("scale too large: URNs ran out for a force.")
    # Unit codes AB, AC, ... (the serial has 5 digits): unique per force and URN.
    unit_code = chr(65 + unit // 26) + chr(65 + (unit + 1) % 26)
    return f"{world.force_numbers[force_pk]:02d}{unit_code}{serial:05d}{year % 100:02d}"


def seed_round(world: World, *, ages: list[int], scale: float, rng: random.Random) -> dict:
    """Seed the months ``ages`` (1 = last full month) for every force and stream at ``scale``.

    Rounds cover disjoint months, so a round's samples draw only its own schedules.
    """
    started = time.perf_counter()
    today = timezone.localdate()
    now = ts(today, 6)
    months_total = months_for(scale)
    checklist = checklist_current()
    criteria_by_kind = {
        kind: [c.pk for c in checklist.criteria.all() if c.applies_to_kind(kind)] for kind in ScheduleKind.values
    }
    categories = list(DefectCategory.objects.values_list("pk", "code", "side", "default_severity"))
    police_categories = {pk for pk, _, side, _ in categories if side == Side.POLICE}
    breach_category = next(pk for pk, code, _, _ in categories if code == BREACH_CATEGORY)
    ratings, results = list(Rating.values), list(CriterionResult.values)
    statuses, status_weights = zip(*FEEDBACK_STATUSES, strict=True)

    connection.ensure_connection()
    raw = connection.connection
    cursor = raw.cursor()
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    # Secondary indexes (not unique: those enforce constraints) are dropped for the load and
    # rebuilt once after it, which is much faster than updating each of them row by row.
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
        """,
        [SEEDED_TABLES],
    )
    secondary = cursor.fetchall()
    for name, _ in secondary:
        cursor.execute(f'DROP INDEX "{name}"')
    tenant = ["force_id", "area_id", "created_at", "updated_at", "created_by_id"]
    cases_w = Copier(cursor, Case._meta.db_table, ["id", *tenant, "urn", "stream"])
    schedules_w = Copier(
        cursor,
        Schedule._meta.db_table,
        ["id", *tenant, "case_id", "kind", "revision", "received_on", "item_count"],
    )
    samples_w = Copier(
        cursor,
        DipSample._meta.db_table,
        [
            "id", "row_version", *tenant, "stream", "period_start", "period_end", "status", "cps_lead_id",
            "police_lead_id", "size", "seed", "eligible_count", "eligible_ids", "drawn_at", "draw_count",
            "overlap_reason", "cps_signed_off_by_id", "cps_signed_off_at", "police_signed_off_by_id",
            "police_signed_off_at", "completed_at", "reopened_at", "reopen_reason",
        ],
    )  # fmt: skip
    sampled_w = Copier(
        cursor,
        SampledSchedule._meta.db_table,
        ["id", "dip_sample_id", "schedule_id", "position", "method", "reason", "not_assessable_reason"],
    )
    assessments_w = Copier(
        cursor,
        Assessment._meta.db_table,
        [
            "id", "row_version", *tenant, "dip_sample_id", "schedule_id", "checklist_id", "rating", "drs_complete",
            "prosecutor_fed_back", "notes", "assessed_by_id",
        ],
    )  # fmt: skip
    answers_w = Copier(cursor, AssessmentAnswer._meta.db_table, ["id", "assessment_id", "criterion_id", "result"])
    defects_w = Copier(
        cursor,
        Defect._meta.db_table,
        ["id", "row_version", *tenant, "assessment_id", "category_id", "severity", "item_reference", "description"],
    )
    feedback_w = Copier(
        cursor,
        Feedback._meta.db_table,
        [
            "id", "row_version", *tenant, "stream", "case_id", "dip_sample_id", "status", "summary",
            "requested_action", "is_breach", "due_on", "sent_at", "first_sent_at", "acknowledged_at",
            "responded_at", "closed_at", "reopened_at", "reopen_reason", "outcome", "action_taken", "reasons",
            "revised_schedule_id", "ico_reported", "ico_reported_on", "responded_by_id",
        ],
    )  # fmt: skip
    feedback_defects_w = Copier(cursor, Feedback.defects.through._meta.db_table, ["id", "feedback_id", "defect_id"])
    messages_w = Copier(
        cursor,
        FeedbackMessage._meta.db_table,
        ["id", "force_id", "area_id", "feedback_id", "author_id", "side", "body", "created_at"],
    )
    writers = [
        cases_w, schedules_w, samples_w, sampled_w, assessments_w, answers_w, defects_w, feedback_w,
        feedback_defects_w, messages_w,
    ]  # fmt: skip
    total_assessments = ASSESSMENTS_PER_SCALE * scale

    for force in world.forces:
        force_pk, area_pk = force.pk, force.area_id
        for stream, stream_weight in STREAM_WEIGHTS.items():
            police_leads = world.police_leads[(force_pk, stream)]
            cps_leads = world.cps_leads[(area_pk, stream)]
            shape = STREAM_SHAPES[stream]
            per_month = total_assessments * world.force_weights[force_pk] * stream_weight / months_total
            for age in ages:
                first, last = month_bounds(today, age)
                span = (last - first).days + 1
                wanted = max(1, stochastic_round(per_month, rng))
                n_cases = max(math.ceil(wanted / len(shape)) + 1, stochastic_round(wanted * CASES_PER_ASSESSMENT, rng))
                # Cases and their schedules received this month.
                month_schedules = []  # (schedule id, case id, kind, received)
                for _ in range(n_cases):
                    case_id = cases_w.next_id()
                    lead = rng.choice(police_leads).pk
                    day = first + datetime.timedelta(days=rng.randrange(span))
                    created = ts(day, rng.randint(7, 19))
                    cases_w.add(
                        case_id, force_pk, area_pk, created, created, lead, _urn(world, force_pk, day.year), stream
                    )
                    received = day
                    for kind, revision in shape:
                        if revision > 1:
                            received = min(last, received + datetime.timedelta(days=rng.randint(1, 14)))
                        schedule_id = schedules_w.next_id()
                        items = 0 if kind == ScheduleKind.MG6D and rng.random() < 0.6 else rng.randint(4, 180)
                        schedules_w.add(
                            schedule_id, force_pk, area_pk, created, created, lead, case_id, kind, revision,
                            received, items,
                        )  # fmt: skip
                        month_schedules.append((schedule_id, case_id, kind))
                # The month's dip samples: about SAMPLE_TARGET_SIZE schedules each, drawn without overlap.
                status = STATUS_BY_AGE.get(age, DipSampleStatus.SIGNED_OFF)
                n_samples = max(1, round(wanted / SAMPLE_TARGET_SIZE))
                drawn_all = rng.sample(month_schedules, min(wanted, len(month_schedules)))
                eligible_per_sample = len(month_schedules) // n_samples
                for s in range(n_samples):
                    chosen = drawn_all[s::n_samples]
                    sample_id = samples_w.next_id()
                    cps_lead, police_lead = rng.choice(cps_leads).pk, rng.choice(police_leads).pk
                    created = ts(last + datetime.timedelta(days=1), 9)
                    drawn = status != DipSampleStatus.PLANNED and chosen
                    completed = status in (DipSampleStatus.COMPLETED, DipSampleStatus.SIGNED_OFF)
                    signed = status == DipSampleStatus.SIGNED_OFF
                    signed_at = ts(last + datetime.timedelta(days=20), 15) if signed else N
                    samples_w.add(
                        sample_id, 1, force_pk, area_pk, created, now, cps_lead, stream, first, last, status,
                        cps_lead, police_lead,
                        len(chosen) if drawn else N, rng.randrange(2**62) if drawn else N,
                        eligible_per_sample if drawn else N, N, created if drawn else N, 1 if drawn else 0, "",
                        cps_lead if signed else N, signed_at, police_lead if signed else N, signed_at,
                        ts(last + datetime.timedelta(days=14), 16) if completed else N, N, "",
                    )  # fmt: skip
                    if not drawn:
                        continue
                    police_defects_by_case = defaultdict(list)  # case id -> [(defect id, category)]
                    for position, (schedule_id, case_id, kind) in enumerate(chosen, start=1):
                        sampled_w.add(sampled_w.next_id(), sample_id, schedule_id, position, "random", "", "")
                        assessment_id = assessments_w.next_id()
                        assessor = rng.choice((cps_lead, police_lead))
                        rating = rng.choices(ratings, weights=(35, 40, 25))[0]
                        assessed = ts(last + datetime.timedelta(days=rng.randint(2, 12)), rng.randint(8, 18))
                        assessments_w.add(
                            assessment_id, 1, force_pk, area_pk, assessed, assessed, assessor, sample_id,
                            schedule_id, checklist.pk, rating,
                            rng.random() < (0.9 if rating == Rating.FULLY_MEETS else 0.55),
                            rating != Rating.FULLY_MEETS and rng.random() < 0.4, "", assessor,
                        )  # fmt: skip
                        for criterion_id in criteria_by_kind[kind]:
                            answers_w.add(answers_w.next_id(), assessment_id, criterion_id, rng.choice(results))
                        if rating == Rating.FULLY_MEETS:
                            continue
                        for category_pk, code, _, severity in rng.choices(categories, k=rng.randint(1, 9)):
                            n = rng.randint(2, 40)
                            defect_id = defects_w.next_id()
                            defects_w.add(
                                defect_id, 1, force_pk, area_pk, assessed, assessed, assessor, assessment_id,
                                category_pk, severity, f"{kind.upper()} item {n}",
                                text(DESCRIPTIONS[code].format(n=n, m=n + rng.randint(2, 9))),
                            )  # fmt: skip
                            if category_pk in police_categories:
                                police_defects_by_case[case_id].append((defect_id, category_pk))
                    if not completed:
                        continue
                    for case_id, defects in police_defects_by_case.items():
                        _feedback(
                            feedback_w, feedback_defects_w, messages_w, rng,
                            force_pk=force_pk, area_pk=area_pk, stream=stream, case_id=case_id, sample_id=sample_id,
                            defects=defects, breach=any(cat == breach_category for _, cat in defects),
                            status=rng.choices(statuses, weights=status_weights)[0], last=last, today=today,
                            cps_lead=cps_lead, police_lead=police_lead,
                        )  # fmt: skip
    for writer in writers:
        writer.finish()
    loaded = time.perf_counter()
    for _, definition in secondary:
        cursor.execute(definition)
    cursor.execute("SET session_replication_role = DEFAULT")
    cursor.close()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "copy_seconds": round(sum(writer.copy_seconds for writer in writers), 1),
        "index_seconds": round(time.perf_counter() - loaded, 1),
        "indexes_rebuilt": len(secondary),
        "months": sorted(ages),
        "added": {writer.table: writer.rows for writer in writers},
    }


def _feedback(feedback_w, links_w, messages_w, rng, *, force_pk, area_pk, stream, case_id, sample_id, defects,
              breach, status, last, today, cps_lead, police_lead) -> None:  # fmt: skip
    """One feedback item about a case's police-side defects in a sample, in ``status``."""
    feedback_id = feedback_w.next_id()
    created_day = last + datetime.timedelta(days=15)
    created = ts(created_day, 11)
    sent_day = created_day + datetime.timedelta(days=rng.randint(0, 3))
    due_day = sent_day + datetime.timedelta(days=14)
    sent = status != FeedbackStatus.DRAFT
    acknowledged = status in (FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED)
    responded = status in (FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED)
    responded_day = sent_day + datetime.timedelta(days=rng.randint(2, 25))
    outcome = (Outcome.DISPUTED if rng.random() < 0.15 else Outcome.ACCEPTED) if responded else ""
    feedback_w.add(
        feedback_id, 1, force_pk, area_pk, created, created, cps_lead, stream, case_id, sample_id, status,
        "Defective schedules found in the dip sample.", "Revise and re-serve the schedules.", breach,
        due_day if sent else N, ts(sent_day) if sent else N, ts(sent_day) if sent else N,
        ts(sent_day + datetime.timedelta(days=1)) if acknowledged else N, ts(responded_day) if responded else N,
        ts(responded_day + datetime.timedelta(days=3)) if status == FeedbackStatus.CLOSED else N, N, "", outcome,
        "Schedules revised." if responded else "", "Item correctly described." if outcome == Outcome.DISPUTED else "",
        N, "not_required" if breach and responded else "", N, police_lead if responded else N,
    )  # fmt: skip
    for defect_id, _ in defects:
        links_w.add(links_w.next_id(), feedback_id, defect_id)
    if acknowledged:
        messages_w.add(
            messages_w.next_id(), force_pk, area_pk, feedback_id, police_lead, Side.POLICE,
            "Received; the OIC is revising the schedule.", ts(sent_day + datetime.timedelta(days=1), 14),
        )  # fmt: skip


def seed_meetings(world: World, *, months: int, rng: random.Random) -> dict:
    """A joint forum per Area and quarter covering its forces (figures not frozen), with action items."""
    today = timezone.localdate()
    meetings, links, actions = [], [], []
    forces_by_area = defaultdict(list)
    for force in world.forces:
        forces_by_area[force.area_id].append(force)
    with transaction.atomic():
        for area in world.areas:
            organiser = world.cps_leads[(area.pk, Stream.CC)][0]
            for quarter in range(max(1, months // 3)):
                period_start, _ = month_bounds(today, 3 * quarter + 3)
                _, period_end = month_bounds(today, 3 * quarter + 1)
                meetings.append(
                    Meeting(
                        area=area, kind=MeetingKind.JOINT_FORUM, held_on=period_end + datetime.timedelta(days=20),
                        period_start=period_start, period_end=period_end, created_by=organiser,
                    )
                )  # fmt: skip
        Meeting.objects.bulk_create(meetings, batch_size=5000)
        for meeting in meetings:
            for force in forces_by_area[meeting.area_id]:
                links.append(Meeting.forces.through(meeting_id=meeting.pk, organisation_id=force.pk))
                actions.append(
                    ActionItem(
                        meeting=meeting, owner=force, description="Refresher training on MG6C descriptions.",
                        due_on=meeting.held_on + datetime.timedelta(days=rng.randint(20, 90)),
                        status=ActionItemStatus.DONE if meeting.held_on < today - datetime.timedelta(days=120)
                        else ActionItemStatus.OPEN, created_by=meeting.created_by,
                    )
                )  # fmt: skip
        Meeting.forces.through.objects.bulk_create(links, batch_size=5000)
        ActionItem.objects.bulk_create(actions, batch_size=5000)
    return {"meetings": len(meetings), "action_items": len(actions)}


def verify_foreign_keys(tables: list[str]) -> list[str]:
    """Every foreign key of ``tables`` checked with one anti-join each; the dangling references found."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text, af.attname
            FROM pg_constraint con
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
            JOIN pg_attribute af ON af.attrelid = con.confrelid AND af.attnum = con.confkey[1]
            WHERE con.contype = 'f' AND con.conrelid::regclass::text = ANY(%s)
            """,
            [tables],
        )
        for table, column, parent, parent_column in cursor.fetchall():
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})"
            )
            dangling = cursor.fetchone()[0]
            if dangling:
                problems.append(f"{table}.{column} -> {parent}: {dangling} rows point nowhere")
    return problems


SEEDED_TABLES = [
    model._meta.db_table
    for model in (Case, Schedule, DipSample, SampledSchedule, Assessment, AssessmentAnswer, Defect, Feedback,
                  FeedbackMessage)
] + [Feedback.defects.through._meta.db_table]  # fmt: skip
