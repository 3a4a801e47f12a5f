from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "Disclosure dip sampling"

    def ready(self):
        from backend.audit import audit_register
        from disclosure import models

        # Free text (Defect.description and item_reference, Assessment.notes, DipSample.reopen_reason)
        # is logged as changed, never its value; `keep` names the non-personal codes and reference texts.
        audit_register(models.Case, keep=["urn"])
        for model in (
            models.Schedule,
            models.DipSample,
            models.SampledSchedule,
            models.Assessment,
            models.AssessmentAnswer,
            models.Defect,
        ):
            audit_register(model)
        audit_register(models.DefectCategory, keep=["code", "name"])
        audit_register(models.Checklist, keep=["title"])
        audit_register(models.Criterion, keep=["code", "text", "applies_to"])

    def seed_demo(self, *, password: str, stdout) -> None:
        from disclosure.demo import seed_dip_samples

        seed_dip_samples(stdout=stdout)
