"""Pages across programs: an organisation's report over the programs it leads, and the
published reports of every program a funder funds, on one page."""

import base64
import datetime as dt
import mimetypes

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pdf import render_pdf
from programs.access import (
    OrganisationPerm,
    Perm,
    organisation_programs,
    organisation_view,
    programs_with,
)
from programs.models import Organisation, ReportLanguage
from programs.security import export_record

from . import organisation as org_report
from .models import Report


class OrganisationReportForm(forms.Form):
    programs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Programs"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The report covers the programs ticked here."),
        error_messages={"required": gettext_lazy("Choose at least one program.")},
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    breakdown = forms.ChoiceField(
        label=gettext_lazy("One row per"),
        choices=org_report.Breakdown.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=ReportLanguage.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].queryset = organisation_programs(organisation).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


def _initial(organisation: Organisation) -> dict:
    """Last calendar year, every program, in the language of the page."""
    last_year = timezone.localdate().year - 1
    language = translation.get_language() or ReportLanguage.DE
    return {
        "programs": list(organisation_programs(organisation)),
        "start": dt.date(last_year, 1, 1),
        "end": dt.date(last_year, 12, 31),
        "breakdown": org_report.Breakdown.PROGRAM,
        "language": language[:2] if language[:2] in ReportLanguage.values else "de",
    }


def _form(request, organisation):
    if "start" in request.GET:
        return OrganisationReportForm(request.GET, organisation=organisation)
    # Unbound with every program ticked, then validated as if submitted, so the page opens
    # with the report of last year.
    initial = _initial(organisation)
    data = {
        "programs": [p.pk for p in initial["programs"]],
        "start": initial["start"].isoformat(),
        "end": initial["end"].isoformat(),
        "breakdown": initial["breakdown"],
        "language": initial["language"],
    }
    return OrganisationReportForm(data, organisation=organisation)


def _snapshot(organisation, data) -> dict:
    return org_report.compute(
        organisation,
        list(data["programs"]),
        start=data["start"],
        end=data["end"],
        breakdown=data["breakdown"],
        language=data["language"],
    )


def _logo(organisation: Organisation) -> str:
    """The organisation's logo as a data URL: the PDF renderer opens no other file."""
    if not organisation.logo:
        return ""
    try:
        with organisation.logo.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    kind = mimetypes.guess_type(organisation.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


@organisation_view(OrganisationPerm.BUILD_ORGANISATION_REPORTS)
def organisation_report(request, organisation_slug):
    """The report over the chosen programs and period, as a preview with its PDF link."""
    organisation = request.organisation
    form = _form(request, organisation)
    context = {"organisation": organisation, "form": form}
    if form.is_valid():
        snapshot = _snapshot(organisation, form.cleaned_data)
        with translation.override(snapshot["language"]):
            context["document"] = org_report.build(snapshot)
        context["query"] = _query(form)
    status = 200 if form.is_valid() else 422
    return render(request, "reports/organisation/report.html", context, status=status)


def _query(form) -> str:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    data = form.cleaned_data
    query.setlist("programs", [str(p.pk) for p in data["programs"]])
    query["start"] = data["start"].isoformat()
    query["end"] = data["end"].isoformat()
    query["breakdown"] = data["breakdown"]
    query["language"] = data["language"]
    return query.urlencode()


@organisation_view(OrganisationPerm.BUILD_ORGANISATION_REPORTS)
def organisation_report_pdf(request, organisation_slug):
    """The same report as a tagged PDF, through the program reports' PDF machinery."""
    organisation = request.organisation
    form = _form(request, organisation)
    if not form.is_valid():
        context = {"organisation": organisation, "form": form}
        return render(request, "reports/organisation/report.html", context, status=422)
    snapshot = _snapshot(organisation, form.cleaned_data)
    pdf = render_organisation_pdf(organisation, snapshot)
    export_record(
        request=request,
        what="organisation_report",
        fmt="pdf",
        filters={
            "organisation": organisation.slug,
            "programs": [p["slug"] for p in snapshot["programs"]],
            "period": snapshot["period"],
            "breakdown": snapshot["breakdown"],
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{slugify(organisation.name)}-{snapshot['period']['start']}-{snapshot['period']['end']}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def render_organisation_pdf(organisation: Organisation, snapshot: dict) -> bytes:
    with translation.override(snapshot["language"]):
        html = render_to_string(
            "reports/organisation/pdf.html",
            {
                "organisation": organisation,
                "document": org_report.build(snapshot),
                "language": snapshot["language"],
                "logo": _logo(organisation),
                "printed_on": timezone.localdate(),
            },
        )
    return render_pdf(html)


@login_required
def published_reports_across(request):
    """The published reports of every program in which the user may download reports (a
    funder of several programs sees them together), newest period first."""
    programs = programs_with(request.user, Perm.DOWNLOAD_REPORTS)
    reports = (
        Report.objects.filter(program__in=programs, status=Report.Status.PUBLISHED)
        .select_related("program", "grant")
        .order_by("-period_end", "program__name", "-version")
    )
    return render(request, "reports/published_across.html", {"reports": reports})
