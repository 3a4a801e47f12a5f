"""Build the demo data set: CPS North West, its three forces, one user per role, a year of samples.

Each app contributes through a ``seed_demo(password=..., stdout=...)`` method on its
AppConfig, called in INSTALLED_APPS order, so this command imports no app (backend sits
below them all). Idempotent: running it twice changes nothing.
"""

import secrets

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

PASSWORD_FILE = settings.VAR_DIR / "demo-password.txt"


class Command(BaseCommand):
    help = "Create the demo organisations, users and a year of synthetic dip samples (idempotent)."

    def handle(self, *args, **options):
        password = self._password()
        with transaction.atomic():
            for config in apps.get_app_configs():
                seed = getattr(config, "seed_demo", None)
                if callable(seed):
                    seed(password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _password(self) -> str:
        if settings.DEMO_PASSWORD:
            return settings.DEMO_PASSWORD
        if PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
            self.stdout.write(f"DEMO_PASSWORD unset: using the generated password kept in {PASSWORD_FILE}.")
            return password
        password = secrets.token_urlsafe(12)
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.touch(mode=0o600)
        PASSWORD_FILE.write_text(password + "\n")
        self.stdout.write(
            self.style.WARNING(f"DEMO_PASSWORD unset: generated demo password {password} (kept in {PASSWORD_FILE}).")
        )
        return password
