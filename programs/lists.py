"""Lists of a program's records: filter (django-filter), sort, paginate, export CSV/XLSX.

Every list page in Lotse is a :class:`ProgramListView` with a ``filterset_class`` (a
:class:`ProgramFilterSet`, whose ``o`` ordering filter does the sorting) and ``columns``.
The same columns render the HTML table and the export, so the file holds exactly the rows
and values the user sees, for the current filter, without pagination.
"""

from collections.abc import Callable, Sequence
from typing import Any

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView

from core.lists import (
    EXPORT_FORMATS,
    FAST_WIDGETS,
    Column,
    Row,
    cell_text,
    export_response,
)

from . import audit
from .access import ProgramScopedMixin
from .security import export_record, query_filters
from .selectors import may_be_exported


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
                participants=audit.participant_ids_of(rows),
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
        self.log_read(context)
        return context

    def log_read(self, context) -> None:
        """Record the page in the audit trail if its rows are participant-level records: which
        list, with which filter, which page, and which records and participants it showed."""
        page = context.get("page_obj")
        audit.log_list_read(
            model=self.filterset.queryset.model,
            title=self.title,
            rows=context["object_list"],
            program=self.program,
            list=self.request.resolver_match.url_name,
            filters=query_filters(self.request),
            page=page.number if page is not None else 1,
        )
