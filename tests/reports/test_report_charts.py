"""The report's charts as a funder reads them: every month of the period (by quarter past 18
months) with its year, no category silently dropped, the values in the alternative text, and
outcome charts with their intervals and n on the instrument's own scale."""

import datetime as dt
import html
import re

import pytest
from django.utils import translation

from programs.models import Language
from reports import document, kpis

from ..factories import ActivityFactory

pytestmark = pytest.mark.django_db


def chart(doc, chart_id: str) -> str:
    svg = next(
        str(c.svg)
        for section in doc.sections
        for c in section.charts
        if f'id="{chart_id}-title"' in c.svg
    )
    return svg


def alt(svg: str) -> str:
    return re.search(r"<title id=\"[^\"]+-title\">(.*?)</title>", svg).group(1)


def bars(svg: str) -> int:
    return svg.count("<rect")


def build(program, start, end, language="en", **kw):
    with translation.override(language):
        snapshot = kpis.compute(program, start=start, end=end, language=language)
        return document.build(snapshot, **kw), snapshot


def test_a_13_month_grant_year_charts_its_last_month(program):
    ActivityFactory(program=program, date=dt.date(2025, 12, 10))
    ActivityFactory(program=program, date=dt.date(2026, 1, 5))
    ActivityFactory.create_batch(2, program=program, date=dt.date(2026, 12, 3))
    doc, _ = build(program, dt.date(2025, 12, 6), dt.date(2026, 12, 5))
    svg = chart(doc, "chart-activities-month")
    assert bars(svg) == 13  # December 2025 to December 2026
    assert alt(svg) == (
        "Activities per month, December 2025 to December 2026: December 2025 1, January 2026 1, "
        "February 0, March 0, April 0, May 0, June 0, July 0, August 0, September 0, October 0, "
        "November 0, December 2"
    )
    # The years under the month labels: 2026 at January; 2025's one month is too narrow for
    # its name, which "2026" would overprint (the alternative text and the tables name it).
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels.count("2025") == 0 and labels.count("2026") == 1


def test_a_24_month_report_charts_both_years_by_quarter(program):
    ActivityFactory.create_batch(3, program=program, date=dt.date(2025, 1, 20))
    ActivityFactory(program=program, date=dt.date(2025, 5, 2))
    ActivityFactory.create_batch(2, program=program, date=dt.date(2026, 12, 31))
    doc, _ = build(program, dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    activities = next(s for s in doc.sections if s.key == "activities")
    month_chart = next(c for c in activities.charts if "chart-activities-month" in c.svg)
    assert month_chart.title == "Activities per quarter"
    svg = str(month_chart.svg)
    assert bars(svg) == 8
    assert alt(svg) == (
        "Activities per quarter, January 2025 to December 2026: Q1 2025 3, Q2 2025 1, "
        "Q3 2025 0, Q4 2025 0, Q1 2026 0, Q2 2026 0, Q3 2026 0, Q4 2026 2"
    )
    # The table still lists every month.
    by_month = next(t for t in activities.tables if t.title == "Activities by month")
    assert len(by_month.rows) == 24


def test_a_quarter_the_period_covers_in_part_names_its_months(program):
    ActivityFactory(program=program, date=dt.date(2025, 2, 20))
    doc, _ = build(program, dt.date(2025, 2, 15), dt.date(2026, 11, 30))
    text = alt(chart(doc, "chart-activities-month"))
    assert "Q1 2025 (February–March) 1" in text
    assert text.endswith("Q4 2026 (October–November) 0")


def test_a_quarter_with_a_suppressed_month_is_withheld(program):
    # Contacts: January 3 (shown as <5 in the month table), February 10, March 10. The quarter's
    # 23 with the 10 and 10 printed beside it would give the 3 away.
    for day, attendees in (((1, 10), 3), ((2, 10), 10), ((3, 10), 10), ((4, 10), 10)):
        ActivityFactory(
            program=program,
            date=dt.date(2025, *day),
            attendees_total=attendees,
            attendees_women=0,
            attendees_men=0,
        )
    doc, _ = build(program, dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    text = alt(chart(doc, "chart-contacts-month"))
    assert text.startswith("Contacts per quarter, January 2025 to December 2026: Q1 2025 withheld")
    assert "Q2 2025 10" in text
    # The quarter prints the marker of a figure withheld to protect a small one, and the
    # section's footnotes explain it.
    assert ">×<" in chart(doc, "chart-contacts-month")
    contacts = next(s for s in doc.sections if s.key == "contacts")
    assert any(note.startswith("“×”: withheld") for note in contacts.footnotes)
    # Unsuppressed (internal) output shows the sum.
    internal, _ = build(program, dt.date(2025, 1, 1), dt.date(2026, 12, 31), suppress=False)
    assert "Q1 2025 23" in alt(chart(internal, "chart-contacts-month"))


def test_no_language_is_dropped_from_the_chart(program):
    codes = ["ar", "fa", "ps", "ti", "uk", "ru", "tr", "fr", "es", "it", "pl", "ro", "sq", "so"]
    for i, code in enumerate(codes):
        for _ in range(len(codes) - i):  # Arabic 14 activities … Somali 1
            activity = ActivityFactory(program=program, date=dt.date(2025, 3, 1))
            activity.languages.add(Language.objects.get(code=code))
    doc, _ = build(program, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    svg = chart(doc, "chart-lang")
    assert bars(svg) == 12  # eleven languages and one bar for the other three
    # Romanian 3, Albanian 2 and Somali 1 activities: "3 others" with 6.
    assert "Polish: 4; 3 others: 6 (Romanian 3, Albanian 2, Somali 1)" in alt(svg)
    assert alt(svg).startswith("Activities by language: Arabic: 14; Persian: 13;")


def test_an_others_bar_with_a_withheld_row_is_withheld():
    # 14 services: the chart shows 11 and one bar for the other 3, of which one has 2
    # referrals ("<5" in the table). Their sum beside the total would give the 2 away.
    rows = [{"key": f"s{i}", "label": f"Service {i}", "referrals": 20 - i} for i in range(1, 15)]
    rows[12]["referrals"] = 2
    plan = {("referrals", "by_category", "s13"): "<5", ("referrals", "by_category", "s14"): "×"}
    with translation.override("en"):
        b = document.Builder(suppress=True, withheld=plan)
        drawn = b.chart(
            "Referrals by service", rows, "referrals", document.Kind.PERSONS, "c", ref="by_category"
        )
        internal = document.Builder(suppress=False).chart(
            "Referrals by service",
            rows,
            "referrals",
            document.Kind.PERSONS,
            "c",
            ref="by_category",
        )
    assert str(drawn.svg).endswith(">×</text></g></svg>")  # the others bar, printed last
    assert "3 others: withheld (Service 12 8, Service 13 <5, Service 14 withheld)" in (
        html.unescape(alt(str(drawn.svg)))
    )
    assert drawn.markers == ("×",)
    assert "3 others: 16 (Service 12 8, Service 13 2, Service 14 6)" in alt(str(internal.svg))


OUTCOMES = {
    "instruments": [
        {
            "instrument": "ucla3",
            "label": "UCLA Loneliness Scale, 3 items",
            "n": 12,
            "unit": "points",
            "direction": "higher_is_worse",
            "scale_min": 3,
            "scale_max": 9,
            "meaningful_change": 1,
            "mean_before": 7.0,
            "mean_after": 6.0,
            "mean_change": -1.0,
            "ci_low": -1.6,
            "ci_high": -0.4,
            "ci_includes_zero": False,
            "before_ci_low": 6.3,
            "before_ci_high": 7.7,
            "after_ci_low": 5.4,
            "after_ci_high": 6.6,
            "baselines": 15,
            "lost": 3,
            "attrition_share": 0.2,
            "improved_share": 0.5,
            "reliable_rule": "rci",
            "reliable_threshold": 2.32,
            "reliable_improved_share": 0.25,
            "reliable_source": "Jacobson and Truax 1991",
            "cutoff_label": "Lonely (UCLA-3 6–9)",
            "below_cutoff_before": 0.75,
            "below_cutoff_after": 0.5,
            "suppressed": False,
        },
        {
            "instrument": "who5",
            "label": "WHO-5 Well-Being Index",
            "n": 8,
            "unit": "percentage points",
            "direction": "higher_is_better",
            "scale_min": 0,
            "scale_max": 100,
            "meaningful_change": 10,
            "mean_before": 45.6,
            "mean_after": 56.0,
            "mean_change": 10.4,
            "ci_low": -2.55,
            "ci_high": 23.35,
            "ci_includes_zero": True,
            "before_ci_low": 30.46,
            "before_ci_high": 60.74,
            "after_ci_low": 48.15,
            "after_ci_high": 63.85,
            "baselines": 10,
            "lost": 2,
            "attrition_share": 0.2,
            "improved_share": 0.6,
            "reliable_rule": "fixed",
            "reliable_threshold": 10.0,
            "reliable_improved_share": 0.75,
            "reliable_source": "Topp et al. 2015",
            "cutoff_label": "Poor wellbeing (WHO-5 ≤ 50 %)",
            "below_cutoff_before": 0.6,
            "below_cutoff_after": 0.2,
            "suppressed": False,
        },
    ],
    "note": "",
}


def outcomes_section(program, language="en", suppress=True):
    with translation.override(language):
        snapshot = kpis.compute(
            program, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), language=language
        )
        snapshot["outcomes"] = OUTCOMES
        doc = document.build(snapshot, suppress=suppress)
    return next(s for s in doc.sections if s.key == "outcomes")


def test_outcome_charts_show_the_means_with_their_intervals_and_n_on_the_scale(program):
    section = outcomes_section(program)
    ucla = next(c for c in section.charts if "chart-outcome-ucla3" in c.svg)
    assert ucla.title == "UCLA Loneliness Scale, 3 items: mean before and after (n = 12)"
    assert alt(ucla.svg) == (
        "UCLA Loneliness Scale, 3 items: mean before and after (n = 12), scale 3 to 9: "
        "Before 7 (95 % confidence interval 6.3 to 7.7); After 6 (95 % confidence interval "
        "5.4 to 6.6)"
    )
    axis = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', str(ucla.svg))
    assert axis == ["3", "4", "5", "6", "7", "8", "9"]  # UCLA-3 runs from 3, not from 0
    who5 = next(c for c in section.charts if "chart-outcome-who5" in c.svg)
    assert re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', str(who5.svg)) == [
        "0",
        "20",
        "40",
        "60",
        "80",
        "100",
    ]


def test_the_outcomes_say_whether_the_interval_includes_zero_and_their_limits(program):
    section = outcomes_section(program)
    ucla, who5, *limitations = section.paragraphs
    assert ucla == (
        "UCLA Loneliness Scale, 3 items: mean change −1 points (95 % confidence interval −1.6 "
        "to −0.4; 12 pairs). The interval does not include zero: a change this large is "
        "unlikely to be due to chance alone."
    )
    assert who5.endswith("The interval includes zero: the change may be due to chance.")
    assert "+10.4 percentage points" in who5
    assert [text.split(":")[0] for text in limitations] == [
        "Limitations",
        "Attrition",
        "Self-report",
    ]
    assert "no control group" in limitations[0]


def test_the_outcome_tables_give_reliable_improvement_and_attrition(program):
    section = outcomes_section(program)
    tables = {t.title: t for t in section.tables}
    reliable = tables["Reliable improvement"]
    # 25 % of 12 pairs are 3 persons: a share resting on fewer than 5 is withheld ("–*");
    # 75 % of 8 are 6.
    assert reliable.cells == [
        [
            "UCLA Loneliness Scale, 3 items",
            "a fall of more than 2.3 points (reliable change index)",
            "–*",
        ],
        ["WHO-5 Well-Being Index", "a rise of at least 10 percentage points", "75 %"],
    ]
    internal_reliable = outcomes_section(program, suppress=False).tables[1]
    assert internal_reliable.cells[0][2] == "25 %"
    attrition = tables["Baselines and follow-ups"]
    # 2 and 3 baselines without follow-up are suppressed, and the baselines ("×") and shares
    # ("–*") beside them withheld: with the pairs printed (12, 8) they would give the 3 and
    # the 2 away.
    assert attrition.cells == [
        ["UCLA Loneliness Scale, 3 items", "×", "<5", "–*"],
        ["WHO-5 Well-Being Index", "×", "<5", "–*"],
    ]
    assert any(note.startswith("“×”: withheld") for note in section.footnotes)
    internal = {t.title: t for t in outcomes_section(program, suppress=False).tables}
    assert internal["Baselines and follow-ups"].cells[0] == [
        "UCLA Loneliness Scale, 3 items",
        "15",
        "3",
        "20 %",
    ]


@pytest.mark.parametrize(
    "language, includes, excludes",
    [
        (
            "de",
            "Das Intervall schließt null ein: Die Veränderung kann zufällig sein.",
            "Das Intervall schließt null nicht ein",
        ),
        (
            "da",
            "Intervallet omfatter nul: Ændringen kan skyldes tilfældigheder.",
            "Intervallet omfatter ikke nul",
        ),
    ],
)
def test_the_findings_are_in_the_reports_language(program, language, includes, excludes):
    text = " ".join(outcomes_section(program, language=language).paragraphs)
    assert includes in text and excludes in text
