"""factory_boy factories. Every value is synthetic: no real person is named anywhere."""

import datetime
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from disclosure import services as disclosure_services
from disclosure.models import Criterion, DefectCategory
from feedback import services as feedback_services
from feedback.models import Notice
from forces import services as forces_services
from forces.models import Organisation, OrganisationKind, Role
from reports import services as reports_services

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CPS-T{n}")
    name = factory.LazyAttribute(lambda o: f"CPS test area {o.code}")
    kind = OrganisationKind.CPS_AREA
    area = None


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n}")
    name = factory.LazyAttribute(lambda o: f"Test constabulary {o.code}")
    kind = OrganisationKind.POLICE_FORCE
    area = factory.SubFactory(AreaFactory)


def member(user, organisation, role=Role.DISCLOSURE_LEAD, stream=None):
    """Give ``user`` a membership through the service, so guardian grants follow as in production."""
    superuser = get_user_model().objects.filter(is_superuser=True).first() or UserFactory(
        username="factory-root", is_superuser=True, is_staff=True
    )
    return forces_services.membership_create(
        actor=superuser, user=user, organisation=organisation, role=role, stream=stream
    )


# --- dip sampling ------------------------------------------------------------------------


_urn_serial = iter(range(10_000, 99_999))


def make_urn(year: int = 25) -> str:
    return f"06AB{next(_urn_serial):05d}{year:02d}"


def last_year_month(month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of ``month`` of last year: always in the past, whenever the suite runs."""
    year = timezone.localdate().year - 1
    first = datetime.date(year, month, 1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


def make_case(*, actor, force, stream="cc"):
    return disclosure_services.case_create(actor=actor, force=force, urn=make_urn(), stream=stream)


def make_schedule(*, actor, case, received_on, kind="mg6c", item_count=12, revision=1):
    return disclosure_services.schedule_create(
        actor=actor, case=case, kind=kind, received_on=received_on, item_count=item_count, revision=revision
    )


def make_sample(*, cps_lead, police_lead, force, month, stream="cc", schedules=1, draw=True):
    """A sample of ``force`` for ``month`` of last year, with ``schedules`` eligible schedules of their own."""
    first, last = last_year_month(month)
    for _ in range(schedules):
        case = make_case(actor=police_lead, force=force, stream=stream)
        make_schedule(actor=police_lead, case=case, received_on=first + datetime.timedelta(days=3))
    sample = disclosure_services.dip_sample_create(
        actor=cps_lead, force=force, stream=stream, period_start=first, period_end=last, police_lead=police_lead
    )
    if draw:
        sample = disclosure_services.dip_sample_draw(actor=cps_lead, dip_sample=sample, size=schedules, seed=7)
    return sample


#: A checklist v1 criterion marked critical that applies to each kind (none applies to a DMD).
CRITICAL_BY_KIND = {"mg6c": "N8", "mg6d": "N8", "sdc": "N8", "mg6e": "E1"}


def answers_for(kind: str, *, result: str = "fully_meets", **overrides: str) -> list[dict]:
    """One answer per checklist v1 criterion applying to ``kind`` (DRS criteria apply to every kind).

    Every answer is ``result`` except the criterion codes given as keyword overrides, e.g. ``T1="not_meeting"``.
    """
    codes = [
        code
        for code, applies_to in Criterion.objects.filter(checklist__version=1).values_list("code", "applies_to")
        if kind in applies_to or "drs" in applies_to
    ]
    unknown = set(overrides) - set(codes)
    assert not unknown, f"{sorted(unknown)} do not apply to a {kind}"
    return [{"criterion": code, "result": overrides.get(code, result)} for code in codes]


def answers_rated(kind: str, rating: str) -> list[dict]:
    """Answers that give ``rating`` by the rule written out in ADR 0006 (not by the code under test)."""
    if rating == "fully_meets":
        return answers_for(kind)
    if rating == "partially_meets":
        return answers_for(kind, T1="partially_meets")  # T1 (supplied on time) is not critical
    return answers_for(kind, **{CRITICAL_BY_KIND[kind]: "not_meeting"})


def assess(*, actor, sample, schedule, rating="partially_meets", drs_complete=True, notes=""):
    return disclosure_services.assessment_create(
        actor=actor,
        dip_sample=sample,
        schedule=schedule,
        rating=rating,
        drs_complete=drs_complete,
        answers=answers_rated(schedule.kind, rating),
        notes=notes,
    )


def make_feedback(*, cps, police, defects, status="sent", summary="Items 3-7 are block listed.", **respond):
    """Feedback on ``defects`` taken through the services up to ``status`` (draft ... closed)."""
    feedback = feedback_services.feedback_create(
        actor=cps, defects=defects, summary=summary, requested_action="Re-serve the MG6C with each item listed."
    )
    steps = ["draft", "sent", "acknowledged", "responded", "closed"]
    target = steps.index(status)
    if target >= 1:
        feedback = feedback_services.feedback_send(actor=cps, feedback=feedback)
    if target >= 2:
        feedback = feedback_services.feedback_acknowledge(actor=police, feedback=feedback)
    if target >= 3:
        respond.setdefault("outcome", "accepted")
        respond.setdefault("action_taken", "Officer retrained; schedule re-served.")
        if feedback.is_breach:
            respond.setdefault("ico_reported", "not_required")
        feedback = feedback_services.feedback_respond(actor=police, feedback=feedback, **respond)
    if target >= 4:
        feedback = feedback_services.feedback_close(actor=cps, feedback=feedback)
    return feedback


def build_rows(world) -> dict[str, SimpleNamespace]:
    """For each of GMP, LANCS (same Area) and KENT (another Area): rows in every workflow state.

    - ``planned``: a planned sample with one eligible schedule (draw, patch, delete)
    - ``in_progress``: two drawn schedules, ``assessment`` of the first with ``defect``; ``unassessed`` the second;
      ``spare`` an eligible schedule of its period not drawn (add-schedule)
    - ``drawn``: drawn, nothing assessed yet (undraw)
    - ``assessed``: in progress, every drawn schedule assessed (complete)
    - ``completed``: completed, nobody signed (sign-off)
    - ``signed_off``: signed off by both sides (reopen)
    - ``meeting``: a future meeting of the force's Area about the force; ``action_item`` of it, owned by the force
    - ``feedback_<status>``: feedback on ``defect`` in each status (draft, sent, acknowledged, responded, closed)
    """
    leads = {"GMP": ("cps_lead", "gmp_lead"), "LANCS": ("cps_lead", "lancs_lead"), "KENT": ("outsider", "kent_lead")}
    category = DefectCategory.objects.get(code="D02")
    rows = {}
    for code, (cps_key, police_key) in leads.items():
        force = {"GMP": world.gmp, "LANCS": world.lancs, "KENT": world.kent}[code]
        cps, police = getattr(world, cps_key), getattr(world, police_key)
        kwargs = {"cps_lead": cps, "police_lead": police, "force": force}
        planned = make_sample(month=1, draw=False, **kwargs)
        in_progress = make_sample(month=2, schedules=2, **kwargs)
        first, second = in_progress.schedules.order_by("sampled__position")
        spare = make_schedule(
            actor=police, case=make_case(actor=police, force=force), received_on=last_year_month(2)[0]
        )
        assessment = assess(actor=cps, sample=in_progress, schedule=first)
        defect = disclosure_services.defect_create(
            actor=cps, assessment=assessment, category=category, description="Items 3-7 block listed as 'various'."
        )
        drawn = make_sample(month=10, **kwargs)
        assessed = make_sample(month=3, **kwargs)
        assess(actor=police, sample=assessed, schedule=assessed.schedules.get())
        completed = make_sample(month=4, **kwargs)
        assess(actor=police, sample=completed, schedule=completed.schedules.get())
        completed = disclosure_services.dip_sample_complete(actor=cps, dip_sample=completed)
        signed_off = make_sample(month=5, **kwargs)
        assess(actor=police, sample=signed_off, schedule=signed_off.schedules.get())
        disclosure_services.dip_sample_complete(actor=cps, dip_sample=signed_off)
        disclosure_services.dip_sample_sign_off(actor=cps, dip_sample=signed_off)
        signed_off = disclosure_services.dip_sample_sign_off(actor=police, dip_sample=signed_off)
        meeting = make_meeting(actor=cps, area=force.area, forces=[force])
        action_item = reports_services.action_item_create(
            actor=cps,
            meeting=meeting,
            owner=force,
            description="Re-train disclosure officers on block listing.",
            due_on=timezone.localdate() + datetime.timedelta(days=30),
        )
        feedback = {
            f"feedback_{status}": make_feedback(cps=cps, police=police, defects=[defect], status=status)
            for status in ("draft", "sent", "acknowledged", "responded", "closed")
        }
        notice = Notice.objects.create(
            feedback=feedback["feedback_sent"],
            kind="due_soon",
            recipient=police,
            due_on=feedback["feedback_sent"].due_on,
            force=force,
            area_id=force.area_id,
        )
        rows[code] = SimpleNamespace(
            **feedback,
            notice=notice,
            force=force,
            case=first.case,
            schedule=first,
            unassessed=second,
            spare=spare,
            planned=planned,
            drawn=drawn,
            in_progress=in_progress,
            assessment=assessment,
            defect=defect,
            assessed=assessed,
            completed=completed,
            signed_off=signed_off,
            meeting=meeting,
            action_item=action_item,
        )
    return rows


# --- meetings ----------------------------------------------------------------------------


def make_meeting(*, actor, area, forces, kind="joint_forum", held_on=None, period=None, notes=""):
    """A meeting through the service; by default held in a fortnight, about last year."""
    first, last = period or (last_year_month(1)[0], last_year_month(12)[1])
    return reports_services.meeting_create(
        actor=actor,
        area=area,
        forces=list(forces),
        kind=kind,
        held_on=held_on or timezone.localdate() + datetime.timedelta(days=14),
        period_start=first,
        period_end=last,
        notes=notes,
    )
