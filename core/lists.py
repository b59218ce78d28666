"""Tables of records as HTML rows and as CSV/XLSX downloads, without knowing what they hold.

A :class:`Column` says how one value of a record reads; the same columns render the HTML
table (:class:`Row`) and the export (:func:`export_response`), so a file holds exactly the
values the user sees. Exported text never runs as a spreadsheet formula.
"""

import csv
import datetime as dt
import functools
import html
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EXPORT_FORMATS = ("csv", "xlsx")
# Cells starting with these are formulas to a spreadsheet; exported text must not run.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    order_by: str | None = None  # a field name of the filterset's ordering filter ``o``
    link: Callable[[Any], str] | None = None
    numeric: bool = False
    badge: Callable[[Any], str | None] | None = None  # a Bootstrap colour to show it as badge
    exported: Callable[[Any], Any] | None = None  # the value in CSV/XLSX, where it differs

    def export(self, obj):
        return (self.exported or self.value)(obj)


class Row(list):
    """A table row's cells, with the CSS class of the whole row (e.g. ``table-danger``) and
    the key of its record (for the checkbox of a bulk action)."""

    def __init__(self, cells, css: str = "", pk=None):
        super().__init__(cells)
        self.css = css
        self.pk = pk

    @property
    def label(self) -> str:
        """The first cell's text, which names the row (a template's ``row.0`` would look the
        index up as an attribute first, at the cost of a ``dir()``)."""
        return self[0]["text"]

    @cached_property
    def html(self) -> SafeString:
        """The row's ``<td>`` cells. Built here rather than in the template: a page of 50 rows
        has hundreds of cells, and this is several times faster than a template loop."""
        return mark_safe("".join(_td(cell) for cell in self))


def _escape(value) -> str:
    """``conditional_escape`` without its checks for lazy strings, which cost more than the
    escaping itself over the hundreds of cells and options of a list page."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


class DateText(str):
    """A date as a table cell shows it; it never wraps."""


# A one-word cell (a code, an e-mail address) keeps to one line unless it is this long.
NOWRAP_CHARS = 24


def _td(cell) -> str:
    text = cell["text"]
    content = _escape(text)
    if cell["badge"]:
        content = f'<span class="badge text-bg-{_escape(cell["badge"])}">{content}</span>'
    elif cell["url"]:
        content = f'<a href="{_escape(cell["url"])}">{content}</a>'
    if cell["numeric"]:
        return f'<td class="text-end text-nowrap">{content}</td>'
    if isinstance(text, DateText) or (len(text) <= NOWRAP_CHARS and " " not in text):
        return f'<td class="text-nowrap">{content}</td>'
    return f"<td>{content}</td>"


def cell_text(value) -> str:
    """How a value reads in the HTML table (the exports keep typed values: ``export_value``)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return DateText(date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))
    if isinstance(value, dt.date):
        return _short_date(value, get_language())
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return str(value)


@functools.lru_cache(maxsize=4096)
def _short_date(value: dt.date, language: str) -> DateText:
    """A date in the active language's short form; a list shows the same dates many times,
    and Django reads the format anew for each."""
    return DateText(date_format(value, "SHORT_DATE_FORMAT"))


def export_value(value):
    """A value as a spreadsheet cell: numbers and dates stay typed, text never runs as formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    if isinstance(value, list | tuple | set):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def export_response(
    *, rows: Iterable, columns: Sequence[Column], basename: str, fmt: str
) -> HttpResponse:
    """A CSV (UTF-8 with BOM, for Excel) or XLSX download of ``rows``."""
    stamp = timezone.localdate().isoformat()
    filename = f"{slugify(basename, allow_unicode=True)}-{stamp}.{fmt}"
    header = [str(c.label) for c in columns]
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow(header)
            for row in rows:
                yield writer.writerow([export_value(c.export(row)) for c in columns])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(basename)[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([export_value(c.export(row)) for c in columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


class FilterSelect(forms.Select):
    """A filter's ``<select>``: the same HTML as Django's, built in Python.

    Django renders every ``<option>`` through two templates; with a few long lists
    (facilitators, topics, languages) that made the filter form the dearest part of a list page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = self.format_value(value)
        taken = False

        def option(option_value, label) -> str:
            nonlocal taken
            option_value = "" if option_value is None else str(option_value)
            selected = (not taken or self.allow_multiple_selected) and option_value in chosen
            taken |= selected
            mark = " selected" if selected else ""
            return f'<option value="{_escape(option_value)}"{mark}>{_escape(label)}</option>'

        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                group = "".join(option(v, sub) for v, sub in label)
                options.append(f'<optgroup label="{_escape(option_value)}">{group}</optgroup>')
            else:
                options.append(option(option_value, label))
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe("".join(options))
        )


class FilterSelectMultiple(FilterSelect, forms.SelectMultiple):
    """A filter's ``<select multiple>``, rendered as :class:`FilterSelect`."""


FAST_WIDGETS = {forms.Select: FilterSelect, forms.SelectMultiple: FilterSelectMultiple}
