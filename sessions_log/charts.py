"""A tiny line chart of one participant's scores over time, as inline SVG from the server.

sessions_log may not import reports (dependencies point one way), so this is its own small
chart. Colours are SVG presentation attributes, which the strict CSP allows; there are no
``style`` attributes and no scripts. The title and description state the values, so a screen
reader gets the numbers, not the picture.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 240
HEIGHT = 64
PAD = 6
LINE_STROKE = "#1f4e79"
BAND_FILL = "#f8d7da"  # the band beyond the cut-off
AXIS_STROKE = "#adb5bd"


@dataclass(frozen=True)
class Point:
    day: date
    value: int
    label: str  # "2025-03-01 Baseline: 48"


def sparkline(
    *,
    points: Sequence[Point],
    low: int,
    high: int,
    title: str,
    chart_id: str,
    band: tuple[int, int] | None = None,
) -> SafeString:
    """Scores over time between ``low`` and ``high``; ``band`` shades a range (the cut-off)."""
    if not points:
        return SafeString("")
    span = max(high - low, 1)
    first, last = points[0].day, points[-1].day
    days = max((last - first).days, 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(point: Point) -> str:
        if len(points) == 1:
            return f"{WIDTH / 2:.1f}"
        return f"{PAD + inner_w * (point.day - first).days / days:.1f}"

    def y(value: int) -> str:
        return f"{PAD + inner_h * (high - value) / span:.1f}"

    shade = ""
    if band is not None:
        top, bottom = y(min(band[1], high)), y(max(band[0], low))
        shade = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            PAD,
            top,
            inner_w,
            f"{float(bottom) - float(top):.1f}",
            BAND_FILL,
        )
    line = ""
    if len(points) > 1:
        line = format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            " ".join(f"{x(p)},{y(p.value)}" for p in points),
            LINE_STROKE,
        )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}</title></circle>',
        ((x(p), y(p.value), LINE_STROKE, p.label) for p in points),
    )
    description = "; ".join(p.label for p in points)
    return format_html(
        '<svg class="d-block w-100 h-auto" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
        "{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        PAD,
        WIDTH - PAD,
        y(low),
        y(low),
        AXIS_STROKE,
        shade,
        line,
        dots,
    )
