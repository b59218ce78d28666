"""Small charts as inline SVG, drawn on the server: no JavaScript, nothing to load.

Every chart of the application, on the web and in PDFs, comes from here: vertical bar charts
(optionally with a reference line, bars in an alert colour and a row of years under the bar
labels), horizontal bar charts for long category names, interval charts (estimates with their
confidence intervals on a fixed scale) and sparklines of values over time.

Colours and sizes are SVG presentation attributes (``fill=``, ``font-size=``), which the strict
CSP allows; there are no ``style`` attributes. Every chart is an image whose title is its
alternative text: the chart's name followed by its values, so a screen reader (and the PDF's
alternative text, which WeasyPrint takes from the title) gets the numbers, not the picture.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 360
HEIGHT = 180
MIN_SLOT = 24  # narrowest room per bar; more bars make the chart wider
GROUP_ROW = 13  # room for the row of years (groups) under the bar labels
GROUP_CHAR = 7  # width of one character of a group's name (11 px, bold)
LEFT = 30  # room for the y axis labels
RIGHT = 6
TOP = 16  # room for the value above the tallest bar
BOTTOM = 22  # room for the x axis labels
BAR_FILL = "#1f4e79"
ALERT_FILL = "#a61e1e"  # a bar beyond a limit
LINE_STROKE = "#343a40"  # a reference line
BAND_FILL = "#f8d7da"  # a shaded range of values
AXIS_STROKE = "#adb5bd"
TEXT_FILL = "#495057"


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, short ("Mar")
    value: int | float
    description: str = ""  # for the tooltip and screen readers ("March 2024: 12")
    display: str = ""  # the value as printed, where it differs from the number ("<5")
    alert: bool = False  # drawn in the alert colour: the value is beyond a limit
    group: str = ""  # printed once under the first bar of each run of equal groups ("2025")

    @property
    def text(self) -> str:
        return self.display or _number(self.value)


@dataclass(frozen=True)
class ReferenceLine:
    """A dashed line across a bar chart at ``value`` (a limit, a target), with its label."""

    value: int | float
    label: str  # printed on the line ("Capacity 100")


def nice_scale(maximum: float, ticks: int = 4) -> tuple[int, int]:
    """(top, step) of a y axis: a round step (1, 2, 5, 10, 20, 50 …) and a top that fits."""
    raw = max(maximum, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    step = max(int(step), 1)
    return max(math.ceil(maximum / step) * step, step), step


def _number(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def alternative_text(title: str, values: str) -> str:
    """A chart's alternative text: its title and its values ("Activities by kind: Talk 3; …")."""
    return f"{title}: {values}" if values else title


def _svg(css_class: str, width, height, chart_id: str, alt: str, body) -> SafeString:
    """The chart's ``<svg>``: an image named by its title, which holds the alternative text."""
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>{}</svg>',
        css_class,
        width,
        height,
        chart_id,
        chart_id,
        alt,
        body,
    )


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    description: str = "",
    chart_id: str = "chart",
    reference: ReferenceLine | None = None,
    max_labels: int | None = None,
    show_values: bool = True,
    alt: str = "",
) -> SafeString:
    """A vertical bar chart that scales to its container's width.

    ``chart_id`` prefixes the id of the title; unique per page. The title holds ``alt``, the
    chart's alternative text, by default the title followed by ``description`` or, without one,
    each bar's description. ``reference`` draws a dashed line at a value, and the y axis reaches
    it. ``max_labels`` thins the labels under the bars to at most that many, counted back from
    the last bar; ``show_values=False`` leaves out the values above the bars where there are too
    many to read (the tooltips and the alternative text still give each value). Bars with a
    ``group`` get a second row under their labels naming each group once, at its first bar,
    with a tick where a group starts. More bars than fit ``MIN_SLOT`` each make the chart wider
    (class ``chart-wide``).
    """
    width = max(WIDTH, LEFT + RIGHT + MIN_SLOT * len(bars))
    grouped = any(bar.group for bar in bars)
    svg_height = HEIGHT + (GROUP_ROW if grouped else 0)
    plot_w = width - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    values = [b.value for b in bars] + ([reference.value] if reference else [])
    top, step = nice_scale(max(values, default=0))
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.7
    baseline = TOP + plot_h
    label_every = math.ceil(len(bars) / max_labels) if max_labels else 1

    def y(value: int | float) -> str:
        return f"{baseline - plot_h * value / top:.1f}"

    gridlines = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11"'
        ' fill="{}">{}</text>',
        (
            (LEFT, width - RIGHT, y(v), y(v), AXIS_STROKE, LEFT - 4, y(v), TEXT_FILL, _number(v))
            for v in range(0, top + 1, step)
        ),
    )
    columns = []
    for i, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + i * slot + (slot - bar_w) / 2
        centre = LEFT + i * slot + slot / 2
        labelled = (len(bars) - 1 - i) % label_every == 0
        columns.append(
            format_html(
                '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text></g>',
                bar.description or f"{bar.label}: {bar.text}",
                f"{x:.1f}",
                f"{baseline - height:.1f}",
                f"{bar_w:.1f}",
                f"{height:.1f}",
                ALERT_FILL if bar.alert else BAR_FILL,
                f"{centre:.1f}",
                f"{baseline - height - 3:.1f}",
                TEXT_FILL,
                bar.text if show_values and (bar.value or bar.display) else "",
                f"{centre:.1f}",
                HEIGHT - 6,
                TEXT_FILL,
                bar.label if labelled else "",
            )
        )
    line = SafeString("")
    if reference is not None:
        line = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"'
            ' stroke-dasharray="5 3"/>'
            '<text x="{}" y="{}" font-size="11" fill="{}" stroke="#fff" stroke-width="3"'
            ' paint-order="stroke">{}</text>',
            LEFT,
            width - RIGHT,
            y(reference.value),
            y(reference.value),
            LINE_STROKE,
            LEFT + 4,
            f"{float(y(reference.value)) - 4:.1f}",
            LINE_STROKE,
            reference.label,
        )
    return _svg(
        "chart chart-wide" if width > WIDTH else "chart",
        width,
        svg_height,
        chart_id,
        alt or alternative_text(title, description or _summary(bars)),
        SafeString(gridlines + "".join(columns) + _group_row(bars, slot, baseline) + line),
    )


def _group_row(bars: Sequence[Bar], slot: float, baseline: float) -> str:
    """The row of groups (years) under the bar labels: each group named at its first bar, a
    tick on the axis where it starts."""
    starts = [
        i for i, bar in enumerate(bars) if bar.group and not (i and bars[i - 1].group == bar.group)
    ]
    parts = []
    for n, i in enumerate(starts):
        bar = bars[i]
        x = LEFT + i * slot
        # A group too narrow for its name (a period starting in December) keeps its tick but
        # not its name, which the next group's name would overprint.
        span = (starts[n + 1] if n + 1 < len(starts) else len(bars)) - i
        named = n + 1 == len(starts) or span * slot >= GROUP_CHAR * len(bar.group) + 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                f"{x:.1f}",
                f"{x:.1f}",
                f"{baseline:.1f}",
                f"{baseline + BOTTOM + GROUP_ROW - 4:.1f}",
                AXIS_STROKE,
            )
        )
        if named:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" font-weight="700" fill="{}">{}</text>',
                    f"{x + 2:.1f}",
                    f"{HEIGHT + GROUP_ROW - 4:.1f}",
                    TEXT_FILL,
                    bar.group,
                )
            )
    return "".join(parts)


def _summary(bars: Sequence[Bar]) -> str:
    return "; ".join(b.description or f"{b.label}: {b.text}" for b in bars)


HBAR_ROW = 22  # height of one row of a horizontal bar chart
HBAR_LABEL = 190  # room for the labels left of the bars
HBAR_VALUE = 40  # room for the value right of the longest bar


def hbar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    description: str = "",
    chart_id: str = "chart",
    alt: str = "",
) -> SafeString:
    """A horizontal bar chart for categories with long names (sites, languages, topics).

    The title holds ``alt``, by default the title followed by the bars' values."""
    height = TOP + HBAR_ROW * max(len(bars), 1)
    plot_w = WIDTH * 1.5 - HBAR_LABEL - HBAR_VALUE
    top = max((b.value for b in bars), default=0) or 1
    rows = []
    for i, bar in enumerate(bars):
        y = TOP / 2 + i * HBAR_ROW
        length = plot_w * bar.value / top
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        rows.append(
            format_html(
                "<g><title>{}</title>"
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11"'
                ' fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" dominant-baseline="middle" font-size="11" fill="{}">{}</text>'
                "</g>",
                bar.description or f"{bar.label}: {bar.text}",
                HBAR_LABEL - 6,
                f"{y + HBAR_ROW / 2:.1f}",
                TEXT_FILL,
                label,
                HBAR_LABEL,
                f"{y + 4:.1f}",
                f"{length:.1f}",
                HBAR_ROW - 8,
                BAR_FILL,
                f"{HBAR_LABEL + length + 4:.1f}",
                f"{y + HBAR_ROW / 2:.1f}",
                TEXT_FILL,
                bar.text,
            )
        )
    return _svg(
        "chart chart-horizontal",
        int(WIDTH * 1.5),
        height,
        chart_id,
        alt or alternative_text(title, description or _summary(bars)),
        SafeString("".join(rows)),
    )


SPARK_WIDTH = 240
SPARK_HEIGHT = 64
SPARK_PAD = 6


@dataclass(frozen=True)
class Point:
    day: date
    value: int | float
    label: str  # for the tooltip and screen readers ("2025-03-01 Baseline: 48")


def sparkline(
    *,
    title: str,
    points: Sequence[Point],
    low: int | float,
    high: int | float,
    chart_id: str = "chart",
    band: tuple[int | float, int | float] | None = None,
) -> SafeString:
    """A small line chart of values over time on a fixed scale from ``low`` to ``high``.

    The points are placed by their day, so uneven gaps show as such; ``band`` shades a range of
    values (a cut-off, a normal range). Empty when there are no points.
    """
    if not points:
        return SafeString("")
    span = max(high - low, 1)
    first, last = points[0].day, points[-1].day
    days = max((last - first).days, 1)
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD

    def x(point: Point) -> str:
        if len(points) == 1:
            return f"{SPARK_WIDTH / 2:.1f}"
        return f"{SPARK_PAD + inner_w * (point.day - first).days / days:.1f}"

    def y(value: int | float) -> str:
        return f"{SPARK_PAD + inner_h * (high - value) / span:.1f}"

    shade = SafeString("")
    if band is not None:
        band_top, band_bottom = y(min(band[1], high)), y(max(band[0], low))
        shade = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            SPARK_PAD,
            band_top,
            inner_w,
            f"{float(band_bottom) - float(band_top):.1f}",
            BAND_FILL,
        )
    line = SafeString("")
    if len(points) > 1:
        line = format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            " ".join(f"{x(p)},{y(p.value)}" for p in points),
            BAR_FILL,
        )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}</title></circle>',
        ((x(p), y(p.value), BAR_FILL, p.label) for p in points),
    )
    axis = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>',
        SPARK_PAD,
        SPARK_WIDTH - SPARK_PAD,
        y(low),
        y(low),
        AXIS_STROKE,
    )
    return _svg(
        "chart chart-sparkline",
        SPARK_WIDTH,
        SPARK_HEIGHT,
        chart_id,
        alternative_text(title, "; ".join(p.label for p in points)),
        SafeString(axis + shade + line + dots),
    )


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval, e.g. a mean score with its 95 % interval."""

    label: str  # under the point ("Before")
    value: float
    low: float
    high: float
    text: str = ""  # the value as printed ("45.6"); by default the number
    description: str = ""  # for the tooltip and the alternative text


def axis_ticks(low: float, high: float, ticks: int = 6) -> list[float]:
    """Round values between ``low`` and ``high`` for an axis that does not start at zero,
    ``low`` and ``high`` included (3–9: 3, 4, … 9; 0–56: 0, 10, … 50, 56)."""
    raw = max(high - low, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    values = [low]
    value = math.floor(low / step) * step + step
    while value < high - step / 2:
        values.append(value)
        value += step
    return [*values, high]


INTERVAL_WIDTH = 300


def interval_chart(
    *,
    title: str,
    estimates: Sequence[Estimate],
    low: float,
    high: float,
    chart_id: str = "chart",
    alt: str = "",
) -> SafeString:
    """Estimates as points with whiskers for their confidence intervals, on a fixed scale from
    ``low`` to ``high`` (an instrument's own range: the axis need not start at zero).

    The title holds ``alt``, by default the title followed by each estimate's description.
    """
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = INTERVAL_WIDTH - LEFT - RIGHT
    span = max(high - low, 1)
    baseline = TOP + plot_h
    slot = plot_w / max(len(estimates), 1)

    def y(value: float) -> str:
        return f"{baseline - plot_h * (min(max(value, low), high) - low) / span:.1f}"

    gridlines = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11"'
        ' fill="{}">{}</text>',
        (
            (
                LEFT,
                INTERVAL_WIDTH - RIGHT,
                y(v),
                y(v),
                AXIS_STROKE,
                LEFT - 4,
                y(v),
                TEXT_FILL,
                _number(v),
            )
            for v in axis_ticks(low, high)
        ),
    )
    points = []
    for i, estimate in enumerate(estimates):
        middle = LEFT + i * slot + slot / 2
        centre, left, right, beside = (
            f"{x:.1f}" for x in (middle, middle - 6, middle + 6, middle + 10)
        )
        text = estimate.text or _number(estimate.value)
        points.append(
            format_html(
                "<g><title>{}</title>"
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"'
                ' stroke-width="2"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"'
                ' stroke-width="2"/>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"'
                ' stroke-width="2"/>'
                '<circle cx="{}" cy="{}" r="4.5" fill="{}"/>'
                '<text x="{}" y="{}" dominant-baseline="middle" font-size="11"'
                ' fill="{}">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>'
                "</g>",
                estimate.description or f"{estimate.label}: {text}",
                centre,
                centre,
                y(estimate.low),
                y(estimate.high),
                BAR_FILL,
                left,
                right,
                y(estimate.low),
                y(estimate.low),
                BAR_FILL,
                left,
                right,
                y(estimate.high),
                y(estimate.high),
                BAR_FILL,
                centre,
                y(estimate.value),
                BAR_FILL,
                beside,
                y(estimate.value),
                TEXT_FILL,
                text,
                centre,
                HEIGHT - 6,
                TEXT_FILL,
                estimate.label,
            )
        )
    values = "; ".join(
        e.description or f"{e.label}: {e.text or _number(e.value)}" for e in estimates
    )
    return _svg(
        "chart chart-interval",
        INTERVAL_WIDTH,
        HEIGHT,
        chart_id,
        alt or alternative_text(title, values),
        SafeString(gridlines + "".join(points)),
    )
