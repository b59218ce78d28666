from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import FileRefused, check_size, max_bytes, size_text

from . import exporter
from .importing import CREATE, NewValue


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook or CSV files"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.zip,.csv,.txt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An Excel workbook (.xlsx), a zip of CSV files, or one CSV file; at most %(limit)s."
        ) % {"limit": size_text(max_bytes())}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileRefused as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def _new_value_texts(value: NewValue) -> tuple[str, str, str]:
    """The field's label, the option that creates the value, the group of existing ones."""
    where = {"name": value.name, "sheet": value.sheet, "row": value.row}
    if value.what == "area":
        return (
            gettext("New area “%(name)s” (%(sheet)s, row %(row)s)") % where,
            gettext("Create the new area “%(name)s”") % where,
            gettext("Use an area the program has"),
        )
    if value.what == "topic":
        return (
            gettext("New topic “%(name)s” (%(sheet)s, row %(row)s)") % where,
            gettext("Create the new topic “%(name)s”") % where,
            gettext("Use a topic the program has"),
        )
    return (
        gettext("New service “%(name)s” (%(sheet)s, row %(row)s)") % where,
        gettext("Add the new service “%(name)s” to the directory") % where,
        gettext("Use a service in the directory"),
    )


class ImportConfirmForm(forms.Form):
    """The confirmation of a preview: its token and what to do with each new value.

    Each area, topic or provider the file names that the program does not have gets a field
    ``new_<n>``: create it, or the pk of the existing one to use instead. The closest existing
    one is preselected when there is one, else creating it.
    """

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, new_values=(), options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_values = list(new_values)
        options = options or {}
        for index, value in enumerate(self.new_values):
            label, create, existing = _new_value_texts(value)
            choices = [(CREATE, create)]
            if options.get(value.what):
                choices.append((existing, [(str(pk), name) for pk, name in options[value.what]]))
            initial = value.decision if value.decision is not None else value.suggestion
            self.fields[f"new_{index}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                initial=str(initial) if initial is not None else CREATE,
            )

    def new_value_fields(self):
        return [self[f"new_{index}"] for index in range(len(self.new_values))]

    def mapping(self) -> dict[tuple[str, str], object]:
        """(what, casefolded name) -> CREATE or an existing pk, for the valid choices."""
        cleaned = getattr(self, "cleaned_data", {})
        mapping: dict[tuple[str, str], object] = {}
        for index, value in enumerate(self.new_values):
            choice = cleaned.get(f"new_{index}")
            if choice:
                mapping[value.key] = CREATE if choice == CREATE else int(choice)
        return mapping


class ExportForm(forms.Form):
    start = forms.DateField(label=_("Activities and referrals from"), widget=_date_input())
    end = forms.DateField(label=_("to"), widget=_date_input())
    file_format = forms.ChoiceField(
        label=_("File"),
        choices=[
            (exporter.XLSX, _("Excel workbook (.xlsx)")),
            (exporter.CSV_ZIP, _("CSV files in a zip")),
        ],
        initial=exporter.XLSX,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, program, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {"start": program.starts_on, "end": today, "file_format": exporter.XLSX},
        )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(Column("start", css_class="col-sm-6"), Column("end", css_class="col-sm-6")),
            "file_format",
            Submit("download", _("Download"), css_class="btn-lg"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end comes before the start."))
        return cleaned
