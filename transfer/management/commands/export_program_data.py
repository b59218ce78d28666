"""``manage.py export_program_data --program SLUG --start DATE --end DATE PATH``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.commands import iso_date
from programs.models import Program
from transfer import exporter


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, not a lazy translation
        return _(
            "Export a program's data in the import format: all sites and volunteers, the "
            "participants whose consent covers evaluation exports, and the activities and "
            "referrals of a period. PATH ending in .xlsx gives a workbook, .zip a zip of CSV "
            "files."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("The file to write (.xlsx or .zip)."))
        parser.add_argument("--program", required=True, help=_("The program's slug."))
        parser.add_argument("--start", required=True, help=_("First day (YYYY-MM-DD)."))
        parser.add_argument("--end", required=True, help=_("Last day (YYYY-MM-DD)."))

    def handle(self, *args, path, program, start, end, **options):
        try:
            program_obj = Program.objects.get(slug=program)
        except Program.DoesNotExist as error:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": program}) from error
        start_on, end_on = iso_date(start), iso_date(end)
        if start_on > end_on:
            raise CommandError(_("The end comes before the start."))
        target = Path(path)
        suffix = target.suffix.lower().lstrip(".")
        if suffix not in exporter.FORMATS:
            raise CommandError(_("PATH must end in .xlsx or .zip."))
        with open(target, "wb") as out:
            result = exporter.program_data_export(
                program=program_obj, start=start_on, end=end_on, out=out, file_format=suffix
            )
        for sheet, count in result.counts.items():
            self.stdout.write(f"{sheet:<14}{count:>10}")
        if withheld := result.withheld_message():
            self.stdout.write(self.style.WARNING(withheld))
        self.stdout.write(self.style.SUCCESS(_("Written to %(path)s.") % {"path": target}))
