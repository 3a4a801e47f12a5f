"""Writes for dip sampling: plain, keyword-only, atomic functions that views, admin and commands call."""

from disclosure.services.assessments import (
    assessment_create,
    assessment_delete,
    assessment_update,
    defect_create,
    defect_delete,
    defect_update,
)
from disclosure.services.cases import case_create, schedule_create
from disclosure.services.imports import ImportRow, case_schedule_import
from disclosure.services.samples import (
    choose_schedules,
    dip_sample_add_schedule,
    dip_sample_complete,
    dip_sample_create,
    dip_sample_delete,
    dip_sample_draw,
    dip_sample_mark_not_assessable,
    dip_sample_reopen,
    dip_sample_sign_off,
    dip_sample_undraw,
    dip_sample_update,
)

__all__ = [
    "ImportRow",
    "assessment_create",
    "assessment_delete",
    "assessment_update",
    "case_create",
    "case_schedule_import",
    "choose_schedules",
    "defect_create",
    "defect_delete",
    "defect_update",
    "dip_sample_add_schedule",
    "dip_sample_complete",
    "dip_sample_create",
    "dip_sample_delete",
    "dip_sample_draw",
    "dip_sample_mark_not_assessable",
    "dip_sample_reopen",
    "dip_sample_sign_off",
    "dip_sample_undraw",
    "dip_sample_update",
    "schedule_create",
]
