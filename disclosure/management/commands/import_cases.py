"""Bulk intake of cases and schedules from a CSV file, all or nothing.

    python manage.py import_cases intake.csv --as cps-cc-lead

The file goes through the same service as the API upload (``case_schedule_import``): the
same limits, the same row checks (the user named with --as must be allowed to record every
row) and the same error report. Any problem is listed by line and field and nothing is written.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backend.audit import audit_as
from disclosure.services.imports import case_schedule_import


class Command(BaseCommand):
    help = "Import cases and schedules from CSV (force, urn, stream, kind, received_on, item_count[, revision])."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--as", dest="username", required=True, help="The disclosure lead the rows are recorded by."
        )

    def handle(self, *args, path: Path, username: str, **options):
        try:
            actor = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
        try:
            with path.open("rb") as source, audit_as(actor):
                result = case_schedule_import(actor=actor, source=source)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ValidationError as exc:
            for where, messages in exc.message_dict.items():
                for message in messages:
                    self.stderr.write(f"{where}: {message}")
            raise CommandError("Nothing was imported: fix the rows above and run again.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows: {result.cases_created} new cases, {result.schedules_created} schedules."
            )
        )
