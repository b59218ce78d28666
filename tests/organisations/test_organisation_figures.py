"""The organisation report counts every figure as each program's own report does.

The organisation report groups its queries by program instead of calling
:func:`reports.kpis.compute` for each, so this checks, on the demo data (five programs with
matches, self-help groups, trainings, supervision, referrals both ways, group sessions with
anonymous attendees and private flats), that every row equals that program's report, figure
by figure, and that the total over all programs is their sum.
"""

import datetime as dt
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from demo.seeding import flush
from programs.models import ActivityKind, Program, Site
from referrals.models import Referral
from reports import kpis
from reports import organisation as org_report
from sessions_log.models import Activity, Match, SelfHelpGroup
from tests.conftest import load_reference_data
from tests.factories import (
    ActivityFactory,
    EnrollmentFactory,
    MatchFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    SiteFactory,
    SupervisionSessionFactory,
    TrainingFactory,
    VolunteerFactory,
)
from volunteers.models import Enrollment, SupervisionSession

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo data, seeded once for this module and removed after."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_reference_data()
        call_command("seed_demo", scale="small", seed=11, flush=True, stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        flush()
        LogEntry.objects.all().delete()


def _periods():
    today = timezone.localdate()
    year_ago = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    last_year = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    quarter = dt.date(today.year - 1, 4, 1), dt.date(today.year - 1, 6, 30)
    return [(year_ago, today), last_year, quarter]


def test_the_demo_covers_every_kind_of_record_the_report_counts(demo):
    assert Match.objects.exists() and SelfHelpGroup.objects.exists()
    assert Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).exists()
    assert SupervisionSession.objects.exists()
    assert Referral.objects.filter(direction=Referral.Direction.INBOUND).exists()
    assert Referral.objects.filter(direction=Referral.Direction.OUTBOUND).exists()
    assert Site.objects.filter(kind=Site.Kind.PRIVATE_FLAT).exists()
    anonymous = Activity.objects.filter(participants__isnull=True, attendees_total__gt=0)
    assert anonymous.exists()


@pytest.mark.parametrize("period", _periods(), ids=["last 12 months", "last year", "a quarter"])
def test_every_program_row_is_that_programs_report(demo, period):
    start, end = period
    programs = list(Program.objects.order_by("name"))
    assert len(programs) >= 5
    snapshot = org_report.compute(
        OrganisationFactory(), programs, start=start, end=end, language="en"
    )
    rows = {row["label"]: row["values"] for row in snapshot["rows"]}
    differences = []
    for program in programs:
        own = kpis.compute(program, start=start, end=end, language="en")["indicators"]
        for key in org_report.INDICATOR_KEYS:
            if rows[program.name][key] != own[key]["value"]:
                differences.append((program.name, key, rows[program.name][key], own[key]["value"]))
    assert differences == []
    for key in org_report.INDICATOR_KEYS:
        recorded = [values[key] for values in rows.values() if values[key] is not None]
        expected = round(sum(recorded), 1) if recorded else None
        assert snapshot["totals"][key] == expected, key
    # The demo has something in most columns, so the comparison is not one of zeros.
    assert sum(1 for key in org_report.INDICATOR_KEYS if snapshot["totals"][key]) >= 8


# ---- a world built by hand, with the cases at the edges of the definitions -----------------

YEAR = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


@pytest.fixture
def world(db):
    """Three programs of one federation: one logging named participants with a qualifying
    training and private flats, one logging group sessions with anonymous attendees only, one
    running self-help groups through contact points."""
    federation = OrganisationFactory(name="Der Paritätische NRW")
    mentoring = ProgramFactory(
        name="Mentoring",
        lead_organisation=federation,
        activity_kinds=[ActivityKind.ONE_TO_ONE, ActivityKind.GROUP],
    )
    groups = ProgramFactory(
        name="Gruppenangebot", lead_organisation=federation, activity_kinds=[ActivityKind.GROUP]
    )
    selfhelp = ProgramFactory(
        name="In-Gang-Setzer",
        lead_organisation=federation,
        activity_kinds=[ActivityKind.GROUP, ActivityKind.INFO_EVENT],
    )
    before, first, last, after = (
        dt.date(2023, 12, 31),
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 1),
    )

    # Mentoring: one-to-one talks with named participants, some in private flats.
    flat = SiteFactory(program=mentoring, kind=Site.Kind.PRIVATE_FLAT, name="Flat 3b")
    other_flat = SiteFactory(program=mentoring, kind=Site.Kind.PRIVATE_FLAT, name="Flat 7")
    office = SiteFactory(program=mentoring, kind=Site.Kind.SHELTER, name="Haus am See")
    mentors = [VolunteerFactory(program=mentoring, joined_on=day) for day in (before, first, last)]
    people = [ParticipantFactory(program=mentoring) for _ in range(4)]
    for day, site, person, mentor in (
        (before, flat, people[0], mentors[0]),
        (first, flat, people[0], mentors[0]),
        (first, office, people[1], mentors[1]),
        (dt.date(2024, 6, 1), None, people[1], mentors[1]),
        (last, other_flat, people[2], mentors[0]),
        (after, office, people[3], mentors[2]),
    ):
        activity = ActivityFactory(
            program=mentoring,
            kind=ActivityKind.ONE_TO_ONE,
            date=day,
            site=site,
            minutes=50,
            attendees_total=1,
            attendees_women=1,
            attendees_men=0,
        )
        activity.participants.add(person)
        activity.facilitators.add(mentor)
    # A volunteer of another program who stood in for one talk.
    stand_in = VolunteerFactory(program=groups)
    Activity.objects.filter(program=mentoring, date=first, site=office).get().facilitators.add(
        stand_in
    )
    intensive = TrainingFactory(
        program=mentoring, kind="basic", qualifying=True, starts_on=dt.date(2023, 9, 1)
    )
    practice = TrainingFactory(
        program=mentoring, kind="supervised_practice", qualifying=True, starts_on=before
    )
    for mentor, (basic_on, practice_on) in zip(
        mentors,
        ((before, first), (dt.date(2024, 5, 1), None), (dt.date(2024, 2, 1), after)),
        strict=True,
    ):
        for training, day in ((intensive, basic_on), (practice, practice_on)):
            if day:
                EnrollmentFactory(
                    training=training,
                    volunteer=mentor,
                    status=Enrollment.Status.COMPLETED,
                    enrolled_on=training.starts_on,
                    completed_on=day,
                )
    for day, minutes in ((before, 600), (first, 90), (last, 45), (after, 600)):
        SupervisionSessionFactory(program=mentoring, date=day, minutes=minutes)
    for day in (before, first, last, after):
        MatchFactory(
            program=mentoring,
            volunteer=mentors[0],
            participant=people[0],
            proposed_on=day - dt.timedelta(days=20),
            status=Match.Status.ACTIVE,
            started_on=day,
        )
    MatchFactory(program=mentoring, volunteer=mentors[1], participant=people[1])  # proposed
    for day, direction in (
        (before, Referral.Direction.OUTBOUND),
        (first, Referral.Direction.OUTBOUND),
        (last, Referral.Direction.OUTBOUND),
        (dt.date(2024, 7, 1), Referral.Direction.INBOUND),
        (after, Referral.Direction.INBOUND),
    ):
        ReferralFactory(
            program=mentoring, participant=people[0], referred_on=day, direction=direction
        )

    # Gruppenangebot: group sessions counted by heads only.
    host = VolunteerFactory(program=groups, joined_on=dt.date(2024, 3, 3))
    for day, heads in ((before, 30), (first, 12), (dt.date(2024, 9, 9), 7), (after, 30)):
        ActivityFactory(
            program=groups,
            date=day,
            attendees_total=heads,
            attendees_women=heads,
            attendees_men=0,
            minutes=95,
        ).facilitators.add(host)
    SupervisionSessionFactory(program=groups, date=dt.date(2024, 4, 4), minutes=100)
    ReferralFactory(
        program=groups,
        referred_on=dt.date(2024, 4, 4),
        direction=Referral.Direction.INBOUND,
        participant=ParticipantFactory(program=groups),
    )

    # In-Gang-Setzer: self-help groups at contact points, with start-up events.
    point = SiteFactory(program=selfhelp, kind=Site.Kind.CONTACT_POINT, name="KISS Wuppertal")
    setter = VolunteerFactory(program=selfhelp, joined_on=dt.date(2023, 5, 5))
    for day in (before, first, dt.date(2024, 10, 10), after):
        SelfHelpGroupFactory(program=selfhelp, contact_point=point, started_on=day)
        ActivityFactory(
            program=selfhelp,
            kind=ActivityKind.INFO_EVENT,
            date=day,
            site=point,
            attendees_total=6,
            attendees_women=3,
            attendees_men=3,
        ).facilitators.add(setter)
    SelfHelpGroupFactory(program=selfhelp, started_on=dt.date(2024, 2, 2))  # another point
    return federation, [mentoring, groups, selfhelp]


def test_by_hand_every_program_row_is_that_programs_report(world):
    federation, programs = world
    start, end = YEAR
    snapshot = org_report.compute(federation, programs, start=start, end=end, language="en")
    rows = {row["label"]: row["values"] for row in snapshot["rows"]}
    for program in programs:
        own = kpis.compute(program, start=start, end=end, language="en")["indicators"]
        assert rows[program.name] == {
            key: own[key]["value"] for key in org_report.INDICATOR_KEYS
        }, program.name
    # What a reader checks: the stand-in counts in their own program only, the anonymous
    # attendees are contacts but no people reached, the program without a qualifying
    # training does not record trained volunteers.
    assert rows["Mentoring"]["volunteers_active"] == 2
    assert rows["Gruppenangebot"]["volunteers_active"] == 1
    assert rows["Gruppenangebot"]["contacts"] == 19
    assert rows["Gruppenangebot"]["people_reached"] is None
    assert rows["Gruppenangebot"]["volunteers_trained"] is None
    assert rows["Mentoring"]["volunteers_trained"] == 1
    assert snapshot["totals"]["referrals_inbound"] == 2
    assert snapshot["totals"]["volunteers_active"] == 4


def test_by_hand_the_sites_add_up_to_each_programs_report(world):
    federation, programs = world
    start, end = YEAR
    snapshot = org_report.compute(
        federation, programs, start=start, end=end, breakdown="site", language="en"
    )
    labels = [(row["program"], row["label"]) for row in snapshot["rows"]]
    assert ("Mentoring", "Private flats") in labels
    assert not any("Flat" in label for _program, label in labels)
    # Two flats, one mentor in both: the flats count the mentor once and each person once.
    flats = next(row for row in snapshot["rows"] if row["label"] == "Private flats")
    assert flats["values"]["volunteers_active"] == 1
    assert flats["values"]["people_reached"] == 2
    assert flats["values"]["activities"] == 2
    for program in programs:
        own = kpis.compute(program, start=start, end=end, language="en")
        mine = [row["values"] for row in snapshot["rows"] if row["program"] == program.name]
        assert sum(v["activities"] for v in mine) == own["activities"]["total"]
        assert sum(v["contacts"] for v in mine) == own["contacts"]["total"]
        assert sum(v["selfhelp_groups_started"] for v in mine) == own["selfhelp_groups"]["started"]
    # The total counts each person once per program, as the program rows do.
    by_program = org_report.compute(federation, programs, start=start, end=end, language="en")
    for key in org_report.SITE_INDICATOR_KEYS:
        assert snapshot["totals"][key] == by_program["totals"][key], key
    # The stand-in from another program is not one of the shelter's active volunteers.
    shelter = next(row for row in snapshot["rows"] if row["label"] == "Haus am See")
    assert shelter["values"]["volunteers_active"] == 1
