"""``manage.py build_report --program SLUG --start DATE --end DATE --output PATH``.

Builds a funder report of a period without storing it: the PDF (default), the raw KPI
snapshot as JSON, or the XLSX export of its tables. The JSON is not suppressed: it is for
internal use and says so in its first key, ``notice``. The file is written beside PATH under a
temporary name and renamed when complete, so an error never leaves a partial file behind.
``--narrative FILE`` adds the written parts (summary, highlights, challenges, outlook, measures,
milestones and the reasons for targets behind plan) from a TOML file
(:mod:`reports.narrative` describes it).
"""

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.commands import iso_date
from programs.models import Grant, Program, ReportLanguage
from reports.document import format_period
from reports.generation import report_figures
from reports.models import Report
from reports.narrative import read_narrative, reasons_by_target
from reports.services import targets_without_reason

FORMATS = ("pdf", "json", "xlsx")
STDOUT = "-"


def report_title(program: Program, start: dt.date, end: dt.date, language: str) -> str:
    """The program and the period, in the report's language: "VBC, 1 January – 31 March 2026"."""
    return f"{program.name}, {format_period(start, end, language)}"


def internal_json(snapshot: dict) -> dict:
    """The snapshot as the JSON file holds it: first a notice that it is not suppressed."""
    notice = _(
        "Raw figures, NOT suppressed: counts of fewer persons than the threshold (%(n)s) "
        "appear as they are and private flats are named. For internal use only; never hand "
        "this file to a funder, whose reports and tables are suppressed."
    ) % {"n": snapshot.get("disclosure", {}).get("threshold", "")}
    return {"notice": notice, "suppressed": False, **snapshot}


def _check_writable(target: Path) -> None:
    """Fail before any work when PATH cannot be written."""
    directory = target.parent
    if target.is_dir():
        raise CommandError(_("%(path)s is a directory; name a file.") % {"path": target})
    if not directory.is_dir():
        raise CommandError(
            _("Cannot write %(path)s: the folder %(folder)s does not exist.")
            % {"path": target, "folder": directory}
        )
    if not os.access(directory, os.W_OK | os.X_OK) or (
        target.exists() and not os.access(target, os.W_OK)
    ):
        raise CommandError(_("Cannot write %(path)s: permission denied.") % {"path": target})


def write_atomically(target: Path, content: bytes) -> None:
    """Write ``content`` to a temporary file beside ``target``, then rename it into place."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as error:
        raise CommandError(
            _("Cannot write %(path)s: %(error)s") % {"path": target, "error": error.strerror}
        ) from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(
            _("Cannot write %(path)s: %(error)s") % {"path": target, "error": error.strerror}
        ) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, not a lazy translation
        return _(
            "Build the funder report of a program for a period without storing it: the PDF "
            "(default, small cells suppressed as in the published report), the XLSX of its "
            "tables (suppressed as well), or the KPI snapshot as JSON. The JSON holds the RAW "
            "figures, NOT suppressed: counts of 1 to 4 persons appear as they are, so treat it "
            "as internal data and never hand it to a funder."
        )

    def add_arguments(self, parser):
        parser.add_argument("--program", required=True, help=_("The program's slug."))
        parser.add_argument("--start", required=True, help=_("First day (YYYY-MM-DD)."))
        parser.add_argument("--end", required=True, help=_("Last day (YYYY-MM-DD)."))
        parser.add_argument(
            "--language",
            choices=ReportLanguage.values,
            help=_("Language of the report (default: the program's default language)."),
        )
        parser.add_argument(
            "--grant", help=_("Reference of one of the program's grants the report is for.")
        )
        parser.add_argument(
            "--output",
            required=True,
            help=_("The file to write; “-” writes the JSON snapshot to standard output."),
        )
        parser.add_argument(
            "--narrative",
            help=_(
                "A TOML file with the written parts: summary, highlights, challenges, outlook, "
                "measures, milestones (one a line, a date first) and a [reasons] table giving "
                "the reason for each target behind plan by its indicator."
            ),
        )
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=FORMATS,
            default="pdf",
            help=_(
                "pdf (default): the report as funders get it; xlsx: its tables; json: the raw, "
                "unsuppressed KPI snapshot (keys activities, contacts, people_reached, "
                "languages, volunteers, supervision, referrals, matches, selfhelp_groups, "
                "caseload, targets, outcomes)."
            )
            + " "
            + _("The snapshot also holds previous, trainings, costs and data_quality."),
        )

    def handle(
        self, *args, program, start, end, language, grant, output, file_format, narrative, **options
    ):
        try:
            program_obj = Program.objects.select_related("lead_organisation").get(slug=program)
        except Program.DoesNotExist as error:
            raise CommandError(_("There is no program “%(slug)s”.") % {"slug": program}) from error
        grant_obj = self.grant(program_obj, grant) if grant else None
        start_on, end_on = iso_date(start), iso_date(end)
        if end_on < start_on:
            raise CommandError(_("The end comes before the start."))
        to_stdout = output == STDOUT
        if to_stdout and file_format != "json":
            raise CommandError(
                _("Only the JSON snapshot can be written to standard output; name a file.")
            )
        target = None if to_stdout else Path(output).expanduser()
        if target is not None:
            _check_writable(target)
        written = None
        if narrative:
            try:
                written = read_narrative(Path(narrative).expanduser())
            except ValueError as error:
                raise CommandError(str(error)) from error

        language = language or program_obj.default_language
        report = Report(
            program=program_obj,
            grant=grant_obj,
            title=report_title(program_obj, start_on, end_on, language),
            period_start=start_on,
            period_end=end_on,
            language=language,
            **(written.texts if written else {}),
        )
        snapshot = report_figures(report)
        if written is not None or file_format != "json":
            self.add_reasons(report, snapshot, written.reasons if written else {}, file_format)
        if file_format == "json":
            text = json.dumps(internal_json(snapshot), ensure_ascii=False, indent=2) + "\n"
            if to_stdout:
                self.stdout.write(text, ending="")
                return
            content = text.encode("utf-8")
        elif file_format == "xlsx":
            from reports.exports import report_xlsx

            content = report_xlsx(report, snapshot)
        else:
            from reports.pdf import render_report_pdf

            content = render_report_pdf(report, snapshot)
        write_atomically(target, content)
        self.stdout.write(
            self.style.SUCCESS(
                _("Written to %(path)s (%(size)d bytes).") % {"path": target, "size": len(content)}
            )
        )
        if file_format == "json":
            self.stderr.write(_("The JSON holds raw, unsuppressed figures: for internal use only."))

    def add_reasons(self, report: Report, snapshot: dict, reasons: dict, file_format: str) -> None:
        """Set the file's reasons on the targets they name; warn of targets still without."""
        rows = snapshot["targets"]["rows"]
        report.target_reasons, unknown = reasons_by_target(reasons, rows)
        if unknown:
            known = ", ".join(sorted({row["indicator"] for row in rows})) or "–"
            raise CommandError(
                _("No target of the report is “%(keys)s” (its targets: %(known)s).")
                % {"keys": ", ".join(unknown), "known": known}
            )
        if file_format == "json":
            return  # the raw figures hold no written parts
        for row in targets_without_reason(report, snapshot):
            self.stderr.write(
                _("No reason is given for “%(target)s” (%(indicator)s), behind plan.")
                % {"target": row["label"], "indicator": row["indicator"]}
            )

    def grant(self, program: Program, reference: str) -> Grant:
        grants = list(program.grants.select_related("funder").filter(reference=reference)[:2])
        if not grants:
            known = ", ".join(
                program.grants.order_by("reference").values_list("reference", flat=True)
            )
            raise CommandError(
                _("The program “%(program)s” has no grant “%(reference)s” (its grants: %(known)s).")
                % {"program": program.slug, "reference": reference, "known": known or "–"}
            )
        if len(grants) > 1:
            raise CommandError(
                _("More than one grant of “%(program)s” has the reference “%(reference)s”.")
                % {"program": program.slug, "reference": reference}
            )
        return grants[0]
