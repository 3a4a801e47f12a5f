"""Reads of the audit log (the read layer of its API)."""

from django.db.models import QuerySet

from audit.models import AREA_AUDIT_READERS, FORCE_AUDIT_READERS, AuditEvent
from forces.models import Membership, is_anonymous


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    """Entries ``user`` may read (``AuditEvent.objects.visible_to``), with actor, model, Area and force."""
    return AuditEvent.objects.visible_to(user).select_related("actor", "content_type", "area", "force")


def reads_audit_events(*, user) -> bool:
    """True when ``AuditEvent.objects.visible_to`` can give ``user`` entries: a superuser, or an active member holding
    one of its memberships (``audit.models.AREA_AUDIT_READERS``, ``FORCE_AUDIT_READERS``). That rule's yes/no, for
    the audit log's web pages: the staff flag adds nothing (a member without such a membership, staff or not, reads
    no entry in the API, so gets 403 there).
    """
    if is_anonymous(user) or user.pk is None:
        return False
    readers = Membership.objects.filter(AREA_AUDIT_READERS | FORCE_AUDIT_READERS, user_id=user.pk)
    return user.is_superuser or readers.exists()
