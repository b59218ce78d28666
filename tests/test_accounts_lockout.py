"""Sign-in protection: lockout after failed attempts, inactivity timeout, password rules."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs.middleware import SessionRenewalMiddleware
from programs.models import SecurityEvent

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def _sign_in(client, user, password, ip="198.51.100.4"):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_the_name_out_for_15_minutes(client, alice, axes_on):
    for _ in range(4):
        assert _sign_in(client, alice, "wrong").status_code == 200
    locked = _sign_in(client, alice, "wrong")
    assert locked.status_code == 429
    assert "blocked for 15 minutes" in locked.text
    # Even the right password is refused now, from that address.
    assert _sign_in(client, alice, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind="lockout", username=alice.username).exists()
    assert SecurityEvent.objects.filter(kind="login_failed").count() >= 5


def test_the_lockout_is_per_name_and_address(client, alice, axes_on):
    for _ in range(5):
        _sign_in(client, alice, "wrong")
    response = _sign_in(client, alice, PASSWORD, ip="198.51.100.99")
    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice, axes_on, settings):
    for _ in range(5):
        _sign_in(client, alice, "wrong")
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _sign_in(client, alice, PASSWORD).status_code == 302


def test_a_good_sign_in_clears_earlier_failures(client, alice, axes_on):
    for _ in range(4):
        _sign_in(client, alice, "wrong")
    assert _sign_in(client, alice, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert _sign_in(client, alice, "wrong").status_code == 200


def test_the_session_ends_after_30_minutes_without_activity(login, program, alice, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = login(alice)
    url = reverse("program_home", args=[program.slug])
    _a_minute_passes(client)
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    # Activity pushes the end back to 30 minutes from now ...
    assert client.get(url).status_code == 200
    expires = Session.objects.get().expire_date
    assert expires > timezone.now() + dt.timedelta(minutes=29)
    # ... and a session left alone past its end is over.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _a_minute_passes(client):
    session = client.session
    session[SessionRenewalMiddleware.KEY] -= SessionRenewalMiddleware.INTERVAL
    session.save()


def test_the_session_is_renewed_at_most_once_a_minute(login, program, alice):
    client = login(alice)
    url = reverse("program_home", args=[program.slug])
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=20))
    # Within the minute after signing in: no write, the end stays where it was ...
    client.get(url)
    assert Session.objects.get().expire_date < timezone.now() + dt.timedelta(minutes=21)
    # ... a minute later the next request renews it.
    _a_minute_passes(client)
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=20))
    client.get(url)
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)


@pytest.mark.parametrize("weak", ["password1", "12345678901", "lotse", "alice@example.org"])
def test_weak_passwords_are_refused(alice, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=alice)


def test_a_long_passphrase_is_accepted(alice):
    validate_password("river-lantern-quiet-meadow", user=alice)
