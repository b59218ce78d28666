"""The Sachbericht parts of a funder report, checked on small examples counted by hand.

Plan versus actual with the reason for a target behind plan (asked for before publishing), the
key figures beside those of the previous period, costs, measures and milestones, the narrative
from a file on the command line, and the data-quality counts.

The world: a program running since 2023, reported for the first half of 2024 (182 days of a
366-day year, so 50 % of a year's target period is gone at the end of June) on a grant of
12,000 EUR for 2024. One group session in February reached 28 people; the grant's target is
600 people, so 28 of 600 (5 %) with 50 % of the time gone is 45 points behind plan.
"""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from programs.models import ActivityKind, Language
from reports import document, kpis, services
from reports.document import Kind
from reports.exports import report_xlsx
from reports.forms import ReportForm
from reports.models import Report
from reports.narrative import parse_milestones, reasons_by_target
from sessions_log.models import Match, SelfHelpGroup
from sessions_log.quality import data_quality
from volunteers.models import Enrollment

from ..factories import (
    ActivityFactory,
    EnrollmentFactory,
    GrantFactory,
    MatchFactory,
    OrganisationFactory,
    OutcomeMeasureFactory,
    ParticipantFactory,
    SelfHelpGroupFactory,
    SupervisionSessionFactory,
    TargetFactory,
    TrainingFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 6, 30)
GRANT = "AMIF-2024-MV-975"
REASON = "Counselling started only after the intensive phase."
Status = Report.Status


def lang(code):
    return Language.objects.get(code=code)


def log_world(program, *, copy: int = 0) -> dict:
    """The hand-counted program; ``copy`` > 0 logs the same work again (for query counts)."""
    employer = OrganisationFactory()
    v1 = VolunteerFactory(program=program, joined_on=D(2023, 1, 10))
    v2 = VolunteerFactory(program=program, joined_on=D(2023, 1, 10))
    paid = VolunteerFactory(
        program=program, employed_by=employer, employed_since=D(2023, 6, 1)
    )  # employed before the period: paid, no in-kind hours
    late = VolunteerFactory(
        program=program, employed_by=employer, employed_since=D(2024, 6, 1)
    )  # employed only from June: unpaid in February

    # The previous period (July–December 2023): 2 activities, 22 contacts, 3 people, 1 language.
    before = ActivityFactory(
        program=program,
        date=D(2023, 9, 1),
        minutes=60,
        attendees_total=10,
        attendees_women=5,
        attendees_men=0,
    )
    before.languages.set([lang("ar")])
    before.facilitators.set([v1])
    before.participants.set([ParticipantFactory(program=program) for _ in range(3)])
    ActivityFactory(
        program=program,
        date=D(2023, 10, 1),
        minutes=60,
        attendees_total=12,
        attendees_women=5,
        attendees_men=0,
    )

    # The period: 2 activities (90 + 150 minutes = 4 hours), 38 contacts, 28 people.
    people = [ParticipantFactory(program=program) for _ in range(28)]
    first = ActivityFactory(
        program=program,
        date=D(2024, 2, 1),
        minutes=90,
        attendees_total=30,
        attendees_women=15,
        attendees_men=0,
    )
    first.languages.set([lang("ar")])
    first.facilitators.set([v1, v2, late])  # 3 × 90 unpaid minutes
    first.participants.set(people)
    second = ActivityFactory(
        program=program,
        date=D(2024, 3, 1),
        minutes=150,
        attendees_total=8,
        attendees_women=4,
        attendees_men=0,
    )
    second.languages.set([lang("de")])
    second.facilitators.set([v1, paid])  # 150 unpaid minutes
    session = SupervisionSessionFactory(program=program, date=D(2024, 4, 10), minutes=60)
    session.attendees.set([v1, paid])  # 60 unpaid minutes

    # A training held in the period: 3 enrolled, 2 completed within the period, 1 in July.
    training = TrainingFactory(
        program=program,
        title=f"Basic course{copy or ''}",
        starts_on=D(2024, 5, 1),
        ends_on=D(2024, 7, 15),
    )
    for volunteer, completed in ((v1, D(2024, 6, 20)), (v2, D(2024, 6, 30)), (late, None)):
        EnrollmentFactory(
            training=training,
            volunteer=volunteer,
            enrolled_on=D(2024, 5, 1),
            status=Enrollment.Status.COMPLETED if completed else Enrollment.Status.ENROLLED,
            completed_on=completed,
        )
    TrainingFactory(program=program, starts_on=D(2023, 3, 1), ends_on=D(2023, 4, 1))  # before

    grant = GrantFactory(
        program=program,
        reference=f"{GRANT}{copy or ''}",
        amount=12000,
        starts_on=D(2024, 1, 1),
        ends_on=D(2024, 12, 31),
    )
    year = {"starts_on": D(2024, 1, 1), "ends_on": D(2024, 12, 31)}
    people_target = TargetFactory(
        program=program, grant=grant, indicator="people_reached", value=600, **year
    )
    # 2 of 4 activities (50 %) with 50 % of the year gone: on plan.
    TargetFactory(program=program, grant=grant, indicator="activities", value=4, **year)
    return {"grant": grant, "people_target": people_target}


@pytest.fixture
def world(program):
    program.starts_on = D(2023, 1, 1)
    program.save()
    return log_world(program)


def compute(program, grant, language="en"):
    return kpis.compute(program, start=START, end=END, grant=grant, language=language)


def make_report(program, world, **fields) -> Report:
    return Report.objects.create(
        program=program,
        grant=world["grant"],
        title="Sachbericht 1. Halbjahr 2024",
        period_start=START,
        period_end=END,
        language="en",
        **fields,
    )


def section(doc, key):
    return next((s for s in doc.sections if s.key == key), None)


def cells(table):
    return {row[0]: row[1:] for row in table.cells}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---- plan versus actual -------------------------------------------------------------------


def test_28_of_600_people_with_half_the_year_gone_is_45_points_behind(program, world):
    rows = {r["indicator"]: r for r in compute(program, world["grant"])["targets"]["rows"]}
    people, activities = rows["people_reached"], rows["activities"]
    # 28 / 600 = 4.7 % → 5 %; 182 of 366 days → 50 %; 5 − 50 = −45 points.
    assert (people["actual"], people["percent"], people["elapsed_percent"]) == (28, 5, 50)
    assert (people["deviation"], people["behind"]) == (-45, True)
    # 2 of 4 activities = 50 % with 50 % gone: no deviation.
    assert (activities["deviation"], activities["behind"]) == (0, False)


def test_the_targets_table_prints_the_deviation_and_asks_for_the_reason(program, world):
    report = make_report(program, world)
    snapshot = compute(program, world["grant"])
    targets = section(document.build(snapshot, report=report), "targets")
    table = targets.tables[0]
    assert [c.label for c in table.columns][-3:] == [
        "Achieved (%)",
        "Period elapsed (%)",
        "Deviation (points)",
    ]
    assert cells(table)["People reached"][-3:] == ["5 %", "50 %", "−45"]
    assert cells(table)["Activities"][-1] == "±0"
    # The draft shows the gap where the reason belongs; the margin is in the note.
    (listing,) = targets.lists
    assert listing.items == [
        ("People reached, 1 January – 31 December 2024: −45 points", "No reason given yet.")
    ]
    assert "more than 10 points behind" in targets.note

    report.target_reasons = {str(world["people_target"].pk): REASON}
    targets = section(document.build(snapshot, report=report), "targets")
    assert targets.lists[0].items[0][1] == REASON


def test_the_margin_is_the_programs(program, world):
    program.target_margin_points = 50
    program.save()
    rows = compute(program, world["grant"])["targets"]["rows"]
    assert not any(row["behind"] for row in rows)
    assert compute(program, world["grant"])["targets"]["margin"] == 50


def test_a_rate_target_deviates_by_the_gap_between_rates():
    group = {
        "rows": [
            # 50 % retention against a target of 75 %: 25 points behind, whatever time is gone.
            {"indicator": "match_retention_6m", "target": 75, "actual": 50.0, "percent": 67,
             "elapsed_percent": 33},
            # Exactly the margin behind: no reason needed.
            {"indicator": "activities", "target": 10, "actual": 4, "percent": 40,
             "elapsed_percent": 50},
            {"indicator": "match_retention_6m", "target": 75, "actual": None, "percent": None,
             "elapsed_percent": 33},
        ]
    }  # fmt: skip
    rows = kpis._plan_versus_actual(group, margin=10)["rows"]
    assert [(r["deviation"], r["behind"]) for r in rows] == [
        (-25.0, True),
        (-10, False),
        (None, False),
    ]


def test_a_withheld_target_withholds_its_deviation_and_the_reason_names_no_points(program, world):
    report = make_report(program, world)
    snapshot = compute(program, world["grant"])
    # Say 3 people were reached: "<5" in the section, so in the targets table the achieved
    # figure, its share and its deviation (3 of 600 against 50 % of the time) are withheld.
    snapshot["people_reached"]["total"] = 3
    snapshot["indicators"]["people_reached"]["value"] = 3
    targets = section(document.build(snapshot, report=report), "targets")
    assert cells(targets.tables[0])["People reached"][-4:] == ["<5", "–*", "50 %", "–*"]
    assert targets.lists[0].items == [
        ("People reached, 1 January – 31 December 2024", "No reason given yet.")
    ]
    internal = section(document.build(snapshot, suppress=False, report=report), "targets")
    assert cells(internal.tables[0])["People reached"][-1] == "−45"


def test_publishing_asks_for_the_reason_and_the_pdf_prints_it(
    program, world, alice, login, django_capture_on_commit_callbacks
):
    report = make_report(program, world, created_by=alice)
    client = login(alice)
    detail = reverse("report_detail", args=[program.slug, report.pk])
    # The draft's page says so before anything is generated.
    page = client.get(detail).text
    assert "further behind plan than the program" in page and "Give the reasons" in page

    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_generation(report=report, by=alice)
    report.refresh_from_db()
    assert report.status == Status.GENERATED
    with pytest.raises(ValidationError) as refused:
        services.report_publish(report=report, by=alice)
    assert refused.value.code == services.REASONS_MISSING

    # Through the page: refused with a clear message, then the form for the reason.
    response = client.post(reverse("report_publish", args=[program.slug, report.pk]))
    edit = reverse("report_edit", args=[program.slug, report.pk])
    assert response.url == f"{edit}#reasons"
    page = client.get(response.url).text
    assert "give the reason why this target is more than 10 percentage points behind" in page
    assert "People reached" in page
    field = f"reason_{world['people_target'].pk}"
    assert f'name="{field}"' in page
    report.refresh_from_db()
    assert report.status == Status.GENERATED  # nothing published

    data = {
        "title": report.title,
        "grant": report.grant.pk,
        "period_start": "2024-01-01",
        "period_end": "2024-06-30",
        "language": "en",
        field: REASON,
    }
    response = client.post(edit, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.target_reasons == {str(world["people_target"].pk): REASON}
    assert report.status == Status.DRAFT  # the PDF goes: it must print the reason

    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_generation(report=report, by=alice)
    report.refresh_from_db()
    report = services.report_publish(report=report, by=alice)
    assert report.status == Status.PUBLISHED
    text = " ".join(pdf_text(report.pdf.read()).split())
    assert "Reasons for deviations" in text
    assert f"People reached, 1 January – 31 December 2024: −45 points {REASON}" in text


def test_a_new_version_keeps_the_written_parts(program, world, alice):
    report = make_report(
        program,
        world,
        measures="Two courses.",
        milestones="2024-05-01 – Course starts",
        target_reasons={"1": REASON},
        status=Status.PUBLISHED,
        pdf="reports/x.pdf",
        checksum="0" * 64,
        generated_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
        published_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
    )
    copy = services.report_new_version(report=report, by=alice)
    assert (copy.measures, copy.milestones, copy.target_reasons) == (
        "Two courses.",
        "2024-05-01 – Course starts",
        {"1": REASON},
    )


# ---- the previous period ------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, previous",
    [
        (D(2025, 1, 1), D(2025, 12, 31), (D(2024, 1, 1), D(2024, 12, 31))),
        (D(2024, 1, 1), D(2024, 6, 30), (D(2023, 7, 1), D(2023, 12, 31))),
        (D(2024, 3, 1), D(2024, 4, 30), (D(2024, 1, 1), D(2024, 2, 29))),
        (D(2024, 3, 10), D(2024, 3, 19), (D(2024, 2, 29), D(2024, 3, 9))),  # ten days
    ],
)
def test_the_previous_period_has_the_same_length(start, end, previous):
    period = kpis.previous_period(start, end)
    assert (period.start, period.end) == previous


def test_the_key_figures_stand_beside_the_previous_periods(program, world):
    snapshot = compute(program, world["grant"])
    before = snapshot["previous"]
    assert (before["start"], before["end"]) == ("2023-07-01", "2023-12-31")
    figures = before["figures"]
    assert (figures["activities"]["total"], figures["contacts"]["total"]) == (2, 22)
    assert (figures["people_reached"]["total"], figures["languages"]["total"]) == (3, 1)
    assert figures["volunteers"]["active"] == 1

    comparison = section(document.build(snapshot), "comparison")
    table = comparison.tables[0]
    assert [c.label for c in table.columns] == [
        "Key figure",
        "This period",
        "Previous period (1 July – 31 December 2023)",
        "Change",
        "Change (%)",
    ]
    assert cells(table) == {
        "Activities": ["2", "2", "0", "–"],  # a base under 5: no per cent
        "Contacts": ["38", "22", "+16", "+73 %"],  # 16 / 22
        # 3 people are a small cell: the change would give them away.
        "People reached": ["28", "<5", "–*", "–*"],
        "Languages used": ["2", "1", "+1", "–"],
        "Active volunteers": ["4", "1", "+3", "–"],
        "Supervision hours": ["1.0", "0.0", "+1.0", "–"],
    }
    # Unsuppressed (internal) the figures are exact.
    internal = cells(section(document.build(snapshot, suppress=False), "comparison").tables[0])
    assert internal["People reached"] == ["28", "3", "+25", "–"]


def test_the_previous_figures_are_those_of_a_report_over_that_period(program, world):
    """The previous period is computed without its breakdowns, to the same single figures."""
    for volunteer in program.volunteers.all():
        volunteer.languages.add(lang("ar"), lang("fa"))
    figures = compute(program, world["grant"])["previous"]["figures"]
    before = kpis.previous_period(START, END)
    full = kpis.compute(program, start=before.start, end=before.end, language="en")
    assert figures == {name: kpis._scalars(full[name]) for name in figures}
    assert figures["languages"]["total"] == 1
    assert figures["volunteers"]["languages_total"] == len(full["volunteers"]["languages"]) == 2


def test_the_comparison_lists_the_programs_key_figures(program, world):
    program.headline_indicators = ["contacts", "volunteers_active"]
    program.helper_term = "lay_helpers"
    program.save()
    table = section(document.build(compute(program, world["grant"])), "comparison").tables[0]
    assert cells(table) == {
        "Contacts": ["38", "22", "+16", "+73 %"],
        "Active lay helpers": ["4", "1", "+3", "–"],
    }


@pytest.mark.parametrize(
    "current, previous, kind, printed",
    [
        (6, 5, Kind.COUNT, ["+1", "+20 %"]),
        (4, 5, Kind.COUNT, ["−1", "−20 %"]),
        (12, 10, Kind.PERSONS, ["+2", "+20 %"]),
        (4, 10, Kind.PERSONS, ["–*", "–*"]),
        (10, 0, Kind.PERSONS, ["+10", "–"]),
        (None, 10, Kind.COUNT, ["–", "–"]),
    ],
)
def test_a_change_is_withheld_where_it_rests_on_a_small_cell(current, previous, kind, printed):
    assert document._change_cells(current, previous, kind, suppress=True)[1] == printed


def test_no_previous_period_before_the_program_started(program, world):
    program.starts_on = D(2024, 1, 1)
    program.save()
    snapshot = compute(program, world["grant"])
    assert snapshot["previous"]["figures"] is None
    table = section(document.build(snapshot), "comparison").tables[0]
    assert table.cells == []
    assert table.empty == (
        "The program had not started in the previous period (1 July – 31 December 2023)."
    )


def test_the_sachbericht_adds_a_fixed_number_of_queries(program, world):
    with CaptureQueriesContext(connection) as previous:
        kpis._previous(program, kpis.Period(START, END))
    period = kpis.Period(START, END)
    with CaptureQueriesContext(connection) as added:
        kpis._trainings(program, period)
        kpis._volunteer_minutes(program, period)
        kpis._data_quality(program, period)
    with CaptureQueriesContext(connection) as once:
        compute(program, world["grant"])
    log_world(program, copy=1)
    log_world(program, copy=2)
    with CaptureQueriesContext(connection) as thrice:
        tripled = compute(program, world["grant"])
    with CaptureQueriesContext(connection) as previous_thrice:
        kpis._previous(program, kpis.Period(START, END))
    assert tripled["previous"]["figures"]["activities"]["total"] == 6
    # The previous period runs every group holding an indicator again (a fixed handful each,
    # with the places, the people counselled and the counselling languages: 31 queries on
    # SQLite, 29 on PostgreSQL), the trainings 1 query, the volunteer hours 2 and the
    # data-quality checks 4.
    assert len(previous.captured_queries) <= 31
    assert len(previous_thrice.captured_queries) == len(previous.captured_queries)
    assert len(added.captured_queries) == 7
    assert len(thrice.captured_queries) == len(once.captured_queries)


# ---- costs --------------------------------------------------------------------------------


def test_the_costs_by_hand(program, world):
    costs = compute(program, world["grant"])["costs"]
    assert costs == {
        "currency": "EUR",
        "amount": 12000.0,
        "grant_start": "2024-01-01",
        "grant_end": "2024-12-31",
        "period_share": 0.4973,  # 182 of 366 days
        "amount_for_period": 5967.21,  # 12,000 × 182 / 366
        "within_grant": True,
        "people_reached": 28,
        "activity_hours": 4.0,  # 90 + 150 minutes
        "cost_per_person": 213.11,  # 5,967.21 / 28
        "cost_per_activity_hour": 1491.8,  # 5,967.21 / 4
        # 3 × 90 minutes (February, the late employee still unpaid) + 150 (the paid counsellor
        # not counted) + 60 minutes of supervision = 480 minutes.
        "volunteer_hours": 8.0,
        "volunteer_hour_rate": 15.0,  # the default for euros
        "in_kind_value": 120.0,
    }


def test_the_costs_section_prints_them_in_the_grants_currency(program, world):
    program.volunteer_hour_rate = 20
    program.save()
    costs = section(document.build(compute(program, world["grant"])), "costs")
    figures = {f.label: f.value for f in costs.figures}
    assert figures == {
        "Grant amount (EUR)": "12,000",
        "Grant period": "1 January – 31 December 2024",
        "Share of the grant period in this report": "50 %",
        "Grant funds for this period, pro rata (EUR)": "5,967.21",
        "People reached": "28",
        "Cost per person reached (EUR)": "213.11",
        "Hours of activities": "4.0",
        "Cost per hour of activity (EUR)": "1,491.80",
        "Hours given by volunteers": "8.0",
        "Value of a volunteer hour (EUR)": "20",
        "Volunteer hours as in-kind contribution (EUR)": "160",
    }


def test_a_currency_without_a_rate_leaves_the_hours_unvalued(program, world):
    grant = world["grant"]
    grant.currency = "DKK"
    grant.save()
    costs = section(document.build(compute(program, grant)), "costs")
    labels = [f.label for f in costs.figures]
    assert "Hours given by volunteers" in labels
    assert not any("in-kind" in label for label in labels)
    assert "No value of a volunteer hour in DKK is set for the program" in costs.note


def test_costs_per_person_only_within_the_grant_period(program, world):
    grant = world["grant"]
    grant.starts_on = D(2024, 3, 1)
    grant.save()
    costs = compute(program, grant)["costs"]
    assert (costs["within_grant"], costs["cost_per_person"]) == (False, None)
    printed = section(document.build(compute(program, grant)), "costs")
    assert "extends beyond the grant period" in printed.note


def test_a_cost_per_person_over_a_small_cell_is_withheld(program, world):
    snapshot = compute(program, world["grant"])
    snapshot["costs"]["people_reached"] = 3
    figures = {f.label: f.value for f in section(document.build(snapshot), "costs").figures}
    assert figures["Cost per person reached (EUR)"] == "–*"


def test_no_costs_without_a_grant(program, world):
    snapshot = compute(program, None)
    assert snapshot["costs"] is None
    assert section(document.build(snapshot), "costs") is None


# ---- measures and milestones --------------------------------------------------------------


def test_milestones_are_read_one_a_line_earliest_first():
    text = "15.03.2024: Second shelter\n\n2024-01-20 – Start of the first course\n"
    assert parse_milestones(text) == [
        (D(2024, 1, 20), "Start of the first course"),
        (D(2024, 3, 15), "Second shelter"),
    ]
    with pytest.raises(ValueError, match="Line 2: start with a date"):
        parse_milestones("2024-01-20 – Start\nSometime in spring – a party")
    with pytest.raises(ValueError, match="Line 1"):
        parse_milestones("2024-02-30 – No such day")


def test_the_form_refuses_a_milestone_without_a_date(program, world):
    form = ReportForm(
        {
            "title": "Report",
            "period_start": "2024-01-01",
            "period_end": "2024-06-30",
            "language": "en",
            "milestones": "Summer party",
        },
        program=program,
    )
    assert not form.is_valid()
    assert "Line 1: start with a date" in form.errors["milestones"][0]


def test_measures_milestones_and_the_trainings_of_the_period(program, world):
    report = make_report(
        program,
        world,
        measures="Weekly groups in two shelters.",
        milestones="2024-05-01 – First course starts\n2024-02-01 – Groups start",
    )
    snapshot = compute(program, world["grant"])
    assert snapshot["trainings"]["rows"] == [
        {
            "key": snapshot["trainings"]["rows"][0]["key"],
            "label": "Basic course",
            "kind": "Basic training",
            "starts_on": "2024-05-01",
            "ends_on": "2024-07-15",
            "planned_hours": 24.0,
            "enrolled": 3,
            "completed": 2,  # the third is still enrolled at the end of June
        }
    ]
    measures = section(document.build(snapshot, report=report), "measures")
    assert measures.text == "Weekly groups in two shelters."
    assert cells(measures.tables[0]) == {"Basic course": ["1 May – 15 July 2024", "24.0", "3", "2"]}
    assert measures.lists[0].title == "Milestones"
    assert measures.lists[0].items == [
        ("1 February 2024", "Groups start"),
        ("1 May 2024", "First course starts"),
    ]


def test_the_preview_shows_every_new_section(program, world, alice, login):
    report = make_report(program, world, measures="Weekly groups in two shelters.")
    text = login(alice).get(reverse("report_detail", args=[program.slug, report.pk])).text
    for heading in (
        "Compared with the previous period",
        "Measures and milestones",
        "Weekly groups in two shelters.",
        "Costs",
        "Data quality",
        "Deviation (points)",
        "Reasons for deviations",
    ):
        assert heading in text, heading


def test_the_xlsx_holds_the_new_tables(program, world):
    report = make_report(program, world)
    report.target_reasons = {str(world["people_target"].pk): REASON}
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, compute(program, None))))
    comparison = {
        r[0]: r[1:]
        for r in workbook["Compared with the previous peri"].iter_rows(values_only=True)
        if r[0]
    }
    assert comparison["Contacts"] == (38, 22, 16, pytest.approx(16 / 22))
    assert comparison["People reached"] == (28, "<5", "–*", "–*")
    targets = {r[0]: r[1:] for r in workbook["Targets and results"].iter_rows(values_only=True)}
    assert targets["People reached"][-1] == -45
    reason = next(k for k in targets if k and k.startswith("People reached, "))
    assert targets[reason][0] == REASON
    quality = {r[0]: r[1:] for r in workbook["Data quality"].iter_rows(values_only=True)}
    assert quality["Activities without a language"] == (0, 2)
    workbook = openpyxl.load_workbook(
        io.BytesIO(report_xlsx(report, compute(program, world["grant"])))
    )
    costs = {r[0]: r[1] for r in workbook["Costs"].iter_rows(values_only=True) if r[0]}
    assert costs["Grant funds for this period, pro rata (EUR)"] == 5967.21
    cell = next(c for c in workbook["Costs"]["B"] if c.value == 5967.21)
    assert cell.number_format == "#,##0.00"


def test_an_older_snapshot_still_reads(program, world):
    """Published before the Sachbericht parts: no comparison, costs or checks, no deviation."""
    snapshot = compute(program, world["grant"])
    for key in ("previous", "trainings", "costs", "data_quality"):
        del snapshot[key]
    for row in snapshot["targets"]["rows"]:
        del row["deviation"], row["behind"]
    del snapshot["targets"]["margin"]
    doc = document.build(snapshot)
    keys = [s.key for s in doc.sections]
    assert not {"comparison", "measures", "costs", "data_quality"} & set(keys)
    assert cells(section(doc, "targets").tables[0])["People reached"][-1] == "–"


# ---- the narrative from the command line --------------------------------------------------

NARRATIVE = f'''
summary = """
The first half of 2024 in two shelters.
"""
measures = "Weekly groups in two shelters."
milestones = """
2024-02-01 – Groups start
01.05.2024 – First course starts
"""

[reasons]
people_reached = "{REASON}"
'''


def build(program, tmp_path, narrative, fmt="pdf"):
    path = tmp_path / "narrative.toml"
    path.write_text(narrative, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "build_report",
        program=program.slug,
        start=START.isoformat(),
        end=END.isoformat(),
        grant=GRANT,
        language="en",
        narrative=str(path),
        output=str(tmp_path / f"report.{fmt}"),
        file_format=fmt,
        stdout=out,
        stderr=err,
    )
    return tmp_path / f"report.{fmt}", err.getvalue()


def test_build_report_reads_the_narrative_from_a_file(program, world, tmp_path):
    path, warnings = build(program, tmp_path, NARRATIVE)
    assert warnings == ""
    text = " ".join(pdf_text(path.read_bytes()).split())
    assert "The first half of 2024 in two shelters." in text
    assert "Measures and milestones Weekly groups in two shelters." in text
    assert "Milestones 1 February 2024 Groups start" in text
    assert "1 May 2024 First course starts" in text
    assert f"People reached, 1 January – 31 December 2024: −45 points {REASON}" in text
    assert re.search(r"Previous period \(1 July – 31 December 2023\)", text)
    assert "Data quality" in text and "Costs" in text


def test_build_report_names_each_target_without_a_reason(program, world, tmp_path):
    path, warnings = build(program, tmp_path, 'summary = "Half a year."', fmt="xlsx")
    assert warnings.strip() == (
        "No reason is given for “People reached” (people_reached), behind plan."
    )


@pytest.mark.parametrize(
    "narrative, message",
    [
        ('summary = "x"\nresume = "y"', "Unknown keys in"),
        ('summary = """unterminated', "is not a valid TOML file"),
        ("summary = 3", "“summary” must be text."),
        ('milestones = "Summer party"', "Milestones: Line 1: start with a date"),
        ('[reasons]\nmatches_started = "x"', "No target of the report is “matches_started”"),
    ],
)
def test_build_report_refuses_a_bad_narrative_file(program, world, tmp_path, narrative, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        build(program, tmp_path, narrative)
    assert not (tmp_path / "report.pdf").exists()


def test_reasons_are_given_by_indicator_or_by_target_id():
    rows = [
        {"key": "7", "indicator": "people_reached"},
        {"key": "8", "indicator": "people_reached"},
        {"key": "9", "indicator": "activities"},
    ]
    assert reasons_by_target({"people_reached": "a", "9": "b", "nope": "c"}, rows) == (
        {"7": "a", "8": "a", "9": "b"},
        ["nope"],
    )


# ---- data quality -------------------------------------------------------------------------


def test_the_data_quality_counts_by_hand(program):
    group, one = ActivityKind.GROUP, ActivityKind.ONE_TO_ONE

    def activity(kind, day, minutes, people, language=True):
        a = ActivityFactory(
            program=program,
            kind=kind,
            date=day,
            minutes=minutes,
            attendees_total=people,
            attendees_women=0,
            attendees_men=0,
        )
        if language:
            a.languages.set([lang("ar")])
        return a

    activity(group, D(2024, 2, 1), 90, 12)  # fine
    activity(group, D(2024, 2, 2), 90, 0)  # nobody at a group session
    activity(group, D(2024, 2, 3), 90, 250, language=False)  # 250 people, no language
    activity(one, D(2024, 2, 4), None, 1)  # no duration
    activity(one, D(2024, 2, 5), 13 * 60, 1, language=False)  # 13 hours, no language
    activity(group, D(2023, 12, 1), None, 0, language=False)  # before the period

    person, other = ParticipantFactory(program=program), ParticipantFactory(program=program)
    OutcomeMeasureFactory(participant=person, date=D(2024, 1, 10))  # baseline, followed up
    OutcomeMeasureFactory(participant=person, date=D(2024, 4, 10), timepoint="followup_3m")
    OutcomeMeasureFactory(participant=other, date=D(2024, 2, 10))  # baseline, no follow-up
    OutcomeMeasureFactory(  # missing answers
        participant=other,
        date=D(2024, 5, 10),
        timepoint="followup_3m",
        instrument="ucla3",
        answers={"1": 2, "2": None, "3": 1},
    )

    def match(started, ended=None, checked=None):
        MatchFactory(
            program=program,
            status=Match.Status.ENDED if ended else Match.Status.ACTIVE,
            proposed_on=started,
            started_on=started,
            ended_on=ended,
            end_reason=Match.EndReason.MOVED if ended else "",
            six_month_check_on=checked,
        )

    match(D(2023, 9, 15))  # six months on 15 March 2024: due, not recorded
    match(D(2023, 10, 1), checked=D(2024, 4, 2))  # due, recorded
    match(D(2023, 11, 1), ended=D(2024, 1, 5))  # ended after two months: not due
    match(D(2024, 3, 1))  # due only in September
    match(D(2023, 5, 1))  # due in November 2023, before the period

    def selfhelp(started, answer=SelfHelpGroup.FollowUp.UNKNOWN):
        SelfHelpGroupFactory(
            program=program,
            started_on=started,
            follow_up_still_meeting=answer,
            follow_up_checked_on=None if answer == "unknown" else D(2024, 3, 5),
        )

    selfhelp(D(2023, 3, 1))  # twelve months on 1 March 2024: due, not recorded
    selfhelp(D(2023, 2, 1), SelfHelpGroup.FollowUp.YES)  # due, recorded
    selfhelp(D(2023, 9, 1))  # due only in September

    with CaptureQueriesContext(connection) as queries:
        quality = data_quality(program, START, END)
    assert len(queries.captured_queries) == 4
    assert quality.as_dict() == {
        "activities": 5,
        "activities_without_language": 2,
        "activities_without_duration": 1,
        "activities_over_max_minutes": 1,
        "group_activities": 3,
        "group_activities_empty": 1,
        "group_activities_over_max_size": 1,
        "questionnaires": 4,
        "questionnaires_incomplete": 1,
        "baselines": 2,
        "baselines_without_follow_up": 1,
        "match_checks_due": 2,
        "match_checks_missing": 1,
        "group_follow_ups_due": 2,
        "group_follow_ups_missing": 1,
    }

    printed = document._data_quality(
        {"data_quality": quality.as_dict()}, document.Builder(suppress=True)
    )
    table = printed.tables[0]
    assert [c.label for c in table.columns] == ["Check", "Records concerned", "Records checked"]
    assert cells(table) == {
        "Activities without a language": ["2", "5"],
        "Activities without a duration": ["1", "5"],
        "Activities longer than 12 hours": ["1", "5"],
        "Group activities with no one attending": ["1", "3"],
        "Group activities with more than 200 people": ["1", "3"],
        # Questionnaires, baselines and matches are people's: small cells are suppressed.
        "Questionnaires with missing answers": ["<5", "<5"],
        "Baselines without a follow-up by the end of the period": ["<5", "<5"],
        "Six-month checks of matches due but not recorded": ["<5", "<5"],
        "Twelve-month follow-ups of self-help groups due but not recorded": ["1", "2"],
    }


@pytest.mark.parametrize(
    ("language", "printed"), [("en", "+17.5 pp"), ("de", "+17,5 Pp."), ("da", "+17,5 pct.-point")]
)
def test_a_rates_change_is_printed_in_percentage_points_not_per_cent(language, printed):
    # 16 of 19 groups (84.2 %) against 6 of 9 (66.7 %) the period before.
    with translation.override(language):
        assert document._in_points(17.5) == printed
