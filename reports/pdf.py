"""Funder reports as tagged PDFs (WeasyPrint, PDF/UA-1).

The report is rendered from its KPI snapshot with the same layout as the HTML preview
(:mod:`reports.document`). Fonts come from the npm packages in ``node_modules`` (Noto Sans with
its Arabic and Ethiopic companions, so narratives and names in those scripts print); the
organisation's logo is embedded as a data URL. Nothing is fetched over the network: the only
files the renderer may open are the font files.
"""

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import document
from .models import Report

FONTS = {
    # family -> {(weight, style): path below LOTSE_FONT_DIR}
    "Noto Sans": {
        ("400", "normal"): "noto-sans/400Regular/NotoSans_400Regular.ttf",
        ("400", "italic"): "noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf",
        ("700", "normal"): "noto-sans/700Bold/NotoSans_700Bold.ttf",
    },
    "Noto Sans Arabic": {
        ("400", "normal"): "noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf",
        ("700", "normal"): "noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf",
    },
    "Noto Sans Ethiopic": {
        ("400", "normal"): "noto-sans-ethiopic/400Regular/NotoSansEthiopic_400Regular.ttf",
        ("700", "normal"): "noto-sans-ethiopic/700Bold/NotoSansEthiopic_700Bold.ttf",
    },
}


def font_faces() -> list[dict]:
    """The @font-face rules of the report: family, weight, style and a file URL."""
    root = Path(settings.LOTSE_FONT_DIR)
    faces = []
    for family, files in FONTS.items():
        for (weight, style), name in files.items():
            path = root / name
            if path.exists():
                faces.append(
                    {"family": family, "weight": weight, "style": style, "url": path.as_uri()}
                )
    return faces


def _fetcher():
    from weasyprint.urls import URLFetcher

    font_root = Path(settings.LOTSE_FONT_DIR).resolve()

    class FontsOnly(URLFetcher):
        """Opens font files below the font directory and nothing else."""

        def fetch(self, url, headers=None):
            path = Path(unquote(url.removeprefix("file://"))).resolve()
            if not url.startswith("file://") or not path.is_relative_to(font_root):
                raise ValueError(f"Reports may not load {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=frozenset({"file"}))


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
        "document": document.build(snapshot, suppress=suppress),
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
    from weasyprint import HTML

    with translation.override(report.language):
        context = report_context(report, snapshot)
        context["fonts"] = font_faces()
        html = render_to_string("reports/pdf/report.html", context)
    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf(
        pdf_variant="pdf/ua-1"
    )
