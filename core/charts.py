"""Small charts as inline SVG, drawn on the server: no JavaScript, nothing to load.

Colours and sizes are SVG presentation attributes (``fill=``, ``font-size=``), which the strict
CSP allows; there are no ``style`` attributes. Every chart is an image with a title and a
description that states the values, so a screen reader gets the numbers, not the picture.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 360
HEIGHT = 180
LEFT = 30  # room for the y axis labels
RIGHT = 6
TOP = 16  # room for the value above the tallest bar
BOTTOM = 22  # room for the x axis labels
BAR_FILL = "#1f4e79"
AXIS_STROKE = "#adb5bd"
TEXT_FILL = "#495057"


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, short ("Mar")
    value: int | float
    description: str = ""  # for the tooltip and screen readers ("March 2024: 12")
    display: str = ""  # the value as printed, where it differs from the number ("<5")

    @property
    def text(self) -> str:
        return self.display or _number(self.value)


def nice_scale(maximum: float, ticks: int = 4) -> tuple[int, int]:
    """(top, step) of a y axis: a round step (1, 2, 5, 10, 20, 50 …) and a top that fits."""
    raw = max(maximum, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    step = max(int(step), 1)
    return max(math.ceil(maximum / step) * step, step), step


def _number(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(
    *, title: str, bars: Sequence[Bar], description: str = "", chart_id: str = "chart"
) -> SafeString:
    """A vertical bar chart that scales to its container's width.

    ``chart_id`` prefixes the ids of the title and description; unique per page.
    """
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top, step = nice_scale(max((b.value for b in bars), default=0))
    slot = plot_w / max(len(bars), 1)
    bar_w = slot * 0.7
    baseline = TOP + plot_h

    gridlines = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11"'
        ' fill="{}">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                AXIS_STROKE,
                LEFT - 4,
                f"{y:.1f}",
                TEXT_FILL,
                _number(v),
            )
            for v in range(0, top + 1, step)
            for y in [baseline - plot_h * v / top]
        ),
    )
    columns = []
    for i, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + i * slot + (slot - bar_w) / 2
        centre = LEFT + i * slot + slot / 2
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
                BAR_FILL,
                f"{centre:.1f}",
                f"{baseline - height - 3:.1f}",
                TEXT_FILL,
                bar.text if bar.value or bar.display else "",
                f"{centre:.1f}",
                HEIGHT - 6,
                TEXT_FILL,
                bar.label,
            )
        )
    summary = description or _summary(bars)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        summary,
        gridlines,
        SafeString("".join(columns)),
    )


def _summary(bars: Sequence[Bar]) -> str:
    return "; ".join(b.description or f"{b.label}: {b.text}" for b in bars)


HBAR_ROW = 22  # height of one row of a horizontal bar chart
HBAR_LABEL = 190  # room for the labels left of the bars
HBAR_VALUE = 40  # room for the value right of the longest bar


def hbar_chart(
    *, title: str, bars: Sequence[Bar], description: str = "", chart_id: str = "chart"
) -> SafeString:
    """A horizontal bar chart for categories with long names (sites, languages, topics)."""
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
    return format_html(
        '<svg class="chart chart-horizontal" viewBox="0 0 {} {}" role="img"'
        ' aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        int(WIDTH * 1.5),
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description or _summary(bars),
        SafeString("".join(rows)),
    )
