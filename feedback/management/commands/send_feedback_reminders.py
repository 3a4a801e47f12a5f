"""Record and send the reminders and escalations due on unanswered feedback. Safe to run from cron at any rate."""

from django.core.management.base import BaseCommand

from feedback.reminders import notices_record, notices_send


class Command(BaseCommand):
    help = (
        "Record due_soon, overdue and escalated notices about unanswered feedback (each once) "
        "and e-mail the pending ones; failed sends are retried on the next run."
    )

    def handle(self, *args, **options):
        recorded = notices_record()
        counts = notices_send()
        self.stdout.write(
            f"Notices: {recorded} recorded, {counts['sent']} sent, {counts['failed']} failed (retried next run), "
            f"{counts['no_address']} without an e-mail address."
        )
