"""The figures of a funder report, checked against numbers counted by hand.

One program with a little of everything is logged for March and April 2024 (plus work before the
period and in another program that must not count). Every expected figure below was counted by
hand from that data; the same figures are checked in the KPI snapshot, in the JSON, PDF and
XLSX that ``manage.py build_report`` writes, and the PDF is checked for its structure.
"""

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from programs.models import ActivityKind, Language, Participant
from referrals.models import Category, Referral, ReferralEvent
from reports import document, kpis
from reports.exports import report_xlsx, sheet_title
from reports.generation import report_filename
from reports.management.commands.build_report import Command as BuildReport
from reports.models import Report
from sessions_log.models import Match, SelfHelpGroup, Topic
from volunteers.models import Enrollment, SupervisionSession

from ..factories import (
    ActivityFactory,
    AreaFactory,
    EnrollmentFactory,
    FunderFactory,
    GrantFactory,
    MatchFactory,
    OrganisationFactory,
    ParticipantFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    ServiceProviderFactory,
    SiteFactory,
    SiteOccupancyFactory,
    SupervisionSessionFactory,
    TargetFactory,
    TrainingFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

START, END = dt.date(2024, 3, 1), dt.date(2024, 4, 30)
GRANT = "MAGS-2024-017"
FORMULA_SITE = '=HYPERLINK("http://evil.example","Heim")'
D = dt.date


def lang(*codes):
    return [Language.objects.get(code=code) for code in codes]


def topics(*keys):
    return [Topic.objects.get(key=key) for key in keys]


def log_work(program, other_program, copy: int = 0) -> dict:
    """The hand-counted program; ``copy`` > 0 logs the same work again under other names."""
    tag = f" {copy}" if copy else ""
    funder = FunderFactory(name=f"Ministerium für Arbeit{tag}")
    grant = GrantFactory(program=program, funder=funder, reference=f"{GRANT}{tag}")
    other_grant = GrantFactory(program=program, reference=f"OTHER-1{tag}")

    # Areas and sites: Nord (2 active sites + 1 inactive) and West (the formula-looking site).
    north = AreaFactory(
        program=program, name=f"Bezirk Nord{tag}", caseload_ratio_target=100, staff_fte=1.5
    )
    west = AreaFactory(program=program, name=f"Bezirk West{tag}", caseload_ratio_target=100)
    nord = SiteFactory(program=program, area=north, name=f"Unterkunft Nord{tag}")
    sued = SiteFactory(program=program, area=north, name=f"Unterkunft Süd{tag}")
    closed = SiteFactory(program=program, area=north, name=f"Alte Halle{tag}", active=False)
    formula = SiteFactory(program=program, area=west, name=f"{FORMULA_SITE}{tag}")
    SiteOccupancyFactory(site=nord, date=D(2024, 1, 10), residents=80)
    SiteOccupancyFactory(site=nord, date=D(2024, 4, 15), residents=90)  # latest up to the end
    SiteOccupancyFactory(site=nord, date=D(2024, 5, 10), residents=200)  # after the end
    SiteOccupancyFactory(site=sued, date=D(2024, 2, 1), residents=70)
    SiteOccupancyFactory(site=closed, date=D(2024, 3, 1), residents=500)  # inactive site
    SiteOccupancyFactory(site=formula, date=D(2024, 3, 1), residents=30)
    cp1 = SiteFactory(program=program, name=f"Kontaktstelle Mitte{tag}", kind="contact_point")
    cp2 = SiteFactory(program=program, name=f"Kontaktstelle Ost{tag}", kind="contact_point")

    # Volunteers.
    employer = OrganisationFactory()
    v1 = VolunteerFactory(program=program, joined_on=D(2023, 1, 10))
    v2 = VolunteerFactory(
        program=program, joined_on=D(2023, 6, 1), left_on=D(2024, 4, 10), status="left"
    )
    v3 = VolunteerFactory(program=program, joined_on=D(2024, 3, 15))
    v4 = VolunteerFactory(
        program=program,
        joined_on=D(2022, 5, 1),
        employed_by=employer,
        employed_since=D(2023, 9, 1),
    )
    VolunteerFactory(
        program=program, joined_on=D(2023, 2, 1), left_on=D(2024, 1, 15), status="left"
    )
    VolunteerFactory(  # employed only after the period
        program=program,
        joined_on=D(2024, 5, 1),
        employed_by=employer,
        employed_since=D(2024, 6, 1),
    )
    v1.languages.set(lang("ar", "de"))
    v2.languages.set(lang("fa"))
    v3.languages.set(lang("fa", "en"))
    v4.languages.set(lang("ar"))
    EnrollmentFactory(
        training=TrainingFactory(program=program, starts_on=D(2024, 3, 15)),
        volunteer=v3,
        enrolled_on=D(2024, 3, 15),
        status=Enrollment.Status.COMPLETED,
        completed_on=D(2024, 4, 5),
    )
    EnrollmentFactory(  # completed before the period
        training=TrainingFactory(program=program, starts_on=D(2024, 1, 10)),
        volunteer=v1,
        enrolled_on=D(2024, 1, 10),
        status=Enrollment.Status.COMPLETED,
        completed_on=D(2024, 2, 20),
    )

    # Participants (P5 only took part before the period).
    female, male = Participant.Gender.FEMALE, Participant.Gender.MALE
    people = {}
    for key, gender, born, country, languages in (
        ("p1", female, 1990, "SY", ("ar",)),
        ("p2", male, 1985, "SY", ("ar",)),
        ("p3", female, 2010, "AF", ("fa",)),
        ("p4", male, 1970, "AF", ("fa",)),
        ("p5", male, 1960, "ER", ("ti",)),
        ("p6", female, 1999, "SY", ("ar",)),
        ("p7", female, 2000, "IQ", ("ar", "en")),
        ("p8", female, None, "", ()),
    ):
        people[key] = ParticipantFactory(
            program=program, gender=gender, year_of_birth=born, country_of_origin=country
        )
        people[key].languages.set(lang(*languages))
    p = people

    # Activities: five in the period, one before it.
    def activity(kind, day, site, minutes, total, languages, topic_keys, facilitators, persons):
        a = ActivityFactory(
            program=program,
            kind=kind,
            date=day,
            site=site,
            minutes=minutes,
            attendees_total=total,
            attendees_women=0,
            attendees_men=0,
        )
        a.languages.set(lang(*languages))
        a.topics.set(topics(*topic_keys))
        a.facilitators.set(facilitators)
        a.participants.set(persons)
        return a

    group, info, one = ActivityKind.GROUP, ActivityKind.INFO_EVENT, ActivityKind.ONE_TO_ONE
    activity(
        group,
        D(2024, 3, 5),
        nord,
        90,
        12,
        ("ar", "fa"),
        ("stress_coping",),
        [v1, v2],
        [p["p1"], p["p2"], p["p6"], p["p7"]],
    )
    activity(
        group,
        D(2024, 3, 19),
        sued,
        60,
        8,
        ("ar",),
        ("health_system",),
        [v1],
        [p["p1"], p["p3"], p["p8"]],
    )
    activity(one, D(2024, 4, 2), nord, 45, 1, ("fa",), ("reaching_care",), [v3], [p["p4"]])
    activity(info, D(2024, 4, 16), formula, 120, 3, ("de",), ("health_system",), [v2], [])
    activity(one, D(2024, 4, 23), nord, 40, 1, ("ar",), (), [v1], [p["p2"]])
    activity(group, D(2024, 2, 28), nord, 60, 20, ("ar",), ("sleep",), [v1], [p["p5"]])

    # Supervision: two sessions in the period, one before.
    s1 = SupervisionSessionFactory(
        program=program, kind=SupervisionSession.Kind.GROUP, date=D(2024, 3, 12), minutes=120
    )
    s1.attendees.set([v1, v2])
    s2 = SupervisionSessionFactory(
        program=program, kind=SupervisionSession.Kind.INDIVIDUAL, date=D(2024, 4, 9), minutes=60
    )
    s2.attendees.set([v1])
    s3 = SupervisionSessionFactory(program=program, date=D(2024, 2, 15), minutes=90)
    s3.attendees.set([v1, v4])

    # Referrals: four outbound in the period (3 sent: 14, 20 and 6 days to the appointment).
    centre = ServiceProviderFactory(program=program, category=Category.PSYCHOSOCIAL_CENTRE)
    doctor = ServiceProviderFactory(program=program, category=Category.GENERAL_MEDICAL)
    clinic = ServiceProviderFactory(program=program, category=Category.PSYCHIATRY)
    Status = Referral.Status

    def referral(person, provider, referred, sent=None, appointment=None, status=Status.PROPOSED):
        return ReferralFactory(
            program=program,
            participant=person,
            provider=provider,
            category=provider.category,
            referred_on=referred,
            sent_on=sent,
            appointment_on=appointment,
            status=status,
            consent_to_share=sent is not None,
            consent_on=referred if sent else None,
        )

    referral(p["p1"], centre, D(2024, 3, 6), D(2024, 3, 7), D(2024, 3, 21), Status.ATTENDED)
    referral(p["p2"], centre, D(2024, 3, 20), D(2024, 3, 20), D(2024, 4, 9), Status.NO_SHOW)
    referral(p["p4"], doctor, D(2024, 4, 3), D(2024, 4, 4), D(2024, 4, 10), Status.ATTENDED)
    referral(p["p3"], centre, D(2024, 4, 20))
    referral(p["p5"], centre, D(2024, 2, 10), D(2024, 2, 11), D(2024, 2, 20), Status.ATTENDED)
    ReferralFactory(
        program=program,
        participant=p["p6"],
        provider=clinic,
        category=clinic.category,
        direction=Referral.Direction.INBOUND,
        referred_on=D(2024, 3, 25),
        status=Status.ACCEPTED,
    )

    # Matches: M1 running for more than 6 months, M2 ended after 3, M3 started in the period,
    # M4 ended in the period before it started.
    MatchFactory(
        program=program,
        volunteer=v1,
        participant=p["p1"],
        status=Match.Status.ACTIVE,
        proposed_on=D(2023, 8, 20),
        started_on=D(2023, 9, 1),
    )
    MatchFactory(
        program=program,
        volunteer=v1,
        participant=p["p2"],
        status=Match.Status.ENDED,
        proposed_on=D(2023, 5, 20),
        started_on=D(2023, 6, 1),
        ended_on=D(2023, 9, 1),
        end_reason=Match.EndReason.PARTICIPANT_WITHDREW,
    )
    MatchFactory(
        program=program,
        volunteer=v3,
        participant=p["p4"],
        status=Match.Status.ACTIVE,
        proposed_on=D(2024, 3, 1),
        started_on=D(2024, 3, 10),
    )
    MatchFactory(
        program=program,
        volunteer=v2,
        participant=p["p3"],
        status=Match.Status.ENDED,
        proposed_on=D(2024, 4, 1),
        ended_on=D(2024, 4, 20),
        end_reason=Match.EndReason.NOT_STARTED,
    )

    # Self-help groups: G1/G2 followed up a year on (one still meets), G3 started in the period,
    # G4 accompanied into the period, G5 not followed up.
    Topic_, FollowUp, GroupStatus = (
        SelfHelpGroup.TopicArea,
        SelfHelpGroup.FollowUp,
        SelfHelpGroup.Status,
    )
    for contact_point, topic_area, started, accompanied_until, status, follow_up, checked in (
        (cp1, Topic_.MENTAL_HEALTH, D(2023, 2, 1), D(2023, 8, 1), GroupStatus.INDEPENDENT,
         FollowUp.YES, D(2024, 2, 5)),
        (cp1, Topic_.ADDICTION, D(2023, 3, 1), D(2023, 9, 1), GroupStatus.ENDED,
         FollowUp.NO, D(2024, 3, 5)),
        (cp1, Topic_.CARING_RELATIVES, D(2024, 3, 20), None, GroupStatus.ACCOMPANIED,
         FollowUp.UNKNOWN, None),
        (cp2, Topic_.MENTAL_HEALTH, D(2023, 12, 1), D(2024, 3, 31), GroupStatus.ACCOMPANIED,
         FollowUp.UNKNOWN, None),
        (cp2, Topic_.FAMILY, D(2023, 1, 10), D(2023, 6, 1), GroupStatus.INDEPENDENT,
         FollowUp.UNKNOWN, None),
    ):  # fmt: skip
        SelfHelpGroupFactory(
            program=program,
            contact_point=contact_point,
            topic_area=topic_area,
            started_on=started,
            accompaniment_ends_on=accompanied_until,
            status=status,
            follow_up_still_meeting=follow_up,
            follow_up_checked_on=checked,
        )

    # Targets of the grant (and of none) overlapping the period count; others do not.
    year = {"starts_on": D(2024, 1, 1), "ends_on": D(2024, 12, 31)}
    TargetFactory(program=program, grant=grant, indicator="activities", value=20, **year)
    TargetFactory(program=program, grant=other_grant, indicator="people_reached", value=10, **year)
    TargetFactory(
        program=program,
        grant=grant,
        indicator="contacts",
        value=100,
        starts_on=D(2023, 1, 1),
        ends_on=D(2023, 12, 31),
    )
    if not copy:
        TargetFactory(program=program, indicator="match_retention_6m", value=75, **year)

    # Another program's work in the period.
    elsewhere = SiteFactory(program=other_program, name=f"Asylcenter{tag}")
    foreign = ActivityFactory(
        program=other_program, date=D(2024, 3, 10), site=elsewhere, attendees_total=50
    )
    foreign.participants.set([ParticipantFactory(program=other_program)])
    foreign.facilitators.set([VolunteerFactory(program=other_program, joined_on=D(2024, 3, 1))])
    foreign.languages.set(lang("da"))
    ReferralFactory(program=other_program, referred_on=D(2024, 3, 10))
    return {"grant": grant}


@pytest.fixture
def world(program, other_program):
    program.name = "in2balance Düsseldorf"
    program.activity_kinds = ["group", "info_event", "one_to_one"]
    program.save()
    return log_work(program, other_program)


def compute(program, grant, language="en"):
    return kpis.compute(program, start=START, end=END, grant=grant, language=language)


def rows(group, *fields):
    return [tuple(row[f] for f in ("label", *fields)) for row in group]


# ---- the snapshot ------------------------------------------------------------------------


def test_it_counts_activities_contacts_and_languages_by_hand(program, world):
    s = compute(program, world["grant"])
    a = s["activities"]
    assert (a["total"], a["minutes"], a["hours"]) == (5, 355, 5.9)
    assert rows(a["by_kind"], "activities", "contacts", "minutes") == [
        ("Group session", 2, 20, 150),
        ("Information event", 1, 3, 120),
        ("One-to-one talk", 2, 2, 85),
    ]
    assert rows(a["by_site"], "activities", "contacts") == [
        ("Unterkunft Nord", 3, 14),
        (FORMULA_SITE, 1, 3),
        ("Unterkunft Süd", 1, 8),
    ]
    assert [(r["key"], r["activities"], r["contacts"]) for r in a["by_month"]] == [
        ("2024-03", 2, 20),
        ("2024-04", 3, 5),
    ]
    assert rows(a["by_topic"], "activities", "contacts") == [
        ("Orientation in the health system", 2, 11),
        ("Help in reaching health care", 1, 1),
        ("Reactions to stress and healthy coping", 1, 12),
    ]
    assert s["contacts"]["total"] == 25
    assert rows(s["contacts"]["by_language"], "contacts") == [
        ("Arabic", 21),
        ("Persian", 13),
        ("German", 3),
    ]
    assert s["languages"]["total"] == 3
    assert rows(s["languages"]["rows"], "activities", "contacts") == [
        ("Arabic", 3, 21),
        ("Persian", 2, 13),
        ("German", 1, 3),
    ]


def test_it_counts_each_person_reached_once(program, world):
    p = compute(program, world["grant"])["people_reached"]
    # P1 took part twice; P5 only before the period; the other program's person not at all.
    assert p["total"] == 7
    assert rows(p["by_gender"], "people") == [("Female", 5), ("Male", 2)]
    assert [(r["key"], r["people"]) for r in p["by_age_band"]] == [
        ("0-17", 1),
        ("18-26", 2),
        ("27-49", 2),
        ("50+", 1),
        ("unknown", 1),
    ]
    assert rows(p["by_country"], "people") == [
        ("Syria", 3),
        ("Afghanistan", 2),
        ("Iraq", 1),
        ("Not recorded", 1),
    ]
    assert rows(p["by_language"], "people") == [("Arabic", 4), ("Persian", 2), ("English", 1)]


def test_it_counts_volunteers_and_supervision_by_hand(program, world):
    s = compute(program, world["grant"])
    v = s["volunteers"]
    assert {k: v[k] for k in ("active", "new", "left", "trained", "employed")} == {
        "active": 3,
        "new": 1,
        "left": 1,
        "trained": 1,
        "employed": 1,
    }
    assert (v["at_start"], v["retained"], v["retention"]) == (3, 2, 0.6667)
    assert (v["languages_total"], rows(v["languages"], "volunteers")) == (
        4,
        [("Persian", 2), ("Arabic", 1), ("English", 1), ("German", 1)],
    )
    sv = s["supervision"]
    assert (sv["sessions"], sv["hours"], sv["volunteers_supervised"]) == (2, 3.0, 2)
    # 120 + 120 + 60 minutes attended by active volunteers = 5 h over 3 active volunteers.
    assert sv["hours_per_active_volunteer"] == 1.7
    assert sv["active_never_supervised"] == 1
    assert rows(sv["by_kind"], "sessions", "hours") == [
        ("Group supervision", 1, 2.0),
        ("Individual supervision", 1, 1.0),
    ]


def test_it_counts_referrals_by_hand(program, world):
    r = compute(program, world["grant"])["referrals"]
    assert (r["outbound"], r["inbound"], r["sent"], r["attended"], r["no_show"]) == (4, 1, 3, 2, 1)
    assert (r["share_attended"], r["no_show_rate"]) == (0.6667, 0.3333)
    assert r["median_days_to_appointment"] == 14  # of 14, 20 and 6 days
    assert [(x["key"], x["referrals"]) for x in r["by_status"]] == [
        ("proposed", 1),
        ("attended", 2),
        ("no_show", 1),
    ]
    assert rows(r["by_category"], "referrals") == [
        ("Psychosocial centre for refugees", 3),
        ("General medical care", 1),
    ]


def test_it_counts_matches_and_selfhelp_groups_by_hand(program, world):
    s = compute(program, world["grant"])
    m = s["matches"]
    assert {k: m[k] for k in ("proposed", "started", "ended", "active_at_end")} == {
        "proposed": 2,
        "started": 1,
        "ended": 1,
        "active_at_end": 2,
    }
    assert (m["retention_cohort"], m["retained_6m"], m["retention_6m"]) == (2, 1, 0.5)
    assert m["cohort_started_until"] == "2023-10-30"
    assert rows(m["end_reasons"], "matches") == [("Did not start", 1)]
    g = s["selfhelp_groups"]
    assert (g["started"], g["accompanied"], g["contact_points"]) == (1, 2, 2)
    assert (g["follow_up_cohort"], g["still_meeting_12m"], g["rate_12m"]) == (2, 1, 0.5)
    assert rows(g["by_topic"], "groups") == [("Caring relatives", 1), ("Mental health", 1)]


def test_it_states_caseload_and_targets_by_hand(program, world):
    s = compute(program, world["grant"])
    areas = [
        (a["label"], a["sites"], a["residents"], a["staff_fte"], a["residents_per_staff"])
        + (a["status"],)
        for a in s["caseload"]["areas"]
    ]
    assert areas == [
        ("Bezirk Nord", 2, 160, 1.5, 107, "over"),  # 90 + 70 residents, 160 / 1.5
        ("Bezirk West", 1, 30, 0.0, None, "no_staff"),
    ]
    targets = [
        (t["indicator"], t["grant"], t["target"], t["actual"], t["percent"], t["gap_points"])
        + (t["elapsed_percent"],)
        for t in s["targets"]["rows"]
    ]
    assert targets == [
        # 5 activities in the period and 1 in February count towards the year's target.
        ("activities", GRANT, 20, 6, 30, None, 33),
        # A rate is compared in percentage points (50 % against 75 %), never as 50 / 75.
        ("match_retention_6m", "", 75, 50.0, None, -25.0, 33),
    ]


def test_it_takes_every_target_without_a_grant(program, world):
    indicators = [t["indicator"] for t in compute(program, None)["targets"]["rows"]]
    assert indicators == ["activities", "match_retention_6m", "people_reached"]


def test_it_runs_the_same_number_of_queries_for_three_times_the_data(program, other_program, world):
    with CaptureQueriesContext(connection) as once:
        first = compute(program, world["grant"])
    log_work(program, other_program, copy=1)
    log_work(program, other_program, copy=2)
    with CaptureQueriesContext(connection) as thrice:
        tripled = compute(program, world["grant"])
    assert tripled["activities"]["total"] == 3 * first["activities"]["total"]
    assert tripled["people_reached"]["total"] == 3 * first["people_reached"]["total"]
    assert len(thrice.captured_queries) == len(once.captured_queries)


# ---- build_report ------------------------------------------------------------------------


def build(program, output, *, fmt, language="en", grant=GRANT, **options):
    out = io.StringIO()
    arguments = {
        "program": program.slug,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "output": str(output),
        "file_format": fmt,
        "language": language,
        **options,
    }
    if grant:
        arguments["grant"] = grant
    call_command("build_report", stdout=out, **arguments)
    return out.getvalue()


def test_the_json_holds_the_raw_figures(program, world, tmp_path):
    printed = json.loads(build(program, "-", fmt="json"))
    build(program, tmp_path / "kpis.json", fmt="json")
    written = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    assert printed == written
    # First a notice that the figures are raw; then the snapshot and what suppression needs.
    notice = written.pop("notice")
    assert "NOT suppressed" in notice and "internal use only" in notice
    assert written.pop("suppressed") is False
    assert written.pop("disclosure") == {"threshold": 5, "private_sites": []}
    assert written == compute(program, world["grant"])
    assert set(kpis.KPI_GROUPS) <= set(written)
    assert written["grant"] == GRANT
    # Raw: 3 contacts in German and 2 men are not suppressed here.
    assert written["contacts"]["by_language"][-1]["contacts"] == 3
    assert written["people_reached"]["by_gender"][1]["people"] == 2
    assert written["activities"]["by_site"][2]["label"] == "Unterkunft Süd"  # UTF-8, unescaped
    assert "Unterkunft Süd" in (tmp_path / "kpis.json").read_text(encoding="utf-8")


def pdf_text(path, page=None) -> str:
    """The PDF's text laid out as on the page (pypdf's layout mode), one line per row."""
    pages = PdfReader(path).pages
    chosen = [pages[page - 1]] if page else pages
    return "\n".join(p.extract_text(extraction_mode="layout") for p in chosen)


def has_row(text: str, *cells) -> bool:
    """A table row in the layout text: the cells in order on one line."""
    pattern = r"\s+".join(re.escape(str(c)) for c in cells)
    return re.search(rf"^\s*{pattern}\s*$", text, re.MULTILINE) is not None


def test_the_pdf_prints_the_figures_suppressed(program, world, tmp_path):
    path = tmp_path / "report.pdf"
    build(program, path, fmt="pdf")
    text = pdf_text(path)
    # Cover: period and grant.
    assert "Reporting period" in text and "1 March – 30 April 2024" in text
    assert "Grant reference" in text and GRANT in text
    assert "Ministerium für Arbeit" in text
    # Key figures: 5 activities, 25 contacts, 7 people, 3 languages, 3 volunteers, 3.0 h.
    assert re.search(
        r"Activities\s+Contacts\s+People reached\s+5\s+25\s+7\s+"
        r"Languages used\s+Active volunteers\s+Supervision hours\s+3\s+3\s+3\.0",
        text,
    ), text[:3000]
    # Tables: a count of 3 activities is printed; 3 contacts and 2 men are "<5". The one
    # activity with 3 contacts is withheld ("×": 1 activity would bound them), and so are the
    # 5 women of 7 people (they would give the 2 men away) and Süd (else 25 - 14 - 8 = 3).
    assert has_row(text, "Unterkunft Nord", 3, 14)
    assert has_row(text, "April 2024", 3, 5)
    assert has_row(text, FORMULA_SITE, "×", "<5")
    assert has_row(text, "Unterkunft Süd", "×", "×")
    assert has_row(text, "German", "×", "<5")
    assert has_row(text, "German", "<5")
    assert has_row(text, "Female", "×")
    assert has_row(text, "Male", "<5")
    assert has_row(text, "Group session", 2, 20, 150)
    assert has_row(text, "Bezirk Nord", 2, 160, "1.5", 107, 100, "Over target")
    # The raw figures of small cells never reach the PDF.
    assert not has_row(text, "German", 3)
    assert "Median days from referral to appointment" in text
    assert "Key figures" in text and "Method notes" in text


def outline_titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from outline_titles(item)
        else:
            yield item.title


def test_the_pdf_is_tagged_with_outline_language_title_and_page_numbers(program, world, tmp_path):
    path = tmp_path / "report.pdf"
    build(program, path, fmt="pdf")
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).lower().startswith("en")
    assert reader.metadata.title == "in2balance Düsseldorf, 1 March – 30 April 2024"
    titles = list(outline_titles(reader.outline))
    assert "Key figures" in titles and "Activities" in titles and "Method notes" in titles
    total = len(reader.pages)
    assert total > 3
    for number in range(1, total + 1):
        assert f"{number} / {total}" in pdf_text(path, page=number), number


def test_the_german_pdf_prints_german_numbers_and_dates(program, world, tmp_path):
    path = tmp_path / "bericht.pdf"
    build(program, path, fmt="pdf", language="de")
    text = pdf_text(path)
    assert "1. März – 30. April 2024" in text
    assert GRANT in text
    assert has_row(text, "Unterkunft Nord", 3, 14)
    assert re.search(r"\b5,9\b", text)  # hours of activities
    assert re.search(r"\b3,0\b", text)  # supervision hours
    assert str(PdfReader(path).trailer["/Root"]["/Lang"]).lower().startswith("de")


def test_the_xlsx_holds_every_table_with_numbers_and_suppressed_cells(program, world, tmp_path):
    path = tmp_path / "report.xlsx"
    build(program, path, fmt="xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "Key figures",
        "Compared with the previous peri",
        "Measures and milestones",
        "Activities",
        "Contacts",
        "People reached",
        "Languages",
        "Volunteers",
        "Supervision",
        "Referrals",
        "Matches",
        "Self-help groups",
        "Caseload by area",
        "Targets and results",
        "Costs",
        "Data quality",
        "Definitions",
    ]
    overview = {row[0]: row[1] for row in workbook["Key figures"].iter_rows(values_only=True)}
    assert overview["Grant reference"] == GRANT
    assert overview["Reporting period"] == "1 March – 30 April 2024"
    assert (overview["Activities"], overview["Contacts"], overview["People reached"]) == (5, 25, 7)

    sheet = workbook["Activities"]
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert cells["Site"][:2] == ("Activities", "Contacts")  # the header of "by site"
    assert cells["Unterkunft Nord"][:2] == (3, 14)  # numbers, not text
    # The formula-looking site name is text, its 3 contacts are "<5" and its one activity is
    # withheld with them; Süd's figures are withheld so that neither can be recomputed.
    assert cells["'" + FORMULA_SITE][:2] == ("×", "<5")
    assert cells["Unterkunft Süd"][:2] == ("×", "×")
    header = next(c for c in sheet["A"] if c.value == "Kind")
    assert header.font.bold
    assert sheet.freeze_panes == "A2"
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
    people = {r[0]: r[1] for r in workbook["People reached"].iter_rows(values_only=True) if r[0]}
    assert (people["Female"], people["Male"]) == ("×", "<5")
    nord = next(r for r in sheet.iter_rows() if r[0].value == "Unterkunft Nord")
    assert nord[1].data_type == "n" and nord[1].number_format == "#,##0"


def test_the_xlsx_names_sheets_validly_and_its_file():
    used = set()
    assert sheet_title("Referrals: by [service] / status?", used) == "Referrals by service status"
    assert sheet_title("A" * 40, used) == "A" * 31
    assert sheet_title("A" * 40, used) == "A" * 27 + " (2)"
    assert all(len(t) <= 31 for t in used)


def test_the_xlsx_export_is_built_from_the_report(program, world):
    report = Report(
        program=program,
        grant=world["grant"],
        title="=Jahresbericht 2024",
        period_start=START,
        period_end=END,
        language="en",
        version=2,
    )
    content = report_xlsx(report, compute(program, world["grant"]))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook["Key figures"]["A1"].value == "'=Jahresbericht 2024"
    assert workbook.properties.title == "=Jahresbericht 2024"
    assert report_filename(report, "xlsx") == "in2balance-jahresbericht-2024-v2.xlsx"


# ---- build_report: errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"program": "nope"}, "There is no program “nope”."),
        ({"grant": "G-404"}, "has no grant “G-404”"),
        ({"start": "2024-13-01"}, "“2024-13-01” is not a date"),
        ({"end": "30.04.2024"}, "“30.04.2024” is not a date"),
        ({"start": "2024-05-01"}, "The end comes before the start."),
    ],
)
def test_it_refuses_bad_arguments_and_writes_nothing(program, world, tmp_path, options, message):
    arguments = {
        "program": program.slug,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "grant": GRANT,
        "output": str(tmp_path / "report.pdf"),
        **options,
    }
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("build_report", stdout=io.StringIO(), **arguments)
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_an_output_it_cannot_write(program, world, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        build(program, tmp_path / "missing" / "report.pdf", fmt="json")
    with pytest.raises(CommandError, match="is a directory"):
        build(program, tmp_path, fmt="json")
    with pytest.raises(CommandError, match="standard output"):
        build(program, "-", fmt="pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rendering_leaves_the_old_file_and_no_partial_one(
    program, world, tmp_path, monkeypatch
):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"old")

    def broken(report, snapshot):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("reports.pdf.render_report_pdf", broken)
    with pytest.raises(RuntimeError):
        build(program, path, fmt="pdf")
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_its_help_says_the_json_is_not_suppressed():
    parser = BuildReport().create_parser("manage.py", "build_report")
    assert "NOT suppressed" in " ".join(parser.format_help().split())


def test_it_uses_the_programs_language_by_default(program, world, tmp_path):
    path = tmp_path / "kpis.json"
    build(program, path, fmt="json", language=None)
    assert json.loads(path.read_text(encoding="utf-8"))["language"] == "de"


def test_the_no_show_rate_of_fewer_than_five_referrals_is_suppressed(program):
    """Three people missed an appointment and attended the next one: a rate over 3 persons.

    Fails while reports/document.py counts the rate's base as ``attended + no_show``, which
    counts each of these referrals twice (6 >= 5), so the rate "100 %" is printed.
    """
    for day in (5, 6, 7):
        referral = ReferralFactory(
            program=program,
            referred_on=D(2024, 3, day),
            sent_on=D(2024, 3, day),
            appointment_on=D(2024, 3, day + 10),
            status=Referral.Status.ATTENDED,
            consent_to_share=True,
            consent_on=D(2024, 3, day),
        )
        ReferralEvent.objects.create(
            referral=referral, from_status="appointment", to_status="no_show"
        )
        ReferralEvent.objects.create(referral=referral, from_status="no_show", to_status="attended")
    snapshot = compute(program, None)
    assert snapshot["referrals"]["no_show_rate"] == 1.0  # 3 of 3 appointments had a no-show
    section = next(s for s in document.build(snapshot).sections if s.key == "referrals")
    no_show = next(f for f in section.figures if f.label == "No-show rate")
    assert no_show.value == "–*", "a share of 3 persons must be suppressed, and not as a count"
