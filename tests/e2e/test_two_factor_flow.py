"""In the browser: a coordinator sets up an authenticator app on first sign-in, and is asked
for a code the next time."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from programs.models import Membership

from ..factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.LOTSE_REQUIRE_2FA = True


@pytest.fixture
def coordinator():
    program = ProgramFactory(name="Livet går videre", slug="livet")
    user = UserFactory(username="koordinator@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user


def current_code(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_coordinator_sets_up_and_then_uses_a_second_factor(
    page, live_server, coordinator, csp_violations
):
    sign_in(page, live_server, coordinator.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    device = TOTPDevice.objects.get(user=coordinator)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/p/livet/")
    expect(page.get_by_text("Two-factor authentication is set up.")).to_be_visible()
    assert csp_violations == []

    page.get_by_role("button", name=coordinator.username).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    sign_in(page, live_server, coordinator.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    device.refresh_from_db()
    page.get_by_label("Code from your authenticator app").fill(current_code(device, offset=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/p/livet/")
