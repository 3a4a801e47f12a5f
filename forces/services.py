"""Writes for organisations, memberships and accounts; django-guardian grants are kept in step here."""

from collections.abc import Callable, Iterator
from typing import Any

from auditlog import get_logentry_model
from axes.utils import reset as axes_reset
from django.apps import apps
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from guardian.models import UserObjectPermissionBase
from guardian.shortcuts import assign_perm, remove_perm
from knox.models import get_token_model

from backend.origin import OriginPasswordResetForm
from backend.types import User
from forces.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationUserObjectPermission,
    Role,
    TenantModel,
)
from forces.selectors import lead_scope, user_is_org_admin

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


def _check_may_manage(*, actor: User, organisation: Organisation) -> None:
    if actor.is_superuser or user_is_org_admin(user=actor, organisation=organisation):
        return
    raise PermissionDenied("Only the organisation's admins may manage its memberships.")


def _check_may_grant(*, actor: User, role: str) -> None:
    """Only a superuser makes an organisation admin: an org admin who could would make a second account
    of their own an admin and have it give them any role, round ``_check_not_self``."""
    if role == Role.ORG_ADMIN and not actor.is_superuser:
        raise PermissionDenied("Only a portal administrator may make someone an organisation admin.")


def _check_not_privileged(*, actor: User, user: User) -> None:
    """Org admins manage their organisation's people, never a superuser's account (roles, resets, unlocks)."""
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a portal administrator may manage a portal administrator's account.")


def _check_not_self(*, actor: User, user: User) -> None:
    """Separation of duties: an org admin never gives or changes a role of their own."""
    if actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(
            "You cannot give yourself a role or change your own: ask another organisation admin "
            "or a portal administrator."
        )


@transaction.atomic
def membership_create(
    *, actor: User, user: User, organisation: Organisation, role: str, stream: str | None = None
) -> Membership:
    """Give ``user`` a role in ``organisation``.

    ``actor`` must be a superuser or an ``org_admin`` of that organisation, and not ``user``
    themselves (``PermissionDenied``). Raises ``ValidationError`` for a role the organisation
    cannot hold or a duplicate.
    """
    _check_may_manage(actor=actor, organisation=organisation)
    _check_not_self(actor=actor, user=user)
    _check_not_privileged(actor=actor, user=user)
    _check_may_grant(actor=actor, role=role)
    membership = Membership(user=user, organisation=organisation, role=role, stream=stream or None)
    membership.full_clean()
    membership.save()
    user_grants_sync(user=user)
    return membership


@transaction.atomic
def membership_update(*, actor: User, membership: Membership, role: str, stream: str | None = None) -> Membership:
    """Change the role or stream of a membership (same rules as ``membership_create``).

    Object grants the old role or stream justified and the new one does not are revoked in
    the same transaction (``user_grants_sync``).
    """
    _check_may_manage(actor=actor, organisation=membership.organisation)
    _check_not_self(actor=actor, user=membership.user)
    _check_not_privileged(actor=actor, user=membership.user)
    _check_may_grant(actor=actor, role=role)
    _check_may_grant(actor=actor, role=membership.role)  # nor unmake one
    membership.role = role
    membership.stream = stream or None
    membership.full_clean()
    membership.save()
    user_grants_sync(user=membership.user)
    return membership


@transaction.atomic
def membership_delete(*, actor: User, membership: Membership) -> None:
    """Remove a membership and the grants it carried; the user's last membership also ends their API tokens."""
    _check_may_manage(actor=actor, organisation=membership.organisation)
    _check_not_privileged(actor=actor, user=membership.user)
    user = membership.user
    membership.delete()
    user_grants_sync(user=user)
    if not Membership.objects.filter(user=user).exists():
        user_tokens_revoke(user=user)


def _summarisable_force_ids(user: User) -> set[int]:
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
def summary_grants_sync(*, user: User) -> None:
    """Make ``user``'s ``view_summary`` grants match its memberships exactly (none for an inactive user)."""
    wanted = _summarisable_force_ids(user) if user.is_active else set()
    held = set(
        OrganisationUserObjectPermission.objects.filter(user=user, permission__codename="view_summary").values_list(
            "content_object_id", flat=True
        )
    )
    for organisation in Organisation.objects.filter(pk__in=held - wanted):
        remove_perm(VIEW_SUMMARY, user, organisation)
    for organisation in Organisation.objects.filter(pk__in=wanted - held):
        assign_perm(VIEW_SUMMARY, user, organisation)


def user_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = "", **extra: Any
) -> User:
    """Create a user account with a validated password (data set-up and admin)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"A user named {username!r} already exists."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, **extra)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def member_create(
    *,
    actor: User,
    organisation: Organisation,
    role: str,
    username: str,
    email: str,
    password: str,
    stream: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Create an account and its first membership in one step (an org admin adding a person).

    The same rules as ``membership_create`` (``actor`` must manage ``organisation``); the password
    is checked by the password validators. Nothing is written unless both succeed.
    """
    _check_may_manage(actor=actor, organisation=organisation)
    if not email:
        raise ValidationError({"email": "An e-mail address is needed: notices and password resets go there."})
    password_validation.validate_password(password, User(username=username, email=email))
    user = user_create(username=username, password=password, email=email, first_name=first_name, last_name=last_name)
    return membership_create(actor=actor, user=user, organisation=organisation, role=role, stream=stream)


class _OneUserPasswordResetForm(OriginPasswordResetForm):
    """Django's password reset e-mail, sent to one chosen account (not every account sharing the address)."""

    def __init__(self, user: User):
        super().__init__({"email": user.email})
        self._user = user

    def get_users(self, email: str) -> list[User]:
        return [self._user] if self._user.is_active and self._user.has_usable_password() else []


def password_reset_send(*, actor: User, organisation: Organisation, user: User) -> None:
    """E-mail ``user`` (a member of ``organisation``) Django's one-time link to choose a new password, on the
    portal's configured origin (``PORTAL_ORIGIN``; never the host of the request that asked for it).

    ``actor`` must manage ``organisation`` (``PermissionDenied``); a user who is not its member is
    ``Http404``; one without an e-mail address or switched off is a ``ValidationError``. Audited.
    """
    _check_may_manage(actor=actor, organisation=organisation)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise Http404(f"No member of {organisation.code} has that username.")
    if not user.email:
        raise ValidationError(f"{user.username} has no e-mail address: add one before sending a reset link.")
    if not user.is_active:
        raise ValidationError(f"{user.username}'s account is switched off.")
    _check_not_privileged(actor=actor, user=user)
    if not user.has_usable_password():
        raise ValidationError(f"{user.username}'s account has no password to reset: ask a portal administrator.")
    form = _OneUserPasswordResetForm(user)
    form.is_valid()
    form.save()
    get_logentry_model().objects.log_create(
        membership,
        action=get_logentry_model().Action.UPDATE,
        changes={"password_reset": ["", "link sent"]},
        actor=actor,
        additional_data={"action": "password_reset_send", "username": user.username},
    )


def _tenant_grant_models() -> Iterator[tuple[type[UserObjectPermissionBase], type[TenantModel]]]:
    """Direct foreign-key object-permission models over tenant-owned rows that carry a ``stream``.

    Every such grant (e.g. ``change_dipsample`` to a sample's leads) exists because its holder
    leads that stream for that force; found by introspection, so forces need not import the
    apps above it.
    """
    for model in apps.get_models():
        if not issubclass(model, UserObjectPermissionBase):
            continue
        # None for guardian's generic models
        target = model._meta.get_field("content_object").related_model  # type: ignore[misc]  # a subclass's field
        if not (isinstance(target, type) and issubclass(target, TenantModel)):
            continue
        if any(field.name == "stream" for field in target._meta.get_fields()):
            yield model, target


#: Functions ``sync(user=...)`` registered by apps above forces (in ``AppConfig.ready``) to *add* the
#: object grants a user's current memberships justify on their rows (e.g. a new police lead may
#: answer feedback already sent). Revoking needs no hook: ``_tenant_grant_models`` finds every table.
_GRANT_SYNCS: list[Callable[..., None]] = []


def register_grant_sync(sync: Callable[..., None]) -> None:
    """Have ``user_grants_sync`` call ``sync(user=...)`` for an active user (once per function)."""
    if sync not in _GRANT_SYNCS:
        _GRANT_SYNCS.append(sync)


@transaction.atomic
def user_grants_sync(*, user: User) -> None:
    """Make ``user``'s object grants match what its current memberships justify; revoke the rest.

    - ``view_summary`` on forces: exactly what ``summary_grants_sync`` computes.
    - grants on tenant rows with a stream (dip samples...): kept only while the user is a
      disclosure lead of that stream for the row's force or its Area; never added here (the
      service that names a lead grants). An inactive user keeps nothing.

    Called by every membership write and when an account is deactivated, inside the same
    transaction, so a former lead cannot go on changing the old stream's rows.
    """
    summary_grants_sync(user=user)
    for permission_model, target in _tenant_grant_models():
        held = permission_model.objects.filter(user=user)
        if user.is_active:
            # content_object is the concrete grant model's own foreign key (the base class has none).
            held = held.exclude(content_object__in=target.objects.filter(lead_scope(user=user)))  # type: ignore[misc]
        held.delete()
    if user.is_active:
        for sync in _GRANT_SYNCS:
            sync(user=user)


def user_tokens_revoke(*, user: User) -> int:
    """Revoke every API token of ``user`` (password changed, account deactivated, last membership ended).

    Returns how many were revoked.
    """
    deleted: int = get_token_model().objects.filter(user=user).delete()[0]
    return deleted


@transaction.atomic
def account_unlock(*, actor: User, organisation: Organisation, username: str) -> User:
    """Clear the failed-login lockout of ``username``, a member of ``organisation``; return the user.

    ``actor`` must be a superuser or an ``org_admin`` of ``organisation`` (``PermissionDenied``):
    an Area's admins unlock the Area's members, a force's admins the force's. A username that
    is not a member of ``organisation`` raises ``Http404``. The unlock is audited (who, whom).
    """
    if not (actor.is_superuser or user_is_org_admin(user=actor, organisation=organisation)):
        raise PermissionDenied("Only the organisation's admins may unlock its members' accounts.")
    membership = (
        Membership.objects.filter(organisation=organisation, user__username=username)
        .select_related("user", "organisation")
        .first()
    )
    if membership is None:
        raise Http404(f"No member of {organisation.code} has that username.")
    _check_not_privileged(actor=actor, user=membership.user)
    cleared = axes_reset(username=membership.user.username)
    get_logentry_model().objects.log_create(
        membership,
        action=get_logentry_model().Action.UPDATE,
        changes={"login_lockout": ["locked" if cleared else "not locked", "unlocked"]},
        actor=actor,
        additional_data={"action": "account_unlock", "username": membership.user.username},
    )
    return membership.user
