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
        from forces.demo import seed_organisations_and_users

        seed_organisations_and_users(password=password, stdout=stdout)
