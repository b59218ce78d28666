from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Area, Program, Site


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database column can hold, as an invalid choice.

    Django looks the chosen ids up with ``pk__in``, which SQLite answers with an
    ``OverflowError`` for an integer beyond 64 bits: a crafted post was a server error.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        column = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(column, models.IntegerField) and isinstance(value, list | tuple):
            low, high = connection.ops.integer_field_range(column.get_internal_type())
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # not a number: Django says so itself
                if not low <= number <= high:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class _ProgramModelForm(forms.ModelForm):
    """A form for a record of one program; names are unique within the program."""

    submit_label = _("Save")
    duplicate_name_message = ""

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self._meta.model.objects.filter(program=self.program, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(self.duplicate_name_message % {"name": name})
        return name


class SiteForm(_ProgramModelForm):
    duplicate_name_message = _(
        "This program already has a site called “%(name)s”. Choose another name."
    )

    class Meta:
        model = Site
        fields = ["name", "kind", "area", "city", "address", "capacity", "active"]
        help_texts = {"capacity": _("Places for residents; leave empty if it does not apply.")}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        self.fields["area"].queryset = program.areas.all()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            Row(Column("area", css_class="col-md-6"), Column("capacity", css_class="col-md-6")),
            Row(Column("city", css_class="col-md-6"), Column("address", css_class="col-md-6")),
            "active",
            Submit("save", self.submit_label, css_class="btn-lg"),
        )

    def clean(self):
        cleaned = super().clean()
        rules.check_site(capacity=cleaned.get("capacity")).add_to_form(self)
        return cleaned


class AreaForm(_ProgramModelForm):
    duplicate_name_message = _(
        "This program already has an area called “%(name)s”. Choose another name."
    )

    class Meta:
        model = Area
        fields = ["name", "caseload_ratio_target", "staff_fte"]
        help_texts = {
            "caseload_ratio_target": _(
                "Residents one full-time member of staff should care for at most, e.g. 100 "
                "for 1:100. Leave empty if the area has no target."
            ),
            "staff_fte": _("Full-time equivalents, e.g. 1.5 for one full-time and one half-time."),
        }

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        self.fields["caseload_ratio_target"].widget.attrs["min"] = 1
        self.fields["staff_fte"].widget.attrs.update(min=0, step="0.05")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "name",
            Row(
                Column("caseload_ratio_target", css_class="col-md-6"),
                Column("staff_fte", css_class="col-md-6"),
            ),
            Submit("save", self.submit_label, css_class="btn-lg"),
        )


class OccupancyForm(forms.Form):
    """How many people live at a site on a date (recording a date again replaces it)."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    residents = forms.IntegerField(label=_("Residents"), min_value=0, max_value=100_000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["residents"].widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("date", css_class="col-sm-6"),
                Column("residents", css_class="col-sm-6"),
            ),
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Occupancy can only be recorded for today or earlier."))
        return date


class TokenForm(forms.Form):
    """The six-digit code of an authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())
