"""Tenancy: organisations (CPS Areas and police forces), memberships and roles.

Visibility is decided here, once: ``visible_to(user)`` on every tenant-owned queryset.
"""

from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase

from backend.querysets import ScopedQuerySet, for_this_request, scoping


class Stream(models.TextChoices):
    MC = "mc", "Magistrates' court"
    CC = "cc", "Crown Court"
    RASSO = "rasso", "RASSO (rape and serious sexual offences)"


class Side(models.TextChoices):
    """The two sides of a joint dip sample: a CPS Area's leads and a police force's."""

    POLICE = "police", "Police"
    CPS = "cps", "CPS"


class OrganisationKind(models.TextChoices):
    CPS_AREA = "cps_area", "CPS Area"
    POLICE_FORCE = "police_force", "Police force"


class Role(models.TextChoices):
    DISCLOSURE_LEAD = "disclosure_lead", "Disclosure lead"
    CHIEF_OFFICER = "chief_officer", "Chief officer"
    QUALITY_GROUP = "quality_group", "Casework Quality Group"
    ORG_ADMIN = "org_admin", "Organisation admin"


#: Roles whose holders read case-level rows (cases, schedules, samples, defects, feedback).
#: Chief officers read force summaries only.
CASE_LEVEL_READER_ROLES = (Role.DISCLOSURE_LEAD, Role.QUALITY_GROUP, Role.ORG_ADMIN)

#: Which organisation kinds each role may be held in.
ROLE_ORGANISATION_KINDS = {
    Role.DISCLOSURE_LEAD: {OrganisationKind.CPS_AREA, OrganisationKind.POLICE_FORCE},
    Role.CHIEF_OFFICER: {OrganisationKind.POLICE_FORCE},
    Role.QUALITY_GROUP: {OrganisationKind.CPS_AREA},
    Role.ORG_ADMIN: {OrganisationKind.CPS_AREA, OrganisationKind.POLICE_FORCE},
}


def is_anonymous(user) -> bool:
    """True for a request with no signed-in, active user."""
    return user is None or not user.is_authenticated or not user.is_active


def case_level_force_ids(user: Any) -> models.QuerySet[Any]:
    """Subquery of the police forces whose case-level rows ``user`` may read.

    A police member reads its own force; a CPS member reads every force of its Area.
    Returned as a lazy queryset so callers embed it in one SQL statement.
    """
    readable = Membership.objects.filter(user=user, role__in=CASE_LEVEL_READER_ROLES).values("organisation_id")
    return Organisation.objects.filter(
        Q(pk__in=readable) | Q(area_id__in=readable),
        kind=OrganisationKind.POLICE_FORCE,
    ).values("pk")


def case_level_force_id_list(user: Any) -> list[int] | models.QuerySet[Any]:
    """``case_level_force_ids(user)``, read once per API request as a list of ids (a subquery elsewhere).

    A literal ``force_id IN (...)`` is planned in microseconds and estimated well; the subquery,
    repeated in the count, the page and every scoped read of a request, was measured to make
    PostgreSQL plan the dip-samples page for tens of milliseconds.
    """
    listed = for_this_request(
        ("case_level_force_ids", user.pk),
        lambda: list(case_level_force_ids(user).order_by().values_list("pk", flat=True)),
    )
    return case_level_force_ids(user) if listed is None else listed


class OrganisationQuerySet(ScopedQuerySet):
    @scoping
    def visible_to(self, user: Any) -> Self:
        """Organisations a member of anything may see: its own, the forces of its Area, the Area of its force."""
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        member_of = Membership.objects.filter(user=user).values("organisation_id")
        areas_of_member_forces = Organisation.objects.filter(pk__in=member_of).values("area_id")
        return self.filter(Q(pk__in=member_of) | Q(area_id__in=member_of) | Q(pk__in=areas_of_member_forces))

    def areas(self) -> Self:
        return self.filter(kind=OrganisationKind.CPS_AREA)

    def forces(self) -> Self:
        return self.filter(kind=OrganisationKind.POLICE_FORCE)


class Organisation(models.Model):
    code = models.SlugField(
        max_length=16,
        unique=True,
        allow_unicode=False,
        help_text="Short upper-case code used in the API and URLs, e.g. CPS-NW, GMP.",
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    area = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forces",
        limit_choices_to={"kind": OrganisationKind.CPS_AREA},
        help_text="The CPS Area a police force works with. Empty for an Area.",
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        permissions = [("view_summary", "Can view force-level summaries")]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_force_has_area",
                condition=(Q(kind=OrganisationKind.POLICE_FORCE, area__isnull=False))
                | Q(kind=OrganisationKind.CPS_AREA, area__isnull=True),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_code_upper",
                condition=Q(code__regex=r"^[A-Z0-9][A-Z0-9-]*$"),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.code:
            self.code = self.code.upper()
        if self.kind == OrganisationKind.POLICE_FORCE and not self.area_id:
            raise ValidationError({"area": "A police force must point at its CPS Area."})
        if self.kind == OrganisationKind.CPS_AREA and self.area_id:
            raise ValidationError({"area": "A CPS Area does not belong to another Area."})
        if self.area is not None and self.area.kind != OrganisationKind.CPS_AREA:
            raise ValidationError({"area": "The area must be a CPS Area."})

    @property
    def is_force(self) -> bool:
        return self.kind == OrganisationKind.POLICE_FORCE

    @property
    def area_id_or_self(self) -> int:
        return self.area_id or self.pk

    def audit_scope(self) -> tuple[int | None, int | None]:
        """(area id, force id) under which audit entries about this row are filed."""
        return (self.area_id_or_self, self.pk if self.is_force else None)


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions on organisations (e.g. ``view_summary``)."""

    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=24, choices=Role.choices)
    stream = models.CharField(
        max_length=8,
        choices=Stream.choices,
        null=True,
        blank=True,
        help_text="The case stream a disclosure lead covers; empty means all streams.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__code", "role", "stream"]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_stream_only_for_leads",
                condition=Q(role=Role.DISCLOSURE_LEAD) | Q(stream__isnull=True),
                violation_error_message="Only disclosure leads have a stream.",
            ),
            models.UniqueConstraint(
                name="%(app_label)s_%(class)s_unique_per_stream",
                fields=["user", "organisation", "role", "stream"],
                condition=Q(stream__isnull=False),
                violation_error_message="This person already holds this role for this stream in this organisation.",
            ),
            models.UniqueConstraint(
                name="%(app_label)s_%(class)s_unique_all_streams",
                fields=["user", "organisation", "role"],
                condition=Q(stream__isnull=True),
                violation_error_message="This person already holds this role in this organisation.",
            ),
        ]

    def __str__(self):
        stream = self.stream or "all streams"
        return f"{self.user} - {self.get_role_display()} ({stream}) at {self.organisation.code}"

    def clean(self):
        if self.role in Role.values and self.organisation_id:
            allowed = ROLE_ORGANISATION_KINDS[Role(self.role)]
            if self.organisation.kind not in allowed:
                raise ValidationError(
                    {"role": f"A {self.get_role_display()} cannot belong to a {self.organisation.get_kind_display()}."}
                )
        if self.stream and self.role != Role.DISCLOSURE_LEAD:
            raise ValidationError({"stream": "Only disclosure leads have a stream."})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.organisation.audit_scope()


class TenantQuerySet(ScopedQuerySet):
    """Queryset of a tenant-owned model (one that carries ``force`` and ``area``)."""

    @scoping
    def visible_to(self, user: Any) -> Self:
        """Rows ``user`` may read: its force's (police) or its Area's forces' (CPS). Chief officers: none."""
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        force_ids = case_level_force_id_list(user)
        scoped = self.filter(force_id__in=force_ids)
        # Within an API request the forces are a list: a page may then read each force's rows in order.
        return scoped.partitioned_by("force_id", force_ids) if isinstance(force_ids, list) else scoped


class TenantModel(models.Model):
    """Base of every tenant-owned row: ``force`` and its ``area``, kept in step on save."""

    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.POLICE_FORCE},
    )
    area = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        limit_choices_to={"kind": OrganisationKind.CPS_AREA},
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.force_id and not self.area_id:
            self.area_id = Organisation.objects.values_list("area_id", flat=True).get(pk=self.force_id)
        super().save(*args, **kwargs)

    def audit_scope(self) -> tuple[int | None, int | None]:
        return (self.area_id, self.force_id)


def tenancy_of(owner: Organisation | TenantModel | None) -> dict[str, object]:
    """``force`` and ``area`` for a new tenant row: a police force's, or copied from the row it belongs to.

    The one place (with ``TenantModel.save`` for a row given only its force) where ``area`` is
    derived: always the CPS Area of the force. ``None`` (an unknown force) gives neither.
    """
    if owner is None:
        return {"force": None, "area_id": None}
    if isinstance(owner, Organisation):
        return {"force": owner, "area_id": owner.area_id}
    return {"force_id": owner.force_id, "area_id": owner.area_id}
