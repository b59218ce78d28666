"""E-mail from templates, the way every message of the application is sent.

A message is two templates, ``<name>_subject.txt`` and ``<name>_body.txt``, rendered in each
recipient's language: the one stored on their account where they chose one (the app that
keeps accounts' languages registers a lookup with ``register_language_lookup``), else the
language the caller gives (the program's). Each recipient gets a message of their own, so no
one learns who else was told. The sender is ``DEFAULT_FROM_EMAIL``, and links start with
``SITE_URL``, because an e-mail is read outside the site.
"""

from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

LanguageLookup = Callable[[Iterable[str]], Mapping[str, str]]
_language_lookups: list[LanguageLookup] = []


def register_language_lookup(lookup: LanguageLookup) -> None:
    """``lookup(addresses)`` returns the chosen language of those addresses that have one."""
    if lookup not in _language_lookups:
        _language_lookups.append(lookup)


def recipient_languages(addresses: list[str]) -> dict[str, str]:
    languages: dict[str, str] = {}
    for lookup in _language_lookups:
        languages.update(lookup(addresses))
    return languages


def absolute_url(path: str) -> str:
    """A path of this site (from ``reverse()``) as a link that works in an e-mail."""
    return settings.SITE_URL + path


def _render(template: str, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split()), body  # a template's line breaks would break the header


def send_templated_mail(*, template: str, context: dict, language: str, to: Iterable[str]) -> int:
    """Send ``template`` (without ``_subject.txt``/``_body.txt``) to each address in ``to``,
    one message each, in the recipient's own language or else ``language``; returns the
    number of messages sent."""
    addresses = list(to)
    chosen = recipient_languages(addresses) if addresses else {}
    rendered: dict[str, tuple[str, str]] = {}
    sent = 0
    for address in addresses:
        own = chosen.get(address, language)
        if own not in rendered:
            rendered[own] = _render(template, context, own)
        subject, body = rendered[own]
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
        ).send()
        sent += 1
    return sent
