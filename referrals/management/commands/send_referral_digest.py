from functools import partial

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from programs.models import Program
from referrals import selectors, tasks


class Command(BaseCommand):
    help = (
        "Queue the daily e-mail to each program's coordinators listing the referrals that need "
        "following up. Run it once a day (cron or a systemd timer); the task worker sends it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--program",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this program (may be given several times).",
        )

    def handle(self, *args, program, **options):
        today = timezone.localdate()
        programs = Program.objects.order_by("pk")
        if program:
            programs = programs.filter(slug__in=program)
        due = [p.pk for p in programs if selectors.follow_up_referrals(p, today).exists()]
        for program_id in due:
            transaction.on_commit(
                partial(tasks.send_referral_digest.enqueue, program_id, today.isoformat())
            )
        self.stdout.write(f"Queued the referral digest for {len(due)} program(s).")
