from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.spreadsheets import FileRefused, check_size, max_bytes, size_text

from . import exporter


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


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


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
