"""E-mail from templates, the way every message of the application is sent.

A message is two templates, ``<name>_subject.txt`` and ``<name>_body.txt``, rendered in the
recipients' language (the program's). Each recipient gets a message of their own, so no one
learns who else was told. The sender is ``DEFAULT_FROM_EMAIL``, and links start with
``SITE_URL``, because an e-mail is read outside the site.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """A path of this site (from ``reverse()``) as a link that works in an e-mail."""
    return settings.SITE_URL + path


def send_templated_mail(*, template: str, context: dict, language: str, to: Iterable[str]) -> int:
    """Send ``template`` (without ``_subject.txt``/``_body.txt``) in ``language`` to each address
    in ``to``, one message each; returns the number of messages sent."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    subject = " ".join(subject.split())  # a template's line breaks would break the header
    sent = 0
    for address in to:
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
        ).send()
        sent += 1
    return sent
