"""Security headers: the strict CSP, and no caching of participant-level pages or downloads."""

import pytest
from django.urls import reverse

from .factories import ParticipantFactory

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
