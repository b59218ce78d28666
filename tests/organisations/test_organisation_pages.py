"""The organisation level: its coordinators' dashboard across the programs it leads, the report
over them, and what a program coordinator of one of them may (not) see."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership, OrganisationMembership, Site
from reports import organisation as org_report
from reports.models import Report
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)

YEAR = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


@pytest.fixture
def federation(db):
    return OrganisationFactory(name="Der Paritätische NRW", kind="welfare")


def _program(organisation, name, **kwargs):
    return ProgramFactory(name=name, lead_organisation=organisation, **kwargs)


def _activities(program, n, *, date, people=0, site=None, attendees=10):
    volunteer = VolunteerFactory(program=program)
    participants = [ParticipantFactory(program=program) for _ in range(people)]
    for _ in range(n):
        activity = ActivityFactory(
            program=program,
            date=date,
            site=site,
            attendees_total=attendees,
            attendees_women=attendees,
            attendees_men=0,
        )
        activity.facilitators.add(volunteer)
        activity.participants.add(*participants)


@pytest.fixture
def org_coordinator(federation):
    user = UserFactory(username="verband@example.org")
    OrganisationMembership.objects.create(user=user, organisation=federation)
    return user


def test_the_organisation_coordinator_sees_every_program_it_leads(
    client, federation, org_coordinator
):
    today = timezone.localdate()
    first = _program(federation, "In-Gang-Setzer")
    second = _program(federation, "Seniorenbegleitung")
    elsewhere = _program(OrganisationFactory(), "Someone else's program")
    _activities(first, 3, date=today, people=2)
    _activities(second, 1, date=today)
    _activities(elsewhere, 7, date=today)
    client.force_login(org_coordinator)
    page = client.get(reverse("organisation_home", args=[federation.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "In-Gang-Setzer" in html and "Seniorenbegleitung" in html
    assert "Someone else" not in html
    rows = {row.name: row.figures for row in page.context["dashboard"].programs}
    assert rows["In-Gang-Setzer"]["activities_this"] == 3
    assert rows["In-Gang-Setzer"]["people_this"] == 2
    assert page.context["dashboard"].totals["activities_this"] == 4
    # The home page leads an organisation coordinator without programs straight there.
    assert client.get("/").url == reverse("organisation_home", args=[federation.slug])


def _dashboard_queries(client, federation, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("organisation_home", args=[federation.slug])).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_2_and_10_programs(
    client, federation, org_coordinator
):
    today = timezone.localdate()
    client.force_login(org_coordinator)
    for i in range(2):
        _activities(_program(federation, f"Program {i}"), 2, date=today, people=1)
    two = _dashboard_queries(client, federation, org_coordinator)
    for i in range(2, 10):
        _activities(_program(federation, f"Program {i}"), 2, date=today, people=1)
    ten = _dashboard_queries(client, federation, org_coordinator)
    assert two == ten == 10


def test_a_program_coordinator_still_sees_only_their_own_program(client, federation):
    mine = _program(federation, "Mine", slug="mine")
    theirs = _program(federation, "Theirs", slug="theirs")
    user = UserFactory(username="coordinator@example.org")
    MembershipFactory(user=user, program=mine, role=Membership.Role.COORDINATOR)
    client.force_login(user)
    assert client.get(reverse("program_home", args=[mine.slug])).status_code == 200
    assert client.get(reverse("program_home", args=[theirs.slug])).status_code == 404
    for name in ("organisation_home", "organisation_report", "organisation_report_pdf"):
        assert client.get(reverse(name, args=[federation.slug])).status_code == 404, name
    # Their home page lists their program and no organisation.
    assert client.get("/").url == reverse("program_home", args=[mine.slug])


def test_an_organisation_coordinator_does_not_enter_a_program_by_it(
    client, federation, org_coordinator
):
    program = _program(federation, "In-Gang-Setzer")
    client.force_login(org_coordinator)
    assert client.get(reverse("program_home", args=[program.slug])).status_code == 404
    # Nor another organisation's pages.
    other = OrganisationFactory()
    assert client.get(reverse("organisation_home", args=[other.slug])).status_code == 404


# ---- the report ----------------------------------------------------------------------------


def _report_query(programs, **extra) -> dict:
    return {
        "programs": [p.pk for p in programs],
        "start": "2024-01-01",
        "end": "2024-12-31",
        "breakdown": "program",
        "language": "en",
        **extra,
    }


def test_the_report_has_a_row_per_program_and_their_total(client, federation, org_coordinator):
    first = _program(federation, "Alpha")
    second = _program(federation, "Beta")
    _activities(first, 4, date=dt.date(2024, 5, 1), people=12)
    _activities(second, 2, date=dt.date(2024, 6, 1), people=8)
    _activities(second, 5, date=dt.date(2023, 6, 1), people=3)  # before the period
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    page = client.get(url, _report_query([first, second]))
    assert page.status_code == 200
    document = page.context["document"]
    labels = document.columns
    assert labels[:4] == ["Activities", "Hours of activities", "Contacts", "People reached"]
    rows = {label: [c.text for c in cells] for label, _program, cells in document.rows}
    assert rows["Alpha"][0] == "4" and rows["Alpha"][3] == "12"
    assert rows["Beta"][0] == "2" and rows["Beta"][3] == "8"
    total = [c.text for c in document.total]
    assert total[0] == "6" and total[2] == "60" and total[3] == "20"
    html = page.content.decode()
    # The definitions of the program report's indicator registry.
    assert "Distinct participants, recorded by their pseudonymous code" in html


def test_a_chosen_set_of_programs(client, federation, org_coordinator):
    first = _program(federation, "Alpha")
    second = _program(federation, "Beta")
    _activities(first, 4, date=dt.date(2024, 5, 1))
    _activities(second, 2, date=dt.date(2024, 6, 1))
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    document = client.get(url, _report_query([second])).context["document"]
    assert [label for label, _p, _c in document.rows] == ["Beta"]
    assert document.total[0].text == "2"


def test_small_counts_of_persons_are_withheld_as_in_the_program_report(
    client, federation, org_coordinator
):
    first = _program(federation, "Alpha")
    second = _program(federation, "Beta")
    _activities(first, 2, date=dt.date(2024, 5, 1), people=12)
    _activities(second, 1, date=dt.date(2024, 6, 1), people=3)
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    document = client.get(url, _report_query([first, second])).context["document"]
    rows = {label: [c.text for c in cells] for label, _program, cells in document.rows}
    people = document.columns.index("People reached")
    assert rows["Beta"][people] == "<5"
    # 15 in total would give the 3 away: the other program's figure is withheld too.
    assert rows["Alpha"][people] == "×"


def test_the_strictest_threshold_of_the_programs_applies(client, federation, org_coordinator):
    first = _program(federation, "Alpha", disclosure_threshold=10)
    second = _program(federation, "Beta")
    _activities(first, 1, date=dt.date(2024, 5, 1), people=20)
    _activities(second, 1, date=dt.date(2024, 6, 1), people=7)
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    document = client.get(url, _report_query([first, second])).context["document"]
    rows = {label: [c.text for c in cells] for label, _program, cells in document.rows}
    assert rows["Beta"][document.columns.index("People reached")] == "<10"


def test_by_site_names_contact_points_but_never_private_flats(federation, org_coordinator):
    program = _program(federation, "In-Gang-Setzer")
    bochum = SiteFactory(program=program, name="KISS Bochum", city="Bochum", kind="contact_point")
    flat = SiteFactory(program=program, name="Musterstraße 5", kind=Site.Kind.PRIVATE_FLAT)
    _activities(program, 3, date=dt.date(2024, 5, 1), site=bochum)
    _activities(program, 1, date=dt.date(2024, 5, 1), site=flat)
    snapshot = org_report.compute(
        federation, [program], start=YEAR[0], end=YEAR[1], breakdown="site", language="en"
    )
    labels = [row["label"] for row in snapshot["rows"]]
    assert "KISS Bochum (Bochum)" in labels and "Private flats" in labels
    assert "Musterstraße" not in str(snapshot)
    assert snapshot["totals"]["activities"] == 4


def test_the_report_as_pdf(client, federation, org_coordinator):
    program = _program(federation, "Alpha")
    _activities(program, 2, date=dt.date(2024, 5, 1), people=6)
    client.force_login(org_coordinator)
    url = reverse("organisation_report_pdf", args=[federation.slug])
    response = client.get(url, _report_query([program]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(
    client, federation, org_coordinator
):
    program = _program(federation, "Alpha")
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    page = client.get(url, _report_query([program], start="2024-12-31", end="2024-01-01"))
    assert page.status_code == 422
    assert "The period cannot end before it starts." in page.content.decode()


def test_another_organisations_program_cannot_be_put_in_the_report(
    client, federation, org_coordinator
):
    program = _program(federation, "Alpha")
    foreign = _program(OrganisationFactory(), "Foreign")
    client.force_login(org_coordinator)
    url = reverse("organisation_report", args=[federation.slug])
    page = client.get(url, _report_query([program, foreign]))
    assert page.status_code == 422
    assert "document" not in page.context


# ---- a funder of several programs --------------------------------------------------------


def _report(program, title, status=Report.Status.PUBLISHED):
    published = status == Report.Status.PUBLISHED
    now = timezone.now()
    report = Report(
        program=program,
        title=title,
        period_start=YEAR[0],
        period_end=YEAR[1],
        language="de",
        status=status,
        checksum="0" * 64 if published else "",
        generated_at=now if published else None,
        published_at=now if published else None,
    )
    if published:
        report.pdf.save(f"{title}.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    report.save()
    return report


def test_a_funder_of_several_programs_sees_their_published_reports_together(
    client, db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first, second, third = ProgramFactory(), ProgramFactory(), ProgramFactory()
    funder = UserFactory(username="stiftung@example.org")
    for program in (first, second):
        MembershipFactory(user=funder, program=program, role=Membership.Role.FUNDER)
    _report(first, "Sachbericht Alpha 2024")
    _report(second, "Sachbericht Beta 2024")
    _report(second, "Draft Beta 2025", status=Report.Status.DRAFT)
    _report(third, "Sachbericht Gamma 2024")
    client.force_login(funder)
    html = client.get(reverse("published_reports_across")).content.decode()
    assert "Sachbericht Alpha 2024" in html and "Sachbericht Beta 2024" in html
    assert "Draft Beta 2025" not in html
    assert "Sachbericht Gamma 2024" not in html
    # Their start page and each program's home link to it.
    assert reverse("published_reports_across") in client.get("/").content.decode()


def test_the_navigation_leads_an_organisation_coordinator_to_their_organisation(
    client, federation, org_coordinator
):
    _program(federation, "In-Gang-Setzer")
    client.force_login(org_coordinator)
    link = f'href="{reverse("organisation_home", args=[federation.slug])}"'
    # On the organisation's pages, and on a page outside them (their password, say).
    for url in (reverse("organisation_report", args=[federation.slug]), reverse("password_change")):
        html = client.get(url).content.decode()
        nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
        assert link in nav and "Der Paritätische NRW" in nav, url


def test_the_navigation_leads_a_funder_of_several_programs_to_their_reports(client, db):
    funder = UserFactory(username="stiftung@example.org")
    for name in ("Alpha", "Beta"):
        MembershipFactory(user=funder, program=ProgramFactory(name=name), role="funder")
    client.force_login(funder)
    program = Membership.objects.filter(user=funder).first().program
    html = client.get(reverse("report_list", args=[program.slug])).content.decode()
    nav = html.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count(f'href="{reverse("published_reports_across")}"') == 1
