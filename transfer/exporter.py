"""Exporting a program's data in the import format, and the empty template workbook.

Sites and volunteers are exported whole, participants as far as their consent allows;
activities and referrals for a date range. Only participants whose consent covers
pseudonymous evaluation exports leave Lotse in the file: the others, their codes in the
activities' participant lists and their referrals are left out, and the result says how many
participants and referrals that were (the activities keep their anonymous head counts).
Activities and referrals without a ref of their own get ``A-<id>`` / ``R-<id>``, which
the importer recognises, so an export can be edited and imported back. Text that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) is written with
a leading quote; the importer removes it again.

Rows are streamed from the database in chunks and written with openpyxl's write-only mode or
the csv module, so an export of any size runs in bounded memory.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db.models import Prefetch
from django.utils.translation import gettext, ngettext

from core.lists import export_value
from programs.models import Language, Participant, Program
from programs.selectors import exportable
from referrals.models import Referral
from sessions_log.models import Match, OutcomeMeasure, SelfHelpGroup, Topic
from volunteers.models import Volunteer

from . import format as fmt

XLSX = "xlsx"
CSV_ZIP = "zip"
FORMATS = (XLSX, CSV_ZIP)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV_ZIP: "application/zip",
}
CHUNK = 2000


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=dict)  # rows written per sheet
    withheld: dict[str, int] = field(default_factory=dict)  # rows left out for want of consent

    def withheld_message(self) -> str:
        """What the coordinator is told about the rows left out; empty if none were."""
        participants = self.withheld.get(fmt.PARTICIPANTS.name, 0)
        referrals = self.withheld.get(fmt.REFERRALS.name, 0)
        if not participants and not referrals:
            return ""
        return gettext(
            "%(participants)s and %(referrals)s were left out: their consent does not cover "
            "exports."
        ) % {
            "participants": ngettext(
                "%(count)s participant", "%(count)s participants", participants
            )
            % {"count": participants},
            "referrals": ngettext("%(count)s referral", "%(count)s referrals", referrals)
            % {"count": referrals},
        }


def _codes(related) -> list[str]:
    return sorted(str(getattr(r, "code", r)) for r in related)


def _site_rows(program: Program) -> Iterator[list]:
    sites = program.sites.select_related("area").order_by("name")
    for site in sites.iterator(chunk_size=CHUNK):
        yield [site.name, site.kind, site.area.name if site.area else "", site.city, site.capacity]


def _volunteer_rows(program: Program) -> Iterator[list]:
    volunteers = program.volunteers.order_by("code").prefetch_related(
        Prefetch("languages", queryset=Language.objects.only("code"))
    )
    for v in volunteers.iterator(chunk_size=CHUNK):
        yield [
            v.code,
            v.name,
            v.email,
            sorted(lang.code for lang in v.languages.all()),
            v.status,
            v.joined_on,
            v.left_on,
            "yes" if v.employed_by_id else "no",
        ]


def _participant_rows(program: Program) -> Iterator[list]:
    participants = (
        program.participants.filter(exportable())
        .select_related("site")
        .order_by("code")
        .prefetch_related(Prefetch("languages", queryset=Language.objects.only("code")))
    )
    for p in participants.iterator(chunk_size=CHUNK):
        yield [
            p.code,
            p.year_of_birth,
            p.gender,
            sorted(lang.code for lang in p.languages.all()),
            str(p.country_of_origin or ""),
            p.site.name if p.site else "",
            p.consent_on,
            p.consent_scope,
        ]


def _activity_rows(program: Program, start: dt.date, end: dt.date) -> Iterator[list]:
    activities = (
        program.activities.filter(date__range=(start, end))
        .select_related("site")
        .prefetch_related(
            Prefetch("facilitators", queryset=Volunteer.objects.only("code")),
            Prefetch("languages", queryset=Language.objects.only("code")),
            Prefetch("topics", queryset=Topic.objects.only("name")),
            Prefetch(
                "participants", queryset=Participant.objects.filter(exportable()).only("code")
            ),
        )
        .order_by("date", "pk")
    )
    for a in activities.iterator(chunk_size=CHUNK):
        yield [
            a.ref or f"{fmt.ACTIVITY_REF_PREFIX}{a.pk}",
            a.date,
            a.kind,
            a.site.name if a.site else "",
            _codes(a.facilitators.all()),
            sorted(lang.code for lang in a.languages.all()),
            sorted(t.name for t in a.topics.all()),
            a.minutes,
            a.attendees_total,
            a.attendees_women,
            a.attendees_men,
            a.attendees_children,
            _codes(a.participants.all()),
        ]


def _referral_rows(program: Program, start: dt.date, end: dt.date) -> Iterator[list]:
    referrals = (
        Referral.objects.filter(program=program, referred_on__range=(start, end))
        .filter(exportable("participant__"))
        .select_related("participant", "provider")
        .order_by("referred_on", "pk")
    )
    for r in referrals.iterator(chunk_size=CHUNK):
        yield [
            r.ref or f"{fmt.REFERRAL_REF_PREFIX}{r.pk}",
            r.referred_on,
            r.participant.code,
            r.provider.name,
            r.category,
            r.direction,
            r.status,
            r.appointment_on,
            r.closed_on,
            r.consent_on if r.consent_to_share else None,
        ]


def _match_rows(program: Program) -> Iterator[list]:
    matches = (
        Match.objects.filter(program=program)
        .filter(exportable("participant__"))
        .select_related("volunteer", "participant")
        .order_by("proposed_on", "pk")
    )
    for m in matches.iterator(chunk_size=CHUNK):
        yield [
            m.ref or f"{fmt.MATCH_REF_PREFIX}{m.pk}",
            m.volunteer.code,
            m.participant.code,
            m.status,
            m.proposed_on,
            m.started_on,
            m.ended_on,
            m.end_reason,
            m.six_month_check_on,
        ]


def _selfhelp_rows(program: Program) -> Iterator[list]:
    groups = (
        SelfHelpGroup.objects.filter(program=program)
        .select_related("contact_point")
        .prefetch_related(Prefetch("volunteers", queryset=Volunteer.objects.only("code")))
        .order_by("name", "pk")
    )
    for g in groups.iterator(chunk_size=CHUNK):
        yield [
            g.name,
            g.contact_point.name,
            g.topic_area,
            g.started_on,
            g.accompaniment_ends_on,
            _codes(g.volunteers.all()),
            g.status,
            g.follow_up_still_meeting,
            g.follow_up_checked_on,
        ]


def _outcome_rows(program: Program) -> Iterator[list]:
    measures = (
        OutcomeMeasure.objects.filter(program=program)
        .filter(exportable("participant__"))
        .select_related("participant")
        .order_by("date", "pk")
    )
    for o in measures.iterator(chunk_size=CHUNK):
        answers = [o.answers.get(str(n)) for n in range(1, fmt.OUTCOME_ITEMS + 1)]
        yield [
            o.ref or f"{fmt.OUTCOME_REF_PREFIX}{o.pk}",
            o.participant.code,
            o.instrument,
            o.timepoint,
            o.custom_label,
            o.date,
            *answers,
        ]


def sheet_rows(program: Program, start: dt.date, end: dt.date) -> dict[str, Iterator[list]]:
    """Each sheet's rows (without the header), lazily."""
    return {
        fmt.SITES.name: _site_rows(program),
        fmt.VOLUNTEERS.name: _volunteer_rows(program),
        fmt.PARTICIPANTS.name: _participant_rows(program),
        fmt.ACTIVITIES.name: _activity_rows(program, start, end),
        fmt.REFERRALS.name: _referral_rows(program, start, end),
        fmt.MATCHES.name: _match_rows(program),
        fmt.SELFHELP_GROUPS.name: _selfhelp_rows(program),
        fmt.OUTCOMES.name: _outcome_rows(program),
    }


def withheld_participants(program: Program) -> int:
    """How many participants (erased ones aside) the export leaves out for want of consent."""
    return program.participants.filter(erased_at__isnull=True).exclude(exportable()).count()


def withheld_counts(program: Program, start: dt.date, end: dt.date) -> dict[str, int]:
    """How many participants and referrals of the period the export leaves out."""
    referrals = (
        Referral.objects.filter(program=program, referred_on__range=(start, end))
        .exclude(exportable("participant__"))
        .count()
    )
    return {fmt.PARTICIPANTS.name: withheld_participants(program), fmt.REFERRALS.name: referrals}


def _cells(row: list) -> list:
    return [export_value(value) for value in row]


def program_data_export(
    *, program: Program, start: dt.date, end: dt.date, out: BinaryIO, file_format: str = XLSX
) -> ExportResult:
    """Write the program's data to ``out`` (an XLSX workbook or a zip of CSV files).

    Returns the number of rows written per sheet and of those left out for want of consent.
    """
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    result = ExportResult(withheld=withheld_counts(program, start, end))
    counts = result.counts
    sheets = sheet_rows(program, start, end)
    if file_format == XLSX:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for sheet in fmt.SHEETS:
            worksheet = workbook.create_sheet(title=sheet.name)
            worksheet.append(list(sheet.names))
            counts[sheet.name] = 0
            for row in sheets[sheet.name]:
                worksheet.append(_cells(row))
                counts[sheet.name] += 1
        workbook.save(out)
        return result
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in fmt.SHEETS:
            counts[sheet.name] = 0
            with archive.open(f"{sheet.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(sheet.names)
                for row in sheets[sheet.name]:
                    writer.writerow(_cells(row))
                    counts[sheet.name] += 1
                text.flush()
                text.detach()
    return result


def template_workbook() -> bytes:
    """The empty workbook: one sheet per format sheet with its header, and a help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    bold = Font(bold=True)
    workbook.remove(workbook.active)
    for sheet in fmt.SHEETS:
        worksheet = workbook.create_sheet(title=sheet.name)
        worksheet.append(list(sheet.names))
        for index, column in enumerate(sheet.columns, start=1):
            cell = worksheet.cell(row=1, column=index)
            cell.font = bold
            letter = cell.column_letter
            worksheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            if column.choices:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(column.choices) + '"',
                    allow_blank=not column.required,
                    errorStyle="warning",
                )
                validation.add(f"{letter}2:{letter}1048576")
                worksheet.add_data_validation(validation)
        worksheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(title=fmt.HELP_SHEET)
    help_sheet.append(
        [
            gettext("Sheet"),
            gettext("Column"),
            gettext("Required"),
            gettext("Allowed values"),
            gettext("Description"),
            gettext("Example"),
        ]
    )
    for cell in help_sheet[1]:
        cell.font = bold
    for sheet in fmt.SHEETS:
        help_sheet.append([sheet.name, "", "", "", str(sheet.help), ""])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = bold
        for column in sheet.columns:
            help_sheet.append(
                _cells(
                    [
                        sheet.name,
                        column.name,
                        gettext("yes") if column.required else "",
                        column.allowed,
                        str(column.help),
                        column.example,
                    ]
                )
            )
    notes = [
        gettext("Dates: YYYY-MM-DD (or date cells). Lists inside a cell: separated by “;”."),
        gettext(
            "Rows are matched by site name, volunteer code, participant code, activity ref "
            "and referral ref: a known key updates its record, a new key adds one."
        ),
        gettext("This sheet is ignored when the workbook is imported."),
    ]
    help_sheet.append([])
    for note in notes:
        help_sheet.append([note])
    for letter, width in zip("ABCDEF", (14, 20, 10, 36, 70, 30), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
