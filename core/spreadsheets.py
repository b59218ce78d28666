"""Opening an import file: an XLSX workbook, a zip of CSV files, a folder of them, or one CSV.

Only the shape of the file is handled here: which sheets it has and their rows, cell by cell
and without loading a whole sheet into memory. Files that cannot be read safely are refused
with :class:`FileRefused` before any row is read: files over the size limit, zip archives
that would unpack to too much or hold too many members (a "zip bomb"; an XLSX is a zip too),
and anything that is not a spreadsheet. A cell longer than a spreadsheet cell can be
(:data:`MAX_CELL_CHARS`) is refused while it is read, before its text is whole. Formulas are
never evaluated: a formula cell reads as its text (``=1+1``).
"""

import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

from .lists import FORMULA_PREFIXES

# A zip may unpack to this many times the upload limit (XLSX compresses about 5 to 15 times).
UNPACKED_FACTOR = 20
MAX_ZIP_MEMBERS = 200
MAX_COLUMNS = 16_384  # a spreadsheet's last column, XFD
MAX_CELL_CHARS = 32_767  # the most text a spreadsheet cell holds (Excel's limit)
# A line of a CSV file is read whole, so it may not be longer than this (four full cells).
MAX_LINE_CHARS = 4 * MAX_CELL_CHARS
QUOTED_CHARS = 60  # of a value quoted in a message
CSV_DELIMITERS = (",", ";", "\t")
# The words a yes/no cell may hold (English, German, Danish), compared ignoring case.
YES_WORDS = frozenset({"yes", "y", "ja", "j", "true", "wahr", "x", "1"})
NO_WORDS = frozenset({"no", "n", "nein", "nej", "false", "falsch", "0"})
csv.field_size_limit(MAX_CELL_CHARS)


class FileRefused(Exception):
    """The file as a whole cannot be imported; the message (translated) says why."""


def max_bytes() -> int:
    return settings.LOTSE_IMPORT_MAX_BYTES


def size_text(size: int) -> str:
    """A byte count for people: ``10 MB``, ``500 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _limit_text(number: int) -> str:
    return number_format(number, force_grouping=True)


def _refuse_long_cell(sheet: str, row: int) -> FileRefused:
    return FileRefused(
        gettext(
            "A cell in row %(row)s of “%(sheet)s” holds more than %(limit)s characters, "
            "the most a spreadsheet cell can hold."
        )
        % {"row": row, "sheet": sheet, "limit": _limit_text(MAX_CELL_CHARS)}
    )


def check_size(size: int) -> None:
    if size > max_bytes():
        raise FileRefused(
            gettext("The file is larger than %(limit)s; split it into smaller files.")
            % {"limit": size_text(max_bytes())}
        )


Rows = Iterator[tuple[int, tuple]]  # (row number as a spreadsheet shows it, cell values)


@dataclass
class SheetSource:
    name: str  # the format's sheet name
    rows: Callable[[], Rows]  # a new pass over the sheet's rows, header included


@dataclass
class Source:
    """The sheets of an opened file; each can be read more than once (validate, then write)."""

    sheets: dict[str, SheetSource] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # sheets or files that are not in the format
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- cells -------------------------------------------------------------------------------


def strip_export_quote(text: str) -> str:
    """Undo the quote the exporter puts before text that a spreadsheet would run as a formula."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return strip_export_quote(str(value).strip())


def quoted(value) -> str:
    """A cell's value as a message quotes it: its first :data:`QUOTED_CHARS` characters, and
    "…" if there are more. A file can repeat one long text in thousands of wrong cells, and
    every message that quoted it whole would hold a copy."""
    text = value if isinstance(value, str) else cell_text(value)
    if len(text) <= QUOTED_CHARS:
        return text
    return text[:QUOTED_CHARS].rstrip() + "…"


def yes_no_value(text: str) -> bool | None:
    """What a yes/no cell says: ``True``, ``False``, or ``None`` for any other text."""
    word = text.strip().casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def sheet_name_of(title: str) -> str:
    return title.strip().casefold()


# ---- opening -----------------------------------------------------------------------------


def _refuse_not_a_spreadsheet() -> FileRefused:
    return FileRefused(
        gettext(
            "This is not a spreadsheet Lotse can read. Upload an Excel workbook (.xlsx), "
            "a CSV file or a zip of CSV files."
        )
    )


def _check_zip(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefused(
            gettext("The archive holds more than %(count)s files; it is not imported.")
            % {"count": MAX_ZIP_MEMBERS}
        )
    unpacked = sum(member.file_size for member in members)
    limit = UNPACKED_FACTOR * max_bytes()
    if unpacked > limit:
        raise FileRefused(
            gettext(
                "The file would unpack to more than %(limit)s; it is not imported. "
                "Split it into smaller files."
            )
            % {"limit": size_text(limit)}
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise FileRefused(gettext("The file is password-protected; remove the password first."))


def open_source(
    path: Path,
    filename: str = "",
    *,
    sheets: Sequence[str],
    skip: Sequence[str] = (),
    fallback: str | None = None,
) -> Source:
    """Open an import file or folder; ``filename`` is the name it was uploaded under.

    ``sheets`` names the sheets (or CSV files) the format knows, in order; any other sheet is
    listed as ignored, except those named in ``skip`` (a help sheet, say). A format of one
    table names one of its ``sheets`` as ``fallback``: a CSV file named after none of them, and
    the first sheet of a workbook that has none of them, are read as that sheet."""
    layout = _Layout(tuple(sheets), tuple(skip), fallback)
    path = Path(path)
    filename = filename or path.name
    if path.is_dir():
        return _open_folder(path, layout)
    check_size(path.stat().st_size)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"PK\x05\x06"):
        return _open_zip(path, layout)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            gettext(
                "This is an old Excel file (.xls) or a password-protected workbook. "
                "Save it as an Excel workbook (.xlsx) without a password."
            )
        )
    if filename.lower().endswith((".csv", ".txt")):
        sheet = _sheet_of_csv_name(filename, layout) or layout.fallback
        if sheet is None:
            raise FileRefused(
                gettext(
                    "Name a CSV file after its sheet (%(names)s), or upload a zip of CSV files."
                )
                % {"names": ", ".join(f"{name}.csv" for name in layout.sheets)}
            )
        source = Source()
        source.sheets[sheet] = SheetSource(
            sheet, lambda: _csv_rows(lambda: open(path, "rb"), filename)
        )
        return source
    raise _refuse_not_a_spreadsheet()


@dataclass(frozen=True)
class _Layout:
    sheets: tuple[str, ...]
    skip: tuple[str, ...]
    fallback: str | None = None


def _sheet_of_csv_name(name: str, layout: _Layout) -> str | None:
    stem = PurePosixPath(name).stem.strip().casefold()
    for sheet in layout.sheets:
        if stem == sheet:
            return sheet
        # "activities 2024.csv", "activities-export (1).csv"
        if stem.startswith(sheet) and not stem[len(sheet)].isalpha():
            return sheet
    return None


def _open_folder(path: Path, layout: _Layout) -> Source:
    source = Source()
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    check_size(sum(p.stat().st_size for p in files))
    for file in files:
        sheet = _sheet_of_csv_name(file.name, layout)
        if sheet is None or sheet in source.sheets:
            source.ignored.append(file.name)
            continue
        source.sheets[sheet] = SheetSource(
            sheet, lambda file=file: _csv_rows(lambda: open(file, "rb"), file.name)
        )
    if not source.sheets:
        raise _refuse_no_sheets(layout)
    return source


def _refuse_no_sheets(layout: _Layout) -> FileRefused:
    return FileRefused(
        gettext("The file has none of the sheets %(names)s.") % {"names": ", ".join(layout.sheets)}
    )


def _open_zip(path: Path, layout: _Layout) -> Source:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise _refuse_not_a_spreadsheet() from error
    try:
        _check_zip(archive)
        if _XLSX_CONTENT in archive.namelist():
            return _open_xlsx(archive, layout)
        return _open_csv_zip(archive, layout)
    except BaseException:
        archive.close()
        raise


def _open_csv_zip(archive: zipfile.ZipFile, layout: _Layout) -> Source:
    source = Source(_closers=[archive.close])
    for member in archive.infolist():
        name = PurePosixPath(member.filename)
        if member.is_dir() or name.name.startswith((".", "~$")) or "__MACOSX" in name.parts:
            continue
        sheet = _sheet_of_csv_name(name.name, layout) if name.suffix.lower() == ".csv" else None
        if sheet is None or sheet in source.sheets:
            source.ignored.append(member.filename)
            continue
        source.sheets[sheet] = SheetSource(
            sheet, lambda member=member: _csv_rows(lambda: archive.open(member), member.filename)
        )
    if not source.sheets:
        source.close()
        raise _refuse_no_sheets(layout)
    return source


# ---- XLSX --------------------------------------------------------------------------------
# A workbook is read with a small streaming parser of its XML rather than openpyxl's
# read-only mode, which is several times slower per cell. It reads what an import needs:
# shared and inline strings, numbers, booleans, dates (by the cell's number format) and
# formulas, which are returned as their text (``=1+1``) and never evaluated. The XML is parsed
# with the standard library's expat, which refuses entity expansion attacks.

_XLSX_CONTENT = "[Content_Types].xml"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


_READ_SIZE = 64 * 1024
# The parser holds a tag whole until it ends, so none may be longer than this (no spreadsheet
# writes one of even a few KB). Nor may text run longer without a tag: a cell's is far shorter.
_MAX_TAG_BYTES = 1024 * 1024
_TOO_LONG = object()  # a shared string longer than a cell may be


class _CellTooLong(Exception):
    """A cell's text grew past :data:`MAX_CELL_CHARS` while it was read."""


class _NoDoctype(ElementTree.TreeBuilder):
    def doctype(self, name, pubid, system):
        _refuse_doctype()


def _refuse_doctype(*_args):
    # The parts of a workbook have none; it is where entity expansion attacks are declared.
    raise ValueError("a workbook part has a document type declaration")


def _xml(data: bytes) -> ElementTree.Element:
    """A small part of the workbook (its sheet list, relationships, styles) as a tree."""
    parser = ElementTree.XMLParser(target=_NoDoctype())
    parser.feed(data)
    return parser.close()


def _parse(stream, start, data, end, ready: list) -> Iterator:
    """Parse the XML of ``stream`` piece by piece with the handlers ``start(name, attributes)``,
    ``data(text)`` and ``end(name)``, and yield what they put in ``ready`` after each piece.

    Names are ``namespace}local``. Text reaches ``data`` in pieces of at most
    :data:`_READ_SIZE` characters as it is read, so a handler can refuse a text that grows too
    long before it is whole. The parser holds nothing else whole for long: a part is refused
    (``ValueError``) before the parser reads a tag or a stretch of text longer than
    :data:`_MAX_TAG_BYTES`, or a comment or processing instruction at all (it could hold
    ``<`` and go on to the end; spreadsheet programs write none). The part is read as UTF-8,
    as spreadsheet programs write it, so that no character hides a ``<``."""
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = _READ_SIZE
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.CharacterDataHandler = data
    parser.EndElementHandler = end
    since_tag = 0  # bytes since the last "<"
    before = b""  # the end of the last piece, for a "<!--" split between two
    declaration = 4  # the XML declaration ("<?xml"), after a byte order mark, is allowed
    while piece := stream.read(_READ_SIZE):
        last = piece.rfind(b"<")
        since_tag = since_tag + len(piece) if last < 0 else len(piece) - last
        if since_tag > _MAX_TAG_BYTES:
            raise ValueError("a tag or text of the workbook is too long")
        window = before + piece
        if b"<!--" in window or b"<?" in window[declaration:]:
            raise ValueError("a workbook part has a comment or processing instruction")
        before, declaration = window[-3:], 0
        parser.Parse(piece, False)
        if ready:
            yield from ready
            ready.clear()
    parser.Parse(b"", True)
    yield from ready
    ready.clear()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _part_path(base: str, target: str) -> str:
    """The archive path of a relationship's target, relative to the part ``base``."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [*PurePosixPath(base).parent.parts]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, archive path) of a part."""
    if part:
        path = PurePosixPath(part)
        rels = str(path.parent / "_rels" / f"{path.name}.rels")
    else:
        rels = "_rels/.rels"
    try:
        root = _xml(archive.read(rels))
    except KeyError:
        return {}
    return {
        rel.get("Id"): (rel.get("Type", ""), _part_path(part or "x", rel.get("Target", "")))
        for rel in root
        if rel.tag == f"{_RELATIONSHIPS}Relationship"
    }


class _Workbook:
    """The parts of a workbook the rows need: sheets, shared strings, date styles."""

    def __init__(self, archive: zipfile.ZipFile):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.archive = archive
        main = next(
            (
                path
                for kind, path in _relationships(archive, "").values()
                if kind.endswith(_OFFICE_DOCUMENT)
            ),
            "xl/workbook.xml",
        )
        root = _xml(archive.read(main))
        if _local(root.tag) != "workbook":
            raise _refuse_not_a_spreadsheet()  # a Word or PowerPoint file, say
        self.ns = root.tag[: -len("workbook")]
        self.names = self.ns[1:]  # how the parts' element names begin as :func:`_parse` gives them
        relations = _relationships(archive, main)
        self.sheets: list[tuple[str, str]] = []  # (title, archive path)
        date1904 = False
        for element in root.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                date1904 = element.get("date1904") in ("1", "true")
            elif name == "sheet":
                rid = element.get(_R_ID) or element.get(_R_ID_STRICT)
                if rid in relations:
                    self.sheets.append((element.get("name", ""), relations[rid][1]))
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        by_kind = {kind.rpartition("/")[2]: path for kind, path in relations.values()}
        self.shared = self._shared_strings(by_kind.get("sharedStrings"))
        self.date_styles = self._date_styles(by_kind.get("styles"), BUILTIN_FORMATS, is_date_format)

    def _shared_strings(self, path: str | None) -> list:
        """The workbook's shared strings; one longer than a cell may be is :data:`_TOO_LONG`,
        and is refused when a cell uses it."""
        strings: list = []
        if path is None or path not in self.archive.namelist():
            return strings
        si, t, phonetic = (self.names + name for name in ("si", "t", "rPh"))
        parts: list[str] = []
        length = 0
        reading = in_phonetic = False

        def start(name, _attrs):
            nonlocal length, reading, in_phonetic
            if name == t:
                reading = not in_phonetic  # phonetic hints (rPh) are not the text
            elif name == si:
                parts.clear()
                length = 0
            elif name == phonetic:
                in_phonetic = True

        def data(text):
            nonlocal length
            if reading:
                length += len(text)
                if length <= MAX_CELL_CHARS:
                    parts.append(text)

        def end(name):
            nonlocal reading, in_phonetic
            if name == t:
                reading = False
            elif name == si:
                strings.append("".join(parts) if length <= MAX_CELL_CHARS else _TOO_LONG)
            elif name == phonetic:
                in_phonetic = False

        with self.archive.open(path) as stream:
            for _ in _parse(stream, start, data, end, []):
                pass
        return strings

    def _date_styles(self, path, builtin, is_date_format) -> frozenset[int]:
        if path is None or path not in self.archive.namelist():
            return frozenset()
        root = _xml(self.archive.read(path))
        formats = dict(builtin)
        for element in root.iter(f"{self.ns}numFmt"):
            formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        cell_xfs = root.find(f"{self.ns}cellXfs")
        if cell_xfs is None:
            return frozenset()
        return frozenset(
            index
            for index, xf in enumerate(cell_xfs.iter(f"{self.ns}xf"))
            if is_date_format(formats.get(int(xf.get("numFmtId", "0")), ""))
        )

    def rows(self, title: str, path: str) -> Rows:
        try:
            yield from self._rows(title, path)
        except (
            ElementTree.ParseError,
            expat.ExpatError,
            zipfile.BadZipFile,
            OSError,
            KeyError,
            ValueError,
            OverflowError,
            IndexError,
        ) as error:
            raise FileRefused(
                gettext("The sheet “%(sheet)s” is damaged and cannot be read.") % {"sheet": title}
            ) from error

    def _rows(self, title: str, path: str) -> Rows:
        from openpyxl.utils.datetime import from_excel

        cell_tag, v_tag, row_tag, f_tag, is_tag, t_tag, phonetic_tag = (
            self.names + name for name in ("c", "v", "row", "f", "is", "t", "rPh")
        )
        shared, date_styles, epoch = self.shared, self.date_styles, self.epoch
        shared_formulas: dict[str, str] = {}
        columns: dict[str, int] = {}
        ready: list[tuple[int, tuple]] = []  # rows read from the last piece of the stream
        number = 0
        cells: dict[int, object] = {}
        column = -1
        kind = style = text = formula = formula_kind = formula_index = inline = None
        parts: list[str] | None = None  # the text being read, if it is a value
        length = 0  # of the cell's text read so far
        in_inline = in_phonetic = False

        def start(name, attrs):
            nonlocal column, kind, style, text, formula, inline, parts, length
            nonlocal formula_kind, formula_index, number, cells, in_inline, in_phonetic
            if name == cell_tag:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = _column_index(letters)
                        if column >= MAX_COLUMNS:
                            # A row would need room for every column up to it.
                            raise ValueError("a cell is past the last column")
                else:
                    column += 1
                kind = attrs.get("t")
                style = attrs.get("s")
                text = formula = inline = None
            elif name == v_tag:
                parts = []
                length = 0
            elif name == row_tag:
                number = int(attrs.get("r") or number + 1)
                cells = {}
                column = -1
            elif name == f_tag:
                parts = []
                length = 0
                formula_kind = attrs.get("t")
                formula_index = attrs.get("si", "")
            elif name == is_tag:
                inline = []
                length = 0
                in_inline = True
            elif name == t_tag:
                if in_inline and not in_phonetic:  # phonetic hints (rPh) are not the text
                    parts = inline
            elif name == phonetic_tag:
                in_phonetic = True

        def data(piece):
            nonlocal length
            if parts is not None:
                length += len(piece)
                if length > MAX_CELL_CHARS:
                    raise _CellTooLong
                parts.append(piece)

        def end(name):
            nonlocal text, formula, inline, parts, in_inline, in_phonetic
            if name == v_tag:
                text = "".join(parts) or None
                parts = None
            elif name == cell_tag:
                if formula is not None:
                    code = formula
                    if formula_kind == "shared":
                        if code:
                            shared_formulas[formula_index] = code
                        else:
                            code = shared_formulas.get(formula_index, "")
                    value = "=" + code
                elif kind == "s":
                    value = shared[int(text)] if text is not None else None
                    if value is _TOO_LONG:
                        raise _CellTooLong
                elif kind == "inlineStr":
                    value = inline
                elif kind in ("str", "e"):
                    value = text
                elif kind == "b":
                    value = text == "1"
                elif kind == "d":
                    value = dt.datetime.fromisoformat(text) if text else None
                elif text is None:
                    value = None
                else:
                    value = float(text)
                    if date_styles and int(style or "0") in date_styles:
                        value = from_excel(value, epoch)
                    elif value.is_integer() and abs(value) < 2**53:
                        value = int(value)
                cells[column] = value
            elif name == row_tag:
                if cells:
                    values = [None] * (max(cells) + 1)
                    for index, value in cells.items():
                        values[index] = value
                    ready.append((number, tuple(values)))
            elif name == t_tag:
                if parts is inline:
                    parts = None
            elif name == f_tag:
                formula = "".join(parts)
                parts = None
            elif name == is_tag:
                inline = "".join(inline)
                in_inline = False
            elif name == phonetic_tag:
                in_phonetic = False

        with self.archive.open(path) as stream:
            try:
                yield from _parse(stream, start, data, end, ready)
            except _CellTooLong:
                raise _refuse_long_cell(title, number) from None


def _column_index(ref: str) -> int:
    """``"C12"`` -> 2; :data:`MAX_COLUMNS` or more for any column past the last one."""
    if len(ref.rstrip("0123456789")) > 3:
        return MAX_COLUMNS  # four letters are past XFD, and the number is not worth computing
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index - 1


def _open_xlsx(archive: zipfile.ZipFile, layout: _Layout) -> Source:
    try:
        workbook = _Workbook(archive)
    except (
        ElementTree.ParseError,
        expat.ExpatError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
    ) as error:
        raise FileRefused(
            gettext("The file could not be read as an Excel workbook (.xlsx).")
        ) from error
    source = Source(_closers=[archive.close])
    named = [(sheet_name_of(title), title, path) for title, path in workbook.sheets]
    if layout.fallback and named and not any(sheet in layout.sheets for sheet, *_ in named):
        named[0] = (layout.fallback, *named[0][1:])
    for sheet, title, path in named:
        if sheet in layout.sheets and sheet not in source.sheets:
            source.sheets[sheet] = SheetSource(
                sheet, lambda title=title, path=path: workbook.rows(title, path)
            )
        elif sheet not in layout.skip:
            source.ignored.append(title)
    if not source.sheets:
        raise _refuse_no_sheets(layout)
    return source


# ---- CSV ---------------------------------------------------------------------------------


def _csv_rows(open_binary: Callable[[], io.BufferedIOBase], title: str) -> Rows:
    """Rows of a UTF-8 CSV (with or without BOM), separated by commas, semicolons or tabs.

    ``title`` names the file in messages. A cell longer than :data:`MAX_CELL_CHARS` is refused
    as the csv module reads it (its field size limit), and no line is read further than
    :data:`MAX_LINE_CHARS`."""
    with open_binary() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        number = 0
        delimiter = None
        try:
            first = _line(text)
            delimiter = _delimiter(first)
            lines = itertools.chain([first], _lines(text))
            for number, values in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
                yield number, tuple(values)
        except UnicodeDecodeError as error:
            raise FileRefused(
                gettext("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
            ) from error
        except _LineTooLong as error:
            start = error.args[0]
            if _has_long_cell(start, delimiter or _delimiter(start)):
                raise _refuse_long_cell(title, number + 1) from error
            raise FileRefused(
                gettext(
                    "Row %(row)s of “%(sheet)s” holds more than %(limit)s characters, "
                    "more than Lotse reads in one row."
                )
                % {"row": number + 1, "sheet": title, "limit": _limit_text(MAX_LINE_CHARS)}
            ) from error
        except csv.Error as error:
            if _is_long_cell(error):
                raise _refuse_long_cell(title, number + 1) from error
            raise FileRefused(
                gettext("The CSV file cannot be read near row %(row)s: %(error)s")
                % {"row": number + 1, "error": error}
            ) from error
        except (zipfile.BadZipFile, OSError) as error:
            raise FileRefused(
                gettext("The CSV file cannot be read near row %(row)s: %(error)s")
                % {"row": number + 1, "error": error}
            ) from error


def _delimiter(header: str) -> str:
    header = header.rstrip("\r\n")
    return max(CSV_DELIMITERS, key=header.count) if header else ","


class _LineTooLong(Exception):
    """A line of a CSV file is longer than :data:`MAX_LINE_CHARS`; the argument is its start."""


def _line(text) -> str:
    """The next line of ``text`` with its line break ("" at the end), read no further than
    :data:`MAX_LINE_CHARS` characters."""
    line = text.readline(MAX_LINE_CHARS + 2)  # room for "\r\n"
    if "\x00" in line:
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "NUL byte")
    if len(line) > MAX_LINE_CHARS and len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
        raise _LineTooLong(line)
    return line


def _lines(text) -> Iterator[str]:
    while line := _line(text):
        yield line


def _is_long_cell(error: csv.Error) -> bool:
    return str(error).startswith("field larger than field limit")


def _has_long_cell(start: str, delimiter: str) -> bool:
    """Whether the start of a line that is too long to read holds a cell that is too long."""
    try:
        for _values in csv.reader([start], delimiter=delimiter):
            pass
    except csv.Error as error:
        return _is_long_cell(error)
    return False
