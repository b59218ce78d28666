"""Reading one row: the typed cell readers (text, numbers, dates, yes/no, lists, codes).

Each reader returns :data:`ABSENT` when the sheet has no such column, and reports a problem
(and marks the row as not importable) when the cell's value is not what the column takes.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext
from django_countries import countries

from core.spreadsheets import cell_text, quoted, yes_no_value
from programs import languages as iso_languages

from .. import format as fmt
from .lookups import KeyMap, Run
from .results import Problem

DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),  # 31.03.2024 (de)
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),  # 31-03-2024 (da)
)
INTEGER = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")
DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")

ABSENT = object()  # the column is not in the sheet


def _list_items(text: str, separators: str = fmt.LIST_SEPARATOR) -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    items = []
    for item in text.split(separators[0]):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


class Row:
    """The cells of one row, read column by column; problems are reported as they are found."""

    __slots__ = ("run", "sheet", "number", "cells", "ok")

    def __init__(self, run: Run, sheet: fmt.Sheet, number: int, cells: dict[str, Any]):
        self.run = run
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.run.problem(self.sheet.name, self.number, column, message)

    def warning(self, column: str, message: str) -> None:
        """A value that is unusual but possible: listed in the preview, imported on confirm."""
        self.run.result.add_warning(Problem(self.sheet.name, self.number, column, message))

    def report(self, findings, columns: dict[str, str] | None = None) -> None:
        """The errors and warnings of a rules module (``core.rules.Findings``), each at the
        column of its field (``columns`` maps the fields whose column is named otherwise)."""
        columns = columns or {}
        for field, message in findings.messages("errors"):
            self.error(columns.get(field, field), message)
        result = self.run.result
        for field, warnings in findings.warnings.items():
            for warning in warnings:
                if result.warnings_full:  # counted only: no message to translate
                    result.warning_count += len(warning.error_list)
                    continue
                for message in warning.messages:
                    self.warning(columns.get(field, field), message)

    def has(self, column: str) -> bool:
        return column in self.cells

    def _blank(self, column: str) -> bool:
        value = self.cells[column]
        return value is None or (isinstance(value, str) and not value.strip())

    def _missing(self, column: str) -> bool:
        """Whether the cell is empty; reports it if the column is required."""
        if not self._blank(column):
            return False
        if self.sheet.column(column).required:
            self.error(column, gettext("a value is required"))
        return True

    def text(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        value = cell_text(self.cells[column])
        spec = self.sheet.column(column)
        if spec.max_length and len(value) > spec.max_length:
            self.error(
                column,
                gettext("the text is longer than %(max)s characters") % {"max": spec.max_length},
            )
        return value

    def integer(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        raw = self.cells[column]
        number = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and INTEGER.match(raw.strip()):
            number = int(re.split(r"[.,]", raw.strip())[0])
        if number is None:
            self.error(
                column,
                gettext("“%(value)s” is not a whole number") % {"value": quoted(cell_text(raw))},
            )
            return None
        spec = self.sheet.column(column)
        if spec.minimum is not None and number < spec.minimum:
            if number < 0 and spec.minimum == 0:
                message = gettext("%(value)s is negative; the number cannot be below 0")
            else:
                message = gettext("%(value)s is too small; the lowest allowed is %(min)s")
            self.error(column, message % {"value": number, "min": spec.minimum})
            return None
        if spec.maximum is not None and number > spec.maximum:
            self.error(
                column,
                gettext("%(value)s is too large; the highest allowed is %(max)s")
                % {"value": number, "max": spec.maximum},
            )
            return None
        return number

    def decimal(self, column: str):
        """A number with at most one decimal place (hours), as :class:`~decimal.Decimal`."""
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        raw = self.cells[column]
        number = None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            try:
                number = Decimal(str(raw))
            except InvalidOperation:
                number = None
        elif isinstance(raw, str) and DECIMAL.match(raw.strip()):
            number = Decimal(raw.strip().replace(",", "."))
        if number is None or not number.is_finite():
            self.error(
                column,
                gettext("“%(value)s” is not a number; write it like 12.5")
                % {"value": quoted(cell_text(raw))},
            )
            return None
        if number != number.quantize(Decimal("0.1")):
            self.error(
                column,
                gettext("%(value)s has more than one decimal place") % {"value": cell_text(raw)},
            )
            return None
        number = number.quantize(Decimal("0.1"))
        spec = self.sheet.column(column)
        written = cell_text(raw)
        if spec.minimum is not None and number < spec.minimum:
            self.error(
                column,
                gettext("%(value)s is too small; the lowest allowed is %(min)s")
                % {"value": written, "min": spec.minimum},
            )
            return None
        if spec.maximum is not None and number > spec.maximum:
            self.error(
                column,
                gettext("%(value)s is too large; the highest allowed is %(max)s")
                % {"value": written, "max": spec.maximum},
            )
            return None
        return number

    def date(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        raw = self.cells[column]
        day = None
        if isinstance(raw, dt.datetime):
            day = raw.date()
        elif isinstance(raw, dt.date):
            day = raw
        elif isinstance(raw, str):
            text = raw.strip()
            for pattern, (y, m, d) in DATE_PATTERNS:
                match = pattern.match(text)
                if match:
                    try:
                        day = dt.date(int(match[y]), int(match[m]), int(match[d]))
                    except ValueError:
                        day = None
                    break
        if day is None or not 1900 <= day.year <= 2100:
            self.error(
                column,
                gettext("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2024-03-31")
                % {"value": quoted(cell_text(raw))},
            )
            return None
        return day

    def choice(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        spec = self.sheet.column(column)
        text = cell_text(self.cells[column])
        value = self.run.choice_lookup(self.sheet.name, spec).get(text.casefold())
        if value is None:
            self.error(
                column,
                gettext("“%(value)s” is not allowed; use one of: %(choices)s")
                % {"value": quoted(text), "choices": ", ".join(spec.choices)},
            )
            return ""
        return value

    def yes_no(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return None
        text = cell_text(self.cells[column]).casefold()
        answer = yes_no_value(text)
        if answer is None:
            self.error(
                column, gettext("write yes or no, not “%(value)s”") % {"value": quoted(text)}
            )
        return answer

    def items(self, column: str):
        """A ``;``-separated list of texts, or ABSENT."""
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return []
        return _list_items(cell_text(self.cells[column]))

    def languages(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return frozenset()
        codes = set()
        for item in _list_items(cell_text(self.cells[column]), fmt.LIST_SEPARATOR + ","):
            code = iso_languages.normalise(item)
            if code is None or code not in self.run.languages:
                self.error(
                    column,
                    gettext("“%(value)s” is not a language code; use ISO 639-1 or 639-3 codes")
                    % {"value": quoted(item)},
                )
            else:
                codes.add(code)
        return frozenset(codes)

    def country(self, column: str):
        if column not in self.cells:
            return ABSENT
        if self._missing(column):
            return ""
        text = cell_text(self.cells[column]).upper()
        if len(text) != 2 or not countries.alpha2(text):
            self.error(
                column,
                gettext("“%(value)s” is not a country code; use ISO 3166 alpha-2 (e.g. SY)")
                % {"value": quoted(text)},
            )
            return ""
        return text

    def reference(self, column: str, keys: KeyMap, what: str):
        """One code or name of a record in the program or in an earlier sheet of the file."""
        text = self.text(column)
        if text is ABSENT or not text:
            return None if text == "" else ABSENT
        pk = keys.get(text)
        if pk is None:
            self.error(column, _unknown_message(what, text))
        return pk

    def references(self, column: str, keys: KeyMap, what: str):
        items = self.items(column)
        if items is ABSENT:
            return ABSENT
        pks = set()
        for item in items:
            pk = keys.get(item)
            if pk is None:
                self.error(column, _unknown_message(what, item))
            else:
                pks.add(pk)
        return frozenset(pks)


def _unknown_message(what: str, value: str) -> str:
    messages = {
        "site": gettext(
            "unknown site “%(value)s”: it is neither in this program nor in the sites sheet"
        ),
        "volunteer": gettext(
            "unknown volunteer code “%(value)s”: it is neither in this program nor in the "
            "volunteers sheet"
        ),
        "participant": gettext(
            "unknown participant code “%(value)s”: it is neither in this program nor in the "
            "participants sheet"
        ),
        "training": gettext(
            "unknown training “%(value)s”: it is neither in this program nor in the trainings sheet"
        ),
    }
    return messages[what] % {"value": quoted(value)}
