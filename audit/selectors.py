"""Reads of the audit log (the read layer of its API)."""

from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from forces.models import Membership, OrganisationKind, Role, is_anonymous


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """Entries ``user`` may read (``AuditEvent.objects.visible_to``), with actor, model, Area and force."""
    return AuditEvent.objects.visible_to(user).select_related("actor", "content_type", "area", "force")


#: Whose memberships give audit entries (``AuditEvent.objects.visible_to``): an Area's org admins and Quality Group
#: its Area's entries, a force's org admins its force's.
AUDIT_READER_MEMBERSHIPS = Q(
    role__in=(Role.ORG_ADMIN, Role.QUALITY_GROUP), organisation__kind=OrganisationKind.CPS_AREA
) | Q(role=Role.ORG_ADMIN, organisation__kind=OrganisationKind.POLICE_FORCE)


def reads_audit_events(*, user) -> bool:
    """True when ``AuditEvent.objects.visible_to`` can give ``user`` entries: a superuser, or an active member holding
    one of those memberships. That rule's yes/no, for the audit log's web pages: the staff flag adds nothing (a member
    without such a membership, staff or not, reads no entry in the API, so gets 403 there).
    """
    if is_anonymous(user) or user.pk is None:
        return False
    return user.is_superuser or Membership.objects.filter(AUDIT_READER_MEMBERSHIPS, user_id=user.pk).exists()
