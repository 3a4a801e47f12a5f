"""Reads about organisations and memberships: what may this user see and do."""

import copy
from collections.abc import Iterable

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from backend.types import User, Viewer
from forces.models import (
    CASE_LEVEL_READER_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationUserObjectPermission,
    Role,
    Side,
    Stream,
    case_level_force_ids,
    is_anonymous,
)


def organisation_list(*, user: Viewer) -> QuerySet[Organisation]:
    """Organisations ``user`` may see (its own, its Area's forces, its force's Area), with their Area."""
    return Organisation.objects.visible_to(user).select_related("area")


def user_with_memberships(*, user: User) -> User:
    """``user`` with its memberships and their organisations: one query, whatever their number.

    The user is the one authentication loaded, not read again; the memberships are fetched onto
    a copy, so the caller's object (kept across requests by a test's forced authentication)
    never holds a stale list.
    """
    reader = copy.copy(user)
    reader._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # Django's prefetch cache
    memberships = Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
    prefetch_related_objects([reader], memberships)
    return reader


def reads_case_level_rows(*, user: Viewer) -> bool:
    """True when ``user`` reads case-level rows in the API: a superuser, or an active member holding a role of
    ``CASE_LEVEL_READER_ROLES`` (a disclosure lead, the Quality Group, an org admin).

    The rule of ``TenantQuerySet.visible_to``, asked as a yes/no for the web pages that serve those rows (the
    dip samples', the feedback's): the staff flag adds nothing (a staff account without such a membership
    reads no row in the API), a chief officer reads figures only, a switched-off account nothing.
    """
    if is_anonymous(user) or user.pk is None:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user_id=user.pk, role__in=CASE_LEVEL_READER_ROLES).exists()


def user_is_org_admin(*, user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role=Role.ORG_ADMIN).exists()


def organisations_administered_by(*, user: User) -> QuerySet[Organisation]:
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.ORG_ADMIN).distinct()


def lead_memberships(*, user: User, stream: str) -> QuerySet[Membership]:
    """Disclosure-lead memberships of ``user`` that cover ``stream`` (a per-stream or all-streams lead)."""
    return Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD).filter(
        Q(stream=stream) | Q(stream__isnull=True)
    )


def lead_may_write_for_force(*, user: User, force: Organisation, stream: str) -> bool:
    """True when ``user`` is a disclosure lead for ``stream`` in ``force`` or in the force's CPS Area."""
    if user.is_superuser:
        return True
    if force.kind != OrganisationKind.POLICE_FORCE:
        return False
    return lead_side_for_force(user=user, force=force, stream=stream) is not None


def lead_side_for_force(*, user: User, force: Organisation, stream: str) -> Side | None:
    """The side (CPS or police) on which ``user`` leads ``stream`` for ``force``; None if neither."""
    org_ids = [pk for pk in (force.pk, force.area_id) if pk is not None]
    led = lead_memberships(user=user, stream=stream).filter(organisation_id__in=org_ids)
    return _side_of(set(led.values_list("organisation_id", "stream")), force, stream)


def lead_sides_for_forces(*, user: User, forces: Iterable[Organisation]) -> dict[tuple[int, str], Side]:
    """``lead_side_for_force`` of every force of ``forces`` and every stream, in one query: ``{(force id, stream):
    side}`` for the pairs ``user`` leads (a page that offers each force and stream it may write for)."""
    led = set(Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD).values_list("organisation_id", "stream"))
    sides = {}
    for force in forces:
        for stream in Stream.values:
            side = _side_of(led, force, stream)
            if side is not None:
                sides[(force.pk, stream)] = side
    return sides


def _side_of(led: set[tuple[int, str | None]], force: Organisation, stream: str) -> Side | None:
    """The rule of ``lead_side_for_force`` over ``(organisation id, stream)`` lead memberships (``None``: all
    streams): a lead of the force's Area leads for the CPS, a lead of the force for the police."""

    def leads(organisation_id: int | None) -> bool:
        return organisation_id is not None and bool({(organisation_id, stream), (organisation_id, None)} & led)

    if leads(force.area_id):
        return Side.CPS
    if leads(force.pk):
        return Side.POLICE
    return None


def lead_scope(*, user: User) -> Q:
    """A filter for tenant rows with a ``stream`` that ``user`` leads: its force's or its Area's forces'.

    Matches nothing when ``user`` leads nothing. (A force id never matches an ``area`` column
    nor an Area id a ``force`` column, so one test per membership covers both sides.)
    """
    scope = Q(pk__in=[])
    for organisation_id, stream in Membership.objects.filter(user=user, role=Role.DISCLOSURE_LEAD).values_list(
        "organisation_id", "stream"
    ):
        where = Q(force_id=organisation_id) | Q(area_id=organisation_id)
        scope |= where & Q(stream=stream) if stream else where
    return scope


# --- summaries: who reads which force's figures (the one rule; reports applies it for its 404s) ----------

#: Roles that read their Area's Area comparison: the Quality Group, the Area's CPS leads and org admins.
COMPARISON_READER_ROLES = (Role.QUALITY_GROUP, Role.DISCLOSURE_LEAD, Role.ORG_ADMIN)


def summary_force_list(*, user: User) -> QuerySet[Organisation]:
    """Forces whose summary ``user`` may read, scoped for ``user`` (``visible_to``).

    A force's chief officers (they hold ``view_summary`` on it), its police leads and org admins;
    its Area's CPS leads, Quality Group and org admins (``view_summary`` or case-level readers of
    the force); superusers every force. Anyone else: none (the summary answers 404).
    """
    forces = Organisation.objects.visible_to(user).forces()
    if user.is_superuser:
        return forces
    granted = OrganisationUserObjectPermission.objects.filter(user=user, permission__codename="view_summary").values(
        "content_object_id"
    )
    return forces.filter(Q(pk__in=case_level_force_ids(user)) | Q(pk__in=granted))


def comparison_area_list(*, user: User) -> QuerySet[Organisation]:
    """CPS Areas whose comparison of forces ``user`` may read: the Quality Group, CPS leads and org admins
    of the Area (superusers every Area), scoped for ``user``."""
    areas = Organisation.objects.visible_to(user).areas()
    if user.is_superuser:
        return areas
    held = Membership.objects.filter(user=user, role__in=COMPARISON_READER_ROLES).values("organisation_id")
    return areas.filter(pk__in=held)


def summary_organisation_list(*, user: User) -> QuerySet[Organisation]:
    """Forces whose summary and Areas whose comparison ``user`` may read, in one scoped queryset."""
    forces = summary_force_list(user=user).values("pk")
    areas = comparison_area_list(user=user).values("pk")
    return Organisation.objects.visible_to(user).filter(Q(pk__in=forces) | Q(pk__in=areas)).select_related("area")


def summaries_readable(*, user: User) -> dict[str, list[str]]:
    """``{"forces": [codes], "comparisons": [Area codes]}``: the summaries ``user`` may read (one query)."""
    forces = summary_force_list(user=user).order_by().values_list("code", "kind")
    areas = comparison_area_list(user=user).order_by().values_list("code", "kind")
    readable: dict[str, list[str]] = {"forces": [], "comparisons": []}
    for code, kind in forces.union(areas).order_by("code"):
        readable["forces" if kind == OrganisationKind.POLICE_FORCE else "comparisons"].append(code)
    return readable


# --- accounts: who is locked out, who an org admin manages --------------------------------------------------


def locked_attempts() -> QuerySet[AccessAttempt]:
    """django-axes' records of accounts locked out now: the failure limit reached within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return attempts


def managed_membership_list(*, user: User) -> QuerySet[Membership]:
    """Memberships of the organisations ``user`` administers (every one for a superuser), each with
    ``is_locked`` (the account is locked out after failed logins); with user and organisation."""
    memberships = Membership.objects.filter(organisation__in=organisations_administered_by(user=user))
    if not user.is_superuser:
        memberships = memberships.exclude(user__is_superuser=True)  # a superuser's account is not theirs to manage
    locked = locked_attempts().filter(username=OuterRef("user__username"))
    return memberships.select_related("user", "organisation").annotate(is_locked=Exists(locked))


def manageable_user_list(*, user: User) -> QuerySet[User]:
    """Accounts ``user`` may give a role to: members of the organisations it administers, never itself nor a
    superuser. A superuser: every account, those with no membership included (nobody else sees those)."""
    if user.is_superuser:
        return User.objects.all()
    return (
        User.objects.filter(memberships__organisation__in=organisations_administered_by(user=user), is_superuser=False)
        .exclude(pk=user.pk)
        .distinct()
    )
