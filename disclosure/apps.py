from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "Disclosure dip sampling"

    def ready(self):
        from backend.audit import audit_register
        from disclosure import models

        # Free text (Defect.description and item_reference, Assessment.notes, the reasons on dip samples
        # and sampled schedules) is logged as changed, never its value; `keep` names the non-personal
        # codes and reference texts (and the ids a draw was made from, so the log can prove the draw).
        audit_register(models.Case, keep=["urn"])
        audit_register(models.DipSample, keep=["eligible_ids"])
        for model in (
            models.Schedule,
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
