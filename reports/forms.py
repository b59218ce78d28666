from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Program

from .document import target_term
from .models import Report
from .narrative import parse_milestones

REASON_PREFIX = "reason_"


class ReportForm(forms.ModelForm):
    """Period, grant, language and the narrative of a funder report."""

    class Meta:
        model = Report
        fields = [
            "title",
            "grant",
            "period_start",
            "period_end",
            "language",
            "summary",
            "highlights",
            "challenges",
            "outlook",
            "measures",
            "milestones",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "highlights": forms.Textarea(attrs={"rows": 4}),
            "challenges": forms.Textarea(attrs={"rows": 4}),
            "outlook": forms.Textarea(attrs={"rows": 4}),
            "measures": forms.Textarea(attrs={"rows": 5}),
            "milestones": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "title": _("For example “Sachbericht 2025” or “Interim report, first half of 2026”."),
            "grant": _("The report names the funder and the grant reference on its cover."),
            "period_end": _("Both days are included."),
            "summary": _("Opens the report, beside the key figures."),
        }

    def __init__(self, *args, program: Program, targets: list[dict] | None = None, **kwargs):
        """``targets``: the target rows of the report's figures; those behind plan, or with a
        reason already, get a field for the reason."""
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program
        self.fields["grant"].queryset = program.grants.select_related("funder")
        self.fields["grant"].empty_label = _("No grant (the whole program)")
        given = self.instance.target_reasons or {}
        self.reason_keys = []
        for row in targets or []:
            if not (row.get("behind") or str(given.get(row["key"], "")).strip()):
                continue
            name = f"{REASON_PREFIX}{row['key']}"
            self.fields[name] = forms.CharField(
                label=target_term(row),
                required=False,
                initial=given.get(row["key"], ""),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Behind plan: the report is published only with a reason.")
                if row.get("behind")
                else "",
            )
            self.reason_keys.append(row["key"])
        reasons = []
        if self.reason_keys:
            reasons = [
                Fieldset(
                    _("Reasons for deviations"),
                    *(f"{REASON_PREFIX}{key}" for key in self.reason_keys),
                    css_id="reasons",
                )
            ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("title", css_class="col-md-8"), Column("language", css_class="col-md-4")),
            Row(
                Column("grant", css_class="col-md-6"),
                Column("period_start", css_class="col-md-3"),
                Column("period_end", css_class="col-md-3"),
            ),
            Fieldset(_("Narrative"), "summary", "highlights", "challenges", "outlook"),
            Fieldset(_("Measures and milestones"), "measures", "milestones"),
            *reasons,
            Submit("save", _("Save"), css_class="btn-lg"),
        )

    def clean_milestones(self):
        text = self.cleaned_data.get("milestones", "")
        try:
            parse_milestones(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return text

    def report_fields(self) -> dict:
        """The changed report's fields, the reasons merged into those given before."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        reasons = dict(self.instance.target_reasons or {})
        for key in self.reason_keys:
            text = self.cleaned_data.get(f"{REASON_PREFIX}{key}", "").strip()
            if text:
                reasons[key] = text
            else:
                reasons.pop(key, None)
        fields["target_reasons"] = reasons
        return fields

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its first day."))
        grant = cleaned.get("grant")
        if grant and start and end and (start > grant.ends_on or end < grant.starts_on):
            self.add_error(
                "grant",
                _("The grant runs from %(start)s to %(end)s, outside the report period.")
                % {"start": grant.starts_on, "end": grant.ends_on},
            )
        return cleaned
