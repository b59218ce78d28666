"""Lists of a program's records: filter (django-filter), sort, paginate, export CSV/XLSX.

Every list page in Lotse is a :class:`ProgramListView` with a ``filterset_class`` (a
:class:`ProgramFilterSet`, whose ``o`` ordering filter does the sorting) and ``columns``.
The same columns render the HTML table and the export, so the file holds exactly the rows
and values the user sees, for the current filter, without pagination.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
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
from .access import Perm, ProgramScopedMixin, has_perm
from .security import export_record, query_filters
from .selectors import may_be_exported
from .templatetags.paging import PAGE_SIZES


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

# The most rows one bulk action may touch: a page at its largest size.
BULK_LIMIT = max(PAGE_SIZES)


@dataclass(frozen=True)
class BulkAction:
    """Something done to the rows ticked on a list page, after a confirmation page.

    ``run(view, rows, form)`` does it (through the app's services, which write the audit
    trail) and returns the message shown afterwards, or a response (a download). ``perm`` is
    the right the action needs on top of the list's; ``allowed(membership, obj)`` decides per
    row, and rows it refuses are left out and counted in the message. ``form`` asks for what
    the action needs (a new status, a date) on the confirmation page."""

    name: str
    label: str
    question: str  # "%(count)s …": shown on the confirmation page
    run: Callable[..., "str | HttpResponseBase"]
    perm: Perm
    allowed: Callable[[Any, Any], bool] = lambda membership, obj: True
    form: type[forms.Form] | None = None
    button: str = ""  # the confirmation page's button; the label by default


class ExportFormatForm(forms.Form):
    """The file format of an export of the selected rows."""

    fmt = forms.ChoiceField(
        label=_("File format"),
        choices=[("xlsx", _("Excel")), ("csv", _("CSV"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)


def export_selected(view, rows, form):
    """A bulk action's run: the selected rows as the list's own CSV/XLSX export."""
    ids = [obj.pk for obj in rows]
    queryset = view.export_rows(view.get_queryset().filter(pk__in=ids).fetch_mode(LIST_FETCH_MODE))
    return view.export(queryset, form.cleaned_data["fmt"], selected=ids)


def export_action(perm: Perm) -> BulkAction:
    return BulkAction(
        name="export",
        label=_("Export the selected"),
        question=_("Download %(count)s selected rows as a file?"),
        run=export_selected,
        perm=perm,
        form=ExportFormatForm,
        button=_("Download"),
    )


class ProgramListView(ProgramScopedMixin, FilterView):
    """A filtered, sortable, paginated list with CSV/XLSX export of the current filter."""

    template_name = "includes/list_page.html"
    paginate_by = 50
    columns: Sequence[Column] = ()
    title: str = ""
    export_basename: str = "export"

    bulk_actions: Sequence[BulkAction] = ()

    def get_columns(self) -> Sequence[Column]:
        return self.columns

    def get_paginate_by(self, queryset):
        """The page size chosen with ``?per_page=`` (one of ``PAGE_SIZES``), else the list's."""
        chosen = self.request.GET.get("per_page", "")
        return int(chosen) if chosen.isdigit() and int(chosen) in PAGE_SIZES else self.paginate_by

    # ---- bulk actions ---------------------------------------------------------------------

    def available_bulk_actions(self) -> list[BulkAction]:
        return [a for a in self.bulk_actions if has_perm(self.membership, a.perm)]

    def bulk_label(self, obj) -> str:
        """How a ticked row is named on the confirmation page."""
        return str(obj)

    def post(self, request, *args, **kwargs):
        """A bulk action: the first POST shows what will be done to which rows; the
        confirmation (``confirmed``) does it and returns to the list with the same filter."""
        actions = {a.name: a for a in self.available_bulk_actions()}
        action = actions.get(request.POST.get("action", ""))
        back = request.path + (f"?{request.POST['query']}" if request.POST.get("query") else "")
        if action is None:
            messages.error(request, _("Choose what to do with the selected rows."))
            return redirect(back)
        ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()][:BULK_LIMIT]
        if not ids:
            messages.error(request, _("Select at least one row first."))
            return redirect(back)
        chosen = list(self.get_queryset().filter(pk__in=ids))
        rows = [obj for obj in chosen if action.allowed(self.membership, obj)]
        refused = len(chosen) - len(rows)
        data = request.POST if "confirmed" in request.POST else None
        form = action.form(data, program=self.program) if action.form else None
        if "confirmed" in request.POST and rows and (form is None or form.is_valid()):
            try:
                result = action.run(self, rows, form)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(back)
            if isinstance(result, HttpResponseBase):
                return result
            if refused:
                result = f"{result} " + ngettext(
                    "%(count)s selected row was left out: you may not change it.",
                    "%(count)s selected rows were left out: you may not change them.",
                    refused,
                ) % {"count": refused}
            messages.success(request, result)
            return redirect(back)
        return render(
            request,
            "includes/bulk_confirm.html",
            {
                "program": self.program,
                "title": self.title,
                "action": action,
                "question": action.question % {"count": len(rows)},
                "rows": [(obj.pk, self.bulk_label(obj)) for obj in rows],
                "refused": refused,
                "form": form,
                "query": request.POST.get("query", ""),
                "back": back,
            },
        )

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
            return self.export(self.export_rows(rows), fmt)
        return super().get(request, *args, **kwargs)

    def export(self, rows, fmt: str, **detail):
        """``rows`` as a download, recorded in the security log with its participants."""
        export_record(
            request=self.request,
            what=str(self.export_basename),
            fmt=fmt,
            filters={**query_filters(self.request), **detail},
            participants=audit.participant_ids_of(rows),
        )
        return export_response(
            rows=rows.iterator(chunk_size=2000),
            columns=self.get_columns(),
            basename=str(self.export_basename),
            fmt=fmt,
        )

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
                pk=obj.pk,
            )
            for obj in context["object_list"]
        ]
        paginator = context.get("paginator")
        context.update(
            title=self.title,
            headers=headers,
            rows=rows,
            bulk_actions=self.available_bulk_actions(),
            page_sizes=PAGE_SIZES if paginator and paginator.count > PAGE_SIZES[0] else (),
        )
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
