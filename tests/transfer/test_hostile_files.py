"""Files that are not what they claim, too big, bombs, formulas, and CSV injection on export.

The upload form refuses every file of :data:`hostile_files.HOSTILE_FILES` within seconds and
a few MB; the other tests say what the person uploading it reads."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import TestCase
from django.urls import reverse
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


@pytest.mark.parametrize("hostile_file", hostile.HOSTILE_FILES, ids=lambda file: file.id)
def test_the_upload_form_refuses_a_hostile_file_within_seconds_and_bounded_memory(
    login, program, alice, tmp_path, settings, hostile_file
):
    settings.MEDIA_ROOT = tmp_path / "media"
    if hostile_file.max_bytes is not None:
        settings.LOTSE_IMPORT_MAX_BYTES = hostile_file.max_bytes
    path = hostile_file.build(tmp_path)
    client = login(alice)
    # The check the page queues runs inline here, so it is measured with the request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response, seconds, peak = hostile.post_measured(
            client, reverse("program_import", args=[program.slug]), path
        )
    if response.status_code == 302:
        response = client.get(response.url)

    assert response.status_code == 200
    result = response.context.get("result")
    job = response.context.get("job")
    refusal = (
        ("form" in response.context and response.context["form"].errors.get("file"))
        or (result and result.problems)
        or (job and job.state == "failed" and job.error)
    )
    assert refusal, "the file was not refused"
    assert "confirm" not in response.context
    assert not program.sites.exists()
    assert seconds < hostile.MAX_SECONDS
    assert peak < hostile.MAX_PEAK_MB * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"


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


def test_a_long_wrong_value_is_quoted_shortened_in_each_problem(program, tmp_path):
    path = hostile.shared_string_in_every_row(tmp_path, rows=3)
    shortened = ("Lang " * 12).strip() + "…"  # the first 60 characters

    problems = messages(run_import(program, path))

    assert f"sites, row 3, name: “{shortened}” is already in row 2" in problems
    assert any(
        problem.startswith(f"sites, row 2, kind: “{shortened}” is not allowed; use one of: ")
        for problem in problems
    )
    assert max(len(problem) for problem in problems) < 300


def _long_cell_message(sheet: str) -> str:
    return (
        f"sites: A cell in row 2 of “{sheet}” holds more than 32,767 characters, "
        "the most a spreadsheet cell can hold."
    )


@pytest.mark.parametrize(
    ("build", "sheet"),
    [
        (hostile.million_character_cell, "sites"),
        (hostile.huge_cell_within_the_unpack_limit, "sites"),
        (hostile.csv_million_character_cell, "sites.csv"),
        (hostile.csv_zip_with_a_huge_cell, "sites.csv"),
    ],
    ids=["shared string", "inline string", "csv", "csv in a zip"],
)
def test_a_cell_longer_than_a_spreadsheet_cell_is_refused_naming_the_sheet_and_row(
    program, tmp_path, build, sheet
):
    result = run_import(program, build(tmp_path))

    assert messages(result)[-1] == _long_cell_message(sheet)
    assert not program.sites.exists()


def _name_of(length: int) -> list[list[str]]:
    return [["name", "kind"], ["N" * length, "shelter"]]


@pytest.mark.parametrize("length", [hostile.CELL_LIMIT, hostile.CELL_LIMIT + 1])
def test_the_cell_limit_is_excels_in_workbooks_and_csv_files(program, tmp_path, length):
    read = "sites, row 2, name: the text is longer than 200 characters"
    refused = _long_cell_message("sites")
    # openpyxl cuts longer text, so the sheet is written here.
    inline = hostile._with_sheet(
        write_xlsx(tmp_path / "inline.xlsx", {"sites": [["name"]]}),
        hostile._sheet_xml(
            "".join(
                f'<row r="{number}">'
                + "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in row)
                + "</row>"
                for number, row in enumerate(_name_of(length), start=1)
            )
        ).encode(),
    )
    shared = hostile._shared_string_workbook(
        tmp_path / "shared.xlsx",
        {"sites": [[0, 1], [2, 3]]},
        [*_name_of(length)[0], *_name_of(length)[1]],
    )
    text = tmp_path / "sites.csv"
    text.write_text("name,kind\n" + "N" * length + ",shelter\n", encoding="utf-8")

    found = [messages(run_import(program, path))[-1] for path in (inline, shared, text)]

    if length == hostile.CELL_LIMIT:
        assert found == [read, read, read]
    else:
        assert found == [refused, refused, _long_cell_message("sites.csv")]


def test_the_text_of_a_cell_in_runs_counts_as_a_whole(program, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", {"sites": [["name"]]})
    run = "<r><t>" + "N" * 20_000 + "</t></r>"
    xml = hostile._sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is>{run}{run}</is></c></row>'
    )
    hostile._with_sheet(path, xml.encode())

    assert messages(run_import(program, path)) == [_long_cell_message("sites")]


def test_a_csv_line_longer_than_four_full_cells_is_refused(program, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("name,kind\n" + ",".join(["N" * 30_000] * 5) + "\n", encoding="utf-8")

    assert messages(run_import(program, path)) == [
        "sites: Row 2 of “sites.csv” holds more than 131,068 characters, "
        "more than Lotse reads in one row."
    ]


@pytest.mark.parametrize(
    "build", [hostile.huge_attribute, hostile.huge_comment], ids=["attribute", "comment"]
)
def test_a_huge_tag_or_comment_is_damage_not_a_reason_to_fill_memory(program, tmp_path, build):
    result = run_import(program, build(tmp_path))

    assert messages(result)[-1] == "sites: The sheet “sites” is damaged and cannot be read."
    assert not program.sites.exists()
