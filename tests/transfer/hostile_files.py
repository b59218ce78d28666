"""Hostile files that every spreadsheet upload must refuse: bombs, disguises, damage.

Each builder writes one file into a folder and returns its path. :data:`HOSTILE_FILES` lists
them with the upload limit (``LOTSE_IMPORT_MAX_BYTES``) each is built against, so the tests of
every upload form can walk the same set.
"""

import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from .helpers import sample_sheets, write_xlsx

SMALL_LIMIT = 100 * 1024  # a zip may then unpack to 2 MB


def not_a_spreadsheet(directory: Path, name: str = "data.xlsx") -> Path:
    path = directory / name
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02 binary \xff\xfe")
    return path


def damaged_workbook(directory: Path) -> Path:
    path = directory / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<not xml")
    return path


def old_xls(directory: Path) -> Path:
    path = directory / "data.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    return path


def csv_not_utf8(directory: Path) -> Path:
    path = directory / "sites.csv"
    path.write_bytes("name;kind\nHaus Müller;shelter\n".encode("cp1252"))
    return path


def sample_workbook(directory: Path) -> Path:
    """A good workbook of about 7 KB: hostile only where the limit is smaller."""
    return write_xlsx(directory / "data.xlsx", sample_sheets())


def zip_bomb(directory: Path) -> Path:
    """A zip of about 5 KB that unpacks to 5 MB."""
    path = directory / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sites.csv", b"name,kind\n" + b"0" * (5 * 1024 * 1024))
    return path


def workbook_zip_bomb(directory: Path) -> Path:
    """A good workbook with a member that unpacks to 5 MB."""
    path = write_xlsx(directory / "data.xlsx", sample_sheets())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", bytes(5 * 1024 * 1024))
    return path


def zip_with_too_many_members(directory: Path) -> Path:
    path = directory / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(201):
            archive.writestr(f"f{number}.csv", "x")
    return path


def word_document(directory: Path) -> Path:
    path = directory / "letter.xlsx"
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
    return path


def _with_sheet(path: Path, xml: bytes, *, compression: int = zipfile.ZIP_STORED) -> Path:
    """The workbook at ``path`` with its (only) worksheet replaced by ``xml``."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _sheet_xml(rows: str) -> str:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def entity_expansion(directory: Path) -> Path:
    """ "Billion laughs": one cell whose nested entities expand to 3 GB of text."""
    path = write_xlsx(directory / "data.xlsx", {"sites": [["name", "kind"], ["A", "shelter"]]})
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "lol" * 10}">'
        for i in range(9)
    )
    laughs = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
    )
    return _with_sheet(path, laughs.encode())


HUGE_CELL_MB = 64


def huge_cell(directory: Path) -> Path:
    """A workbook of about 70 KB whose one cell unpacks to 64 MB of text."""
    path = write_xlsx(directory / "data.xlsx", {"sites": [["name", "kind"], ["A", "shelter"]]})
    xml = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        + "A" * (HUGE_CELL_MB * 1024 * 1024)
        + "</t></is></c></row>"
    )
    return _with_sheet(path, xml.encode(), compression=zipfile.ZIP_DEFLATED)


def cell_beyond_the_last_column(directory: Path) -> Path:
    """A workbook of 2 KB with a cell in column ``ZZZZZZ``, past Excel's last (``XFD``):
    a reader that makes room for every column up to it needs 2.5 GB for that one row."""
    path = write_xlsx(directory / "data.xlsx", {"sites": [["name", "kind"], ["A", "shelter"]]})
    xml = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        '<c r="ZZZZZZ1" t="inlineStr"><is><t>kind</t></is></c></row>'
    )
    return _with_sheet(path, xml.encode())


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shared_string_workbook(path: Path, sheets: dict[str, list[list[int]]], shared: list[str]):
    """A workbook whose cells are all shared strings, given as indexes into ``shared``.

    openpyxl cannot write one: it writes every text into its cell, and cuts it at 32,767
    characters."""
    relationships = "".join(
        f'<Relationship Id="rId{number}" Target="worksheets/sheet{number}.xml" '
        f'Type="{_DOCUMENT_RELATIONSHIPS}/worksheet"/>'
        for number in range(1, len(sheets) + 1)
    )
    members = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{_DOCUMENT_RELATIONSHIPS}/officeDocument"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELATIONSHIPS}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>'
                for number, name in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relationships}"
            f'<Relationship Id="rIdS" Target="sharedStrings.xml" '
            f'Type="{_DOCUMENT_RELATIONSHIPS}/sharedStrings"/></Relationships>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{_MAIN}">'
            + "".join(f"<si><t>{_escape(text)}</t></si>" for text in shared)
            + "</sst>"
        ),
    }
    for number, rows in enumerate(sheets.values(), start=1):
        members[f"xl/worksheets/sheet{number}.xml"] = _sheet_xml(
            "".join(
                f'<row r="{row}">'
                + "".join(f'<c t="s"><v>{index}</v></c>' for index in cells)
                + "</row>"
                for row, cells in enumerate(rows, start=1)
            )
        )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


# Excel's limit for the text of one cell; the reader refuses longer cells.
CELL_LIMIT = 32_767
MILLION = 1_000_000


def shared_string_in_every_row(directory: Path, rows: int = 500) -> Path:
    """A workbook of 5 KB whose cells below the header are all one shared string of 32,764
    characters (within the cell limit), wrong in every column: an importer that quotes a wrong
    value in full in each row's problems holds a copy of it for each (for 500 rows twice 16 MB,
    and more while the page shows them; at the upload limit gigabytes). A ``service providers``
    sheet for the provider import and a ``sites`` sheet for the program import; each import
    ignores the other's sheet."""
    shared = ["name", "category", "kind", ("Lang " * (CELL_LIMIT // 5)).strip()]
    return _shared_string_workbook(
        directory / "data.xlsx",
        {
            "service providers": [[0, 1], *([3, 3],) * rows],
            "sites": [[0, 2], *([3, 3],) * rows],
        },
        shared,
    )


def million_character_cell(directory: Path) -> Path:
    """A workbook of a few KB with one cell of 1,000,000 characters, a shared string. Its
    columns are read by the provider import and by the sites sheet of the program import."""
    return _shared_string_workbook(
        directory / "data.xlsx",
        {"sites": [[0, 1], [2, 3]]},
        ["name", "category", "A" * MILLION, "other"],
    )


def _repeated(text: bytes, times: int) -> Iterator[bytes]:
    """``text * times`` in pieces of at most 1 MB."""
    piece = 1024 * 1024 // len(text)
    while times > 0:
        yield text * min(piece, times)
        times -= piece


def _write_member(archive: zipfile.ZipFile, name: str, pieces: Iterable[bytes]) -> None:
    """A deflated member written piece by piece, without its whole text in memory."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.compress_level = 1  # fast; the text is one letter repeated
    with archive.open(info, "w") as member:
        for piece in pieces:
            member.write(piece)


def _streamed_sheet(directory: Path, rows: Iterable[bytes]) -> Path:
    """A workbook whose (only) sheet holds ``rows`` (XML), written piece by piece."""
    path = write_xlsx(directory / "data.xlsx", {"sites": [["name"]]})
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    del members["xl/worksheets/sheet1.xml"]
    head, tail = _sheet_xml("|").encode().split(b"|")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        _write_member(archive, "xl/worksheets/sheet1.xml", [head, *rows, tail])
    return path


_HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>category</t></is></c></row>'
)


def huge_cell_within_the_unpack_limit(directory: Path) -> Path:
    """A workbook of about 300 KB whose one cell unpacks to 64 MB of text, well within the
    unpack limit at the default upload limit (200 MB): the cell limit refuses it."""
    return _streamed_sheet(
        directory,
        [
            _HEADER_ROW,
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
            *_repeated(b"A", HUGE_CELL_MB * 1024 * 1024),
            b'</t></is></c><c r="B2" t="inlineStr"><is><t>other</t></is></c></row>',
        ],
    )


def huge_attribute(directory: Path) -> Path:
    """A workbook of about 300 KB with a row tag of 64 MB (an attribute): a parser holds a tag
    whole until it ends."""
    return _streamed_sheet(
        directory,
        [
            _HEADER_ROW,
            b'<row r="2" x="',
            *_repeated(b"A", HUGE_CELL_MB * 1024 * 1024),
            b'"><c r="A2" t="inlineStr"><is><t>Haus</t></is></c></row>',
        ],
    )


def huge_comment(directory: Path) -> Path:
    """A workbook of about 400 KB with a comment of 64 MB, "<" and ">" all through it: a
    parser holds a comment whole until it ends."""
    return _streamed_sheet(
        directory,
        [
            _HEADER_ROW,
            b"<!--",
            *_repeated(b"<>AAAAAAAA", HUGE_CELL_MB * 1024 * 1024 // 10),
            b'--><row r="2"><c r="A2" t="inlineStr"><is><t>Haus</t></is></c></row>',
        ],
    )


def csv_million_character_cell(directory: Path) -> Path:
    """A CSV file of 1 MB whose second row has a cell of 1,000,000 characters."""
    path = directory / "sites.csv"
    path.write_text("name,category\n" + "A" * MILLION + ",other\n", encoding="utf-8")
    return path


def csv_zip_with_a_huge_cell(directory: Path) -> Path:
    """A zip of about 600 KB of CSV files whose second rows are one cell of 64 MB each: a
    reader that reads a line whole before the csv module counts its cells holds 64 MB.
    ``sites.csv`` for the program import, ``service providers.csv`` for the provider import."""
    path = directory / "data.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("sites.csv", "service providers.csv"):
            _write_member(
                archive,
                name,
                [
                    b"name,category\n",
                    *_repeated(b"A", HUGE_CELL_MB * 1024 * 1024),
                    b",other\n",
                ],
            )
    return path


@dataclass(frozen=True)
class HostileFile:
    id: str
    build: Callable[[Path], Path]
    max_bytes: int | None = None  # the upload limit the file is built against, if not the default


HOSTILE_FILES = [
    *(
        HostileFile(f"not a spreadsheet named {name}", partial(not_a_spreadsheet, name=name))
        for name in ("data.xlsx", "data.pdf", "data.zip", "data")
    ),
    HostileFile("damaged workbook", damaged_workbook),
    HostileFile("old xls", old_xls),
    HostileFile("csv not in utf-8", csv_not_utf8),
    HostileFile("over the limit", sample_workbook, max_bytes=2048),
    HostileFile("zip bomb", zip_bomb, max_bytes=SMALL_LIMIT),
    HostileFile("workbook zip bomb", workbook_zip_bomb, max_bytes=SMALL_LIMIT),
    HostileFile("too many members", zip_with_too_many_members),
    HostileFile("word document", word_document),
    HostileFile("entity expansion", entity_expansion),
    HostileFile("huge cell", huge_cell, max_bytes=SMALL_LIMIT),
    HostileFile("cell beyond the last column", cell_beyond_the_last_column),
    HostileFile("shared string in every row", shared_string_in_every_row),
    HostileFile("million character cell", million_character_cell),
    HostileFile("huge cell within the unpack limit", huge_cell_within_the_unpack_limit),
    HostileFile("huge attribute", huge_attribute),
    HostileFile("huge comment", huge_comment),
    HostileFile("csv million character cell", csv_million_character_cell),
    HostileFile("csv zip with a huge cell", csv_zip_with_a_huge_cell),
]


# Every upload form refuses every hostile file within these bounds.
MAX_SECONDS = 5
MAX_PEAK_MB = 8  # most of it is the test client and Django holding an upload of 1 MB


def post_measured(client, url: str, path: Path):
    """Post ``path`` as the form's file: the response, the seconds it took and the peak of
    memory allocated meanwhile. The page is opened once first, so loading its code and
    templates is not measured."""
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    client.get(url)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post(url, {"file": upload})
        seconds = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, seconds, peak
