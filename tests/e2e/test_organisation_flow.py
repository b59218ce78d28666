"""An organisation coordinator of a federation reads the dashboard across its programs, builds
the report over a chosen set of them and downloads its PDF, on a phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from programs.models import OrganisationMembership, Site

from ..factories import (
    ActivityFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot
from .test_dashboard import PHONE, assert_no_horizontal_scroll, new_page

pytestmark = pytest.mark.django_db(transaction=True)

LAST_YEAR = dt.date.today().year - 1


@pytest.fixture
def federation():
    """Der Paritätische NRW as in the demo: it leads In-Gang-Setzer (contact points in several
    cities) and in2balance (shelters and private flats), and a third program; its
    organisation coordinator."""
    organisation = OrganisationFactory(name="Der Paritätische Nordrhein-Westfalen")
    programs = {}
    for name, kind, cities in (
        ("In-Gang-Setzer", Site.Kind.CONTACT_POINT, ("Wuppertal", "Bielefeld", "Münster")),
        ("in2balance", Site.Kind.SHELTER, ("Düsseldorf",)),
        ("Seniorenbegleitung", Site.Kind.OTHER, ("Köln",)),
    ):
        program = ProgramFactory(name=name, lead_organisation=organisation)
        volunteer = VolunteerFactory(program=program)
        people = [ParticipantFactory(program=program) for _ in range(6)]
        for index, city in enumerate(cities):
            site = SiteFactory(program=program, kind=kind, name=f"{name} {city}", city=city)
            for month in range(1, 7):
                activity = ActivityFactory(
                    program=program, site=site, date=dt.date(LAST_YEAR, month, 10 + index)
                )
                activity.facilitators.add(volunteer)
                activity.participants.add(*people)
            ActivityFactory(program=program, site=site, date=dt.date.today())
        programs[name] = program
    user = UserFactory(username="verband@demo.lotse")
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    return organisation, programs, user


def test_the_coordinator_builds_and_downloads_the_report_across_programs(
    browser, live_server, federation
):
    organisation, programs, user = federation
    violations = []
    page = new_page(browser, live_server, user.username, PHONE, violations)
    page.goto(f"{live_server.url}/o/{organisation.slug}/")
    expect(page.get_by_role("heading", name=organisation.name)).to_be_visible()
    for name in programs:
        expect(page.locator("main")).to_contain_text(name)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "organisation-dashboard")

    page.get_by_role("link", name="Report across programs").click()
    # Two of the three programs, last year, one row per site.
    page.get_by_label("Seniorenbegleitung").uncheck()
    page.get_by_label("From", exact=True).fill(f"{LAST_YEAR}-01-01")
    page.get_by_label("To", exact=True).fill(f"{LAST_YEAR}-12-31")
    page.get_by_label("One row per").select_option("site")
    page.get_by_role("combobox", name="Language").select_option("en")
    page.get_by_role("button", name="Show the report").click()

    preview = page.locator(".report-preview")
    expect(preview.get_by_role("heading", name="Key figures")).to_be_visible()
    table = preview.locator("table")
    expect(table).to_contain_text("In-Gang-Setzer Bielefeld (Bielefeld)")
    expect(table).to_contain_text("in2balance Düsseldorf (Düsseldorf)")
    expect(table).not_to_contain_text("Seniorenbegleitung")
    # 4 sites with 6 activities each in the year.
    expect(table.locator("tfoot")).to_contain_text("24")
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "organisation-report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{LAST_YEAR}-01-01-{LAST_YEAR}-12-31.pdf")
    with open(download.path(), "rb") as f:
        assert f.read(4) == b"%PDF"
    assert violations == []
