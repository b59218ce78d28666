"""One program with a little of everything, a member of each role, and each role's main pages:
what the accessibility and page-width tests walk through."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from programs.models import ActivityKind
from reports import services as report_services
from reports.generation import report_generate
from reports.models import Report

from ..factories import (
    PASSWORD,
    ActivityFactory,
    AreaFactory,
    ConcernFactory,
    EnrollmentFactory,
    GrantFactory,
    MatchFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    ServiceProviderFactory,
    SiteFactory,
    SiteOccupancyFactory,
    SupervisionSessionFactory,
    TrainingFactory,
    TrainingSessionFactory,
    UserFactory,
    VolunteerFactory,
)

WIDTHS = (390, 1024, 1280)
HEIGHTS = {390: 844, 1024: 768, 1280: 800}
ROLES = ("coordinator", "supervisor", "volunteer", "funder")


@dataclass
class World:
    program: object
    users: dict = field(default_factory=dict)
    extra_pages: dict = field(default_factory=dict)  # role -> paths beyond the navigation


def build_world() -> World:
    program = ProgramFactory(
        name="Ankommen in Düren",
        slug="aid-dueren",
        activity_kinds=[
            ActivityKind.GROUP,
            ActivityKind.ONE_TO_ONE,
            ActivityKind.VISIT,
            ActivityKind.INFO_EVENT,
        ],
    )
    world = World(program=program)
    usernames = {
        "coordinator": "katrin.vogel-koordination@ankommen-dueren.example.org",
        "supervisor": "miriam.albers@ankommen-dueren.example.org",
        "volunteer": "samira.haddad@ankommen-dueren.example.org",
        "funder": "joerg.lindner@ministerium.example.org",
    }
    for role, username in usernames.items():
        user = UserFactory(username=username, email=username)
        MembershipFactory(user=user, program=program, role=role)
        world.users[role] = user
    today = timezone.localdate()
    grant = GrantFactory(program=program, reference="MAGS-IV-2024", funder__name="Ministerium NRW")
    area = AreaFactory(program=program)
    site = SiteFactory(program=program, name="Übergangsheim Nord", area=area, capacity=120)
    SiteOccupancyFactory(site=site, date=today - dt.timedelta(days=30), residents=96)
    SiteOccupancyFactory(site=site, date=today, residents=104)
    samira = VolunteerFactory(
        program=program, user=world.users["volunteer"], name="Samira Haddad", code="V-0007"
    )
    others = VolunteerFactory.create_batch(3, program=program)
    participants = [ParticipantFactory(program=program, code=f"P-{n}K3Q9") for n in range(1, 5)]
    for day in range(1, 8):
        group = ActivityFactory(
            program=program, site=site, date=today - dt.timedelta(days=day), kind=ActivityKind.GROUP
        )
        group.facilitators.add(samira if day % 2 else others[day % 3])
    talk = ActivityFactory(
        program=program,
        site=site,
        date=today - dt.timedelta(days=1),
        kind=ActivityKind.ONE_TO_ONE,
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    talk.facilitators.add(samira)
    talk.participants.add(participants[0])
    concern = ConcernFactory(program=program, activity=talk)
    provider = ServiceProviderFactory(program=program, name="Psychosoziales Zentrum Düren")
    referral = ReferralFactory(program=program, participant=participants[0], provider=provider)
    match = MatchFactory(program=program, volunteer=samira, participant=participants[1])
    group = SelfHelpGroupFactory(program=program)
    training = TrainingFactory(program=program, title="Grundlagen der Begleitung")
    TrainingSessionFactory(training=training)
    EnrollmentFactory(training=training, volunteer=samira)
    supervision = SupervisionSessionFactory(program=program)
    supervision.attendees.add(samira)

    report = Report.objects.create(
        program=program,
        grant=grant,
        title="Sachbericht 2024 an das Ministerium für Kinder, Jugend, Familie und Integration",
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
        language="de",
        status=Report.Status.GENERATING,
        created_by=world.users["coordinator"],
    )
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    report_services.report_publish(report=report, by=world.users["coordinator"])

    slug = program.slug

    def url(name, *args):
        return reverse(name, args=[slug, *args])

    world.extra_pages = {
        "coordinator": [
            url("activity_detail", talk.pk),
            url("participant_detail", participants[0].pk),
            url("volunteer_detail", samira.pk),
            url("training_detail", training.pk),
            url("supervision_detail", supervision.pk),
            url("site_detail", site.pk),
            url("match_detail", match.pk),
            url("selfhelp_detail", group.pk),
            url("referral_detail", referral.pk),
            url("referral_follow_up"),
            url("referral_stats"),
            url("provider_list"),
            url("report_detail", report.pk),
            url("security_log"),
            url("activity_log"),
        ],
        "supervisor": [url("supervision_detail", supervision.pk)],
        "volunteer": [],
        "funder": [url("report_detail", report.pk)],
    }
    assert concern.pk
    return world


def log_in(page, live_server, username) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def main_pages(page, live_server, world: World, role: str) -> list[str]:
    """The role's start page, every page its navigation links to, and a few record pages."""
    page.goto(f"{live_server.url}/p/{world.program.slug}/")
    links = page.eval_on_selector_all(
        "#main-nav a[href^='/p/']", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = [f"/p/{world.program.slug}/"]
    for path in [*links, *world.extra_pages[role]]:
        if path not in paths:
            paths.append(path)
    return paths


def role_context(browser, live_server, world: World, role: str, language="en", bypass_csp=False):
    """A signed-in browser context of ``role``; axe-core needs ``bypass_csp`` to be injected."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale=language, bypass_csp=bypass_csp
    )
    page = context.new_page()
    log_in(page, live_server, world.users[role].username)
    return context, page


def save_a_one_to_one(page, live_server, world: World) -> None:
    """The volunteer saves a one-to-one on the log form, in any interface language: the page
    stays and shows the server's answer (its message and links) above the emptied form."""
    page.goto(f"{live_server.url}/p/{world.program.slug}/log/")
    page.locator("input[name=kind][value=one_to_one]").check()
    page.locator("#id_site").select_option(index=1)
    page.locator("input[name=participants]").first.check()
    page.locator("form.js-log-form button[type=submit]:not([name=_action])").click()
    page.locator(".js-queue-answer a").first.wait_for()
