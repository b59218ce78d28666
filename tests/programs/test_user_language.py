"""A user's language is kept on their account: the switcher stores it, signing in on another
browser brings it back, and e-mails to them are written in it."""

import datetime as dt

import pytest
from django.core import mail
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.urls import reverse
from django.utils import formats, timezone, translation

from core.mail import send_templated_mail
from core.spreadsheets import yes_no_value
from programs.models import UserPreference
from transfer import format as fmt

from ..factories import ConcernFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_switching_the_language_keeps_it_on_the_account(login, alice):
    client = login(alice)
    response = client.post(reverse("set_language"), {"language": "da", "next": "/"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=alice).language == "da"


def test_an_unknown_language_is_not_kept(login, alice):
    login(alice).post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not UserPreference.objects.filter(user=alice).exists()


def test_signing_in_elsewhere_brings_the_accounts_language(client, alice):
    UserPreference.objects.create(user=alice, language="de")
    client.login(username=alice.username, password="correct-horse-battery")
    page = client.get(reverse("password_change"), headers={"accept-language": "en"})
    assert '<html lang="de" dir="ltr">' in page.text


def test_arabic_and_persian_pages_are_right_to_left(client):
    for language in ("ar", "fa"):
        page = client.get(reverse("login"), headers={"accept-language": language})
        assert f'<html lang="{language}" dir="rtl">' in page.text
        assert "bootstrap.rtl.min.css" in page.text
    page = client.get(reverse("login"), headers={"accept-language": "uk"})
    assert '<html lang="uk" dir="ltr">' in page.text
    assert "bootstrap.rtl.min.css" not in page.text


def test_an_e_mail_is_written_in_each_recipients_own_language(program):
    danish = UserFactory(username="mette@example.org")
    UserPreference.objects.create(user=danish, language="da")
    concern = ConcernFactory(program=program)
    context = {"concern": concern, "program": program, "inbox_url": "https://x/"}
    sent = send_templated_mail(
        template="sessions_log/email/concern",
        context=context,
        language="de",  # the program's: for whoever chose no language
        to=["mette@example.org", "someone@example.org"],
    )
    assert sent == 2
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["mette@example.org"].startswith("[Lotse] Bekymring")
    assert subjects["someone@example.org"].startswith("[Lotse] Gefährdungsmeldung")


def test_the_german_dashboard_writes_the_day_with_its_full_stop(login, alice):
    page = login(alice).get(
        reverse("program_home", args=["in2balance"]), headers={"accept-language": "de"}
    )
    with translation.override("de"):
        day = formats.date_format(timezone.localdate(), "MONTH_DAY_FORMAT")
    assert f"bis zum {day}," in page.text
    assert day.split(" ")[0].endswith(".")


@pytest.mark.parametrize(
    ("language", "date"), [("en", "6 Dec 2026"), ("de", "06.12.2026"), ("da", "06.12.2026")]
)
def test_english_writes_every_date_one_way(language, date):
    day = dt.date(2026, 12, 6)
    with translation.override(language):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == date
        if language == "en":
            assert formats.date_format(day, "DATE_FORMAT") == date
            assert formats.date_format(day, "MONTH_DAY_FORMAT") == "6 December"


def test_choice_lists_ask_for_a_choice_in_the_users_language():
    with translation.override("de"):
        assert str(BLANK_CHOICE_LABEL) == "– Bitte auswählen –"
    with translation.override("da"):
        assert str(BLANK_CHOICE_LABEL) == "– Vælg –"


def test_the_import_page_names_yes_and_no_in_words_the_importer_reads():
    column = next(c for sheet in fmt.SHEETS for c in sheet.columns if c.kind == fmt.Kind.YES_NO)
    for language, words in (("de", "ja, nein"), ("da", "ja, nej"), ("en", "yes, no")):
        with translation.override(language):
            allowed = column.allowed
        assert allowed == words
        assert all(yes_no_value(word) is not None for word in allowed.split(", "))
