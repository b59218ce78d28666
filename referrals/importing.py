"""Reading a provider directory from a CSV or XLSX file (columns: docs/import-format.md).

:func:`preview_providers` reads and checks the whole file and reports every problem at once as
"row, column: message" (up to :data:`MAX_ERRORS`; a file with more is refused, naming the
first); nothing is written here. The rows it returns are plain, JSON-ready dicts that
:func:`referrals.services.provider_import` writes once the preview is confirmed.
The file is read by the one hardened spreadsheet reader (``core.spreadsheets``), which
refuses what it cannot read safely before reading a row.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from core.spreadsheets import (
    FileRefused,
    Rows,
    cell_text,
    check_size,
    open_source,
    quoted,
    yes_no_value,
)
from programs import languages as iso_languages
from programs.models import Program

from .models import Category, ServiceProvider

MAX_ROWS = 5000
MAX_ERRORS = 1000  # problems listed in a preview; a file with more is refused

# Columns in the order of the template; ``*`` marks the required ones in the documentation.
COLUMNS = (
    "name",
    "category",
    "languages",
    "area",
    "address",
    "phone",
    "email",
    "website",
    "opening_notes",
    "accepts_self_referral",
    "waiting_weeks",
    "active",
)
REQUIRED = ("name", "category")
# The model fields a row sets directly (besides ``languages`` and ``area``).
FIELDS = (
    "name",
    "category",
    "address",
    "phone",
    "email",
    "website",
    "opening_notes",
    "accepts_self_referral",
    "waiting_weeks",
    "active",
)
# The sheet read from a workbook, by its name in any case; the first sheet if none has one.
SHEET_NAMES = ("service providers", "providers", "anbieter", "fachdienste")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, size, header)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return gettext("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ProviderPreview:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors


# ---- reading the file --------------------------------------------------------------------


@contextmanager
def _uploaded_rows(uploaded) -> Iterator[Rows]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM; , ; or tab separated) or XLSX.

    Raises :class:`core.spreadsheets.FileRefused` for a file that cannot be read safely, also
    later, while its rows are read (encoding, damage)."""
    check_size(uploaded.size)
    filename = uploaded.name or ""
    with tempfile.TemporaryDirectory() as directory:
        if hasattr(uploaded, "temporary_file_path"):
            path = Path(uploaded.temporary_file_path())
        else:
            path = Path(directory) / "upload"
            with open(path, "wb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
        with open_source(path, filename, sheets=SHEET_NAMES, fallback=SHEET_NAMES[0]) as source:
            sheet = next(source.sheets[name] for name in SHEET_NAMES if name in source.sheets)
            yield sheet.rows()


def _header_key(text: str) -> str:
    return text.strip().rstrip("*").strip().lower().replace(" ", "_").replace("-", "_")


# ---- checking the rows -------------------------------------------------------------------


def _category_lookup() -> dict[str, str]:
    """Category keys and their labels in every interface language -> key."""
    from django.conf import settings

    lookup = {}
    for key, label in Category.choices:
        lookup[key.casefold()] = key
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                lookup[str(label).casefold()] = key
    return lookup


def _yes_no(text: str, default: bool) -> bool:
    if not text.strip():
        return default
    value = yes_no_value(text)
    if value is None:
        raise ValueError(gettext("write yes or no, not “%(value)s”") % {"value": quoted(text)})
    return value


def _check_row(cells: dict[str, str], *, categories, areas) -> tuple[dict, list[tuple[str, str]]]:
    """One row as model values, and the problems found as (column, message)."""
    problems: list[tuple[str, str]] = []
    values: dict = {
        "name": cells.get("name", "").strip(),
        "address": cells.get("address", ""),
        "phone": cells.get("phone", ""),
        "email": cells.get("email", ""),
        "opening_notes": cells.get("opening_notes", ""),
        "languages": [],
        "area": None,
        "waiting_weeks": None,
    }
    for column in REQUIRED:
        if not cells.get(column, "").strip():
            problems.append((column, gettext("required")))

    category = cells.get("category", "").strip()
    values["category"] = categories.get(category.casefold(), "")
    if category and not values["category"]:
        problems.append(
            (
                "category",
                gettext("unknown category “%(value)s”; use one of: %(choices)s")
                % {"value": quoted(category), "choices": ", ".join(Category.values)},
            )
        )

    checked = set()  # each code is checked once, however often the cell repeats it
    for raw in dict.fromkeys(cells.get("languages", "").replace(",", ";").split(";")):
        raw = raw.strip()
        if not raw or raw.lower() in checked:
            continue
        checked.add(raw.lower())
        code = iso_languages.normalise(raw)
        if code is None:
            problems.append(
                (
                    "languages",
                    gettext("unknown language code “%(value)s” (use ISO 639-1 or 639-3)")
                    % {"value": quoted(raw)},
                )
            )
        elif code not in values["languages"]:
            values["languages"].append(code)

    area = cells.get("area", "").strip()
    if area:
        values["area"] = areas.get(area.casefold())
        if values["area"] is None:
            problems.append(
                ("area", gettext("this program has no area “%(value)s”") % {"value": quoted(area)})
            )

    website = cells.get("website", "").strip()
    if website and "://" not in website:
        website = "https://" + website
    values["website"] = website

    for column, default in (("accepts_self_referral", False), ("active", True)):
        try:
            values[column] = _yes_no(cells.get(column, ""), default)
        except ValueError as error:
            values[column] = default
            problems.append((column, str(error)))

    weeks = cells.get("waiting_weeks", "").strip()
    if weeks:
        try:
            values["waiting_weeks"] = int(weeks)
            if not 0 <= values["waiting_weeks"] <= 520:
                raise ValueError
        except ValueError:
            values["waiting_weeks"] = None
            problems.append(
                (
                    "waiting_weeks",
                    gettext("a whole number of weeks, not “%(value)s”") % {"value": quoted(weeks)},
                )
            )

    # Field rules of the model (lengths, e-mail and web addresses).
    checked_columns = {column for column, _message in problems}
    instance = ServiceProvider(**{name: values[name] for name in FIELDS})
    try:
        instance.clean_fields(exclude=["program", "organisation", "area", *checked_columns])
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            problems.extend((column, message.rstrip(".")) for message in messages)
    return values, problems


def provider_differs(provider: ServiceProvider, row: dict, language_codes: list[str]) -> bool:
    """Whether importing ``row`` would change ``provider`` (``language_codes``: its current)."""
    if provider.area_id != row["area"] or sorted(language_codes) != sorted(row["languages"]):
        return True
    return any(getattr(provider, name) != row[name] for name in FIELDS)


def _blank(values) -> bool:
    return not any(cell_text(value) for value in values)


def preview_providers(*, program: Program, uploaded) -> ProviderPreview:
    """Read and check a provider file for ``program``; count what importing it would do.

    Raises :class:`ImportFileError` when the file as a whole cannot be used.
    """
    try:
        with _uploaded_rows(uploaded) as rows:
            return _preview(program, rows)
    except FileRefused as error:
        raise ImportFileError(str(error)) from error


def _preview(program: Program, rows: Rows) -> ProviderPreview:
    first = next(rows, None)
    while first is not None and _blank(first[1]):
        first = next(rows, None)
    if first is None:
        raise ImportFileError(gettext("The file is empty."))
    header_number, header_cells = first[0], [cell_text(value) for value in first[1]]
    header = [_header_key(cell) for cell in header_cells]
    preview = ProviderPreview()
    for index, column in enumerate(header):
        if column and column not in COLUMNS:
            preview.errors.append(
                RowError(
                    header_number,
                    quoted(header_cells[index]) or str(index + 1),
                    gettext("unknown column; the columns are: %(columns)s")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
    for column in REQUIRED:
        if column not in header:
            preview.errors.append(
                RowError(header_number, column, gettext("this column is missing"))
            )
    if preview.errors:
        return preview

    categories = _category_lookup()
    areas = {area.name.casefold(): area.pk for area in program.areas.all()}
    existing = {
        provider.name.casefold(): provider
        for provider in program.providers.prefetch_related("languages")
    }
    seen: dict[str, int] = {}
    for number, row in rows:
        if _blank(row):
            continue
        if number - header_number > MAX_ROWS:
            raise ImportFileError(
                gettext("The file has more than %(max)s rows.") % {"max": MAX_ROWS}
            )
        cells = {
            column: (cell_text(row[i]) if i < len(row) else "")
            for i, column in enumerate(header)
            if column
        }
        values, problems = _check_row(cells, categories=categories, areas=areas)
        key = values["name"].casefold()
        if key and key in seen:
            problems.append(
                (
                    "name",
                    gettext("“%(name)s” is already in row %(row)s")
                    % {"name": quoted(values["name"]), "row": seen[key]},
                )
            )
        seen.setdefault(key, number)
        if len(preview.errors) + len(problems) > MAX_ERRORS:
            # A file wrong in every row, or a cell with thousands of wrong language codes:
            # checking on would only fill memory with problems nobody reads.
            first = (preview.errors or [RowError(number, *problems[0])])[0]
            raise ImportFileError(
                gettext(
                    "The file has more than %(max)s problems; Lotse stopped checking it. "
                    "The first: %(problem)s"
                )
                % {"max": MAX_ERRORS, "problem": first}
            )
        preview.errors.extend(RowError(number, column, message) for column, message in problems)
        if problems:
            continue
        preview.rows.append(values)
        provider = existing.get(key)
        if provider is None:
            preview.new += 1
        elif provider_differs(provider, values, [lang.code for lang in provider.languages.all()]):
            preview.updated += 1
        else:
            preview.unchanged += 1
    if not preview.rows and not preview.errors:
        raise ImportFileError(gettext("The file has a header but no providers."))
    return preview
