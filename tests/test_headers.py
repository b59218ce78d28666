"""Security headers: the strict CSP, and no caching of participant-level pages or downloads."""

import pytest
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD, MembershipFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_participant_page_is_never_cached(login, program, alice):
    participant = ParticipantFactory(program=program)
    response = login(alice).get(reverse("participant_detail", args=[program.slug, participant.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_every_signed_in_program_page_is_never_cached(login, program, alice):
    response = login(alice).get(reverse("program_home", args=[program.slug]))
    assert response["Cache-Control"] == "no-store"


def test_refusals_inside_a_program_are_not_cached_either(login, program, bob):
    response = login(bob).get(reverse("volunteer_list", args=[program.slug]))
    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"


def test_exports_are_never_cached(login, program, alice):
    ParticipantFactory(program=program)
    url = reverse("participant_list", args=[program.slug]) + "?export=xlsx"
    response = login(alice).get(url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def _is_never_cached(response) -> bool:
    return "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"


@pytest.mark.parametrize(
    "name", ["two_factor_setup", "two_factor_verify", "password_change", "password_change_done"]
)
def test_account_pages_are_never_cached(login, alice, name):
    response = login(alice).get(reverse(name))
    assert _is_never_cached(response), name


def test_the_two_factor_set_up_page_with_its_secret_is_never_cached(login, alice):
    response = login(alice).get(reverse("two_factor_setup"))
    assert response.status_code == 200
    assert "<svg" in response.text  # the QR code of the secret
    assert _is_never_cached(response)


def test_the_home_page_is_never_cached(login, program, other_program, alice):
    MembershipFactory(user=alice, program=other_program)
    response = login(alice).get(reverse("home"))
    assert response.status_code == 200  # the list of the user's programs
    assert _is_never_cached(response)


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_sign_in_and_reset_pages_are_never_cached(client, name):
    assert _is_never_cached(client.get(reverse(name)))


def test_a_refused_form_says_what_happened_and_what_to_do(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "DEBUG" not in response.text
    assert "The form could not be sent" in response.text
    assert "reload" in response.text
    assert reverse("login") in response.text  # sign in again

    german = client.post(reverse("login"), {}, HTTP_ACCEPT_LANGUAGE="de")
    assert "Das Formular konnte nicht gesendet werden" in german.text


def test_not_found_pages_never_show_the_exception(client, login, program, alice):
    unknown_url = client.get("/no-such-page/")
    assert unknown_url.status_code == 404
    assert "Resolver404" not in unknown_url.text
    assert "does not exist" in unknown_url.text

    no_such_record = login(alice).get(reverse("site_detail", args=[program.slug, 999999]))
    assert no_such_record.status_code == 404
    assert "matches the given query" not in no_such_record.text
