import pytest
from django.urls import reverse
from django.utils import translation
from django_countries import countries
from django_countries.fields import Country

from programs import languages
from programs.models import ActivityKind, Language
from sessions_log.models import Activity

from ..factories import ActivityFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "html_lang"),
    [("de", "Anmelden", "de"), ("en", "Log in", "en"), ("da", "Log ind", "da")],
)
def test_the_login_page_speaks_the_users_language(client, language, heading, html_lang):
    response = client.get(reverse("login"), headers={"accept-language": language})
    assert response.status_code == 200
    assert f'<html lang="{html_lang}" dir="ltr">' in response.text
    assert f">{heading}</h1>" in response.text


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language(client):
    response = client.post(reverse("set_language"), {"language": "da", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert ">Log ind</h1>" in client.get(reverse("login")).text


def test_choice_labels_follow_the_language_of_each_request():
    activity = Activity(kind=ActivityKind.GROUP)
    with translation.override("de"):
        assert activity.get_kind_display() == "Gruppenangebot"
    with translation.override("da"):
        assert activity.get_kind_display() == "Gruppesession"
    with translation.override("en"):
        assert activity.get_kind_display() == "Group session"
    activity.kind = "retired_kind"  # a value no longer among the choices shows as stored
    assert activity.get_kind_display() == "retired_kind"


# ---- names of languages and countries, from the CLDR ------------------------------------------


@pytest.mark.parametrize(
    ("code", "german", "danish", "english"),
    [
        ("prs", "Dari", "Dari", "Dari"),
        ("ckb", "Zentralkurdisch", "Sorani", "Central Kurdish"),
        ("kmr", "Nordkurdisch", "Nordkurdisk (kurmanji)", "Northern Kurdish"),
        ("ps", "Paschtu", "Pashto", "Pashto"),
        ("es", "Spanisch", "Spansk", "Spanish"),
    ],
)
def test_languages_are_named_as_the_cldr_names_them(code, german, danish, english):
    # ISO's reference names were "Paschtu; Afghanisch", "Spanisch (Kastilisch)" and, in Danish,
    # "Central Kurdish".
    assert [languages.display_name(code, lang) for lang in ("de", "da", "en")] == [
        german,
        danish,
        english,
    ]
    with translation.override("da"):
        assert str(Language(code=code)) == danish


def test_the_languages_the_cldr_does_not_name_are_named_by_lotse():
    own = ["acm", "aii", "apc", "dsl", "gsg", "haz", "kmr", "mnk", "pes"]
    assert languages.codes_without_cldr_names("de") == own
    assert languages.codes_without_cldr_names("en") == own
    assert languages.codes_without_cldr_names("da") == sorted([*own, "ary", "arz"])
    assert set(languages.codes_without_cldr_names("da")) == set(languages.OWN_NAMES)
    assert languages.display_name("apc", "de") == "Levantinisches Arabisch"
    assert languages.display_name("arz", "da") == "Egyptisk arabisk"
    assert languages.display_name("gsg", "da") == "Tysk tegnsprog"


@pytest.mark.parametrize("language", ["de", "en", "da", "ar", "fa", "uk"])
def test_every_language_is_named_in_every_ui_language_babel_knows(language):
    names = {code: languages.display_name(code, language) for code in languages.all_languages()}
    assert all(names.values())
    assert not [name for name in names.values() if ";" in name]  # no ISO "A; B" names
    if language in ("ar", "fa", "uk"):  # coming UI languages: the CLDR names most of them
        assert names["de"] != "German" and names["ckb"] != "Central Kurdish"


def test_english_is_british_english():
    assert languages.babel_locale("en").territory == "GB"
    assert str(languages.babel_locale("de")) == "de"
    assert str(languages.babel_locale("pt-br")) == "pt_BR"
    assert str(languages.babel_locale("xx")) == "en_GB"  # unknown to the CLDR


@pytest.mark.parametrize(
    ("language", "code", "name"),
    [
        ("da", "NL", "Nederlandene"),  # django-countries: "Holland"
        ("da", "BY", "Belarus"),  # "Hviderusland"
        ("da", "TD", "Tchad"),  # "Chad"
        ("de", "SZ", "Eswatini"),  # "Swasiland"
        ("de", "GD", "Grenada"),  # "Granada"
        ("en", "US", "United States"),  # "United States of America"
        ("de", "SY", "Syrien"),
    ],
)
def test_countries_are_named_as_the_cldr_names_them(language, code, name):
    with translation.override(language):
        assert countries.name(code) == name
        assert Country(code).name == name
        assert dict(countries)[code] == name  # the choices of forms and filters


def test_country_choices_are_sorted_in_each_language():
    with translation.override("de"):
        german = [name for _code, name in countries]
    with translation.override("da"):
        danish = [name for _code, name in countries]
    assert german.index("Ägypten") < german.index("Albanien")
    assert danish.index("Cameroun") < danish.index("Canada")


@pytest.mark.django_db
def test_the_cached_language_choices_are_named_in_each_requests_language(login, program, alice):
    ActivityFactory(program=program).languages.add(Language.objects.get(code="ckb"))
    client = login(alice)
    url = reverse("activity_list", args=[program.slug])
    german = client.get(url, headers={"accept-language": "de"}).text
    danish = client.get(url, headers={"accept-language": "da"}).text  # the codes come cached
    assert '<option value="ckb">Zentralkurdisch</option>' in german
    assert '<option value="ckb">Sorani</option>' in danish
