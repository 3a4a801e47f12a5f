"""Re-run a dip sample's recorded draw and say whether it gives the same schedules.

    python manage.py verify_draw 42

The draw is re-run from what was stored when it was made (the seed, the size and the
sorted ids of the schedules then eligible), so schedules received later do not change
the answer. It also checks that every stored eligible id is a schedule of the sample's
force and stream received in its period. Exit status 0 on a match, 1 (a CommandError) on a mismatch.
"""

from django.core.management.base import BaseCommand, CommandError

from disclosure.models import DipSample, Schedule, SelectionMethod
from disclosure.services.samples import choose_schedules


class Command(BaseCommand):
    help = "Re-run a dip sample's recorded random draw and report match or mismatch."

    def add_arguments(self, parser):
        parser.add_argument("sample_id", type=int)

    def handle(self, *args, sample_id: int, **options):
        sample = DipSample.objects.filter(pk=sample_id).first()
        if sample is None:
            raise CommandError(f"No dip sample {sample_id}.")
        if sample.seed is None or sample.size is None or sample.eligible_ids is None:
            raise CommandError(f"Dip sample {sample_id} has not been drawn.")
        expected = choose_schedules(sample.eligible_ids, size=sample.size, seed=sample.seed)
        drawn = list(
            sample.sampled.filter(method=SelectionMethod.RANDOM)
            .order_by("position")
            .values_list("schedule_id", flat=True)
        )
        problems = []
        if drawn != expected:
            problems.append(f"the draw gives {expected}, the sample holds {drawn}")
        out_of_scope = set(sample.eligible_ids) - set(
            Schedule.objects.filter(
                pk__in=sample.eligible_ids,
                force_id=sample.force_id,
                case__stream=sample.stream,
                received_on__gte=sample.period_start,
                received_on__lte=sample.period_end,
            ).values_list("pk", flat=True)
        )
        if out_of_scope:
            problems.append(
                f"recorded eligible ids outside the sample's force, stream or period: {sorted(out_of_scope)}"
            )
        if len(sample.eligible_ids) != sample.eligible_count:
            problems.append(
                f"{len(sample.eligible_ids)} eligible ids recorded, eligible_count says {sample.eligible_count}"
            )
        hand_picked = sample.sampled.filter(method=SelectionMethod.HAND_PICKED).count()
        if problems:
            self.stdout.write(f"mismatch: dip sample {sample_id}: " + "; ".join(problems) + ".")
            raise CommandError(f"Dip sample {sample_id}'s draw does not match its record.")
        self.stdout.write(
            f"match: dip sample {sample_id}: seed {sample.seed}, size {sample.size} of {len(sample.eligible_ids)} "
            f"eligible gives schedules {expected}" + (f" ({hand_picked} more added by hand)." if hand_picked else ".")
        )
