"""The audit log: django-auditlog entries, filed under the Area and force they concern.

Append-only: an entry cannot be changed or deleted by the ORM, the admin or the API, and on
PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table (migration 0002). Nothing
cascades into it: a user or content type with entries cannot be deleted (accounts are deactivated).
What an entry may hold is decided when a model is registered (``backend.audit.audit_register``).
"""

from typing import Any, Self

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, models, router
from django.db.models import Q

from backend.querysets import ScopedQuerySet, scoping
from forces.models import Membership, Organisation, OrganisationKind, Role, is_anonymous

ERASED = "[erased]"


#: Memberships that read an Area's audit entries (its org admins and Quality Group) and a force's (its org admins):
#: the one statement of the rule, used by ``visible_to`` and by ``audit.selectors.reads_audit_events``.
AREA_AUDIT_READERS = Q(role__in=(Role.ORG_ADMIN, Role.QUALITY_GROUP), organisation__kind=OrganisationKind.CPS_AREA)
FORCE_AUDIT_READERS = Q(role=Role.ORG_ADMIN, organisation__kind=OrganisationKind.POLICE_FORCE)


class AuditEventQuerySet(ScopedQuerySet):
    @scoping
    def visible_to(self, user: Any) -> Self:
        """Area org admins and the Quality Group see their Area's entries; force org admins their force's."""
        if is_anonymous(user):
            return self.none()
        if user.is_superuser:
            return self
        area_readers = Membership.objects.filter(AREA_AUDIT_READERS, user=user).values("organisation_id")
        force_readers = Membership.objects.filter(FORCE_AUDIT_READERS, user=user).values("organisation_id")
        return self.filter(Q(area_id__in=area_readers) | Q(force_id__in=force_readers))

    def update(self, **kwargs):
        raise PermissionDenied("Audit events cannot be changed.")

    def delete(self):
        raise PermissionDenied("Audit events cannot be deleted.")


class AuditEventManager(LogEntryManager.from_queryset(AuditEventQuerySet)):  # type: ignore[misc]  # dynamic base
    def log_create(self, instance, force_log: bool = False, **kwargs):
        scope = getattr(instance, "audit_scope", None)
        if callable(scope):
            area_id, force_id = scope()
            kwargs.setdefault("area_id", area_id)
            kwargs.setdefault("force_id", force_id)
        if kwargs.get("action") == AbstractLogEntry.Action.DELETE and kwargs.get("changes"):
            # An erasure log must not keep the erased data (DPA 2018 s.62): field names only.
            kwargs["changes"] = {field: [ERASED, None] for field in kwargs["changes"]}
            kwargs["serialized_data"] = None
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_list_access(self, *, model, rows, query: dict, actor, remote_addr, remote_port=None, cid=None):
        """Log a page of a list read: one ``access`` entry per (Area, force) of ``rows``, in one INSERT alone.

        Each entry names the query and the ids of its force's rows on the page
        (``additional_data["list"]``), so the force's org admins see the reads of their rows.
        ``rows`` are the page already fetched: ``audit_scope()`` of a tenant row reads its own columns.
        """
        ids_by_scope: dict[tuple, list] = {}
        for row in rows:
            ids_by_scope.setdefault(row.audit_scope(), []).append(row.pk)
        content_type = ContentType.objects.get_for_model(model)
        plural = model._meta.verbose_name_plural
        events = [
            self.model(
                content_type=content_type,
                object_pk="",
                object_repr=f"List read: {len(ids)} {plural}",
                action=AbstractLogEntry.Action.ACCESS,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=remote_addr,
                remote_port=remote_port,
                cid=cid,
                area_id=area_id,
                force_id=force_id,
                additional_data={"list": {"query": query, "ids": ids}},
            )
            for (area_id, force_id), ids in ids_by_scope.items()
        ]
        using = router.db_for_write(self.model)
        # The columns bulk_create writes for rows without an id (the id is the database's).
        fields = [
            field
            for field in self.model._meta.concrete_fields
            if not field.generated and not isinstance(field, models.AutoField)
        ]
        if len(events) > connections[using].ops.bulk_batch_size(fields, events):
            self.bulk_create(events)  # more rows than one statement takes (43 forces at most: not seen)
            return
        # One multi-row INSERT, atomic by itself: bulk_create would wrap it in a transaction of its own
        # (BEGIN and COMMIT: two more round trips on every list read), which only its batches need.
        # ``_insert`` is the manager method Model.save() and bulk_create() insert with.
        self._insert(events, fields=fields, using=using)


class AuditEvent(AbstractLogEntry):
    # auditlog's CASCADE and SET_NULL would rewrite or delete entries: PROTECT refuses instead.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="content type"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="actor",
    )
    area = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=True
    )
    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=True
    )
    #: Why an export was made (disclosure); empty for other actions.
    reason = models.CharField(max_length=500, blank=True)

    objects = AuditEventManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit event"
        verbose_name_plural = "audit events"
        indexes = [models.Index(fields=["area", "-timestamp"], name="audit_event_area_time")]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events cannot be deleted.")
