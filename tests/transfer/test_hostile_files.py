"""Files that are not what they claim, too big, bombs, formulas, and CSV injection on export."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from core.spreadsheets import FileRefused
from transfer.exporter import CSV_ZIP, program_data_export

from ..factories import SiteFactory
from .helpers import messages, run_import, sample_sheets, write_csv_zip, write_xlsx

pytestmark = pytest.mark.django_db


def _refusal(program, path) -> str:
    with pytest.raises(FileRefused) as caught:
        run_import(program, path)
    return str(caught.value)


@pytest.mark.parametrize("name", ["data.xlsx", "data.pdf", "data.zip", "data"])
def test_something_that_is_not_a_spreadsheet_is_refused(program, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02 binary \xff\xfe")

    assert _refusal(program, path).startswith("This is not a spreadsheet Lotse can read.")


def test_a_damaged_workbook_is_refused(program, tmp_path):
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<not xml")

    assert _refusal(program, path) == "The file could not be read as an Excel workbook (.xlsx)."


def test_an_old_xls_file_is_refused_with_advice(program, tmp_path):
    path = tmp_path / "data.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))

    assert "Save it as an Excel workbook (.xlsx)" in _refusal(program, path)


def test_a_csv_that_is_not_utf8_is_refused_with_advice(program, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes("name;kind\nHaus Müller;shelter\n".encode("cp1252"))

    result = run_import(program, path)

    assert messages(result) == [
        "sites: The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."
    ]


def test_a_file_over_the_limit_is_refused(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 2048
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())

    message = _refusal(program, path)

    assert message == "The file is larger than 2 KB; split it into smaller files."


def test_a_zip_bomb_is_refused_before_it_is_unpacked(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 100 * 1024  # a zip may unpack to 2 MB
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sites.csv", b"name,kind\n" + b"0" * (5 * 1024 * 1024))
    assert path.stat().st_size < 100 * 1024

    message = _refusal(program, path)

    assert message.startswith("The file would unpack to more than 2 MB; it is not imported.")


def test_a_workbook_that_is_a_zip_bomb_is_refused(program, tmp_path, settings):
    settings.LOTSE_IMPORT_MAX_BYTES = 100 * 1024
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", bytes(5 * 1024 * 1024))

    assert "would unpack to more than" in _refusal(program, path)


def test_a_zip_with_too_many_members_is_refused(program, tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(201):
            archive.writestr(f"f{number}.csv", "x")

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
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr("word/document.xml", "<document/>")

    assert _refusal(program, path).startswith("This is not a spreadsheet Lotse can read.")


def test_entity_expansion_in_a_workbook_is_refused(program, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", {"sites": [["name", "kind"], ["A", "shelter"]]})
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "lol" * 10}">'
        for i in range(9)
    )
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = laughs.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    result = run_import(program, path)

    assert "sites: The sheet “sites” is damaged and cannot be read." in messages(result)
    assert not program.sites.exists()
