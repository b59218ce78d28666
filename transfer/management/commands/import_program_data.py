"""``manage.py import_program_data --program SLUG PATH [--dry-run] [--create-new]``.

The format and the options are described in docs/import-format.md.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.spreadsheets import FileRefused
from programs.models import Program
from transfer.format import open_import
from transfer.importing import program_data_import
from transfer.importing.lookups import NEW_VALUE_COLUMNS


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, not a lazy translation
        return _(
            "Import sites, volunteers, participants, activities and referrals into a program from "
            "an XLSX workbook, a zip of CSV files or a folder of CSV files. Nothing is written "
            "unless the whole file is valid."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("The .xlsx or .zip file, a CSV file or a folder."))
        parser.add_argument("--program", required=True, help=_("The program's slug."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would change, but write nothing."),
        )
        parser.add_argument(
            "--create-new",
            action="store_true",
            help=_(
                "Create the areas, topics and services the file names that the program does "
                "not have. Without it they are listed and nothing is written."
            ),
        )
        parser.add_argument(
            "--user",
            help=_("Username recorded as who logged the activities and referrals."),
        )

    def handle(self, *args, path, program, dry_run, create_new, user, **options):
        try:
            program_obj = Program.objects.get(slug=program)
        except Program.DoesNotExist as error:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": program}) from error
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("There is no user “%(user)s”.") % {"user": user})
        file = Path(path)
        if not file.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        try:
            with open_import(file) as source:
                result = program_data_import(
                    program=program_obj,
                    source=source,
                    by=by,
                    dry_run=dry_run,
                    create_new=create_new,
                )
        except FileRefused as error:
            raise CommandError(str(error)) from error

        for name in result.ignored:
            self.stderr.write(_("Ignored (not part of the format): %(name)s") % {"name": name})
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.more_problems:
            self.stderr.write(_("… and %(count)d more problems.") % {"count": result.more_problems})
        for warning in result.warnings:
            self.stdout.write(_("Warning: %(warning)s") % {"warning": warning})
        more_warnings = result.warning_count - len(result.warnings)
        if more_warnings:
            self.stdout.write(_("… and %(count)d more warnings.") % {"count": more_warnings})
        self.stdout.write(f"{_('sheet'):<14}{_('new'):>10}{_('updated'):>10}{_('unchanged'):>11}")
        for sheet, counts in result.counts.items():
            self.stdout.write(
                f"{sheet:<14}{counts.new:>10}{counts.updated:>10}{counts.unchanged:>11}"
            )
        for what in ("areas", "topics", "providers"):
            if result.created[what]:
                self.stdout.write(
                    _("new %(what)s: %(count)d") % {"what": what, "count": result.created[what]}
                )
        self._new_values(result)
        if not result.valid:
            raise CommandError(
                _("%(count)d problems; nothing was imported.") % {"count": result.problem_count}
            )
        if result.undecided and not dry_run:
            count = len(result.undecided)
            raise CommandError(
                ngettext(
                    "%(count)d new area, topic or service; nothing was imported. Correct the "
                    "name in the file, or run again with --create-new to create it.",
                    "%(count)d new areas, topics or services; nothing was imported. Correct the "
                    "names in the file, or run again with --create-new to create them.",
                    count,
                )
                % {"count": count}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported into %(program)s.") % {"program": program_obj.name})
            )

    def _new_values(self, result) -> None:
        """Each area, topic or service the file names that the program does not have."""
        options = {what: dict(pairs) for what, pairs in result.options.items()}  # pk -> label
        for value in result.new_values.values():
            where = {
                "sheet": value.sheet,
                "row": value.row,
                "column": NEW_VALUE_COLUMNS[value.what],
                "name": value.name,
            }
            match = options.get(value.what, {}).get(value.suggestion)
            if match is None:
                line = _("%(sheet)s, row %(row)s, %(column)s: “%(name)s” is new to the program")
            else:
                line = _(
                    "%(sheet)s, row %(row)s, %(column)s: “%(name)s” is new to the program; "
                    "the closest existing one is “%(match)s”"
                )
            self.stdout.write(line % {**where, "match": match})
