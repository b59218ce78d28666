"""Funder reports as tagged PDFs (PDF/UA-1, through :mod:`core.pdf`).

The report is rendered from its KPI snapshot with the same layout as the HTML preview
(:mod:`reports.document`), in the bundled Noto fonts, so narratives and names in Arabic or
Ethiopic script print. The organisation's logo is embedded as a data URL: the renderer may open
the font files and nothing else.
"""

import base64
import mimetypes

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.pdf import render_pdf

from . import document
from .models import Report


def logo_data_url(report: Report) -> str:
    logo = report.program.lead_organisation.logo
    if not logo:
        return ""
    try:
        with logo.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    kind = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


# The narrative after the figures (the summary opens the report).
NARRATIVE = (
    ("highlights", _("Highlights")),
    ("challenges", _("Challenges")),
    ("outlook", _("Outlook")),
)


def report_context(report: Report, snapshot: dict, *, suppress: bool = True) -> dict:
    """What the report templates (PDF and preview) show."""
    program = report.program
    grant = report.grant
    return {
        "report": report,
        "program": program,
        "organisation": program.lead_organisation,
        "grant": grant,
        "funder": grant.funder if grant else None,
        "document": document.build(snapshot, suppress=suppress, report=report),
        "narrative": [
            (str(label), getattr(report, key))
            for key, label in NARRATIVE
            if getattr(report, key).strip()
        ],
        "language": report.language,
        "logo": logo_data_url(report),
        "printed_on": timezone.localdate(),
    }


def render_report_pdf(report: Report, snapshot: dict) -> bytes:
    """The funder PDF of ``report`` from ``snapshot``, small cells suppressed."""
    with translation.override(report.language):
        html = render_to_string("reports/pdf/report.html", report_context(report, snapshot))
    return render_pdf(html)
