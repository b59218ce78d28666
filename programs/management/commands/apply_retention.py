"""Erase participants whose program's retention period has passed since their last contact."""

from django.core.management.base import BaseCommand

from programs.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Erase participants without contact (sessions, referrals, matches, aftercare) for "
        "longer than their program's retention period. Run daily (cron or systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list who would be erased.")

    def handle(self, *args, dry_run=False, **options):
        total = 0
        for result in apply_retention(dry_run=dry_run):
            count = len(result.deleted) + len(result.pseudonymised)
            total += count
            if not count:
                continue
            verb = "would erase" if dry_run else "erased"
            self.stdout.write(
                f"{result.program.slug}: {verb} {count} participant(s) without contact since "
                f"{result.cutoff.isoformat()} (deleted: {', '.join(result.deleted) or '-'}; "
                f"pseudonymised: {', '.join(result.pseudonymised) or '-'})"
            )
        summary = "would be erased" if dry_run else "erased"
        self.stdout.write(self.style.SUCCESS(f"{total} participant(s) {summary}."))
