"""Exports are disclosures: each pack or poster leaves one audit entry with who, when, what and why.

DPA 2018 Part 3 s.62 asks for a log of disclosures; docs/architecture.md ("Audit") files it with
the other entries, under the Area and force it concerns, so the same people read it.
"""

import hashlib
from collections.abc import Mapping

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from backend.audit import keyed_hash
from forces.models import Organisation, OrganisationKind, Stream
from forces.selectors import summaries_readable
from reports import selectors
from reports.exports import FORMATS, render_pack

#: The longest reason accepted (the audit log's column holds its keyed hash, but the rule is the user's).
REASON_MAX_LENGTH = 500


def export_reason_clean(reason: str | None) -> str:
    """The reason given for an export, stripped; ValidationError naming ``reason`` when missing or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are exporting these figures (it is kept in the audit log)."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters at most."})
    return reason


@transaction.atomic
def export_record(
    *, actor, organisation: Organisation, reason: str, what: dict, content: bytes, filename: str
) -> AuditEvent:
    """Log one export of ``content`` about ``organisation`` as a disclosure; return the entry.

    Call it once the file is made and before it is sent. The entry is an ``access`` entry on the
    organisation, filed under its Area and (for a force) the force, with:

    - ``additional_data["disclosure"]``: ``what`` (the kind of export, format, period, stream,
      meeting id), the file name, its size and its SHA-256, so the file handed out can be proved;
    - ``reason``: the keyed hash of the reason the user gave, never its text (the log is append-only
      and a typed reason may hold what must later be erased: docs/decisions/0008-audit-integrity.md).

    Raises ValidationError naming ``reason`` when it is missing or too long (nothing is logged).
    """
    reason = export_reason_clean(reason)
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    area_id, force_id = organisation.audit_scope()
    kind = what.get("kind", "export")
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_pk=str(organisation.pk),
        object_id=organisation.pk,
        object_repr=f"Export: {kind} ({what.get('format', '')}) of {organisation.code}",
        action=AuditEvent.Action.ACCESS,
        actor=actor,
        actor_email=getattr(actor, "email", None) or None,
        remote_addr=context.get("remote_addr"),
        remote_port=context.get("remote_port"),
        cid=get_cid(),
        area_id=area_id,
        force_id=force_id,
        reason=keyed_hash(reason),
        additional_data={
            "disclosure": {
                **what,
                "filename": filename,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        },
    )


def pack_figures(*, user, organisation: Organisation, date_from, date_to, stream, today) -> dict:
    """What a pack is made of: a force's summary, or an Area's comparison (Http404 when not the user's to read)."""
    if organisation.kind == OrganisationKind.POLICE_FORCE:
        return selectors.force_summary(
            user=user, force=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
        )
    return selectors.area_comparison(
        user=user, area=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
    )


@transaction.atomic
def pack_export(*, actor, organisation: Organisation, params: Mapping, via: str) -> tuple[bytes, str, str]:
    """Make the pack (or poster) that ``params`` ask for and log it as a disclosure; ``(bytes, type, name)``.

    ``params``: ``format`` (``pdf`` by default, ``xlsx``, ``csv``, ``poster``), ``reason`` (required),
    ``from``/``to`` (``reports.selectors.summary_window``), ``stream``. ``via`` says where it was asked
    (``api``, ``admin``) and is logged. Raises ValidationError naming every bad parameter (nothing is
    made or logged), Http404 when ``actor`` may not read the organisation's figures.
    """
    errors = {}
    fmt = str(params.get("format") or "pdf").strip().lower()
    if fmt not in FORMATS:
        errors["format"] = [f"Choose one of {', '.join(FORMATS)}."]
    stream = params.get("stream") or None
    if stream is not None and stream not in Stream.values:
        errors["stream"] = [f"Choose one of {', '.join(Stream.values)}."]
    try:
        reason = export_reason_clean(params.get("reason"))
    except ValidationError as error:
        errors.update(error.message_dict)
    today = timezone.localdate()
    try:
        date_from, date_to = selectors.summary_window(params.get("from"), params.get("to"), today)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    data = pack_figures(
        user=actor, organisation=organisation, date_from=date_from, date_to=date_to, stream=stream, today=today
    )
    content, content_type, filename = render_pack(data, fmt)
    what = {
        "kind": "poster" if fmt == "poster" else "pack",
        "format": fmt,
        "organisation": organisation.code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "stream": stream,
        "via": via,
    }
    export_record(actor=actor, organisation=organisation, reason=reason, what=what, content=content, filename=filename)
    return content, content_type, filename


#: A meeting's pack is a pack (the poster is of an Area's or a force's live figures).
MEETING_FORMATS = ("pdf", "xlsx", "csv")


def meeting_snapshot_for_pack(meeting, *, readable_forces: set[str]) -> dict:
    """The dict ``render_pack`` takes for a meeting: its frozen summaries, its open actions, its period.

    ``meeting.snapshot`` is ``{force code: force summary}`` as frozen when the meeting was created
    (or already ``{"summaries": ..., ...}``); nothing here reads the figures again. Only the
    summaries of ``readable_forces`` are kept: a joint forum's pack shows each force's police
    their own figures, as the API does.
    """
    snapshot = meeting.snapshot or {}
    summaries = snapshot.get("summaries", snapshot) if isinstance(snapshot, dict) else snapshot
    summaries = {code: figures for code, figures in summaries.items() if code in readable_forces}
    actions = [
        {
            "owner": getattr(item.owner, "code", item.owner),
            "description": item.description,
            "due_on": item.due_on.isoformat() if item.due_on else "",
            "status": item.status,
        }
        for item in meeting.action_items.all()
    ]
    kind = meeting.get_kind_display() if hasattr(meeting, "get_kind_display") else str(meeting.kind)
    return {
        "title": f"{kind}, {meeting.held_on.isoformat()}",
        "area": meeting.area.code,
        "period": {"from": meeting.period_start.isoformat(), "to": meeting.period_end.isoformat()},
        "summaries": summaries,
        "comparison": snapshot.get("comparison") if isinstance(snapshot, dict) else None,
        "actions": actions,
    }


@transaction.atomic
def meeting_pack_export(*, actor, meeting, params: Mapping, via: str) -> tuple[bytes, str, str]:
    """The pack of a meeting's frozen figures (``format`` pdf, xlsx or csv; ``reason`` required), logged.

    ``meeting`` must have been found through ``Meeting.objects.visible_to(actor)`` (404 otherwise,
    by the caller). The disclosure is filed under the meeting's Area, and its force when it
    covers exactly one. Raises ValidationError naming ``format`` or ``reason``.
    """
    errors = {}
    fmt = str(params.get("format") or "pdf").strip().lower()
    if fmt not in MEETING_FORMATS:
        errors["format"] = [f"Choose one of {', '.join(MEETING_FORMATS)}."]
    try:
        reason = export_reason_clean(params.get("reason"))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    readable = set(summaries_readable(user=actor)["forces"])
    content, content_type, filename = render_pack(meeting_snapshot_for_pack(meeting, readable_forces=readable), fmt)
    forces = list(meeting.forces.all())
    organisation = forces[0] if len(forces) == 1 else meeting.area
    what = {"kind": "meeting pack", "format": fmt, "meeting": meeting.pk, "organisation": meeting.area.code, "via": via}
    export_record(actor=actor, organisation=organisation, reason=reason, what=what, content=content, filename=filename)
    return content, content_type, filename
