"""Every interface language is complete: each catalogue translates every message the German
one does, with nothing left untranslated or fuzzy. English is the source language."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
SOURCE = "en"
DOMAINS = ("django", "djangojs")  # the server's messages and the offline queue's


def catalogue(language: str, domain: str):
    with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
        return read_po(po)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != SOURCE])
def test_every_interface_language_translates_every_message(language, domain):
    po = catalogue(language, domain)
    messages = [m for m in po if m.id]
    assert [m.id for m in messages if not _translated(m)] == []
    assert [m.id for m in messages if m.fuzzy] == []
    reference = {(m.context, m.id) for m in catalogue("de", domain) if m.id}
    present = {(m.context, m.id) for m in messages}
    assert sorted(reference - present, key=str) == []
