"""The report's words: dates as its language writes them, terms as the terminology table has
them, and the program's own word for its volunteers."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from demo.programs.ankommen_in_dueren import AnkommenInDueren
from demo.programs.in2balance import In2Balance
from demo.programs.in_gang_setzer import InGangSetzer
from demo.programs.livet_gaar_videre import LivetGaarVidere
from demo.programs.value_based_counseling import ValueBasedCounseling
from programs.models import HelperTerm
from reports import document, kpis
from reports.exports import report_xlsx
from reports.management.commands.build_report import report_title
from reports.models import Report
from reports.pdf import report_context
from volunteers.models import SupervisionSession

from ..factories import (
    ActivityFactory,
    SupervisionSessionFactory,
    TargetFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)


@pytest.fixture
def logged(program):
    """Two volunteers, one activity and one supervision session in 2025; a target for it."""
    anna, bilal = (VolunteerFactory(program=program, joined_on=D(2024, 6, 1)) for _ in range(2))
    activity = ActivityFactory(program=program, date=D(2025, 3, 4))
    activity.facilitators.set([anna, bilal])
    session = SupervisionSessionFactory(
        program=program, kind=SupervisionSession.Kind.GROUP, date=D(2025, 3, 11), minutes=90
    )
    session.attendees.set([anna, bilal])
    TargetFactory(program=program, indicator="activities", value=10, starts_on=START, ends_on=END)
    return program


def _report(program, language) -> Report:
    return Report(
        program=program,
        title="Sachbericht 2025",
        period_start=START,
        period_end=END,
        language=language,
    )


def _render(program, language, template="reports/pdf/report.html") -> str:
    report = _report(program, language)
    snapshot = kpis.compute(program, start=START, end=END, language=language)
    with translation.override(language):
        return render_to_string(template, report_context(report, snapshot))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _labels(doc: document.Document) -> list[str]:
    """Every heading and label a reader of the report sees (not the definitions)."""
    labels = [f.label for f in doc.key_figures]
    for section in doc.sections:
        labels += [section.title, *(f.label for f in section.figures)]
        for table in section.tables:
            labels += [table.title, *(c.label for c in table.columns)]
    return labels


# ---- dates -----------------------------------------------------------------------------------


def test_the_english_report_writes_dates_day_first_as_british_english_does(logged):
    text = _text(_render(logged, "en"))
    # Cover and method notes: "1 January – 31 December 2025", never "January 1, 2025".
    assert "Reporting period 1 January – 31 December 2025" in text
    assert "for the period 1 January 2025 to 31 December 2025" in text
    assert "January 1" not in text and "12/31" not in text
    # The printing date on the cover, day first too.
    assert re.search(
        r"Version 1, \d{1,2} (January|February|March|April|May|June|July|August|"
        r"September|October|November|December) \d{4}",
        text,
    ), text[:600]


def test_the_target_table_and_the_spreadsheet_print_the_period_in_the_reports_language(logged):
    with translation.override("en"):
        snapshot = kpis.compute(logged, start=START, end=END, language="en")
        targets = next(s for s in document.build(snapshot).sections if s.key == "targets")
        workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(_report(logged, "en"), snapshot)))
    assert targets.tables[0].cells[0][:2] == ["Activities", "1 January – 31 December 2025"]
    overview = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    assert ["Reporting period", "1 January – 31 December 2025"] in overview


@pytest.mark.parametrize(
    ("language", "period", "across_years"),
    [
        ("en", "1 January – 31 December 2025", "1 July 2025 – 30 June 2026"),
        ("de", "1. Januar – 31. Dezember 2025", "1. Juli 2025 – 30. Juni 2026"),
        ("da", "1. januar–31. december 2025", "1. juli 2025–30. juni 2026"),
    ],
)
def test_periods_are_written_with_full_months_and_the_shared_year_once(
    language, period, across_years
):
    assert document.format_period(START, END, language) == period
    assert document.format_period(D(2025, 7, 1), D(2026, 6, 30), language) == across_years


def test_a_period_within_one_month_and_a_single_day():
    assert document.format_period(D(2025, 3, 1), D(2025, 3, 31), "en") == "1 – 31 March 2025"
    assert document.format_period(D(2025, 3, 1), D(2025, 3, 1), "de") == "1. März 2025"
    assert document.format_day(D(2026, 12, 6), "en") == "6 December 2026"


def test_a_report_built_from_the_command_line_has_no_iso_dates_in_its_title(program):
    assert report_title(program, START, END, "en") == "in2balance, 1 January – 31 December 2025"
    assert report_title(program, START, END, "de") == "in2balance, 1. Januar – 31. Dezember 2025"


# ---- terms -----------------------------------------------------------------------------------


def test_the_danish_report_counts_supervision_sessions_as_supervisionsmoder(logged):
    with translation.override("da"):
        snapshot = kpis.compute(logged, start=START, end=END, language="da")
        supervision = next(s for s in document.build(snapshot).sections if s.key == "supervision")
    assert [c.label for c in supervision.tables[0].columns] == [
        "Type",
        "Supervisionsmøder",
        "Timer",
    ]
    preview = _render(logged, "da", "reports/_report_body.html")
    assert "Supervisionsmøder" in preview and "Kursusgange" not in preview


# ---- the program's word for its volunteers ---------------------------------------------------


def test_the_vbc_report_names_its_counsellors_as_the_program_does(logged):
    logged.helper_term = HelperTerm.COUNSELLORS
    logged.save()
    with translation.override("de"):
        snapshot = kpis.compute(logged, start=START, end=END, language="de")
        doc = document.build(snapshot)
    volunteers = next(s for s in doc.sections if s.key == "volunteers")
    assert volunteers.title == "Counselor:innen"
    assert [f.label for f in volunteers.figures][:4] == [
        "Aktive Counselor:innen",
        "Neue Counselor:innen",
        "Ausgeschiedene Counselor:innen",
        "Geschulte Counselor:innen",
    ]
    assert ("Aktive Counselor:innen", "2") in [(f.label, f.value) for f in doc.key_figures]
    assert not [label for label in _labels(doc) if "Ehrenamtliche" in label]
    assert volunteers.note.startswith(
        "In diesen Definitionen steht „Ehrenamtliche“ für die Counselor:innen des Programms."
    )


@pytest.mark.parametrize(
    ("term", "language", "title", "active"),
    [
        (HelperTerm.SOCIAL_WORKERS, "de", "Sozialarbeiter:innen", "Aktive Sozialarbeiter:innen"),
        (HelperTerm.LAY_HELPERS, "de", "Laienhelfer:innen", "Aktive Laienhelfer:innen"),
        (HelperTerm.IN_GANG_SETZER, "de", "In-Gang-Setzer:innen", "Aktive In-Gang-Setzer:innen"),
        (HelperTerm.VOLUNTEERS, "da", "Frivillige", "Aktive frivillige"),
        (HelperTerm.COUNSELLORS, "en", "Counsellors", "Active counsellors"),
        (HelperTerm.VOLUNTEERS, "en", "Volunteers", "Active volunteers"),
    ],
)
def test_each_term_names_the_section_and_its_figures(logged, term, language, title, active):
    logged.helper_term = term
    logged.save()
    with translation.override(language):
        doc = document.build(kpis.compute(logged, start=START, end=END, language=language))
    volunteers = next(s for s in doc.sections if s.key == "volunteers")
    assert (volunteers.title, volunteers.figures[0].label) == (title, active)


def test_a_snapshot_without_the_term_speaks_of_volunteers(logged):
    with translation.override("en"):
        snapshot = kpis.compute(logged, start=START, end=END, language="en")
        del snapshot["program"]["helper_term"]  # taken before programs named their helpers
        doc = document.build(snapshot)
    assert "Active volunteers" in _labels(doc)


def test_the_demo_programs_name_their_helpers_as_they_do_themselves():
    assert {
        builder.name: builder.helper_term
        for builder in (
            In2Balance,
            ValueBasedCounseling,
            AnkommenInDueren,
            LivetGaarVidere,
            InGangSetzer,
        )
    } == {
        In2Balance.name: HelperTerm.LAY_HELPERS,
        ValueBasedCounseling.name: HelperTerm.COUNSELLORS,
        AnkommenInDueren.name: HelperTerm.SOCIAL_WORKERS,
        LivetGaarVidere.name: HelperTerm.VOLUNTEERS,
        InGangSetzer.name: HelperTerm.IN_GANG_SETZER,
    }
