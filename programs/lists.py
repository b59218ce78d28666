"""Lists of a program's records: filter (django-filter), sort, paginate, export CSV/XLSX.

Every list page in Lotse is a :class:`ProgramListView` with a ``filterset_class`` (a
:class:`ProgramFilterSet`, whose ``o`` ordering filter does the sorting) and ``columns``.
The same columns render the HTML table and the export, so the file holds exactly the rows
and values the user sees, for the current filter, without pagination.
"""

import csv
import datetime as dt
import html
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from .access import ProgramScopedMixin
from .privacy import may_be_exported
from .security import export_record, query_filters

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


def participant_code_column(label, participant: Callable[[Any], Any], **kwargs) -> Column:
    """A column of participant codes; exports show a code only where the person's consent
    covers pseudonymous evaluation exports."""
    return Column(
        label,
        lambda obj: participant(obj).code,
        exported=lambda obj: (
            participant(obj).code
            if may_be_exported(participant(obj))
            else str(_("withheld (no consent to exports)"))
        ),
        **kwargs,
    )


class Row(list):
    """A table row's cells, with the CSS class of the whole row (e.g. ``table-danger``)."""

    def __init__(self, cells, css: str = ""):
        super().__init__(cells)
        self.css = css

    @cached_property
    def html(self) -> SafeString:
        """The row's ``<td>`` cells. Built here rather than in the template: a page of 50 rows
        has hundreds of cells, and this is several times faster than a template loop."""
        return mark_safe("".join(_td(cell) for cell in self))


def _escape(value) -> str:
    """``conditional_escape`` without its checks for lazy strings, which cost more than the
    escaping itself over the hundreds of cells and options of a list page."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _td(cell) -> str:
    content = _escape(cell["text"])
    if cell["badge"]:
        content = f'<span class="badge text-bg-{_escape(cell["badge"])}">{content}</span>'
    elif cell["url"]:
        content = f'<a href="{_escape(cell["url"])}">{content}</a>'
    return f'<td class="text-end">{content}</td>' if cell["numeric"] else f"<td>{content}</td>"


def cell_text(value) -> str:
    """How a value reads in the HTML table and in CSV."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return str(value)


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


class _ChoicesInOneQuery(django_filters.fields.ModelChoiceIterator):
    """A filter's model choices read with one query.

    Django reads them with ``iterator()``, which on PostgreSQL opens a server-side cursor:
    three more round trips for a list of a few dozen rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _FilterModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ChoicesInOneQuery


class ProgramFilterSet(django_filters.FilterSet):
    """Choices of related records are limited to the request's program; selects render fast."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        program = request.program
        for f in self.filters.values():
            queryset = getattr(f, "queryset", None)
            if isinstance(queryset, models.QuerySet) and _has_program(queryset.model):
                f.queryset = queryset.filter(program=program)
            if f.field_class is django_filters.fields.ModelChoiceField:
                f.field_class = _FilterModelChoiceField
            fast = FAST_WIDGETS.get(f.field_class.widget)
            if fast is not None and "widget" not in f.extra:
                f.extra["widget"] = fast

    @property
    def form(self):
        """The filter form, its widgets styled for Bootstrap here once, so that the list page
        renders each field with a small template (``includes/filter_field.html``) rather than
        crispy-forms' general one. Checkboxes and radio buttons are left to crispy-forms."""
        form = super().form
        if not getattr(form, "styled", False):
            for name, field in form.fields.items():
                widget = field.widget
                kind = getattr(widget, "input_type", "")
                if kind in ("checkbox", "radio"):
                    continue
                css = "form-select" if kind == "select" else "form-control"
                if name in form.errors:
                    css += " is-invalid"
                    widget.attrs["aria-describedby"] = f"{form[name].auto_id}_errors"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            form.styled = True
        return form


def _has_program(model) -> bool:
    return any(f.name == "program" for f in model._meta.get_fields())


LIST_FETCH_MODE = models.FETCH_PEERS


class ProgramListView(ProgramScopedMixin, FilterView):
    """A filtered, sortable, paginated list with CSV/XLSX export of the current filter."""

    template_name = "includes/list_page.html"
    paginate_by = 50
    columns: Sequence[Column] = ()
    title: str = ""
    export_basename: str = "export"

    def get_columns(self) -> Sequence[Column]:
        return self.columns

    def row_css(self, obj) -> str:
        """A CSS class for an object's row, to highlight it; none by default."""
        return ""

    def get_filterset_kwargs(self, filterset_class):
        """The rows are fetched with ``LIST_FETCH_MODE``: a related record that a column reads
        but the queryset did not load comes for the whole page in one query, never one per row.
        The tests run the lists with ``FETCH_RAISE``, so such a column fails there instead."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["queryset"] = kwargs["queryset"].fetch_mode(LIST_FETCH_MODE)
        return kwargs

    def export_rows(self, rows):
        """The rows an export may contain (a list of people may leave some out); all by default."""
        return rows

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in EXPORT_FORMATS:
            filterset = self.get_filterset(self.get_filterset_class())
            rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
            rows = self.export_rows(rows)
            export_record(
                request=request,
                what=str(self.export_basename),
                fmt=fmt,
                filters=query_filters(request),
            )
            return export_response(
                rows=rows.iterator(chunk_size=2000),
                columns=self.get_columns(),
                basename=str(self.export_basename),
                fmt=fmt,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        columns = self.get_columns()
        current = self.request.GET.get("o", "")
        headers = [
            {
                "column": c,
                "sorted": bool(c.order_by) and current.lstrip("-") == c.order_by,
                "descending": current.startswith("-"),
                # Clicking a sorted column reverses it; any other column sorts ascending.
                "next_order": ("-" if current == c.order_by else "") + (c.order_by or ""),
            }
            for c in columns
        ]
        rows = [
            Row(
                [
                    {
                        "text": cell_text(c.value(obj)),
                        "url": c.link(obj) if c.link else None,
                        "numeric": c.numeric,
                        "badge": c.badge(obj) if c.badge else None,
                    }
                    for c in columns
                ],
                css=self.row_css(obj),
            )
            for obj in context["object_list"]
        ]
        context.update(title=self.title, headers=headers, rows=rows)
        return context
