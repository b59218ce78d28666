"""Sign-in protection: lockout after failed attempts, inactivity timeout, password rules."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.middleware import SessionRenewalMiddleware
from programs.models import SecurityEvent

from .factories import PASSWORD, UserFactory, VolunteerFactory

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
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _sign_in(client, alice, PASSWORD).status_code == 302


def _minutes_pass(minutes):
    """Move every recorded failure back in time, as if ``minutes`` had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def _guess(client, user, addresses, per_address=5):
    """Wrong passwords for ``user``, ``per_address`` from each of ``addresses``."""
    return [
        _sign_in(client, user, "wrong", ip=ip).status_code
        for ip in addresses
        for _ in range(per_address)
    ]


ADDRESSES = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
FOURTH = "203.0.113.44"


def test_guessing_from_several_addresses_locks_the_account(client, alice, axes_on):
    _guess(client, alice, ADDRESSES)
    # The right password from a fourth address is refused too ...
    response = _sign_in(client, alice, PASSWORD, ip=FOURTH)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... and the page says the account is locked, not just this device.
    assert "this account is locked for 15 minutes" in response.text


def test_the_account_limit_is_ten_failures_from_any_addresses(client, alice, axes_on, settings):
    assert settings.LOTSE_ACCOUNT_FAILURE_LIMIT == 10
    statuses = _guess(client, alice, ADDRESSES[:2], per_address=4)
    statuses += _guess(client, alice, ADDRESSES[2:], per_address=1)
    assert statuses == [200] * 9
    assert _sign_in(client, alice, "wrong", ip=FOURTH).status_code == 429
    assert _sign_in(client, alice, PASSWORD, ip="203.0.113.45").status_code == 429


def test_fewer_failures_than_the_account_limit_leave_other_addresses_alone(client, alice, axes_on):
    _guess(client, alice, ADDRESSES[:2], per_address=4)
    assert _sign_in(client, alice, PASSWORD, ip=FOURTH).status_code == 302


def test_attempts_while_locked_do_not_extend_the_lockout(client, alice, axes_on):
    for _ in range(5):
        _sign_in(client, alice, "wrong")
    _minutes_pass(10)
    # Someone on the same network keeps trying: refused, and the clock keeps running.
    for password in ("wrong", "wrong", PASSWORD):
        assert _sign_in(client, alice, password).status_code == 429
    _minutes_pass(6)
    assert _sign_in(client, alice, PASSWORD).status_code == 302


def test_the_page_shows_how_long_the_lockout_still_lasts(client, alice, axes_on):
    for _ in range(5):
        _sign_in(client, alice, "wrong")
    _minutes_pass(10)
    assert "blocked for 5 minutes" in _sign_in(client, alice, PASSWORD).text


def test_the_account_lock_lasts_the_cool_off_from_the_failure_that_caused_it(
    client, alice, axes_on
):
    _guess(client, alice, ADDRESSES[:1])
    _minutes_pass(10)
    _guess(client, alice, ADDRESSES[1:2])  # the tenth failure locks the account
    _minutes_pass(6)
    # The first address's failures are 16 minutes old, the lock only 6.
    assert _sign_in(client, alice, PASSWORD, ip=FOURTH).status_code == 429
    _minutes_pass(5)
    assert _sign_in(client, alice, "wrong", ip="203.0.113.99").status_code == 429
    _minutes_pass(5)
    assert _sign_in(client, alice, PASSWORD, ip=FOURTH).status_code == 302


def test_a_coordinator_unlocks_a_volunteer_of_the_program(client, program, alice, bob, axes_on):
    volunteer = VolunteerFactory(program=program, user=bob)
    _guess(client, bob, ADDRESSES)
    page_url = reverse("volunteer_detail", args=[program.slug, volunteer.pk])
    coordinator = Client()
    coordinator.force_login(alice)
    page = coordinator.get(page_url)
    assert "Sign-in locked" in page.text
    unlock_url = reverse("member_unlock", args=[program.slug, bob.pk])
    assert unlock_url in page.text
    response = coordinator.post(unlock_url, {"next": page_url})
    assert response.status_code == 302
    assert response.url == page_url
    assert "Sign-in locked" not in coordinator.get(page_url).text
    assert _sign_in(client, bob, PASSWORD, ip=ADDRESSES[0]).status_code == 302


def test_only_members_of_the_coordinators_program_can_be_unlocked(
    client, program, other_program, bob, charlie, axes_on
):
    _guess(client, bob, ADDRESSES)
    other = Client()
    other.force_login(charlie)
    response = other.post(reverse("member_unlock", args=[other_program.slug, bob.pk]))
    assert response.status_code == 404
    assert _sign_in(client, bob, PASSWORD, ip=FOURTH).status_code == 429


def test_a_volunteer_cannot_unlock_anyone(client, program, alice, bob, axes_on):
    _guess(client, alice, ADDRESSES)
    volunteer = Client()
    volunteer.force_login(bob)
    response = volunteer.post(reverse("member_unlock", args=[program.slug, alice.pk]))
    assert response.status_code == 403
    assert _sign_in(client, alice, PASSWORD, ip=FOURTH).status_code == 429


def test_an_administrator_unlocks_a_user_in_the_admin(client, alice, axes_on):
    _guess(client, alice, ADDRESSES)
    admin = Client()
    admin.force_login(UserFactory(username="root@example.org", is_staff=True, is_superuser=True))
    changelist = reverse("admin:axes_accessattempt_changelist")
    response = admin.post(
        changelist,
        {
            "action": "unlock",
            "_selected_action": [AccessAttempt.objects.filter(username=alice.username).first().pk],
        },
    )
    assert response.status_code == 302
    assert _sign_in(client, alice, PASSWORD, ip=ADDRESSES[0]).status_code == 302


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
