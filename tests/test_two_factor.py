"""Two-factor authentication: required for coordinators, supervisors and staff; optional for
volunteers; volunteers and funders without a device are not affected."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from programs.models import Membership, SecurityEvent
from programs.two_factor import UserBackend

from .factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _required(settings):
    settings.LOTSE_REQUIRE_2FA = True


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def skip_the_wait(user):
    """After a wrong code the device makes the next try wait (1 s, 2 s, 4 s, ...)."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_coordinator_must_set_up_a_second_factor_first(client, program, alice):
    sign_in(client, alice)
    home = reverse("program_home", args=[program.slug])
    response = client.get(home)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))

    page = client.get(response.url)
    assert page.status_code == 200
    assert "<svg" in page.text  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user=alice, confirmed=False)

    wrong = client.post(response.url, {"token": "000000", "next": home})
    assert wrong.status_code == 200
    assert SecurityEvent.objects.filter(kind="otp_failed", user=alice).exists()
    skip_the_wait(alice)

    done = client.post(response.url, {"token": code(device), "next": home})
    assert done.status_code == 302
    assert done.url == home
    assert client.get(home).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert SecurityEvent.objects.filter(kind="otp_enrolled", user=alice).exists()


def test_with_a_device_signing_in_asks_for_a_code(client, program, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in(client, alice)
    home = reverse("program_home", args=[program.slug])
    response = client.get(home)
    assert response.url.startswith(reverse("two_factor_verify"))
    assert client.post(response.url, {"token": "123456", "next": home}).status_code == 200
    assert client.get(home).status_code == 302
    # Guessing is slowed down: right after a wrong code even the right one waits.
    assert client.post(response.url, {"token": code(device), "next": home}).status_code == 200
    skip_the_wait(alice)
    verified = client.post(response.url, {"token": code(device, offset=1), "next": home})
    assert verified.url == home
    assert client.get(home).status_code == 200


def test_a_supervisor_and_staff_need_it_too(client, program):
    supervisor = UserFactory()
    MembershipFactory(user=supervisor, program=program, role=Membership.Role.SUPERVISOR)
    sign_in(client, supervisor)
    assert client.get(reverse("program_home", args=[program.slug])).status_code == 302
    client.post(reverse("logout"))

    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("two_factor_setup"))


@pytest.mark.parametrize("role", [Membership.Role.VOLUNTEER, Membership.Role.FUNDER])
def test_volunteers_and_funders_are_not_affected(client, program, role):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    sign_in(client, user)
    assert client.get(reverse("program_home", args=[program.slug])).status_code == 200


def test_whether_it_is_due_asks_nothing_of_its_own(client, program):
    """Asked on every request of everyone without a second factor (most volunteers): the user
    is read with whether they have a device, and the memberships once, for the check, the
    program's scope and the navigation."""
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    sign_in(client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("program_home", args=[program.slug])).status_code == 200
    devices = [q["sql"] for q in queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(devices) == 1
    assert 'FROM "auth_user"' in devices[0]  # asked with the user
    memberships = [q["sql"] for q in queries if 'FROM "programs_membership"' in q["sql"]]
    assert len(memberships) == 1


def test_a_volunteer_made_coordinator_sets_one_up_at_the_next_page(client, program):
    user = UserFactory()
    membership = MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    sign_in(client, user)
    home = reverse("program_home", args=[program.slug])
    assert client.get(home).status_code == 200
    membership.role = Membership.Role.COORDINATOR
    membership.save()
    assert client.get(home).url.startswith(reverse("two_factor_setup"))


def test_a_device_confirmed_elsewhere_is_asked_for_at_the_next_page(client, program, bob):
    sign_in(client, bob)
    home = reverse("program_home", args=[program.slug])
    assert client.get(home).status_code == 200
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    assert client.get(home).url.startswith(reverse("two_factor_verify"))


def test_a_volunteer_may_turn_it_on_and_then_needs_it(client, program, bob):
    sign_in(client, bob)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=bob)
    client.post(reverse("two_factor_setup"), {"token": code(device)})
    client.post(reverse("logout"))
    sign_in(client, bob)
    home = reverse("program_home", args=[program.slug])
    assert client.get(home).url.startswith(reverse("two_factor_verify"))


def test_it_can_be_switched_off(client, program, alice, settings):
    settings.LOTSE_REQUIRE_2FA = False
    sign_in(client, alice)
    assert client.get(reverse("program_home", args=[program.slug])).status_code == 200


def test_the_code_page_does_not_send_people_elsewhere(client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in(client, alice)
    url = reverse("two_factor_verify")
    response = client.get(url, {"next": "https://evil.example/"})
    assert 'value="https://evil.example/"' not in response.text


def test_the_signed_in_user_is_read_whole_with_whether_they_have_a_second_factor(bob):
    backend = UserBackend()
    read = backend.get_user(bob.pk)
    assert {f.attname: getattr(read, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(bob, f.attname) for f in User._meta.concrete_fields
    }
    assert read.has_second_factor is False
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=False)
    assert backend.get_user(bob.pk).has_second_factor is False  # not confirmed yet
    TOTPDevice.objects.create(user=bob, name="second phone", confirmed=True)
    assert backend.get_user(bob.pk).has_second_factor is True
    assert backend.get_user(bob.pk + 1000) is None
    assert backend.get_user("not an id") is None
    bob.is_active = False
    bob.save()
    assert backend.get_user(bob.pk) is None
