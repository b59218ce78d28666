"""A coordinator filters the activities by site and downloads exactly those rows as XLSX."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.dates import months_later
from programs.models import Language, Membership, Site
from sessions_log.models import Match

from ..conftest import shown_date
from ..factories import (
    ActivityFactory,
    ConcernFactory,
    MatchFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)
from .screens import save_screenshot
from .test_login_flow import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator():
    program = ProgramFactory(name="Ankommen in Düren", slug="aid-dueren")
    user = UserFactory(username="koordination@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def program(coordinator):
    return coordinator.memberships.get().program


def test_a_coordinator_downloads_the_filtered_activities(
    page, live_server, coordinator, program, csp_violations
):
    page.set_default_timeout(5_000)
    north = SiteFactory(program=program, name="Übergangsheim Nord")
    south = SiteFactory(program=program, name="Übergangsheim Süd")
    anja = VolunteerFactory(program=program, name="Anja Schmitz")
    for day in (3, 9, 17):
        activity = ActivityFactory(program=program, site=north, date=dt.date(2024, 3, day))
        activity.facilitators.add(anja)
        activity.languages.add(Language.objects.get(code="ar"))
    ActivityFactory.create_batch(2, program=program, site=south, date=dt.date(2024, 3, 5))

    log_in(page, live_server, coordinator.username)
    page.goto(f"{live_server.url}/p/{program.slug}/activities/")
    expect(page.get_by_text("5 entries")).to_be_visible()
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Site").select_option(label="Übergangsheim Nord")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("3 entries")).to_be_visible()
    shown = page.locator("tbody tr td:nth-child(2)").all_inner_texts()  # after the tick box
    save_screenshot(page, "activity-list")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Date", "Kind", "Site", "Facilitators")
    body = rows[1:]
    assert [shown_date(r[0]) for r in body] == shown  # typed dates in the workbook
    assert {r[2] for r in body} == {"Übergangsheim Nord"}
    assert {r[3] for r in body} == {"Anja Schmitz"}

    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Group session")
    save_screenshot(page, "activity-detail")
    assert csp_violations == []


def test_a_coordinator_walks_through_participants_matches_and_groups(
    page, live_server, coordinator, program, csp_violations
):
    page.set_default_timeout(5_000)
    today = timezone.localdate()
    base = f"{live_server.url}/p/{program.slug}"
    shelter = SiteFactory(program=program, name="Übergangsheim Nord")
    contact = SiteFactory(program=program, name="KISS Düren", kind=Site.Kind.CONTACT_POINT)
    anja = VolunteerFactory(program=program, name="Anja Schmitz")
    person = ParticipantFactory(
        program=program,
        code="P-7K3Q9",
        alias="Frau A., Zimmer 12",
        site=shelter,
        country_of_origin="SY",
        consent_on=today,
        consent_scope="referral",
    )
    person.languages.add(Language.objects.get(code="ar"))
    ParticipantFactory(program=program, code="P-M4X2C", gender="male", year_of_birth=2009)
    session = ActivityFactory(
        program=program,
        site=shelter,
        kind="one_to_one",
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    session.facilitators.add(anja)
    session.participants.add(person)
    ConcernFactory(program=program, activity=session, severity="medium")
    ReferralFactory(program=program, participant=person, provider__name="PSZ Düren")
    match = MatchFactory(
        program=program,
        volunteer=anja,
        participant=person,
        status=Match.Status.ACTIVE,
        proposed_on=months_later(today, -7),
        started_on=months_later(today, -7),
    )
    SelfHelpGroupFactory(
        program=program,
        name="Pflegende Angehörige",
        contact_point=contact,
        started_on=months_later(today, -13),
        status="accompanied",
    ).volunteers.add(anja)

    log_in(page, live_server, coordinator.username)
    page.goto(f"{base}/participants/")
    expect(page.get_by_role("cell", name="Frau A., Zimmer 12")).to_be_visible()
    save_screenshot(page, "participant-list")
    page.get_by_role("link", name="P-7K3Q9").click()
    expect(page.get_by_text("PSZ Düren")).to_be_visible()
    save_screenshot(page, "participant-detail")
    page.goto(f"{base}/participants/new/")
    save_screenshot(page, "participant-new")

    page.goto(f"{base}/matches/")
    expect(page.get_by_role("cell", name="7 months")).to_be_visible()
    page.get_by_role("link", name="6-month checks due").click()
    expect(page.get_by_text("1 entry")).to_be_visible()
    save_screenshot(page, "match-list")
    page.goto(f"{base}/matches/{match.pk}/")
    save_screenshot(page, "match-detail")
    page.get_by_role("button", name="Record check").click()
    expect(page.get_by_role("alert")).to_contain_text("The six-month check was recorded.")
    page.goto(f"{base}/matches/new/")
    save_screenshot(page, "match-new")

    page.goto(f"{base}/selfhelp/")
    page.get_by_role("link", name="12-month follow-ups due").click()
    expect(page.get_by_role("link", name="Pflegende Angehörige")).to_be_visible()
    save_screenshot(page, "selfhelp-list")
    page.get_by_role("link", name="Pflegende Angehörige").click()
    save_screenshot(page, "selfhelp-detail")
    page.get_by_label("Yes, still meeting").check()
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.get_by_role("alert")).to_contain_text("The 12-month follow-up was recorded.")
    page.get_by_role("link", name="Change").click()
    save_screenshot(page, "selfhelp-edit")
    page.goto(f"{base}/selfhelp/new/")
    save_screenshot(page, "selfhelp-new")
    assert csp_violations == []
