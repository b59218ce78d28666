"""Every indicator defined once, and defined right, on worked examples counted by hand.

Each test logs a handful of records, says in comments how each counts, and checks the figure
in the KPI snapshot (what the JSON holds), as the report prints it (the preview and the PDF
share that layout) and, where it matters, in the targets table and the XLSX.
"""

import datetime as dt
import io
from datetime import timedelta

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from programs.models import ActivityKind, Target
from referrals.models import Referral
from reports import document, indicators, kpis
from reports.exports import report_xlsx
from reports.indicators import INDICATORS, REGISTRY, Unit
from reports.models import Report
from reports.pdf import report_context
from reports.selectors import targets_progress
from sessions_log.models import Match, SelfHelpGroup
from volunteers.models import Enrollment, Training

from ..factories import (
    ActivityFactory,
    EnrollmentFactory,
    MatchFactory,
    OrganisationFactory,
    ParticipantFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    ServiceProviderFactory,
    SiteFactory,
    TargetFactory,
    TrainingFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 12, 31)
NBSP = "\u00a0"


def compute(program, start=START, end=END, language="en"):
    return kpis.compute(program, start=start, end=end, language=language)


def printed(doc: document.Document, section: str | None = None) -> dict[str, str]:
    """The figures of a section (the key figures without one) as printed, by label."""
    if section is None:
        return {f.label: f.value for f in doc.key_figures}
    found = next(s for s in doc.sections if s.key == section)
    return {f.label: f.value for f in found.figures}


def targets_table(doc: document.Document) -> dict[str, list[str]]:
    table = next(s for s in doc.sections if s.key == "targets").tables[0]
    return {cells[0]: cells[1:] for cells in table.cells}


# ---- the registry ----------------------------------------------------------------------------


def test_every_target_indicator_is_defined_in_the_registry():
    assert set(Target.Indicator.values) <= set(REGISTRY)


def test_every_indicator_finds_its_figures_in_the_snapshot(program):
    snapshot = compute(program)
    for indicator in INDICATORS:
        group = snapshot[indicator.group]
        assert indicator.field in group, indicator.key
        if indicator.unit == Unit.RATE:
            assert indicator.base in group, indicator.key
            assert indicator.denominator, indicator.key
    entries = snapshot["indicators"]
    assert list(entries) == [i.key for i in INDICATORS]
    assert all(e["label"] and e["definition"]["numerator"] for e in entries.values())
    assert set(indicators.DEFAULT_HEADLINE) <= set(REGISTRY)


# ---- 6-month match retention -----------------------------------------------------------------


def match(program, started, ended=None, proposed=None):
    status = Match.Status.ENDED if ended else Match.Status.ACTIVE
    if started is None:
        status = Match.Status.ENDED if ended else Match.Status.PROPOSED
    return MatchFactory(
        program=program,
        status=status,
        proposed_on=proposed or (started or ended) - timedelta(days=10),
        started_on=started,
        ended_on=ended,
        end_reason=Match.EndReason.VOLUNTEER_WITHDREW if ended else "",
    )


def test_the_6_month_retention_counts_every_match_whose_outcome_is_known(program):
    """Report year 2024; a six-month outcome is known for a match started by 30 June 2024 or
    ended before its six months were up. Counted by hand:

    A started 2023-03-01, running            known, reached six months
    B started 2024-02-01, ended 2024-09-15   known, reached (7 months)
    C started 2024-03-01, ended 2024-04-15   known, ended after 1.5 months
    D started 2024-10-01, ended 2024-11-01   known, ended after 1 month (the censored case:
                                             started less than six months before the end)
    E started 2024-09-01, running            not known yet
    F started 2024-11-01, ended 2025-01-15   not known at the end of 2024 (running then)
    G proposed 2024-05-01, never started     no match to count
    H started 2023-01-01, ended 2023-03-01   known, ended after 2 months

    All matches: A, B of A, B, C, D, H = 2 of 5. Started in 2024: B of B, C, D = 1 of 3.
    Fails while D is dropped from the denominator (2 of 4).
    """
    match(program, D(2023, 3, 1))
    match(program, D(2024, 2, 1), D(2024, 9, 15))
    match(program, D(2024, 3, 1), D(2024, 4, 15))
    match(program, D(2024, 10, 1), D(2024, 11, 1))
    match(program, D(2024, 9, 1))
    match(program, D(2024, 11, 1), D(2025, 1, 15))
    match(program, None, proposed=D(2024, 5, 1))
    match(program, D(2023, 1, 1), D(2023, 3, 1))

    m = compute(program)["matches"]
    assert (m["retained_6m"], m["retention_cohort"], m["retention_6m"]) == (2, 5, 0.4)
    assert (m["period_retained_6m"], m["period_cohort"]) == (1, 3)

    raw = printed(document.build(compute(program), suppress=False), "matches")
    assert raw["Matches still running after 6 months"] == f"2 of 5 (40{NBSP}%)"
    assert raw["Matches started in the period still running after 6 months"] == (
        f"1 of 3 (33{NBSP}%)"
    )
    # For the funder, a rate of 2 persons (and one over 3) is withheld as a whole, n included.
    funder = printed(document.build(compute(program)), "matches")
    assert funder["Matches still running after 6 months"] == "–*"


@pytest.fixture
def livet(program):
    """Livet's demo in small: eleven matches that lasted, three that ended within two months
    of starting in the second half of 2024, and two too young to say. 11 of 14 = 79 %, where
    the old count said 11 of 11 = 100 % (127 % of the 79 % target)."""
    program.activity_kinds = ["match_meeting", "group", "info_event"]
    program.save()
    for month in range(1, 12):
        match(program, D(2023, month, 5))  # still running
    for started, days in ((D(2024, 7, 10), 27), (D(2024, 9, 2), 33), (D(2024, 9, 9), 60)):
        match(program, started, started + timedelta(days=days))
    match(program, D(2024, 11, 9))
    match(program, D(2024, 11, 27))
    TargetFactory(program=program, indicator="match_retention_6m", value=79)
    return program


@pytest.mark.parametrize(
    ("language", "rate", "gap"),
    [
        ("en", f"11 of 14 (79{NBSP}%)", "\u22120.4"),
        ("de", f"11 von 14 (79{NBSP}%)", "\u22120,4"),
        ("da", f"11 af 14 (79{NBSP}%)", "\u22120,4"),
    ],
)
def test_the_retention_is_printed_with_its_n_and_compared_in_points(livet, language, rate, gap):
    snapshot = compute(livet, language=language)
    entry = snapshot["indicators"]["match_retention_6m"]
    assert (entry["numerator"], entry["denominator"], entry["value"]) == (11, 14, 0.7857)
    with translation.override(language):
        doc = document.build(snapshot)
        label = entry["label"]
        assert printed(doc, "matches")[label] == rate
        # Target 79 %, achieved 11 of 14, no share of the target, 78.6 - 79 = -0.4 points
        # (the deviation column, the last).
        target, actual, share, _elapsed, points = targets_table(doc)[label][1:]
        assert (target, actual, share, points) == (f"79{NBSP}%".replace(NBSP, " "), rate, "–", gap)
    row = snapshot["targets"]["rows"][0]
    assert (row["actual"], row["percent"], row["gap_points"]) == (78.6, None, -0.4)


def test_the_xlsx_writes_the_rate_with_its_n_and_the_gap_as_a_number(livet):
    report = Report(program=livet, title="2024", period_start=START, period_end=END, language="en")
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, compute(livet))))
    figures = {r[0]: r[1] for r in workbook["Key figures"].iter_rows(values_only=True) if r[0]}
    assert figures["Matches still running after 6 months"] == f"11 of 14 (79{NBSP}%)"
    targets = workbook["Targets and results"]
    row = next(r for r in targets.iter_rows() if str(r[0].value).startswith("Matches still"))
    assert [c.value for c in row[2:5]] == [0.79, f"11 of 14 (79{NBSP}%)", "–"]
    assert row[6].value == -0.4  # the deviation in points, after the period elapsed
    definitions = [r[0] for r in workbook["Definitions"].iter_rows(values_only=True)]
    assert "Matches still running after 6 months" in definitions


# ---- 12-month self-help group rate -----------------------------------------------------------


def group(program, started, status, answer=SelfHelpGroup.FollowUp.UNKNOWN, checked=None, **kw):
    return SelfHelpGroupFactory(
        program=program,
        started_on=started,
        status=status,
        follow_up_still_meeting=answer,
        follow_up_checked_on=checked,
        **kw,
    )


def test_the_12_month_rate_counts_every_group_whose_answer_is_known(program):
    """Report year 2024; twelve months are up for groups started by 31 December 2023.

    G1 started 2023-01-10, "still meeting" recorded 2024-01-20     known, meets
    G2 started 2023-05-01, "no longer meeting" recorded 2024-05-10 known, does not
    G3 started 2024-02-01, "no longer meeting" recorded 2024-08-01 known: ended before 12 months
    G4 started 2024-03-01, status ended, no answer                 known: ended, counts as not
    G5 started 2023-06-01, meets independently, no answer          not known
    G6 started 2024-06-01, accompanied                             not known yet
    G7 started 2023-02-01, "still meeting" recorded 2025-02-15     not recorded by the end

    All groups: G1 of G1-G4 = 1 of 4. Started in 2024: none of G3, G4 = 0 of 2.
    Fails while G3 and G4 are left out and G7's late answer counts (2 of 3).
    """
    Status, FollowUp = SelfHelpGroup.Status, SelfHelpGroup.FollowUp
    group(program, D(2023, 1, 10), Status.INDEPENDENT, FollowUp.YES, D(2024, 1, 20))
    group(program, D(2023, 5, 1), Status.ENDED, FollowUp.NO, D(2024, 5, 10))
    group(program, D(2024, 2, 1), Status.ENDED, FollowUp.NO, D(2024, 8, 1))
    group(program, D(2024, 3, 1), Status.ENDED)
    group(program, D(2023, 6, 1), Status.INDEPENDENT)
    group(program, D(2024, 6, 1), Status.ACCOMPANIED)
    group(program, D(2023, 2, 1), Status.INDEPENDENT, FollowUp.YES, D(2025, 2, 15))

    g = compute(program)["selfhelp_groups"]
    assert (g["still_meeting_12m"], g["follow_up_cohort"], g["rate_12m"]) == (1, 4, 0.25)
    assert (g["period_still_meeting_12m"], g["period_follow_up_cohort"]) == (0, 2)
    # Groups are not persons: printed in full for the funder too.
    figures = printed(document.build(compute(program)), "selfhelp_groups")
    assert figures["Groups meeting on their own after 12 months"] == f"1 of 4 (25{NBSP}%)"
    assert figures["Groups started in the period meeting on their own after 12 months"] == (
        f"0 of 2 (0{NBSP}%)"
    )


# ---- trained ---------------------------------------------------------------------------------


def completed(volunteer, training, on, status=Enrollment.Status.COMPLETED):
    return EnrollmentFactory(
        training=training,
        volunteer=volunteer,
        enrolled_on=training.starts_on,
        status=status,
        completed_on=on if status == Enrollment.Status.COMPLETED else None,
    )


@pytest.fixture
def vbc(program):
    """Value Based Counseling in small: the qualification is an intensive phase and a
    supervised practice; a refresher and an information evening do not qualify.

    V1 intensive 2024-03-31, practice 2024-12-20          trained in 2024
    V2 intensive 2024-03-31, dropped out of the practice  not trained
    V3 intensive 2023-12-15, practice 2024-09-10          trained in 2024 (not in 2023)
    V4 intensive 2024-06-30, practice still running       not trained
    V5 only a refresher, 2024-05-01                       not trained
    V6 intensive 2024-03-31, practice 2025-01-20          trained in 2025
    V7 only the information evening, 2024-02-01           not trained

    2024: V1 and V3 = 2 (the old count, anyone who completed anything in 2024: 6).
    2023: none. 2023-2025: V1, V3, V6 = 3, each once.
    """
    program.activity_kinds = ["awareness_talk", "counselling"]
    program.save()

    def training(kind, starts, ends, qualifying=True):
        return TrainingFactory(
            program=program, kind=kind, starts_on=starts, ends_on=ends, qualifying=qualifying
        )

    Kind = Training.Kind
    intensive_23 = training(Kind.INTENSIVE, D(2023, 9, 1), D(2023, 12, 15))
    practice_23 = training(Kind.SUPERVISED_PRACTICE, D(2023, 12, 16), D(2024, 9, 10))
    intensive = training(Kind.INTENSIVE, D(2024, 1, 2), D(2024, 6, 30))
    practice = training(Kind.SUPERVISED_PRACTICE, D(2024, 4, 1), D(2025, 1, 20))
    refresher = training(Kind.REFRESHER, D(2024, 5, 1), D(2024, 5, 1))
    evening = training(Kind.BASIC, D(2024, 2, 1), D(2024, 2, 1), qualifying=False)
    v = [VolunteerFactory(program=program) for _ in range(7)]
    completed(v[0], intensive, D(2024, 3, 31))
    completed(v[0], practice, D(2024, 12, 20))
    completed(v[1], intensive, D(2024, 3, 31))
    completed(v[1], practice, None, Enrollment.Status.DROPPED)
    completed(v[2], intensive_23, D(2023, 12, 15))
    completed(v[2], practice_23, D(2024, 9, 10))
    completed(v[3], intensive, D(2024, 6, 30))
    completed(v[3], practice, None, Enrollment.Status.ENROLLED)
    completed(v[4], refresher, D(2024, 5, 1))
    completed(v[5], intensive, D(2024, 3, 31))
    completed(v[5], practice, D(2025, 1, 20))
    completed(v[6], evening, D(2024, 2, 1))
    return program


def test_trained_counts_who_completed_the_whole_qualification_once(vbc):
    assert compute(vbc)["volunteers"]["trained"] == 2
    assert compute(vbc, D(2023, 1, 1), D(2023, 12, 31))["volunteers"]["trained"] == 0
    assert compute(vbc, D(2025, 1, 1), D(2025, 12, 31))["volunteers"]["trained"] == 1
    assert compute(vbc, D(2023, 1, 1), D(2025, 12, 31))["volunteers"]["trained"] == 3


def test_a_trained_target_counts_the_same(vbc):
    target = TargetFactory(
        program=vbc, indicator="volunteers_trained", value=16, starts_on=D(2023, 1, 1),
        ends_on=D(2025, 12, 31),
    )  # fmt: skip
    progress = targets_progress(vbc, D(2025, 12, 31), targets=[target])[0]
    assert progress.actual == 3
    assert progress.label == "Volunteers trained"


def test_trained_is_not_recorded_without_a_qualifying_training(program):
    TrainingFactory(program=program, kind=Training.Kind.REFRESHER)
    TrainingFactory(program=program, kind=Training.Kind.BASIC, qualifying=False)
    figures = printed(document.build(compute(program)), "volunteers")
    assert figures["Volunteers trained"] == "Not recorded"


def test_employed_counsellors_are_not_recorded_where_no_volunteer_has_an_employer(program):
    VolunteerFactory(program=program)
    figures = printed(document.build(compute(program)), "volunteers")
    assert figures["Employed counsellors"] == "Not recorded"
    VolunteerFactory(
        program=program,
        employed_by=OrganisationFactory(),
        employed_since=D(2024, 1, 1),
    )
    figures = printed(document.build(compute(program)), "volunteers")
    assert figures["Employed counsellors"] == "1"


# ---- what a program records ------------------------------------------------------------------


@pytest.fixture
def igs(program):
    """In-Gang-Setzer in small: self-help meetings and information events, no named people.

    Contact points (kind contact point) and what happened at them in 2024:
    K1 Bonn:  an information event, and group A accompanied    counts
    K2 Essen: an information event                              counts
    K3 Essen: group B accompanied                               counts
    K4 Bonn:  an event in 2023 and group C accompanied in 2023  does not
    and a shelter with an information event, which is no contact point.
    Contact points: 3, in 2 cities; the old self-help count had 2 (K1, K3).
    """
    program.activity_kinds = ["selfhelp_meeting", "info_event"]
    program.save()
    k1, k2, k3, k4 = (
        SiteFactory(program=program, kind="contact_point", city=city, name=f"KS {city} {n}")
        for n, city in enumerate(("Bonn", "Essen", "Essen", "Bonn"))
    )
    shelter = SiteFactory(program=program, kind="shelter", city="Köln")
    for site, day in ((k1, D(2024, 3, 5)), (k2, D(2024, 6, 5)), (k4, D(2023, 6, 5))):
        ActivityFactory(program=program, kind=ActivityKind.INFO_EVENT, site=site, date=day)
    ActivityFactory(program=program, kind=ActivityKind.INFO_EVENT, site=shelter)
    Status = SelfHelpGroup.Status
    for site, started, ends in ((k1, D(2024, 2, 1), None), (k3, D(2023, 11, 1), D(2024, 4, 1))):
        group(program, started, Status.ACCOMPANIED, contact_point=site, accompaniment_ends_on=ends)
    group(
        program, D(2023, 1, 1), Status.INDEPENDENT, contact_point=k4,
        accompaniment_ends_on=D(2023, 6, 1),
    )  # fmt: skip
    TargetFactory(program=program, indicator="people_reached", value=100)
    return program


def test_contact_points_count_the_same_in_every_section(igs):
    s = compute(igs)
    assert (s["selfhelp_groups"]["contact_points"], s["selfhelp_groups"]["cities"]) == (3, 2)
    igs.headline_indicators = ["contact_points", "contact_point_cities"]
    igs.save()
    doc = document.build(compute(igs))
    assert printed(doc) == {"Contact points": "3", "Cities and districts": "2"}
    assert printed(doc, "selfhelp_groups")["Contact points"] == "3"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Not recorded"), ("de", "Nicht erfasst"), ("da", "Ikke registreret")],
)
def test_people_reached_is_not_recorded_where_no_people_are_logged(igs, language, text):
    snapshot = compute(igs, language=language)
    entry = snapshot["indicators"]["people_reached"]
    assert (entry["recorded"], entry["value"]) == (False, None)
    with translation.override(language):
        doc = document.build(snapshot)
    label = entry["label"]
    assert printed(doc)[label] == text
    people = next(s for s in doc.sections if s.key == "people_reached")
    assert [f.value for f in people.figures] == [text]
    assert people.tables == [] and people.charts == []
    assert targets_table(doc)[label][2] == text


def test_people_reached_is_0_where_people_are_logged_but_none_came(program):
    assert printed(document.build(compute(program)))["People reached"] == "0"


def test_each_program_figure_is_counted_by_hand(program):
    """One program that counsels, visits, works in shelters and takes referrals, in 2024.

    P1 counselled twice in 2024 (Arabic, then Dari)    counselled
    P2 counselled in 2023 only                         not counselled in 2024
    P3 first visit 2024-02-01; aftercare until 2025-06-30   intake; in aftercare at the end
    P4 visited 2023 and 2024; aftercare until 2024-08-31    no intake; aftercare ended in 2024
    P5 first visit 2025-01-10                          not yet
    Shelters reached: shelter S1 and transition home T1 had activities in 2024, S2 only in
    2023, the office is no shelter: 2. Counselling languages: Arabic and Dari (the Tigrinya
    session was an awareness talk): 2. Referral sources: two partners referred three people.
    """
    program.activity_kinds = ["counselling", "visit", "awareness_talk"]
    program.save()
    s1, s2 = SiteFactory(program=program), SiteFactory(program=program)
    t1 = SiteFactory(program=program, kind="transition_home")
    office = SiteFactory(program=program, kind="office")
    p1, p2, p3, p4, p5 = (ParticipantFactory(program=program) for _ in range(5))
    p3.aftercare_until, p4.aftercare_until = D(2025, 6, 30), D(2024, 8, 31)
    p3.save()
    p4.save()

    def log(kind, day, site, people, language="ar"):
        activity = ActivityFactory(program=program, kind=kind, date=day, site=site)
        activity.participants.set(people)
        activity.languages.set([language])

    Kind = ActivityKind
    log(Kind.COUNSELLING, D(2024, 3, 1), office, [p1])
    log(Kind.COUNSELLING, D(2024, 5, 1), office, [p1], "prs")
    log(Kind.COUNSELLING, D(2023, 5, 1), s1, [p2], "fa")
    log(Kind.AWARENESS_TALK, D(2024, 4, 1), s1, [], "ti")
    log(Kind.VISIT, D(2024, 2, 1), t1, [p3])
    log(Kind.VISIT, D(2023, 10, 1), s2, [p4])
    log(Kind.VISIT, D(2024, 3, 1), office, [p4])
    log(Kind.VISIT, D(2025, 1, 10), s1, [p5])
    psychiatry, clinic = (ServiceProviderFactory(program=program) for _ in range(2))
    for provider, person in ((psychiatry, p1), (psychiatry, p2), (clinic, p3)):
        ReferralFactory(
            program=program,
            provider=provider,
            participant=person,
            direction=Referral.Direction.INBOUND,
            referred_on=D(2024, 6, 1),
        )

    entries = compute(program)["indicators"]
    values = {key: entries[key]["value"] for key in entries}
    assert {
        k: values[k]
        for k in (
            "people_counselled",
            "counselling_languages",
            "intakes",
            "aftercare_at_end",
            "aftercare_ended",
            "shelters_reached",
            "referrals_inbound",
            "referral_sources",
        )
    } == {
        "people_counselled": 1,
        "counselling_languages": 2,
        "intakes": 1,
        "aftercare_at_end": 1,
        "aftercare_ended": 1,
        "shelters_reached": 2,
        "referrals_inbound": 3,
        "referral_sources": 2,
    }


# ---- the cover and the annex -----------------------------------------------------------------


def test_the_program_chooses_its_key_figures_from_the_registry(program):
    default = printed(document.build(compute(program)))
    assert list(default) == [
        "Activities",
        "Contacts",
        "People reached",
        "Languages used",
        "Active volunteers",
        "Supervision hours",
    ]
    program.headline_indicators = ["people_counselled", "no_such_figure", "counselling_languages"]
    program.activity_kinds = ["counselling"]
    program.save()
    snapshot = compute(program)
    assert snapshot["headline"] == ["people_counselled", "counselling_languages"]
    assert list(printed(document.build(snapshot))) == ["People counselled", "Counselling languages"]


def test_the_report_ends_with_the_definitions_in_its_language(livet):
    snapshot = compute(livet, language="de")
    report = Report(program=livet, title="2024", period_start=START, period_end=END, language="de")
    with translation.override("de"):
        doc = document.build(snapshot)
        html = render_to_string("reports/_report_body.html", report_context(report, snapshot))
    labels = [d.label for d in doc.definitions]
    # Every figure printed, once, in the order of the registry; the annex comes last.
    assert labels[:2] == ["Aktivitäten", "Stunden der Aktivitäten"]
    assert len(labels) == len(set(labels))
    retention = next(d for d in doc.definitions if d.key == "match_retention_6m")
    assert retention.label == "Tandems, die nach 6 Monaten noch bestehen"
    assert "sechs Monate" in retention.denominator
    assert html.rstrip().endswith("</section>")
    assert html.rfind('id="definitions"') > html.rfind('id="method"')
    assert "Definitionen der Kennzahlen" in html and retention.denominator in html


def test_a_snapshot_stored_before_the_indicators_still_prints(livet):
    """Published snapshots keep their figures; the labels then come from the registry."""
    snapshot = compute(livet)
    stored = {k: v for k, v in snapshot.items() if k not in ("indicators", "headline")}
    doc = document.build(stored)
    assert printed(doc)["Activities"] == "0"
    assert printed(doc, "matches")["Matches still running after 6 months"] == (
        f"11 of 14 (79{NBSP}%)"
    )
