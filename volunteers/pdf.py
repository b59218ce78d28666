"""Training certificates as tagged, printable A4 PDFs (WeasyPrint, PDF/UA-1).

Certificates use the fonts installed on the server and fetch nothing: every stylesheet is
inline in the template, and any URL the document might name is refused.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Enrollment
from .selectors import hours


def certificate_pdf(enrollment: Enrollment, *, attended_minutes: int) -> bytes:
    """The certificate of a completed enrolment, in the program's default language."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    training = enrollment.training
    program = training.program
    with translation.override(program.default_language):
        html = render_to_string(
            "volunteers/certificate.html",
            {
                "enrollment": enrollment,
                "volunteer": enrollment.volunteer,
                "training": training,
                "program": program,
                "organisation": program.lead_organisation,
                "attended_hours": hours(attended_minutes),
                "issued_on": timezone.localdate(),
                "language": program.default_language,
                "title": _("Certificate of participation"),
            },
        )
    # No protocol is allowed: the certificate cannot reach the network or the file system.
    no_fetching = URLFetcher(allowed_protocols=frozenset())
    return HTML(string=html, base_url=None, url_fetcher=no_fetching).write_pdf(
        pdf_variant="pdf/ua-1"
    )
