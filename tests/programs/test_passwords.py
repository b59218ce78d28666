"""Password rules: common German and Danish passwords, patterns, the demo's password and the
current password are refused, wherever a password is set, with a message in the user's
language."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from demo.logins import DEMO_PASSWORD

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = "river-lantern-quiet-meadow"


def refusals(password, user=None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return error.messages
    return []


# (password, a part of the English message, of the German one)
WEAK = [
    ("Passwort123", "too common", "zu verbreitet"),
    ("Sommer2024!", "too common", "zu verbreitet"),
    ("P4ssw0rt!!!", "too common", "zu verbreitet"),
    ("hallohallo12", "too common", "zu verbreitet"),
    ("Ich liebe dich!", "too common", "zu verbreitet"),
    ("Schalke04!!", "too common", "zu verbreitet"),
    ("Michael1985!", "too common", "zu verbreitet"),
    ("København2023", "too common", "zu verbreitet"),
    ("kodeord12345", "too common", "zu verbreitet"),
    ("jegelskerdig1", "too common", "zu verbreitet"),
    ("Brøndby1964", "too common", "zu verbreitet"),
    ("0000000000a", "mostly a pattern", "fast nur aus einem Muster"),
    ("qwertz!12345", "mostly a pattern", "fast nur aus einem Muster"),
    ("1q2w3e4r5t6z", "mostly a pattern", "fast nur aus einem Muster"),
    ("01.01.1990!", "mostly a pattern", "fast nur aus einem Muster"),
    ("abcdefghijk", "mostly a pattern", "fast nur aus einem Muster"),
    ("lotse-demo", "published password", "veröffentlichte Passwort"),
    ("Lotse-Demo-2024", "published password", "veröffentlichte Passwort"),
    ("Lotse2024!!!", "name of this application", "Name dieser Anwendung"),
]


@pytest.mark.parametrize(("password", "english", "german"), WEAK)
def test_weak_passwords_are_refused_with_a_message_in_the_users_language(
    alice, password, english, german
):
    with translation.override("en"):
        assert any(english in message for message in refusals(password, alice)), password
    with translation.override("de"):
        assert any(german in message for message in refusals(password, alice)), password


def test_the_messages_are_in_danish_too(alice):
    with translation.override("da"):
        messages = " ".join(
            refusals("Passwort123", alice)
            + refusals("0000000000a", alice)
            + refusals("lotse-demo", alice)
        )
    assert "for almindelig" in messages
    assert "mønster" in messages
    assert "offentliggjorte adgangskode" in messages


def test_the_demo_password_is_refused_with_debug_off_too(alice, settings):
    settings.DEBUG = False
    assert refusals(DEMO_PASSWORD, alice)


@pytest.mark.parametrize(
    "password",
    [GOOD, "Tante Erna wohnt in Kiel", "Strandkorb-Sylt-88", "x7#Kp2!qLm9z", "Brummbärchen-Wald"],
)
def test_passphrases_and_random_passwords_are_accepted(alice, password):
    assert refusals(password, alice) == []


def test_the_current_password_is_refused_as_the_new_one(login, alice):
    client = login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert "Das ist Ihr jetziges Passwort" in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert changed.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(GOOD)


def test_a_weak_password_is_refused_on_the_change_page(login, alice):
    response = login(alice).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Passwort123", "new_password2": "Passwort123"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert "zu verbreitet" in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_demo_seeds_its_users_with_the_published_password(db):
    from demo.logins import create_users

    users = create_users()
    assert users["coordinator"].check_password(DEMO_PASSWORD)
