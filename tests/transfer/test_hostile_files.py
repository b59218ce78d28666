"""Files that are not what they claim, too big, bombs, formulas, and CSV injection on export."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from core.spreadsheets import FileRefused
from transfer.exporter import CSV_ZIP, program_data_export

from ..factories import SiteFactory
from . import hostile_files as hostile
from .helpers import messages, run_import, write_csv_zip, write_xlsx

pytestmark = pytest.mark.django_db


def _refusal(program, path) -> str:
    with pytest.raises(FileRefused) as caught:
        run_import(program, path)
    return str(caught.value)


@pytest.mark.parametrize("name", ["data.xlsx", "data.pdf", "data.zip", "data"])
def test_something_that_is_not_a_spreadsheet_is_refused(program, tmp_path, name):
    path = hostile.not_a_spreadsheet(tmp_path, name)

    assert _refusal(program, path).startswith("This is not a spreadsheet Lotse can read.")


def test_a_damaged_workbook_is_refused(program, tmp_path):
    path = hostile.damaged_workbook(tmp_path)

    assert _refusal(program, path) == "The file could not be read as an Excel workbook (.xlsx)."


def test_an_old_xls_file_is_refused_with_advice(program, tmp_path):
    path = hostile.old_xls(tmp_path)

    assert "Save it as an Excel workbook (.xlsx)" in _refusal(program, path)


def test_a_csv_that_is_not_utf8_is_refused_with_advice(program, tmp_path):
    path = hostile.csv_not_utf8(tmp_path)

    result = run_import(program, path)

    assert messages(result) == [
        "sites: The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."
    ]


def test_a_file_over_the_limit_is_refused(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 2048
    path = hostile.sample_workbook(tmp_path)

    message = _refusal(program, path)

    assert message == "The file is larger than 2 KB; split it into smaller files."


def test_a_zip_bomb_is_refused_before_it_is_unpacked(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 100 * 1024  # a zip may unpack to 2 MB
    path = hostile.zip_bomb(tmp_path)
    assert path.stat().st_size < 100 * 1024

    message = _refusal(program, path)

    assert message.startswith("The file would unpack to more than 2 MB; it is not imported.")


def test_a_workbook_that_is_a_zip_bomb_is_refused(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 100 * 1024
    path = hostile.workbook_zip_bomb(tmp_path)

    assert "would unpack to more than" in _refusal(program, path)


def test_a_zip_with_too_many_members_is_refused(program, tmp_path):
    path = hostile.zip_with_too_many_members(tmp_path)

    assert _refusal(program, path) == "The archive holds more than 200 files; it is not imported."


def test_formulas_are_imported_as_text_and_never_calculated(program, tmp_path):
    sheets = {
        "sites": [
            ["name", "kind", "city"],
            ["=1+1", "shelter", '=HYPERLINK("http://evil.example","click")'],
        ]
    }

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", sheets))

    assert result.valid, messages(result)
    site = program.sites.get()
    assert site.name == "=1+1"
    assert site.city == '=HYPERLINK("http://evil.example","click")'


def test_a_formula_in_a_number_column_is_a_problem(program, tmp_path):
    sheets = {"sites": [["name", "kind", "capacity"], ["Haus A", "shelter", "=2*3"]]}

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", sheets))

    assert messages(result) == ["sites, row 2, capacity: “=2*3” is not a whole number"]


def test_formulas_in_csv_files_are_text_too(program, tmp_path):
    path = write_csv_zip(
        tmp_path / "data.zip", {"sites": [["name", "kind"], ["@SUM(A1)", "other"]]}
    )

    result = run_import(program, path)

    assert result.valid
    assert program.sites.get().name == "@SUM(A1)"


FORMULAS = ["=1+1", "+49 211 123", "-2+3", "@SUM(A1:A9)"]


def test_exported_text_that_looks_like_a_formula_gets_a_leading_quote(program):
    for name in FORMULAS:
        SiteFactory(program=program, name=name, city=name)
    out = io.BytesIO()

    program_data_export(
        program=program, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), out=out
    )

    sheet = load_workbook(io.BytesIO(out.getvalue()))["sites"]
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    cities = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == cities == sorted("'" + name for name in FORMULAS)


def test_the_csv_export_quotes_them_too_and_importing_it_back_keeps_the_text(
    program, other_program, tmp_path
):
    for name in FORMULAS:
        SiteFactory(program=program, name=name)
    path = tmp_path / "export.zip"
    with open(path, "wb") as out:
        program_data_export(
            program=program,
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
            out=out,
            file_format=CSV_ZIP,
        )
    with zipfile.ZipFile(path) as archive:
        text = archive.read("sites.csv").decode("utf-8-sig")
    assert "'=1+1," in text and "'@SUM(A1:A9)," in text

    result = run_import(other_program, path)

    assert result.valid, messages(result)
    assert sorted(other_program.sites.values_list("name", flat=True)) == sorted(FORMULAS)


def test_a_word_document_is_not_a_spreadsheet(program, tmp_path):
    path = hostile.word_document(tmp_path)

    assert _refusal(program, path).startswith("This is not a spreadsheet Lotse can read.")


def test_entity_expansion_in_a_workbook_is_refused(program, tmp_path):
    path = hostile.entity_expansion(tmp_path)

    result = run_import(program, path)

    assert "sites: The sheet “sites” is damaged and cannot be read." in messages(result)
    assert not program.sites.exists()


def test_a_workbook_with_a_huge_cell_is_refused_before_it_is_unpacked(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = hostile.SMALL_LIMIT
    path = hostile.huge_cell(tmp_path)
    assert path.stat().st_size < hostile.SMALL_LIMIT

    assert "would unpack to more than 2 MB" in _refusal(program, path)


def test_a_cell_past_the_last_column_is_damage_not_a_reason_to_fill_memory(program, tmp_path):
    result = run_import(program, hostile.cell_beyond_the_last_column(tmp_path))

    assert messages(result) == ["sites: The sheet “sites” is damaged and cannot be read."]
