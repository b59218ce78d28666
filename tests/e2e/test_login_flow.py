import pytest
from playwright.sync_api import expect

from programs.models import Membership

from ..factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator():
    program = ProgramFactory(name="Ankommen in Düren", slug="aid-dueren")
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_coordinator_logs_in_and_lands_on_their_program(
    page, live_server, coordinator, csp_violations
):
    log_in(page, live_server, coordinator.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ankommen in Düren")
    expect(page.get_by_text("Activities this month")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/p/aid-dueren/")
    assert csp_violations == []


def test_the_language_switcher_turns_the_page_german(page, live_server, coordinator):
    log_in(page, live_server, coordinator.username)
    page.get_by_role("button", name="Language").click()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Startseite", exact=True)).to_be_visible()
    expect(page.get_by_text("Aktivitäten in diesem Monat")).to_be_visible()


def test_on_a_phone_the_menu_folds_away_and_opens(browser, live_server, coordinator):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, coordinator.username)
    volunteers = page.get_by_role("link", name="Volunteers", exact=True)
    expect(volunteers).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("button", name="People").click()
    expect(volunteers).to_be_visible()
    volunteers.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    context.close()


def test_a_wrong_password_is_refused_with_a_message(page, live_server, coordinator):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    expect(page.get_by_label("Username")).to_have_value(coordinator.username)
