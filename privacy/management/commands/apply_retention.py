"""Erase participants whose program's retention period has passed since their last contact,
and delete audit trail and security log entries older than theirs."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy.services import apply_retention


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, not a lazy translation
        return _(
            "Erase participants without contact (sessions, referrals, matches, aftercare) for "
            "longer than their program's retention period, and delete audit trail and security "
            "log entries older than LOTSE_AUDIT_LOG_DAYS and LOTSE_SECURITY_LOG_DAYS. Run daily "
            "(cron or systemd timer)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only list who would be erased and count what would be deleted."),
        )

    def handle(self, *args, dry_run=False, **options):
        run = apply_retention(dry_run=dry_run)
        for result in run.programs:
            count = len(result.deleted) + len(result.pseudonymised)
            if not count:
                continue
            values = {
                "program": result.program.slug,
                "count": count,
                "cutoff": result.cutoff.isoformat(),
                "deleted": ", ".join(result.deleted) or "-",
                "pseudonymised": ", ".join(result.pseudonymised) or "-",
            }
            if dry_run:
                line = ngettext(
                    "%(program)s: would erase %(count)s participant without contact since "
                    "%(cutoff)s (deleted: %(deleted)s; pseudonymised: %(pseudonymised)s)",
                    "%(program)s: would erase %(count)s participants without contact since "
                    "%(cutoff)s (deleted: %(deleted)s; pseudonymised: %(pseudonymised)s)",
                    count,
                )
            else:
                line = ngettext(
                    "%(program)s: erased %(count)s participant without contact since "
                    "%(cutoff)s (deleted: %(deleted)s; pseudonymised: %(pseudonymised)s)",
                    "%(program)s: erased %(count)s participants without contact since "
                    "%(cutoff)s (deleted: %(deleted)s; pseudonymised: %(pseudonymised)s)",
                    count,
                )
            self.stdout.write(line % values)
        logs = run.logs
        audit = {"count": logs.audit_entries, "time": _time(logs.audit_cutoff)}
        security = {"count": logs.security_events, "time": _time(logs.security_cutoff)}
        if dry_run:
            lines = [
                ngettext(
                    "%(count)s audit trail entry older than %(time)s would be deleted.",
                    "%(count)s audit trail entries older than %(time)s would be deleted.",
                    logs.audit_entries,
                )
                % audit,
                ngettext(
                    "%(count)s security log event older than %(time)s would be deleted.",
                    "%(count)s security log events older than %(time)s would be deleted.",
                    logs.security_events,
                )
                % security,
            ]
        else:
            lines = [
                ngettext(
                    "%(count)s audit trail entry older than %(time)s deleted.",
                    "%(count)s audit trail entries older than %(time)s deleted.",
                    logs.audit_entries,
                )
                % audit,
                ngettext(
                    "%(count)s security log event older than %(time)s deleted.",
                    "%(count)s security log events older than %(time)s deleted.",
                    logs.security_events,
                )
                % security,
            ]
        for line in lines:
            self.stdout.write(line)
        if dry_run:
            summary = ngettext(
                "%(count)s participant would be erased.",
                "%(count)s participants would be erased.",
                run.erased,
            )
        else:
            summary = ngettext(
                "%(count)s participant erased.", "%(count)s participants erased.", run.erased
            )
        self.stdout.write(self.style.SUCCESS(summary % {"count": run.erased}))
