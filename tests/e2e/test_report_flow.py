"""A coordinator writes, generates and publishes a funder report; the funder downloads it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from programs.models import ActivityKind, Membership

from ..factories import (
    ActivityFactory,
    GrantFactory,
    MembershipFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
)
from .screens import save_screenshot
from .test_dashboard import DESKTOP, PHONE, assert_no_horizontal_scroll, new_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def program_with_work():
    program = ProgramFactory(
        name="in2balance", slug="in2balance", activity_kinds=[ActivityKind.GROUP]
    )
    GrantFactory(program=program, reference="MAGS-IV-2024", funder__name="Ministerium NRW")
    site = SiteFactory(program=program, name="Unterkunft Nord")
    for day in range(1, 9):
        ActivityFactory(program=program, site=site, date=dt.date(2024, 3, day), attendees_total=10)
    coordinator = UserFactory(username="koordination@example.org")
    funder = UserFactory(username="ministerium@example.org")
    MembershipFactory(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    MembershipFactory(user=funder, program=program, role=Membership.Role.FUNDER)
    return program, coordinator, funder


def test_a_report_goes_from_draft_to_the_funders_download(browser, live_server, program_with_work):
    program, coordinator, funder = program_with_work
    violations = []
    page = new_page(browser, live_server, coordinator.username, DESKTOP, violations)
    page.goto(f"{live_server.url}/p/{program.slug}/reports/")
    page.get_by_role("link", name="New report").click()
    page.get_by_label("Title").fill("Sachbericht 2024")
    page.get_by_label("Grant").select_option(label="Ministerium NRW MAGS-IV-2024")
    page.get_by_label("Period starts").fill("2024-01-01")
    page.get_by_label("Period ends").fill("2024-12-31")
    page.get_by_role("combobox", name="Language").select_option("en")
    page.get_by_label("Summary").fill("Eight group sessions in one shelter.")
    page.get_by_role("button", name="Save").click()

    preview = page.locator(".report-preview")
    expect(preview.get_by_role("heading", name="Key figures")).to_be_visible()
    expect(preview.locator(".key-figure").first).to_contain_text("8")
    expect(preview).to_contain_text("Eight group sessions in one shelter.")

    page.get_by_role("button", name="Generate PDF").click()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    save_screenshot(page, "report-generated")
    page.get_by_role("link", name="Publish for the funder").click()
    page.get_by_role("button", name="Publish now").click()  # the confirmation
    expect(page.get_by_text("The report is published.")).to_be_visible()
    expect(page.get_by_role("button", name="Make a new version")).to_be_visible()
    assert violations == []

    funder_page = new_page(browser, live_server, funder.username, PHONE, violations)
    expect(funder_page.get_by_role("link", name="Sachbericht 2024")).to_be_visible()
    with funder_page.expect_download() as download_info:
        funder_page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-v1.pdf")
    with open(download.path(), "rb") as f:
        assert f.read(4) == b"%PDF"
    save_screenshot(funder_page, "report-funder-home")
    funder_page.get_by_role("link", name="Sachbericht 2024").click()
    expect(funder_page.locator(".report-preview")).to_contain_text("Key figures")
    assert_no_horizontal_scroll(funder_page)
    expect(funder_page.get_by_role("link", name="Publish for the funder")).to_have_count(0)
    assert violations == []
