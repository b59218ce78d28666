"""The same data as Excel writes it in Germany and Denmark, as CSV, in a zip or a folder."""

import datetime as dt

import pytest

from .helpers import (
    HEADERS,
    counts,
    csv_bytes,
    messages,
    run_import,
    sample_sheets,
    write_csv_zip,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

ALL_NEW = {
    "sites": (2, 0, 0),
    "volunteers": (2, 0, 0),
    "participants": (2, 0, 0),
    "activities": (2, 0, 0),
    "referrals": (2, 0, 0),
}


def test_a_zip_of_csv_files_with_bom_and_semicolons(program, alice, tmp_path):
    path = write_csv_zip(tmp_path / "export.zip", sample_sheets(), delimiter=";", bom=True)

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert counts(result) == ALL_NEW
    assert program.sites.get(name="Übergangsheim Nord").capacity == 120


def test_a_zip_of_comma_separated_csv_files_without_bom(program, alice, tmp_path):
    path = write_csv_zip(tmp_path / "export.zip", sample_sheets())

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert counts(result) == ALL_NEW


def test_a_folder_of_csv_files(program, alice, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name, rows in sample_sheets().items():
        (folder / f"{name}.csv").write_bytes(csv_bytes(rows, ";", bom=True))
    (folder / "notes.csv").write_text("anything\n")

    result = run_import(program, folder, by=alice)

    assert result.valid, messages(result)
    assert counts(result) == ALL_NEW
    assert result.ignored == ["notes.csv"]


def test_one_csv_file_named_after_its_sheet(program, tmp_path):
    path = tmp_path / "sites (1).csv"
    path.write_bytes(
        csv_bytes([["name", "kind", "city"], ["Haus Ø", "shelter", "Aarhus"]], ";", bom=True)
    )

    result = run_import(program, path)

    assert result.valid, messages(result)
    assert program.sites.get().name == "Haus Ø"


def test_a_german_excel_workbook_with_date_cells(program, alice, tmp_path):
    """Header marks, capitalised names, real date cells, numbers as floats, dd.mm.yyyy text."""
    sheets = {
        "Sites": [
            ["Name*", "Kind*", "Capacity"],
            ["Übergangsheim Nord", "Übergangswohnheim", 120.0],
        ],
        "Volunteers": [
            ["Code*", "Name*", "Status*", "Joined on"],
            ["V-001", "Amina Haddad", "Aktiv", dt.datetime(2016, 11, 14)],
        ],
        "Activities": [
            ["Ref*", "Date*", "Kind*", "Site", "Facilitators", "Attendees total"],
            ["A1", dt.datetime(2024, 3, 5), "Gruppenangebot", "Übergangsheim Nord", "V-001", 12.0],
            ["A2", dt.datetime(2024, 3, 6, 14, 30), "group", "", "V-001", 3],
            ["A3", "07.03.2024", "group", "", "", 4],
        ],
    }
    path = write_xlsx(tmp_path / "Daten.xlsx", sheets, number_format="DD.MM.YYYY")

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert dict(program.activities.values_list("ref", "date")) == {
        "A1": dt.date(2024, 3, 5),
        "A2": dt.date(2024, 3, 6),
        "A3": dt.date(2024, 3, 7),
    }
    assert program.activities.get(ref="A1").attendees_total == 12
    assert program.volunteers.get().joined_on == dt.date(2016, 11, 14)
    assert program.sites.get().kind == "transition_home"


def test_a_danish_csv_with_day_first_dates(program, tmp_path):
    path = tmp_path / "activities.csv"
    rows = [[*HEADERS["activities"][:3], "attendees_total"], ["A1", "05-03-2024", "group", 9]]
    path.write_bytes(csv_bytes(rows, ";", bom=True))

    result = run_import(program, path)

    assert result.valid, messages(result)
    assert program.activities.get().date == dt.date(2024, 3, 5)


def test_sheets_outside_the_format_are_ignored_and_named(program, tmp_path):
    sheets = {"sites": [["name", "kind"], ["Haus A", "shelter"]], "Notizen": [["x"]]}

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", sheets))

    assert result.valid
    assert result.ignored == ["Notizen"]


def test_empty_rows_and_trailing_empty_cells_are_skipped(program, tmp_path):
    rows = [["name", "kind", None], ["Haus A", "shelter", None], [None, None], ["Haus B", "office"]]

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", {"sites": rows}))

    assert result.valid, messages(result)
    assert counts(result) == {"sites": (2, 0, 0)}


def test_row_numbers_are_the_spreadsheets_even_after_empty_rows(program, tmp_path):
    rows = [["name", "kind"], ["Haus A", "shelter"], [None], [None], ["Haus B", "castle"]]

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", {"sites": rows}))

    assert [(p.row, p.column) for p in result.problems] == [(5, "kind")]


def test_boolean_cells_answer_yes_no_columns(program, tmp_path):
    rows = [["code", "name", "status", "employed"], ["V-1", "Amina", "active", True]]

    result = run_import(program, write_xlsx(tmp_path / "data.xlsx", {"volunteers": rows}))

    assert result.valid, messages(result)
    assert program.volunteers.get().employed


def test_the_documentation_describes_every_sheet_and_column():
    from pathlib import Path

    from transfer import format as fmt

    docs = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text()
    for sheet in fmt.SHEETS:
        assert f"#### `{sheet.name}`" in docs
        section = docs.split(f"#### `{sheet.name}`")[1].split("####")[0]
        for column in sheet.columns:
            assert f"| `{column.heading}` |" in section, (sheet.name, column.name)
            for choice in column.choices:
                assert f"`{choice}`" in section, (sheet.name, column.name, choice)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _excel_workbook(path):
    """A workbook as Excel writes it: shared strings, styles for dates, shared formulas."""
    import zipfile

    strings = [
        "name",
        "kind",
        "city",
        "shelter",
        "office",
        "ref",
        "date",
        "attendees_total",
        "group",
    ]
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    # Rich text with a phonetic hint that is not part of the text: index 9.
    shared += "<si><r><t>Haus </t></r><r><rPr/><t>Nord</t></r><rPh><t>ハウス</t></rPh></si>"
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><workbookPr/><sheets>'
        '<sheet name="Sites " sheetId="1" r:id="rId1"/>'
        '<sheet name="Activities" sheetId="2" r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{OFFICE}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId4" Type="{OFFICE}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>',
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="1">'
        '<numFmt numFmtId="164" formatCode="DD.MM.YYYY;@"/></numFmts>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
        "</cellXfs></styleSheet>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>9</v></c><c r="B2" t="s"><v>3</v></c>'
        '<c r="C2" t="str"><f t="shared" ref="C2:C4" si="0">"Dü"&amp;"ren"</f><v>Düren</v></c>'
        "</row>"
        '<row r="4"><c r="A4" t="str"><f>A2&amp;" 2"</f><v>Haus Nord 2</v></c>'
        '<c r="B4" t="s"><v>4</v></c><c r="C4" t="str"><f t="shared" si="0"/><v>Düren</v></c>'
        "</row></sheetData></worksheet>",
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>5</v></c><c r="B1" t="s"><v>6</v></c>'
        '<c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>7</v></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" s="1"><v>45356</v></c>'
        '<c r="C2" t="s"><v>8</v></c><c r="D2"><v>12</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3" s="2"><v>45357.5</v></c>'
        '<c r="C3" t="s"><v>8</v></c><c r="D3"><v>8</v></c></row>'
        "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_a_workbook_as_excel_writes_it(program, tmp_path):
    result = run_import(program, _excel_workbook(tmp_path / "Mappe1.xlsx"))

    assert result.valid, messages(result)
    assert dict(program.sites.values_list("name", "city")) == {
        "Haus Nord": '="Dü"&"ren"',  # formulas stay text, shared ones too
        '=A2&" 2"': '="Dü"&"ren"',
    }
    assert dict(program.activities.values_list("ref", "date")) == {
        "1": dt.date(2024, 3, 5),  # the built-in date format
        "2": dt.date(2024, 3, 6),  # a custom DD.MM.YYYY format, with a time of day
    }
