"""All-or-nothing bulk intake of cases and schedules from CSV.

The one orchestration (read, decode, parse, validate, write) behind both the API upload
(``POST /api/v1/cases/import/``) and ``manage.py import_cases``.

Columns (header row required, any order): ``force, urn, stream, kind, received_on,
item_count`` and optionally ``revision`` (default 1). A row may name a case already known
(same force and URN); its stream must then match. Each row is checked by the same rules as
``POST /cases/`` and ``POST /schedules/`` (``case_clean``, ``schedule_clean``, the lead
check). Every bad row is reported by line and field (``line 4.item_count``), problems with
the file as a whole under ``file`` or ``line N``, and nothing is written unless every row
is good.

Bounded: at most ``settings.CSV_IMPORT_MAX_BYTES`` bytes are read, at most
``settings.CSV_IMPORT_MAX_ROWS`` lines after the header (blank ones count) and
``MAX_FIELD_CHARS`` characters a value are accepted, and the rows are written with a
fixed number of queries per batch, so the largest file imports well within the app
server's request timeout.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from disclosure.models import Case, Schedule, normalise_urn
from disclosure.services.cases import case_clean, schedule_clean
from forces.models import Organisation
from forces.selectors import lead_may_write_for_force

REQUIRED_COLUMNS = ("force", "urn", "stream", "kind", "received_on", "item_count")
OPTIONAL_COLUMNS = ("revision",)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
#: Longest value accepted in any cell (the longest real one, a force code or URN, is far shorter).
MAX_FIELD_CHARS = 200
#: An error report names the problems of at most this many lines (and says how many more).
MAX_REPORTED_LINES = 100

_BARE_CR = re.compile(r"\r(?!\n)")


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]


@dataclass
class ImportResult:
    cases_created: int = 0
    schedules_created: int = 0
    rows: int = 0


@transaction.atomic
def case_schedule_import(*, actor, source: BinaryIO) -> ImportResult:
    """Create the cases and schedules of the CSV file ``source`` (opened in binary mode), all or nothing.

    A row for a force the actor cannot see (``Organisation.objects.visible_to``) is an error,
    as is a row for a stream the actor does not lead. Raises one ``ValidationError`` naming
    every problem (``file``, ``line N`` or ``line N.field``); nothing is written then.
    """
    rows = parse_csv(read_csv_text(source))
    forces = {force.code: force for force in Organisation.objects.visible_to(actor).forces()}
    planned = _check_rows(rows, actor=actor, forces=forces)
    return _write(planned, actor=actor)


def read_csv_text(source: BinaryIO) -> str:
    """The text of ``source``: at most ``CSV_IMPORT_MAX_BYTES`` bytes of UTF-8 (a BOM is dropped).

    Never reads more than the limit and one byte; an upload that declares a larger ``size``
    is refused unread.
    """
    limit = settings.CSV_IMPORT_MAX_BYTES
    too_big = ValidationError({"file": [f"The file is larger than {limit:,} bytes: split it into smaller files."]})
    if (getattr(source, "size", None) or 0) > limit:
        raise too_big
    data = source.read(limit + 1)
    if len(data) > limit:
        raise too_big
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            {"file": [f"The file is not UTF-8 text (line {line}): save it as 'CSV UTF-8' and upload it again."]}
        ) from None
    if not text.strip():
        raise ValidationError({"file": ["The file is empty."]})
    nul = text.find("\x00")
    if nul >= 0:
        raise ValidationError({_line_at(text, nul): ["The line holds a NUL character: the file is not CSV text."]})
    bare_cr = _BARE_CR.search(text)
    if bare_cr is not None:
        raise ValidationError(
            {
                _line_at(text, bare_cr.start()): [
                    "A carriage return (CR) without a line feed: save the file with Windows or Unix line ends."
                ]
            }
        )
    data_lines = text.count("\n") + (not text.endswith("\n")) - 1
    max_rows = settings.CSV_IMPORT_MAX_ROWS
    if data_lines > max_rows:
        raise ValidationError(
            {
                "file": [
                    f"At most {max_rows:,} lines after the header per import, blank ones included; "
                    f"this file has {data_lines:,}: split it."
                ]
            }
        )
    return text


def parse_csv(text: str) -> list[ImportRow]:
    """Rows of a CSV text, numbered by their line in the file (the header is line 1); blank rows skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_header(header)
        rows, errors = [], {}
        for record in reader:
            line = reader.line_num
            if not any(value.strip() for value in record):
                continue  # a blank line, or only commas: counted against the row limit, then ignored
            if len(record) > len(header):
                errors[f"line {line}"] = [f"More values ({len(record)}) than columns ({len(header)})."]
                continue
            for name, value in zip(header, record, strict=False):
                if len(value) > MAX_FIELD_CHARS:
                    errors[f"line {line}.{name}"] = [f"At most {MAX_FIELD_CHARS} characters (this has {len(value):,})."]
            values = dict.fromkeys(header, "")
            values.update((name, value.strip()) for name, value in zip(header, record, strict=False))
            rows.append(ImportRow(line=line, values=values))
    except csv.Error as exc:
        raise ValidationError({f"line {reader.line_num}": [f"Not readable as CSV: {exc}."]}) from None
    if errors:
        _raise(errors)
    if not rows:
        raise ValidationError({"file": ["The file has a header but no rows."]})
    return rows


def _check_header(header: list[str]) -> None:
    def named(names):
        return ", ".join(names)

    problems = []
    if len(header) > len(COLUMNS):
        problems.append(f"{len(header):,} columns; at most {len(COLUMNS)}: {named(COLUMNS)}.")
    unknown = [(index, name) for index, name in enumerate(header, start=1) if name not in COLUMNS]
    if unknown:
        shown = named(f"{name[:40]!r} (column {index})" for index, name in unknown[:10])
        more = f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
        problems.append(f"Unknown column(s): {shown}{more}.")
    repeated = sorted(name for name, count in Counter(header).items() if name in COLUMNS and count > 1)
    if repeated:
        problems.append(f"Repeated column(s): {named(repeated)}.")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(f"Missing column(s): {named(missing)}.")
    if problems:
        raise ValidationError({"line 1": problems})


@dataclass
class _Planned:
    line: int
    case: Case
    schedule: Schedule


def _check_rows(rows: list[ImportRow], *, actor, forces: dict[str, Organisation]) -> list[_Planned]:
    errors: dict[str, list[str]] = {}
    planned = [_check_row(row, actor=actor, forces=forces, errors=errors) for row in rows]
    planned = [plan for plan in planned if plan is not None]

    may_write: dict[tuple[int, str], bool] = {}
    seen_schedules: dict[tuple, int] = {}
    streams_in_file: dict[tuple[int, str], tuple[str, int]] = {}
    for plan in planned:
        case, schedule = plan.case, plan.schedule
        key = (case.force_id, case.stream)
        if key not in may_write:
            may_write[key] = lead_may_write_for_force(user=actor, force=case.force, stream=case.stream)
        if not may_write[key]:
            _add(
                errors,
                plan.line,
                "stream",
                f"You are not a {case.stream} disclosure lead for {case.force.code} or its CPS Area.",
            )
        schedule_key = (case.force_id, case.urn, schedule.kind, schedule.revision)
        if schedule_key in seen_schedules:
            _add(errors, plan.line, "revision", f"Repeats the schedule on line {seen_schedules[schedule_key]}.")
        seen_schedules.setdefault(schedule_key, plan.line)
        first_stream, first_line = streams_in_file.setdefault((case.force_id, case.urn), (case.stream, plan.line))
        if first_stream != case.stream:
            _add(errors, plan.line, "stream", f"Case {case.urn} is in the {first_stream} stream on line {first_line}.")

    # Stored cases and schedules the file names, in two queries whatever its size.
    stored = {
        (c.force_id, c.urn): c
        for c in Case.objects.filter(
            force_id__in={plan.case.force_id for plan in planned}, urn__in={plan.case.urn for plan in planned}
        )
    }
    stored_schedules = set(
        Schedule.objects.filter(case__in=stored.values()).values_list("case__force_id", "case__urn", "kind", "revision")
    )
    for plan in planned:
        case, schedule = plan.case, plan.schedule
        known = stored.get((case.force_id, case.urn))
        if known is None:
            continue
        if known.stream != case.stream:
            _add(errors, plan.line, "stream", f"Case {known.urn} is already recorded in the {known.stream} stream.")
        if (case.force_id, case.urn, schedule.kind, schedule.revision) in stored_schedules:
            _add(
                errors,
                plan.line,
                "revision",
                f"Case {case.urn} already has revision {schedule.revision} of its {schedule.kind.upper()}.",
            )
        plan.case = known
    if errors:
        _raise(errors)
    return planned


def _check_row(row: ImportRow, *, actor, forces: dict[str, Organisation], errors: dict) -> _Planned | None:
    """The row as an unsaved case and schedule, checked as ``case_create``/``schedule_create`` check them."""
    values = row.values
    bad_before = len(errors)
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            _add(errors, row.line, name, "This field is required.")
    force = forces.get(values["force"].upper())
    if force is None and values["force"]:
        _add(errors, row.line, "force", f"No police force with code {values['force']!r} that you can see.")
    case = Case(
        force=force,
        area_id=getattr(force, "area_id", None),
        urn=normalise_urn(values["urn"]),
        stream=values["stream"].lower(),
        created_by=actor,
    )
    schedule = Schedule(
        force=force,
        area_id=case.area_id,
        kind=values["kind"].lower(),
        received_on=values["received_on"],
        item_count=values["item_count"],
        revision=values.get("revision") or 1,
        created_by=actor,
    )
    for clean, instance in ((case_clean, case), (schedule_clean, schedule)):
        try:
            clean(instance)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                # An empty value was reported as required above, once.
                errors.setdefault(f"line {row.line}.{name}", messages)
    if len(errors) > bad_before:
        return None
    return _Planned(line=row.line, case=case, schedule=schedule)


def _write(planned: list[_Planned], *, actor) -> ImportResult:
    new_cases: dict[tuple[int, str], Case] = {}
    for plan in planned:
        if plan.case.pk is None:
            plan.case = new_cases.setdefault((plan.case.force_id, plan.case.urn), plan.case)
    Case.objects.bulk_create(new_cases.values())
    schedules = []
    for plan in planned:
        plan.schedule.case = plan.case
        schedules.append(plan.schedule)
    Schedule.objects.bulk_create(schedules)
    _audit_created(list(new_cases.values()), actor=actor)
    _audit_created(schedules, actor=actor)
    return ImportResult(cases_created=len(new_cases), schedules_created=len(schedules), rows=len(planned))


def _audit_created(instances: list, *, actor) -> None:
    """The CREATE entries django-auditlog writes on ``save()``, for rows written by ``bulk_create``.

    ``bulk_create`` sends no ``post_save``, so auditlog's receiver never runs; the entries are
    built as it builds them (same diff, actor, address and correlation id) and inserted in bulk.
    """
    if not instances or auditlog_disabled.get():
        return
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    content_type = ContentType.objects.get_for_model(instances[0])
    cid = get_cid()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            content_type=content_type,
            object_pk=str(instance.pk),
            object_id=instance.pk,
            object_repr=str(instance),
            action=AuditEvent.Action.CREATE,
            changes=model_instance_diff(None, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES),
            actor=actor,
            actor_email=getattr(actor, "email", None),
            remote_addr=context.get("remote_addr"),
            remote_port=context.get("remote_port"),
            cid=cid,
            area_id=instance.area_id,
            force_id=instance.force_id,
        )
        for instance in instances
    )


def _add(errors: dict, line: int, name: str, message: str) -> None:
    errors.setdefault(f"line {line}.{name}", []).append(message)


def _line_at(text: str, index: int) -> str:
    return f"line {text.count(chr(10), 0, index) + 1}"


def _line_number(key: str) -> int:
    try:
        return int(key.split(".")[0].removeprefix("line "))
    except ValueError:
        return 0


def _raise(errors: dict[str, list[str]]):
    """One ``ValidationError`` with the problems of the first ``MAX_REPORTED_LINES`` lines, in line order."""
    ordered = sorted(errors.items(), key=lambda item: _line_number(item[0]))
    lines = sorted({_line_number(key) for key in errors})
    shown_lines = set(lines[:MAX_REPORTED_LINES])
    report = {key: messages for key, messages in ordered if _line_number(key) in shown_lines}
    if len(lines) > MAX_REPORTED_LINES:
        report.setdefault("file", []).append(
            f"{len(lines) - MAX_REPORTED_LINES:,} more lines have problems; fix the ones shown and upload again."
        )
    raise ValidationError(report)
