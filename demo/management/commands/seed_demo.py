"""``manage.py seed_demo``: demo programs, two years of logged work and one login per role."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from demo import builder, seeding
from demo.logins import ORGANISATION_COORDINATOR, existing_logins
from programs.models import Membership, OrganisationMembership, Program


class Command(BaseCommand):
    help = (
        "Create five demo programs modelled on the programs Lotse serves, with volunteers, "
        "trainings, activities, participants and referrals, and a demo login for each role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(builder.SCALES),
            default="small",
            help=_(
                "small: a few seconds; medium: about ten times more; large: over a million "
                "activities in 50 programs (use PostgreSQL)."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=_("Random seed; the same seed gives the same data.")
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help=_("Delete existing demo programs and demo users first."),
        )
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Do nothing if any program exists.")
        )
        parser.add_argument(
            "--jobs",
            type=int,
            help=_(
                "Worker processes that build programs side by side (PostgreSQL only). "
                "Default: two per CPU (at most 4) for medium and large scales, else 1."
            ),
        )

    def handle(self, *args, scale, seed, flush, if_empty, jobs, **options):
        if if_empty and Program.objects.exists():
            self.stdout.write(_("Programs exist already; no demo data created."))
            logins = existing_logins()
            if logins:
                self.report_logins(seeding.SeedResult([], logins))
            return
        existing = list(seeding.demo_programs().values_list("slug", flat=True))
        if existing and not flush:
            raise CommandError(
                _("Demo data exists already (%(slugs)s). Run with --flush to replace it.")
                % {"slugs": ", ".join(existing)}
            )
        if flush:
            deleted = seeding.flush()
            self.stdout.write(
                _("Deleted %(count)d demo programs and the demo users.") % {"count": deleted}
            )

        if connection.vendor != "postgresql":
            jobs = 1
        elif jobs is None:
            # Each worker alternates between Python and its database backend: two per CPU.
            jobs = 1 if scale == "small" else min(4, 2 * (os.cpu_count() or 1))
        started = time.perf_counter()
        self.stdout.write(
            _("Creating demo data (scale %(scale)s, seed %(seed)d, %(jobs)d worker(s)) …")
            % {"scale": scale, "seed": seed, "jobs": jobs}
        )
        try:
            result = seeding.seed(
                scale=scale, seed=seed, jobs=max(1, jobs), progress=self.report_program
            )
        except builder.DemoError as error:
            raise CommandError(str(error)) from error
        self.report_summary(result, time.perf_counter() - started)
        self.report_logins(result)

    def report_program(self, result: builder.ProgramResult):
        counts = result.counts
        self.stdout.write(
            _(
                "  %(name)s: %(volunteers)d volunteers, %(participants)d participants, "
                "%(activities)d activities, %(sites)d sites, %(referrals)d referrals "
                "(%(seconds).1f s)"
            )
            % {
                "name": result.name,
                "volunteers": counts.get("volunteers", 0),
                "participants": counts.get("participants", 0),
                "activities": counts.get("activities", 0),
                "sites": counts.get("sites", 0),
                "referrals": counts.get("referrals", 0),
                "seconds": result.seconds,
            }
        )

    def report_summary(self, result: seeding.SeedResult, seconds: float):
        totals: dict[str, int] = {}
        for program in result.programs:
            for key, value in program.counts.items():
                totals[key] = totals.get(key, 0) + value
        labels = {
            "volunteers": _("volunteers"),
            "participants": _("participants"),
            "activities": _("activities"),
            "sites": _("sites"),
            "referrals": _("referrals"),
            "concerns": _("concerns"),
            "trainings": _("trainings"),
            "training sessions": _("training sessions"),
            "supervision sessions": _("supervision sessions"),
            "providers": _("service providers"),
            "grants": _("grants"),
            "matches": _("matches"),
            "self-help groups": _("self-help groups"),
            "counsellors employed": _("counsellors employed"),
        }
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(programs)d programs in %(seconds).1f s:")
                % {"programs": len(result.programs), "seconds": seconds}
            )
        )
        for key, label in labels.items():
            if key in totals:
                self.stdout.write(f"  {label:<24} {totals[key]:>10,}")

    def report_logins(self, result: seeding.SeedResult):
        roles = dict(Membership.Role.choices)
        roles[ORGANISATION_COORDINATOR] = OrganisationMembership.Role.COORDINATOR.label
        rows = [
            (
                email,
                str(roles[role]) if role in roles else _("superuser (admin site)"),
                program or _("all (admin site)"),
            )
            for email, role, program in result.logins
        ]
        headers = (_("E-mail"), _("Role"), _("Program"))
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(3)]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo logins (password for all: %(password)s)") % {"password": result.password}
            )
        )
        self.stdout.write(line.format(*headers).rstrip())
        self.stdout.write(line.format(*("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
