"""Reading a provider directory from a CSV or XLSX file (columns: docs/import-format.md).

:func:`preview_providers` reads and checks the whole file and reports every problem at once as
"row, column: message"; nothing is written here. The rows it returns are plain, JSON-ready
dicts that :func:`referrals.services.provider_import` writes once the preview is confirmed.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from programs import languages as iso_languages
from programs.models import Program

from .models import Category, ServiceProvider

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

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
YES = {"yes", "y", "ja", "j", "true", "1", "x", "wahr"}
NO = {"no", "n", "nein", "nej", "false", "0", "falsch"}
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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(
            gettext("The file could not be read as an Excel workbook.")
        ) from error
    sheets = {sheet.title.strip().casefold(): sheet for sheet in workbook.worksheets}
    sheet = next((sheets[name] for name in SHEET_NAMES if name in sheets), workbook.worksheets[0])
    rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_table(uploaded) -> list[list[str]]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM; , or ; separated) or XLSX."""
    if uploaded.size > MAX_BYTES:
        raise ImportFileError(gettext("The file is larger than 5 MB."))
    data = uploaded.read()
    name = (uploaded.name or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data)
    raise ImportFileError(gettext("Upload a .csv or .xlsx file."))


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
    value = text.strip().casefold()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(gettext("write yes or no, not “%(value)s”") % {"value": text})


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
                % {"value": category, "choices": ", ".join(Category.values)},
            )
        )

    for raw in cells.get("languages", "").replace(",", ";").split(";"):
        if not raw.strip():
            continue
        code = iso_languages.normalise(raw)
        if code is None:
            problems.append(
                (
                    "languages",
                    gettext("unknown language code “%(value)s” (use ISO 639-1 or 639-3)")
                    % {"value": raw.strip()},
                )
            )
        elif code not in values["languages"]:
            values["languages"].append(code)

    area = cells.get("area", "").strip()
    if area:
        values["area"] = areas.get(area.casefold())
        if values["area"] is None:
            problems.append(
                ("area", gettext("this program has no area “%(value)s”") % {"value": area})
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
                    gettext("a whole number of weeks, not “%(value)s”") % {"value": weeks},
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


def preview_providers(*, program: Program, uploaded) -> ProviderPreview:
    """Read and check a provider file for ``program``; count what importing it would do.

    Raises :class:`ImportFileError` when the file as a whole cannot be used.
    """
    table = read_table(uploaded)
    while table and not any(table[-1]):
        table.pop()
    if not table:
        raise ImportFileError(gettext("The file is empty."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(gettext("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    header = [_header_key(cell) for cell in table[0]]
    preview = ProviderPreview()
    for index, column in enumerate(header):
        if column and column not in COLUMNS:
            preview.errors.append(
                RowError(
                    1,
                    table[0][index] or str(index + 1),
                    gettext("unknown column; the columns are: %(columns)s")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
    for column in REQUIRED:
        if column not in header:
            preview.errors.append(RowError(1, column, gettext("this column is missing")))
    if preview.errors:
        return preview

    categories = _category_lookup()
    areas = {area.name.casefold(): area.pk for area in program.areas.all()}
    existing = {
        provider.name.casefold(): provider
        for provider in program.providers.prefetch_related("languages")
    }
    seen: dict[str, int] = {}
    for number, row in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {
            column: (row[i] if i < len(row) else "") for i, column in enumerate(header) if column
        }
        values, problems = _check_row(cells, categories=categories, areas=areas)
        key = values["name"].casefold()
        if key and key in seen:
            problems.append(
                (
                    "name",
                    gettext("“%(name)s” is already in row %(row)s")
                    % {"name": values["name"], "row": seen[key]},
                )
            )
        seen.setdefault(key, number)
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
