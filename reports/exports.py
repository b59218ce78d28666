"""A report's figures as an XLSX workbook: every KPI table, as the funder sees them.

The workbook is built from the same layout as the PDF (:func:`reports.document.build`, small
cells suppressed), in the report's language: an overview sheet with the program, period, grant,
key figures and the figures of each section, then one sheet per section with its tables.
Figures are written as numbers (with a number format) so they can be summed and charted; a
withheld cell stays the PDF's marker as text ("<5", "×", "–*"), and a missing figure its dash;
each section ends with what its markers mean. A rate is written as the PDF prints it, with its n
("11 of 14 (79 %)"), and a figure the program does not record as "Not recorded". Labels are those
of the indicators (:mod:`reports.indicators`), and a last sheet holds their definitions. Text
never runs as a formula (:func:`core.lists.export_value`).
"""

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.lists import export_value

from . import document
from .document import Kind
from .models import Report

SHEET_TITLE_LENGTH = 31
# Characters a sheet title may not contain.
FORBIDDEN_IN_TITLE = re.compile(r"[\\/?*\[\]:]")
NUMBER_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.PERSONS: "#,##0",
    Kind.HOURS: "#,##0.0",
    Kind.PERCENT: "0%",
    Kind.NUMBER: "#,##0.##",
    Kind.MONEY: "#,##0.00",
    Kind.CHANGE: "+#,##0.##;-#,##0.##;0",
    Kind.CHANGE_PERCENT: "+0%;-0%;0%",
    Kind.POINTS: "+0.0;-0.0;0.0",
}
MIN_WIDTH, MAX_WIDTH = 10, 60
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(text: str, used: set[str]) -> str:
    """A valid, unique sheet title: no forbidden characters, at most 31 characters."""
    base = " ".join(FORBIDDEN_IN_TITLE.sub(" ", str(text)).split()).strip("'") or "Sheet"
    title = base[:SHEET_TITLE_LENGTH].strip()
    number = 2
    while title.lower() in used:
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_LENGTH - len(suffix)].strip() + suffix
        number += 1
    used.add(title.lower())
    return title


def _value(raw, printed: str, kind: Kind):
    """What a cell holds: the number where the PDF prints one, else the printed text (a rate
    with its n, a withheld marker, too)."""
    if kind in NUMBER_FORMATS and printed != "–" and not document.is_withheld(printed):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return raw, NUMBER_FORMATS[kind]
    return export_value(printed), None


class _Sheet:
    """Appends rows to a worksheet and remembers how wide each column's content is."""

    def __init__(self, worksheet):
        self.ws = worksheet
        self.widths: dict[int, int] = {}

    def row(self, cells, *, font=None, wrap_first=False) -> int:
        """Append ``cells`` (values or (value, number format) pairs); returns the row number."""
        values, formats = [], []
        for cell in cells:
            value, number_format = cell if isinstance(cell, tuple) else (cell, None)
            if number_format is None and isinstance(value, str):
                value = export_value(ILLEGAL_CHARACTERS_RE.sub("", value))
            values.append(value)
            formats.append(number_format)
        self.ws.append(values)
        row = self.ws.max_row
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            cell = self.ws.cell(row=row, column=column)
            if font is not None:
                cell.font = font
            if number_format:
                cell.number_format = number_format
            if not (wrap_first and column == 1 and len(cells) == 1):
                length = len(str(value)) if value is not None else 0
                self.widths[column] = max(self.widths.get(column, 0), length)
        return row

    def note(self, text: str) -> None:
        """A long text in the first column, wrapped over the used width."""
        if not text:
            return
        row = self.row([text], wrap_first=True)
        cell = self.ws.cell(row=row, column=1)
        cell.alignment = WRAP
        last = max(2, max(self.widths, default=1))
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        self.ws.row_dimensions[row].height = 15 * max(1, len(text) // 90 + 1)

    def blank(self) -> None:
        self.ws.append([])

    def finish(self, freeze: str | None) -> None:
        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.ws.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
        if freeze:
            self.ws.freeze_panes = freeze


def _figure_cells(figure: document.Figure) -> list:
    return [figure.label, _value(figure.raw, figure.value, figure.kind)]


def _overview(sheet: _Sheet, report: Report, doc: document.Document) -> None:
    program = report.program
    grant = report.grant
    period = document.format_period(report.period_start, report.period_end)
    sheet.row([report.title], font=HEADING, wrap_first=True)
    sheet.row([_("Program"), program.name])
    sheet.row([_("Organisation"), program.lead_organisation.name])
    sheet.row([_("Reporting period"), period])
    if grant is not None:
        sheet.row([_("Funder"), grant.funder.name])
        sheet.row([_("Grant reference"), grant.reference])
    sheet.row([_("Version"), report.version])
    sheet.blank()
    header = sheet.row([_("Key figures"), _("Value")], font=BOLD)
    for figure in doc.key_figures:
        sheet.row(_figure_cells(figure))
    for section in doc.sections:
        if not section.figures:
            continue
        sheet.blank()
        sheet.row([section.title, ""], font=BOLD)
        for figure in section.figures:
            sheet.row(_figure_cells(figure))
    sheet.blank()
    sheet.note(doc.suppression_note)
    sheet.finish(freeze=f"A{header + 1}")


def _section(sheet: _Sheet, section: document.Section) -> None:
    sheet.row([section.title], font=HEADING, wrap_first=True)
    header_rows = []
    if section.text:
        sheet.blank()
        sheet.note(section.text)
    for table in section.tables:
        sheet.blank()
        sheet.row([table.title], font=BOLD, wrap_first=True)
        header_rows.append(sheet.row([c.label for c in table.columns], font=BOLD))
        kinds = table.kinds or [[c.kind for c in table.columns]] * len(table.rows)
        for raw_row, printed_row, kind_row in zip(table.rows, table.cells, kinds, strict=True):
            sheet.row(
                [
                    _value(raw, printed, kind)
                    for raw, printed, kind in zip(raw_row, printed_row, kind_row, strict=True)
                ]
            )
        if not table.rows:
            sheet.row([table.empty], wrap_first=True)
    if not section.tables and section.figures:
        sheet.blank()
        header_rows.append(sheet.row([_("Figure"), _("Value")], font=BOLD))
        for figure in section.figures:
            sheet.row(_figure_cells(figure))
    for listing in section.lists:
        sheet.blank()
        sheet.row([listing.title], font=BOLD, wrap_first=True)
        for term, text in listing.items:
            sheet.row([term, text])
    sheet.blank()
    for text in [*section.paragraphs, *section.footnotes]:
        sheet.note(text)
    sheet.note(section.note)
    # One table: its header stays in view; several: the section's title does.
    sheet.finish(freeze=f"A{header_rows[0] + 1}" if len(header_rows) == 1 else "A2")


def _definitions(sheet: _Sheet, definitions: list[document.Definition]) -> None:
    """The definitions annex: one row per indicator the report shows."""
    sheet.row([_("Definitions of the indicators")], font=HEADING, wrap_first=True)
    sheet.blank()
    header = sheet.row(
        [_("Indicator"), _("Counted"), _("Out of"), _("Unit"), _("Period")], font=BOLD
    )
    for item in definitions:
        sheet.row([item.label, item.numerator, item.denominator, item.unit, item.period])
    sheet.finish(freeze=f"A{header + 1}")


def report_xlsx(report: Report, snapshot: dict) -> bytes:
    """The workbook of ``report`` from ``snapshot``, in the report's language, cells suppressed."""
    with translation.override(report.language):
        doc = document.build(snapshot, suppress=True, report=report)
        workbook = Workbook()
        used: set[str] = set()
        overview = workbook.active
        overview.title = sheet_title(_("Key figures"), used)
        _overview(_Sheet(overview), report, doc)
        for section in doc.sections:
            worksheet = workbook.create_sheet(sheet_title(section.title, used))
            _section(_Sheet(worksheet), section)
        if doc.definitions:
            worksheet = workbook.create_sheet(sheet_title(_("Definitions"), used))
            _definitions(_Sheet(worksheet), doc.definitions)
        workbook.properties.title = report.title
        workbook.properties.creator = report.program.lead_organisation.name
        workbook.properties.language = report.language
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
