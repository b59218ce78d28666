"""Every interface language is complete: each catalogue translates every message the German
one does, with nothing left untranslated or fuzzy. English is the source language."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
SOURCE = "en"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != SOURCE])
def test_every_interface_language_translates_every_message(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        pytest.skip(f"no catalogue for {language} yet ({path.relative_to(settings.BASE_DIR)})")
    po = catalogue(language)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    reference = {_key(e) for e in catalogue("de") if not e.obsolete}
    present = {_key(e) for e in po if not e.obsolete}
    assert sorted(reference - present, key=str) == []
