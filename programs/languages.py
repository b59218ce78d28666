"""ISO 639 languages, from pycountry's maintained tables.

A language is stored by its shortest ISO code: the two-letter ISO 639-1 code where one exists
(``ar``, ``fa``, ``uk``), else the three-letter ISO 639-3 code (``prs`` Dari, ``kmr`` Kurmanji,
``ckb`` Sorani). Names are shown in the user's language through pycountry's translations.
"""

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language

# ISO 639-3 languages without a two-letter code that refugees in Germany and Denmark speak,
# and sign languages used in the two countries.
EXTRA_ISO_639_3 = (
    "prs",  # Dari
    "pes",  # Iranian Persian
    "kmr",  # Northern Kurdish (Kurmanji)
    "ckb",  # Central Kurdish (Sorani)
    "sdh",  # Southern Kurdish
    "zza",  # Zazaki
    "haz",  # Hazaragi
    "bal",  # Baluchi
    "apc",  # Levantine Arabic
    "arz",  # Egyptian Arabic
    "ary",  # Moroccan Arabic
    "acm",  # Mesopotamian Arabic
    "aii",  # Assyrian Neo-Aramaic
    "tig",  # Tigre
    "rom",  # Romany
    "mnk",  # Mandinka
    "bin",  # Edo
    "kab",  # Kabyle
    "gsg",  # German Sign Language
    "dsl",  # Danish Sign Language
)


def _code(lang) -> str:
    return getattr(lang, "alpha_2", None) or lang.alpha_3


@cache
def all_languages() -> dict[str, str]:
    """Code -> English name for every language Lotse offers."""
    result = {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    for code in EXTRA_ISO_639_3:
        lang = pycountry.languages.get(alpha_3=code)
        result[_code(lang)] = lang.name
    return dict(sorted(result.items()))


def normalise(code: str) -> str | None:
    """Map an ISO 639-1 or 639-3 code (any case) to Lotse's code, or None if unknown."""
    code = (code or "").strip().lower()
    if not code:
        return None
    if code in all_languages():
        return code
    lang = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    if lang is not None and _code(lang) in all_languages():
        return _code(lang)
    return None


@cache
def _translation(language: str):
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def display_name(code: str, language: str | None = None) -> str:
    english = all_languages().get(code, code)
    language = (language or get_language() or "en").split("-")[0]
    if language == "en":
        return english
    return _translation(language).gettext(english)
