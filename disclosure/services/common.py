"""Checks shared by the dip-sampling services."""

from django.core.exceptions import PermissionDenied

from backend.errors import ConcurrentUpdateError, InvalidStateError
from disclosure.models import DipSample, DipSampleStatus
from forces.models import Organisation
from forces.selectors import lead_may_write_for_force

#: Default of update services' optional fields: "not sent", as opposed to None ("clear it").
UNSET = object()


def check_lead(*, actor, force: Organisation, stream: str) -> None:
    """``PermissionDenied`` unless ``actor`` leads ``stream`` for ``force`` (police side) or its Area (CPS side)."""
    if not lead_may_write_for_force(user=actor, force=force, stream=stream):
        raise PermissionDenied(
            f"Only disclosure leads for the {stream} stream of {force.code} or its CPS Area may do this."
        )


def check_row_version(obj, row_version: int | None) -> None:
    """Detect a lost update: the client must send the version it read."""
    if row_version is None:
        raise InvalidStateError(
            "Send the row_version you read (If-Match header or row_version field) so that "
            "concurrent changes are not lost.",
            code="row_version_required",
        )
    if int(row_version) != obj.row_version:
        raise ConcurrentUpdateError()


def check_sample_editable(dip_sample: DipSample) -> None:
    """Assessments and defects of a signed-off sample are read-only (409)."""
    if dip_sample.status == DipSampleStatus.SIGNED_OFF:
        raise InvalidStateError(
            "This dip sample is signed off: its assessments and defects are read-only. "
            "An Area org admin may reopen it with a reason.",
            code="signed_off",
        )


def check_sample_open(dip_sample: DipSample, *, action: str) -> None:
    """Adding or withdrawing assessments and defects needs a drawn sample that is not closed (409 otherwise).

    Planned: draw first (only drawn schedules are assessed). Completed or signed off: the
    set of assessments is closed; reopen the sample to change it.
    """
    if dip_sample.status == DipSampleStatus.IN_PROGRESS:
        return
    if dip_sample.status == DipSampleStatus.PLANNED:
        raise InvalidStateError(
            f"Draw the sample before you {action}: only drawn schedules are assessed.", code="not_drawn"
        )
    if dip_sample.status == DipSampleStatus.SIGNED_OFF:
        check_sample_editable(dip_sample)
    raise InvalidStateError(
        f"This dip sample is completed: reopen it before you {action}.",
        code="completed",
    )


def lock_sample(dip_sample: DipSample) -> DipSample:
    """Re-read the sample under a row lock (PostgreSQL) so concurrent steps queue, not interleave."""
    return DipSample.objects.select_for_update().select_related("force").get(pk=dip_sample.pk)


def clear_sign_offs(dip_sample: DipSample) -> list[str]:
    """A change after one side signed voids the signatures: both sides sign what they saw.

    Returns the fields changed (none if nobody had signed) and marks ``dip_sample.signatures_voided``
    so that the API can say so in its answer.
    """
    if not (dip_sample.cps_signed_off_by_id or dip_sample.police_signed_off_by_id):
        return []
    dip_sample.cps_signed_off_by = dip_sample.police_signed_off_by = None
    dip_sample.cps_signed_off_at = dip_sample.police_signed_off_at = None
    dip_sample.signatures_voided = True
    return ["cps_signed_off_by", "cps_signed_off_at", "police_signed_off_by", "police_signed_off_at"]
