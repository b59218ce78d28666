"""Charts as a reader sees them: every value in the alternative text, years under the months,
estimates with their intervals on the instrument's own scale."""

import datetime as dt
import re

from core.charts import (
    Bar,
    Estimate,
    Point,
    axis_ticks,
    bar_chart,
    hbar_chart,
    interval_chart,
    sparkline,
)


def title_of(svg: str) -> str:
    """The chart's title element: its alternative text (WeasyPrint's /Alt in the PDF)."""
    return re.search(r"<title id=\"[^\"]+-title\">(.*?)</title>", svg).group(1)


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_title_of_a_bar_chart_carries_its_values():
    svg = bar_chart(
        title="Activities per month",
        bars=[
            Bar("Jan", 12, description="January 2025: 12"),
            Bar("Feb", 15, description="February 2025: 15"),
        ],
        chart_id="c",
    )
    assert title_of(svg) == "Activities per month: January 2025: 12; February 2025: 15"
    assert 'aria-labelledby="c-title"' in svg
    assert "style=" not in svg


def test_the_alternative_text_can_be_given_whole():
    svg = bar_chart(title="Activities", bars=[Bar("Jan", 1)], alt="Activities, 2025: January 1")
    assert title_of(svg) == "Activities, 2025: January 1"


def test_years_are_named_under_the_first_month_and_each_january():
    months = [("Nov", "2024"), ("Dec", "2024"), ("Jan", "2025"), ("Feb", "2025")]
    svg = bar_chart(
        title="Activities per month",
        bars=[Bar(label, 1, group=year) for label, year in months],
    )
    labels = texts(svg)
    assert labels.count("2024") == 1 and labels.count("2025") == 1
    assert labels.index("2024") < labels.index("2025")
    # The row of years needs room: the chart is taller than one without it.
    assert 'viewBox="0 0 360 193"' in svg
    assert 'viewBox="0 0 360 180"' in bar_chart(title="T", bars=[Bar("Jan", 1)])


def test_many_bars_make_the_chart_wider_instead_of_squeezing_them():
    svg = bar_chart(title="T", bars=[Bar(str(i), i) for i in range(18)])
    assert 'class="chart chart-wide"' in svg
    assert 'viewBox="0 0 468 180"' in svg  # 30 + 6 + 18 × 24
    assert svg.count("<rect") == 18
    assert 'class="chart"' in bar_chart(title="T", bars=[Bar(str(i), i) for i in range(12)])


def test_horizontal_and_sparkline_titles_carry_their_values():
    svg = hbar_chart(title="Activities by language", bars=[Bar("Arabic", 12), Bar("Dari", 3)])
    assert title_of(svg) == "Activities by language: Arabic: 12; Dari: 3"
    line = sparkline(
        title="WHO-5",
        points=[Point(day=dt.date(2025, 1, 1), value=48, label="Baseline 48")],
        low=0,
        high=100,
    )
    assert title_of(line) == "WHO-5: Baseline 48"


def test_axis_ticks_run_over_the_instruments_own_range():
    assert axis_ticks(3, 9) == [3, 4, 5, 6, 7, 8, 9]
    assert axis_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert axis_ticks(0, 56) == [0, 10, 20, 30, 40, 50, 56]


def test_an_interval_chart_shows_each_estimate_with_its_interval_on_the_scale():
    svg = interval_chart(
        title="UCLA-3: mean before and after (n = 5)",
        estimates=[
            Estimate("Before", 7.0, 5.6, 8.4, description="Before 7 (5.6 to 8.4)"),
            Estimate("After", 6.0, 5.4, 6.6, description="After 6 (5.4 to 6.6)"),
        ],
        low=3,
        high=9,
        chart_id="ucla",
    )
    assert title_of(svg) == (
        "UCLA-3: mean before and after (n = 5): Before 7 (5.6 to 8.4); After 6 (5.4 to 6.6)"
    )
    labels = texts(svg)
    # The axis runs from 3 to 9, not from 0.
    assert labels[:7] == ["3", "4", "5", "6", "7", "8", "9"]
    assert "0" not in labels
    assert svg.count("<circle") == 2
    # Each estimate: the whisker and its two caps.
    assert svg.count('stroke-width="2"') == 6
    # The scale's bottom (3) is at the plot's baseline (y 158), its top (9) at y 16: the
    # interval 5.6–8.4 of the mean 7 runs from y 96.5 to y 30.2.
    assert 'y1="96.5" y2="30.2"' in svg
    assert "style=" not in svg


def test_a_year_too_narrow_for_its_name_keeps_its_tick_but_not_an_overprinted_name():
    months = [("Dec", "2025")] + [(m, "2026") for m in ("Jan", "Feb", "Mar", "Apr", "May")]
    months += [(m, "2026") for m in ("Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]
    svg = bar_chart(
        title="Activities per month",
        bars=[Bar(label, 1, group=year) for label, year in months],
    )
    labels = texts(svg)
    assert "2025" not in labels and labels.count("2026") == 1
