from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and meetings"

    def ready(self):
        from backend.audit import audit_register
        from reports import models

        # Notes and descriptions are logged as changed, never their value; the snapshot is masked too
        # (it is derived figures, kept whole on the row itself).
        audit_register(models.Meeting)
        audit_register(models.ActionItem)

    def seed_demo(self, *, password: str, stdout) -> None:
        from reports.demo import seed_meetings

        seed_meetings(stdout=stdout)
