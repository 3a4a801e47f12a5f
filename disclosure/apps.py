from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "Disclosure dip sampling"

    def ready(self):
        from auditlog.registry import auditlog

        from disclosure import models

        for model in (models.Case, models.Schedule, models.DipSample, models.Assessment, models.Defect):
            auditlog.register(model)
        auditlog.register(models.AssessmentAnswer)
        auditlog.register(models.SampledSchedule)
        auditlog.register(models.DefectCategory)
        auditlog.register(models.Checklist)
        auditlog.register(models.Criterion)

    def seed_demo(self, *, password: str, stdout) -> None:
        from disclosure.demo import seed_dip_samples

        seed_dip_samples(stdout=stdout)
