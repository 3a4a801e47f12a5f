from django.apps import AppConfig


class ForcesConfig(AppConfig):
    name = "forces"
    verbose_name = "Organisations and memberships"

    def ready(self):
        from backend.audit import audit_register
        from forces.models import Membership, Organisation

        audit_register(Organisation, keep=["code", "name"])
        audit_register(Membership)

        from forces import receivers  # noqa: F401  (account security on password change and deactivation)

    def seed_demo(self, *, password: str, stdout) -> None:
        from django.conf import settings

        from forces.demo import load_seals, save_seals, seed_organisations_and_users

        seals = load_seals(settings.DEMO_SEED_STATE_FILE)
        seed_organisations_and_users(password=password, stdout=stdout, seals=seals)
        save_seals(settings.DEMO_SEED_STATE_FILE, seals)

    def demo_summary(self) -> list[str]:
        """The demo users and their roles, for the block ``seed_demo`` ends with."""
        from forces.demo import demo_summary

        return demo_summary()
