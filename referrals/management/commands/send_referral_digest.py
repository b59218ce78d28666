from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from programs.models import Program
from referrals import selectors, tasks


def default_base_url() -> str:
    """Where users open Lotse: the first trusted origin, or the development server."""
    if settings.CSRF_TRUSTED_ORIGINS:
        return settings.CSRF_TRUSTED_ORIGINS[0]
    if settings.DEBUG:
        return "http://127.0.0.1:8000"
    return ""


class Command(BaseCommand):
    help = (
        "Queue the daily e-mail to each program's coordinators listing the referrals that need "
        "following up. Run it once a day (cron or a systemd timer); the task worker sends it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="The address users open Lotse at, for the links in the e-mail, e.g. "
            "https://lotse.example.org (default: the first CSRF_TRUSTED_ORIGINS entry).",
        )
        parser.add_argument(
            "--program",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this program (may be given several times).",
        )

    def handle(self, *args, base_url, program, **options):
        base_url = base_url or default_base_url()
        if not base_url:
            raise CommandError("Give --base-url or set CSRF_TRUSTED_ORIGINS.")
        today = timezone.localdate()
        programs = Program.objects.order_by("pk")
        if program:
            programs = programs.filter(slug__in=program)
        due = [p.pk for p in programs if selectors.follow_up_referrals(p, today).exists()]
        for program_id in due:
            transaction.on_commit(
                partial(tasks.send_referral_digest.enqueue, program_id, base_url, today.isoformat())
            )
        self.stdout.write(f"Queued the referral digest for {len(due)} program(s).")
