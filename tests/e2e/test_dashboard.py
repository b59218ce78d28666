"""A coordinator's morning: the dashboard, a figure's list, a shelter's count, the caseload."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import ActivityKind, Membership

from ..factories import (
    PASSWORD,
    ActivityFactory,
    AreaFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    SiteFactory,
    SiteOccupancyFactory,
    TargetFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def coordinator():
    program = ProgramFactory(
        name="Ankommen in Düren",
        slug="aid-dueren",
        activity_kinds=[ActivityKind.GROUP, ActivityKind.VISIT, ActivityKind.INFO_EVENT],
    )
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user, program


@pytest.fixture
def busy_program(coordinator):
    """Two months of logged work, so every figure has something to show."""
    _user, program = coordinator
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    volunteers = VolunteerFactory.create_batch(4, program=program)
    VolunteerFactory(program=program, status="paused")
    site = SiteFactory(program=program, name="Übergangsheim Nord")
    for i in range(7):
        group = ActivityFactory(program=program, kind=ActivityKind.GROUP, date=today, site=site)
        group.facilitators.add(volunteers[i % 3])
    for _ in range(3):
        visit = ActivityFactory(
            program=program,
            kind=ActivityKind.VISIT,
            date=today,
            attendees_total=1,
            attendees_women=1,
            attendees_men=0,
        )
        visit.participants.add(ParticipantFactory(program=program))
    for i in range(5):
        earlier = ActivityFactory(program=program, kind=ActivityKind.GROUP, date=last_month)
        earlier.facilitators.add(volunteers[i % 4])
    for months_ago in range(2, 12):
        day = (today.replace(day=1) - dt.timedelta(days=28 * months_ago)).replace(day=10)
        ActivityFactory.create_batch(months_ago % 5 + 1, program=program, date=day)
    year = {"starts_on": today.replace(month=1, day=1), "ends_on": today.replace(month=12, day=31)}
    TargetFactory(program=program, indicator="activities", value=120, **year)
    TargetFactory(program=program, indicator="contacts", value=800, **year)
    TargetFactory(program=program, indicator="match_retention_6m", value=75, **year)
    return program


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def new_page(browser, live_server, username, viewport, violations):
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    log_in(page, live_server, username)
    return page


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_coordinator_reads_the_dashboard_and_follows_a_figure_to_its_list(
    browser, live_server, coordinator, busy_program, device, viewport
):
    user, program = coordinator
    violations = []
    page = new_page(browser, live_server, user.username, viewport, violations)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ankommen in Düren")
    activities = page.locator(".figure-card", has_text="Activities this month")
    expect(activities.locator(".figure-value")).to_have_text("10")
    expect(activities).to_contain_text("Last month: 5")
    people = page.locator(".figure-card", has_text="People reached")
    expect(people.locator(".figure-value")).to_have_text("3")
    expect(page.get_by_role("row", name="Group session")).to_contain_text("7")
    expect(page.get_by_role("img", name="Activities per month, last 12 months")).to_be_visible()
    expect(page.get_by_text("Percentages are not calculated on the dashboard yet")).to_be_visible()
    assert_no_horizontal_scroll(page)
    save_screenshot(page, f"dashboard-{device}")

    volunteers = page.locator(".figure-card", has_text="Active volunteers")
    expect(volunteers.locator(".figure-value")).to_have_text("3")
    volunteers.get_by_role("link", name="Active volunteers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    expect(page).to_have_url(f"{live_server.url}/p/{program.slug}/volunteers/?status=active")
    expect(page.get_by_text("4 entries")).to_be_visible()  # active ones, not the paused one
    assert violations == []
    page.context.close()


@pytest.mark.parametrize(("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_recording_a_shelters_count_changes_the_areas_caseload(
    browser, live_server, coordinator, device, viewport
):
    user, program = coordinator
    north = AreaFactory(program=program, name="Integrationsraum Nord", staff_fte=1)
    AreaFactory(program=program, name="Integrationsraum Süd", staff_fte=0)
    site = SiteFactory(program=program, name="Übergangsheim Nord", area=north, capacity=120)
    for days_ago, residents in [(60, 70), (30, 85), (7, 90)]:
        day = timezone.localdate() - dt.timedelta(days=days_ago)
        SiteOccupancyFactory(site=site, date=day, residents=residents)
    violations = []
    page = new_page(browser, live_server, user.username, viewport, violations)
    areas_url = f"{live_server.url}/p/{program.slug}/areas/"

    page.goto(areas_url)
    north_row = page.get_by_role("row", name="Integrationsraum Nord")
    expect(north_row).to_contain_text("Within target")
    expect(page.get_by_role("row", name="Integrationsraum Süd")).to_contain_text("no staff")

    page.goto(f"{live_server.url}/p/{program.slug}/sites/")
    page.get_by_role("link", name="Übergangsheim Nord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Übergangsheim Nord")
    page.get_by_role("spinbutton", name="Residents").fill("130")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert").first).to_contain_text("Recorded 130 residents")
    expect(page.get_by_role("alert").nth(1)).to_contain_text("above the site's capacity of 120")
    expect(page.get_by_role("row", name="130")).to_contain_text("Over capacity")
    expect(page.get_by_role("img", name="Residents of Übergangsheim Nord by date")).to_be_visible()
    assert_no_horizontal_scroll(page)
    save_screenshot(page, f"site-detail-{device}")

    page.goto(areas_url)
    north_row = page.get_by_role("row", name="Integrationsraum Nord")
    expect(north_row).to_contain_text("130")
    expect(north_row).to_contain_text("Over target")
    expect(north_row).to_have_class("table-danger")
    save_screenshot(page, f"area-list-{device}")
    assert violations == []
    page.context.close()
