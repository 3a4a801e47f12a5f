"""Writes for organisations and memberships; django-guardian grants are kept in step here."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from forces.models import Membership, Organisation, OrganisationKind, OrganisationUserObjectPermission, Role
from forces.selectors import user_is_org_admin

User = get_user_model()

VIEW_SUMMARY = "forces.view_summary"


@transaction.atomic
def organisation_create(*, code: str, name: str, kind: str, area: Organisation | None = None) -> Organisation:
    """Create a CPS Area or a police force (superusers and data set-up only; no API writes).

    A new force is summarised at once by its Area's Quality Group (``view_summary`` granted).
    Raises ``ValidationError`` naming the field at fault.
    """
    organisation = Organisation(code=code.upper(), name=name, kind=kind, area=area)
    organisation.full_clean()
    organisation.save()
    if organisation.is_force:
        for user in User.objects.filter(memberships__organisation=area, memberships__role=Role.QUALITY_GROUP):
            summary_grants_sync(user=user)
    return organisation


def _check_may_manage(*, actor, organisation: Organisation) -> None:
    if actor.is_superuser or user_is_org_admin(user=actor, organisation=organisation):
        return
    raise PermissionDenied("Only the organisation's admins may manage its memberships.")


@transaction.atomic
def membership_create(*, actor, user, organisation: Organisation, role: str, stream: str | None = None) -> Membership:
    """Give ``user`` a role in ``organisation``.

    ``actor`` must be a superuser or an ``org_admin`` of that organisation (``PermissionDenied``).
    Raises ``ValidationError`` for a role the organisation cannot hold or a duplicate.
    """
    _check_may_manage(actor=actor, organisation=organisation)
    membership = Membership(user=user, organisation=organisation, role=role, stream=stream or None)
    membership.full_clean()
    membership.save()
    summary_grants_sync(user=user)
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, role: str, stream: str | None = None) -> Membership:
    """Change the role or stream of a membership (same rules as ``membership_create``)."""
    _check_may_manage(actor=actor, organisation=membership.organisation)
    membership.role = role
    membership.stream = stream or None
    membership.full_clean()
    membership.save()
    summary_grants_sync(user=membership.user)
    return membership


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    """Remove a membership and the grants it carried."""
    _check_may_manage(actor=actor, organisation=membership.organisation)
    user = membership.user
    membership.delete()
    summary_grants_sync(user=user)


def _summarisable_forces(user) -> set[int]:
    """Forces whose summaries ``user`` may read: chief officers their force, the Quality Group its Area's."""
    forces: set[int] = set()
    for membership in Membership.objects.filter(
        user=user, role__in=(Role.CHIEF_OFFICER, Role.QUALITY_GROUP)
    ).select_related("organisation"):
        organisation = membership.organisation
        if organisation.kind == OrganisationKind.POLICE_FORCE:
            forces.add(organisation.pk)
        else:
            forces.update(Organisation.objects.forces().filter(area=organisation).values_list("pk", flat=True))
    return forces


@transaction.atomic
def summary_grants_sync(*, user) -> None:
    """Make ``user``'s ``view_summary`` grants match its memberships exactly."""
    wanted = _summarisable_forces(user)
    held = set(
        OrganisationUserObjectPermission.objects.filter(user=user, permission__codename="view_summary").values_list(
            "content_object_id", flat=True
        )
    )
    for organisation in Organisation.objects.filter(pk__in=held - wanted):
        remove_perm(VIEW_SUMMARY, user, organisation)
    for organisation in Organisation.objects.filter(pk__in=wanted - held):
        assign_perm(VIEW_SUMMARY, user, organisation)


def user_create(*, username: str, password: str, email: str = "", first_name: str = "", last_name: str = "", **extra):
    """Create a user account with a validated password (data set-up and admin)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, **extra)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
