"""Build the demo data set: CPS North West, its three forces, one user per role, a year of samples.

Each app contributes through a ``seed_demo(password=..., stdout=...)`` method on its
AppConfig, called in INSTALLED_APPS order, so this command imports no app (backend sits
below them all); it says which step runs and how long it took. Idempotent: running it twice
changes nothing. It ends with one block: where to go, who to sign in as (each app's
``demo_summary()`` lines) and where the password is.
"""

import secrets
import time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

PASSWORD_FILE = settings.VAR_DIR / "demo-password.txt"


class Command(BaseCommand):
    help = "Create the demo organisations, users and a year of synthetic dip samples (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Where the portal will be served, for the closing block.")
        parser.add_argument(
            "--migrate", action="store_true", help="Apply migrations first (one start of Django instead of two)."
        )

    def handle(self, *args, **options):
        if options["migrate"]:
            call_command("migrate", interactive=False, stdout=self.stdout)
        password, where = self._password()
        started = time.monotonic()
        with transaction.atomic():
            for config in apps.get_app_configs():
                seed = getattr(config, "seed_demo", None)
                if not callable(seed):
                    continue
                self.stdout.write(f"Seeding {config.verbose_name.lower()} ...")
                step = time.monotonic()
                seed(password=password, stdout=self.stdout)
                self.stdout.write(f"  done in {time.monotonic() - step:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({time.monotonic() - started:.1f} s)."))
        self._closing_block(options["url"], where)

    def _closing_block(self, url: str, where: str) -> None:
        users = [line for config in apps.get_app_configs() for line in getattr(config, "demo_summary", list)()]
        rule = "=" * 78
        lines = [
            "",
            rule,
            f"  Disclosure quality portal: {url or 'run `manage.py runserver` and open it'}",
            f"  (the API: {url.rstrip('/')}/api/v1/)" if url else "",
            "",
            "  Sign in as any of these demo users:",
            *(f"    {line}" for line in users),
            "",
            f"  Password (every demo user): {where}",
            rule,
            "",
        ]
        self.stdout.write("\n".join(line for line in lines if line is not None))

    def _password(self) -> tuple[str, str]:
        """The demo password and where it comes from (for the closing block; never the password itself)."""
        if settings.DEMO_PASSWORD:
            return settings.DEMO_PASSWORD, "the DEMO_PASSWORD environment variable"
        if PASSWORD_FILE.exists():
            return PASSWORD_FILE.read_text().strip(), f"in {PASSWORD_FILE}"
        password = secrets.token_urlsafe(12)
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.touch(mode=0o600)
        PASSWORD_FILE.write_text(password + "\n")
        self.stdout.write(
            self.style.WARNING(f"DEMO_PASSWORD unset: generated demo password {password} (kept in {PASSWORD_FILE}).")
        )
        return password, f"generated, kept in {PASSWORD_FILE} (cat it)"
