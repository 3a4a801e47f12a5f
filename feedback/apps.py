from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback to forces"

    def ready(self):
        from backend.audit import audit_register
        from feedback import models, services
        from forces.services import register_grant_sync

        # Free text (summary, requested_action, the response, reasons, messages) is logged as changed, never its value.
        for model in (models.Feedback, models.FeedbackMessage, models.ForceFeedbackSettings, models.Notice):
            audit_register(model)
        # A police lead appointed after feedback was sent may answer it (revocation is forces' generic sync).
        register_grant_sync(services.feedback_user_grants_sync)

    def seed_demo(self, *, password: str, stdout) -> None:
        from feedback.demo import seed_feedback

        seed_feedback(stdout=stdout)
