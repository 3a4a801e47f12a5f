"""All-or-nothing bulk intake of cases and schedules from CSV.

Columns (header row required, any order): ``force, urn, stream, kind, received_on,
item_count`` and optionally ``revision`` (default 1). A row may name a case already known
(same force and URN); its stream must then match. Every bad row is reported by line and
field, and nothing is written unless every row is good.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from disclosure.models import URN_PATTERN, Case, Schedule, ScheduleKind, normalise_urn
from forces.models import Organisation, Stream
from forces.selectors import lead_may_write_for_force

REQUIRED_COLUMNS = ("force", "urn", "stream", "kind", "received_on", "item_count")
OPTIONAL_COLUMNS = ("revision",)
MAX_ROWS = 20_000


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]


@dataclass
class ImportResult:
    cases_created: int = 0
    schedules_created: int = 0
    rows: int = 0


def parse_csv(text: str) -> list[ImportRow]:
    """Rows of a CSV text, numbered by their line in the file (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    errors = {}
    if missing:
        errors["line 1"] = [f"Missing column(s): {', '.join(missing)}."]
    if unknown:
        errors.setdefault("line 1", []).append(f"Unknown column(s): {', '.join(unknown)}.")
    if errors:
        raise ValidationError(errors)
    reader.fieldnames = header
    rows = []
    for record in reader:
        if None in record:
            raise ValidationError({f"line {reader.line_num}": ["More values than columns."]})
        rows.append(ImportRow(line=reader.line_num, values={k: (v or "").strip() for k, v in record.items()}))
        if len(rows) > MAX_ROWS:
            raise ValidationError({"file": [f"At most {MAX_ROWS} rows per import; split the file."]})
    if not rows:
        raise ValidationError({"file": ["The file has a header but no rows."]})
    return rows


def _parse_row(row: ImportRow, *, forces: dict[str, Organisation], errors: dict) -> dict | None:
    values = row.values
    found: dict = {}

    def bad(name, message):
        errors.setdefault(f"line {row.line}.{name}", []).append(message)

    force = forces.get(values["force"].upper())
    if force is None:
        bad("force", f"No police force with code {values['force']!r} that you can see.")
    found["force"] = force
    urn = normalise_urn(values["urn"])
    if not URN_PATTERN.match(urn):
        bad("urn", f"{values['urn']!r} is not a URN (11 characters, e.g. 06AB1234525).")
    found["urn"] = urn
    if values["stream"].lower() not in Stream.values:
        bad("stream", f"{values['stream']!r} is not one of {', '.join(Stream.values)}.")
    found["stream"] = values["stream"].lower()
    if values["kind"].lower() not in ScheduleKind.values:
        bad("kind", f"{values['kind']!r} is not one of {', '.join(ScheduleKind.values)}.")
    found["kind"] = values["kind"].lower()
    try:
        found["received_on"] = datetime.date.fromisoformat(values["received_on"])
        if found["received_on"] > timezone.localdate():
            bad("received_on", "A schedule cannot be received in the future.")
    except ValueError:
        bad("received_on", f"{values['received_on']!r} is not a date (YYYY-MM-DD).")
    for name, default in (("item_count", None), ("revision", "1")):
        raw = values.get(name) or default
        try:
            number = int(raw)
        except (TypeError, ValueError):
            bad(name, f"{raw!r} is not a whole number.")
            continue
        minimum = 0 if name == "item_count" else 1
        if number < minimum:
            bad(name, f"Must be {minimum} or more.")
        found[name] = number
    return found


@transaction.atomic
def case_schedule_import(
    *, actor, rows: Iterable[ImportRow], visible_forces: Iterable[Organisation], progress: Callable | None = None
) -> ImportResult:
    """Create the cases and schedules of ``rows``, all or nothing.

    ``visible_forces`` are the forces the actor may see (``Organisation.objects.visible_to``);
    a row for any other force is an error, as is a row for a stream the actor does not lead.
    Raises one ``ValidationError`` naming every bad ``line N.field``; nothing is written then.
    """
    rows = list(rows)
    forces = {force.code: force for force in visible_forces if force.is_force}
    errors: dict[str, list[str]] = {}
    parsed = [(row, _parse_row(row, forces=forces, errors=errors)) for row in rows]

    may_write: dict[tuple[int, str], bool] = {}
    seen_schedules: dict[tuple, int] = {}
    for row, values in parsed:
        force, stream = values.get("force"), values.get("stream")
        if force is None or stream not in Stream.values:
            continue
        key = (force.pk, stream)
        if key not in may_write:
            may_write[key] = lead_may_write_for_force(user=actor, force=force, stream=stream)
        if not may_write[key]:
            errors.setdefault(f"line {row.line}.stream", []).append(
                f"You are not a {stream} disclosure lead for {force.code} or its CPS Area."
            )
        schedule_key = (force.pk, values["urn"], values.get("kind"), values.get("revision"))
        if schedule_key in seen_schedules:
            errors.setdefault(f"line {row.line}.revision", []).append(
                f"Repeats the schedule on line {seen_schedules[schedule_key]}."
            )
        seen_schedules.setdefault(schedule_key, row.line)

    # Existing cases and schedules, in two queries whatever the file's size.
    force_ids = {values["force"].pk for _, values in parsed if values.get("force")}
    urns = {values["urn"] for _, values in parsed}
    cases = {(c.force_id, c.urn): c for c in Case.objects.filter(force_id__in=force_ids, urn__in=urns)}
    existing_schedules = set(
        Schedule.objects.filter(case__in=cases.values()).values_list("case__force_id", "case__urn", "kind", "revision")
    )
    streams_in_file: dict[tuple[int, str], tuple[str, int]] = {}
    for row, values in parsed:
        force = values.get("force")
        if force is None:
            continue
        case = cases.get((force.pk, values["urn"]))
        if case is not None and values.get("stream") in Stream.values and case.stream != values["stream"]:
            errors.setdefault(f"line {row.line}.stream", []).append(
                f"Case {case.urn} is already recorded in the {case.stream} stream."
            )
        first_stream, first_line = streams_in_file.setdefault((force.pk, values["urn"]), (values["stream"], row.line))
        if first_stream != values["stream"]:
            errors.setdefault(f"line {row.line}.stream", []).append(
                f"Case {values['urn']} is in the {first_stream} stream on line {first_line}."
            )
        if (force.pk, values["urn"], values.get("kind"), values.get("revision")) in existing_schedules:
            errors.setdefault(f"line {row.line}.revision", []).append(
                f"Case {values['urn']} already has revision {values.get('revision')} "
                f"of its {values.get('kind', '').upper()}."
            )

    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=lambda item: _line_number(item[0]))))

    result = ImportResult(rows=len(parsed))
    for index, (_, values) in enumerate(parsed, start=1):
        force = values["force"]
        case = cases.get((force.pk, values["urn"]))
        if case is None:
            case = Case.objects.create(
                force=force, area_id=force.area_id, urn=values["urn"], stream=values["stream"], created_by=actor
            )
            cases[(force.pk, values["urn"])] = case
            result.cases_created += 1
        Schedule.objects.create(
            case=case,
            force=force,
            area_id=force.area_id,
            kind=values["kind"],
            received_on=values["received_on"],
            item_count=values["item_count"],
            revision=values["revision"],
            created_by=actor,
        )
        result.schedules_created += 1
        if progress is not None:
            progress(index)
    return result


def _line_number(key: str) -> int:
    try:
        return int(key.split(".")[0].removeprefix("line "))
    except ValueError:
        return 0
