"""Building import files the way spreadsheets write them."""

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from transfer import format as fmt
from transfer.format import open_import
from transfer.importing import ImportResult, program_data_import

HEADERS = {sheet.name: list(sheet.names) for sheet in fmt.SHEETS}


def sample_sheets() -> dict[str, list[list]]:
    """A small program's data: every sheet, with references between them."""
    return {
        "sites": [
            HEADERS["sites"],
            ["Übergangsheim Nord", "transition_home", "Nord", "Düren", 120],
            ["Kontaktstelle Mitte", "contact_point", "", "Düren", ""],
        ],
        "volunteers": [
            HEADERS["volunteers"],
            [
                "V-001",
                "Amina Haddad",
                "amina@example.org",
                "ar; de",
                "active",
                "2016-11-14",
                "",
                "yes",
            ],
            ["V-002", "Jonas Weber", "", "de;en", "left", "2016-11-14", "2017-06-30", "no"],
        ],
        "participants": [
            HEADERS["participants"],
            ["P-AAAA1", 1987, "female", "prs; fa", "AF", "Übergangsheim Nord", "2024-03-01"],
            ["P-AAAA2", "", "", "", "sy", "", ""],
        ],
        "activities": [
            HEADERS["activities"],
            [
                "A1",
                "2024-03-05",
                "group",
                "Übergangsheim Nord",
                "V-001; V-002",
                "ar; de",
                "Sleep; Resilienz",
                90,
                12,
                7,
                4,
                3,
                "",
            ],
            [
                "A2",
                "2024-03-06",
                "one_to_one",
                "",
                "V-001",
                "prs",
                "stress_coping",
                45,
                "",
                "",
                "",
                "",
                "P-AAAA1",
            ],
        ],
        "referrals": [
            HEADERS["referrals"],
            [
                "R1",
                "2024-03-06",
                "P-AAAA1",
                "PSZ Düsseldorf",
                "psychosocial_centre",
                "",
                "appointment",
                "2024-03-20",
                "",
                "2024-03-06",
            ],
            [
                "R2",
                "2024-03-07",
                "P-AAAA2",
                "Sozialamt",
                "social_counselling",
                "inbound",
                "proposed",
                "",
                "",
                "",
            ],
        ],
    }


def write_xlsx(path: Path, sheets: dict[str, list[list]], number_format: str | None = None) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(title=name)
        for row in rows:
            worksheet.append(row)
        if number_format:
            for row in worksheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, dt.date):
                        cell.number_format = number_format
    workbook.save(path)
    return path


def csv_bytes(rows: list[list], delimiter: str = ",", bom: bool = False) -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8")


def write_csv_zip(
    path: Path, sheets: dict[str, list[list]], delimiter: str = ",", bom: bool = False
) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in sheets.items():
            archive.writestr(f"{name}.csv", csv_bytes(rows, delimiter, bom))
    return path


def run_import(program, path: Path, *, by=None, dry_run: bool = False) -> ImportResult:
    with open_import(path) as source:
        return program_data_import(program=program, source=source, by=by, dry_run=dry_run)


def counts(result: ImportResult) -> dict[str, tuple[int, int, int]]:
    return {sheet: (c.new, c.updated, c.unchanged) for sheet, c in result.counts.items()}


def messages(result: ImportResult) -> list[str]:
    return [str(problem) for problem in result.problems]
