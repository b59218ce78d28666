"""Languages and countries: ISO codes stored, names from CLDR in the reader's language.

A language is stored by its shortest ISO code: the two-letter ISO 639-1 code where one exists
(``ar``, ``fa``, ``uk``), else the three-letter ISO 639-3 code (``prs`` Dari, ``kmr`` Kurmanji,
``ckb`` Sorani). Which codes Lotse offers comes from pycountry's ISO 639 tables.

Names are shown in the language of the page or report, from the Unicode CLDR through Babel:
the names the CLDR maintains for every locale ("Zentralkurdisch", "Paschtu", "Spanisch"),
rather than ISO's reference names ("Paschtu; Afghanisch", "Spanisch (Kastilisch)"). So
any UI or report language Babel knows (Arabic, Persian, Ukrainian, …) names them too. The few
codes the CLDR has no name for (``OWN_NAMES``) are named by Lotse's own catalogues, else by
pycountry's ISO 639-3 name in that language, else in English.

Countries are stored by django-countries as ISO 3166 codes; ``cldr_country_names`` gives its
``COUNTRIES_OVERRIDE`` setting the CLDR territory names, so every form, list and report names
a country the same way.
"""

import gettext
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from django.utils import translation
from django.utils.functional import Promise, lazy

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

# English in Lotse is British English: its reports go to European funders, and EU bodies write
# dates day first ("6 December 2026"), as the CLDR's en_GB does and en (US) does not.
BABEL_LOCALES = {"en": "en_GB"}

# The CLDR names Dari as the Persian of Afghanistan; ISO 639-3 gives it a code of its own.
CLDR_CODES = {"prs": "fa_AF"}

# Languages Lotse offers that the CLDR does not name in every locale (in English and German:
# acm, aii, apc, dsl, gsg, haz, kmr, mnk, pes; in Danish also ary and arz). Lotse's catalogues
# translate these names; a language without a Lotse catalogue gets pycountry's translation.


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the catalogues, as Django's ``gettext_noop`` does. Django's reads
    the settings, and the settings import this module while they load (``COUNTRIES_OVERRIDE``)."""
    return message


OWN_NAMES = {
    "acm": gettext_noop("Mesopotamian Arabic"),
    "aii": gettext_noop("Assyrian Neo-Aramaic"),
    "apc": gettext_noop("Levantine Arabic"),
    "ary": gettext_noop("Moroccan Arabic"),
    "arz": gettext_noop("Egyptian Arabic"),
    "dsl": gettext_noop("Danish Sign Language"),
    "gsg": gettext_noop("German Sign Language"),
    "haz": gettext_noop("Hazaragi"),
    "kmr": gettext_noop("Northern Kurdish"),
    "mnk": gettext_noop("Mandinka"),
    "pes": gettext_noop("Iranian Persian"),
}


def _code(lang) -> str:
    return getattr(lang, "alpha_2", None) or lang.alpha_3


@cache
def all_languages() -> dict[str, str]:
    """Code -> ISO's English name for every language Lotse offers."""
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


# ---- locales ---------------------------------------------------------------------------------


@cache
def babel_locale(language: str) -> Locale:
    """The CLDR locale of a Django language code ("de", "en", "pt-br"); English is en_GB."""
    name = translation.to_locale(language)
    name = BABEL_LOCALES.get(name, name)
    for candidate in (name, name.split("_")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(BABEL_LOCALES["en"])


def current_locale(language: str | None = None) -> Locale:
    """The CLDR locale of ``language``, or of the active language."""
    return babel_locale(language or translation.get_language() or "en")


def _stand_alone(name: str) -> str:
    # The CLDR writes names as they appear inside a sentence (Danish "spansk", Ukrainian
    # "іспанська") and capitalises them at the start of a list item or menu entry, which is
    # how Lotse shows them: in choice lists, table rows and report labels.
    return name[:1].upper() + name[1:]


# ---- languages -------------------------------------------------------------------------------


def cldr_language_name(code: str, language: str | None = None) -> str | None:
    """The CLDR's name of ``code`` in ``language`` (default: active), or None if it has none."""
    return current_locale(language).languages.get(CLDR_CODES.get(code, code))


@cache
def _iso_translation(language: str):
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@cache
def _language_name(code: str, language: str) -> str:
    name = cldr_language_name(code, language)
    if name:
        return _stand_alone(name)
    english = all_languages().get(code, code)
    own = OWN_NAMES.get(code)
    if own:
        with translation.override(language):
            translated = translation.gettext(own)
        if translated != own or language.startswith("en"):
            return _stand_alone(translated)
    return _stand_alone(_iso_translation(language.split("-")[0]).gettext(english))


def display_name(code: str, language: str | None = None) -> str:
    """The name of the language ``code`` in ``language`` (default: the active language)."""
    return _language_name(code, language or translation.get_language() or "en")


def codes_without_cldr_names(language: str) -> list[str]:
    """The languages Lotse offers that the CLDR has no name for in ``language``."""
    return [code for code in all_languages() if cldr_language_name(code, language) is None]


# ---- countries -------------------------------------------------------------------------------


def country_name(code: str, language: str | None = None) -> str | None:
    """The CLDR's name of the country ``code`` in ``language`` (default: active), or None."""
    return current_locale(language).territories.get(code)


def _country_name_or_iso(code: str) -> str:
    from django_countries.data import COUNTRIES

    return country_name(code) or str(COUNTRIES[code])


_lazy_country_name = lazy(_country_name_or_iso, str)


def cldr_country_names() -> dict[str, Promise]:
    """django-countries' ``COUNTRIES_OVERRIDE``: every country it knows, named by the CLDR in
    the language active when the name is shown (the ISO name where the CLDR has none).

    The settings call this while they load, so it reads nothing that reads the settings:
    the codes are ISO 3166's from pycountry, the same list django-countries holds."""
    return {country.alpha_2: _lazy_country_name(country.alpha_2) for country in pycountry.countries}


_lazy_language_name = lazy(display_name, str)


def cldr_language_names(codes: list[str]) -> list[tuple[str, Promise]]:
    """The ``LANGUAGES`` setting: each interface language named by the CLDR in the language
    active when the name is shown ("Arabisch" on a German page)."""
    return [(code, _lazy_language_name(code)) for code in codes]
