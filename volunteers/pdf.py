"""Training certificates as tagged, printable A4 PDFs (PDF/UA-1, through :mod:`core.pdf`).

Certificates print in the bundled Noto fonts, so a volunteer's name in Arabic or Ethiopic script
prints on any server, and fetch nothing but those fonts: every stylesheet is inline.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.pdf import render_pdf

from .models import Enrollment
from .selectors import hours


def certificate_pdf(enrollment: Enrollment, *, attended_minutes: int) -> bytes:
    """The certificate of a completed enrolment, in the program's default language."""
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
    return render_pdf(html)
