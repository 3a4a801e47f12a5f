#!/usr/bin/env python
"""How long a maximum-size CSV import takes, through the API, on a throw-away SQLite database.

    .venv/bin/python scripts/bench_import.py [--rows N] [--repeat K]

A benchmark, not a test: it migrates a fresh SQLite file in a temporary directory, creates
two CPS Areas with two forces each and one Crown Court disclosure lead per Area, and posts
CSV files to ``/api/v1/cases/import/`` with the Django test client (multipart upload,
authentication, validation, writes and audit entries included; no network, no gunicorn):

- ``new``: the row cap (``CSV_IMPORT_MAX_ROWS``) of rows, every one a new case (the most
  writes a file can ask for);
- ``known``: the same number of rows, each a new revision of a case the first file created;
- ``bad``: the row cap of rows, every one wrong in every field (the largest error report).

It prints the wall and CPU time of each request (on a busy machine the CPU time is the
steadier figure), its status, the SQL statements it ran and the size
of the upload and of the response. Compare the times with gunicorn's 30 s worker timeout.
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TMP = tempfile.TemporaryDirectory(prefix="bench-import-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP.name}/db.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings.local"
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["API_THROTTLE_USER"] = "1000000/min"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from disclosure.models import Case, Schedule  # noqa: E402
from forces.models import Membership, Organisation, OrganisationKind, Role, Stream  # noqa: E402

HEADER = "force,urn,stream,kind,received_on,item_count,revision\n"


def setup_world():
    call_command("migrate", verbosity=0)
    user_model = django.contrib.auth.get_user_model()
    leads, forces = [], []
    for a in range(2):
        area = Organisation.objects.create(code=f"CPS-B{a}", name=f"Bench Area {a}", kind=OrganisationKind.CPS_AREA)
        for f in range(2):
            forces.append(
                Organisation.objects.create(
                    code=f"BF{a}{f}", name=f"Bench Force {a}{f}", kind=OrganisationKind.POLICE_FORCE, area=area
                )
            )
        lead = user_model.objects.create_user(username=f"bench-lead-{a}", password=None)
        Membership.objects.create(user=lead, organisation=area, role=Role.DISCLOSURE_LEAD, stream=Stream.CC)
        leads.append(lead)
    return leads[0], [force for force in forces if force.area.code == "CPS-B0"]


def csv_text(rows: int, forces, *, revision: int = 1, bad: bool = False) -> str:
    lines = [HEADER]
    for n in range(rows):
        if bad:
            lines.append(f"NOPE{n % 7},X{n:09d},crown,mg9,2025-13-{n % 90:02d},-{n},0\n")
        else:
            force = forces[n % len(forces)]
            lines.append(f"{force.code},01AB{n:05d}25,cc,mg6c,2025-01-{1 + n % 28:02d},{n % 500},{revision}\n")
    return "".join(lines)


def post(client, label: str, text: str) -> None:
    data = text.encode()
    upload = SimpleUploadedFile("intake.csv", data, content_type="text/csv")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/cases/import/", {"file": upload}, format="multipart")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"{label:6} status {response.status_code}  {elapsed:6.2f} s wall  {cpu:6.2f} s CPU  "
        f"{len(queries):5} SQL statements  upload {len(data) / 1024:7.1f} KiB  "
        f"response {len(response.content) / 1024:7.1f} KiB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=getattr(settings, "CSV_IMPORT_MAX_ROWS", 5000))
    args = parser.parse_args()

    lead, forces = setup_world()
    client = APIClient()
    client.force_authenticate(lead)
    print(f"SQLite {connection.Database.sqlite_version}, {args.rows} rows per file")
    post(client, "new", csv_text(args.rows, forces))
    post(client, "known", csv_text(args.rows, forces, revision=2))
    post(client, "bad", csv_text(args.rows, forces, bad=True))
    print(f"stored: {Case.objects.count()} cases, {Schedule.objects.count()} schedules")


if __name__ == "__main__":
    main()
