"""A coordinator ticks every volunteer on the page, pauses them all after a confirmation, and
sees the result."""

import pytest
from playwright.sync_api import expect

from programs.models import Membership
from volunteers.models import Volunteer

from ..factories import MembershipFactory, ProgramFactory, UserFactory, VolunteerFactory
from .screens import save_screenshot
from .test_login_flow import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator():
    program = ProgramFactory(name="Ankommen in Düren", slug="aid-dueren")
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    for i in range(3):
        VolunteerFactory(program=program, code=f"V-{i + 1:03d}", name=f"Helper {i + 1}")
    return user


def test_a_coordinator_pauses_every_volunteer_on_the_page(
    page, live_server, coordinator, csp_violations
):
    page.set_default_timeout(5_000)
    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/p/aid-dueren/volunteers/")
    page.get_by_label("Select all on this page").check()
    for i in range(3):
        expect(page.get_by_label(f"Select V-00{i + 1}")).to_be_checked()
    page.get_by_label("With the selected rows").select_option(label="Change the status")
    page.get_by_role("button", name="Continue…").click()

    expect(page.get_by_text("Change the status of these 3 volunteers?")).to_be_visible()
    assert Volunteer.objects.filter(status=Volunteer.Status.PAUSED).count() == 0
    page.get_by_label("New status").select_option(label="Paused")
    save_screenshot(page, "bulk-status-confirm")
    page.get_by_role("button", name="Change the status").click()

    expect(page.get_by_role("alert")).to_contain_text("3 volunteers are now “Paused”.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    assert Volunteer.objects.filter(status=Volunteer.Status.PAUSED).count() == 3
    assert csp_violations == []
