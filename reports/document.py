"""A KPI snapshot laid out as a report: key figures, sections, tables and charts.

One layout serves the HTML preview, the PDF and the XLSX export, so what a coordinator previews
is what the funder receives. Funder output suppresses small cells with the program's threshold
(5 or 10, :mod:`reports.disclosure`): a count of persons from 1 to threshold − 1 is printed as
"<5" ("<10"); figures withheld so that such a count cannot be worked out from totals, and the
activities of a row whose contacts are withheld, as "×"; a share, mean, median or change that
rests on too few persons, or reveals such a count, as "–*" (a rate with its n as a whole).
Sites that are private flats are one row "Private flats". Totals of activities, volunteers and
hours are printed in full unless one has to be withheld to protect a small count. Each figure
has one decision, wherever it is printed (key figures, section, targets table).

Figures are the indicators of :mod:`reports.indicators`, with the labels stored in the
snapshot: a rate is printed with its n ("11 of 14 (79 %)"), a figure the program does not
record as "Not recorded", and the report ends with the definitions of the indicators it shows.

Besides the figures of each KPI group, the layout holds what makes the report a Sachbericht: the
key figures beside those of the previous period, the measures and milestones of the period,
each target's deviation from plan with the program's reason, the costs, and the data quality.
The written parts come from the :class:`~reports.models.Report` passed to :func:`build`.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from babel.dates import format_date, parse_pattern
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext

from core.charts import Bar, Estimate, bar_chart, hbar_chart, interval_chart
from programs.languages import current_locale
from programs.models import HelperTerm
from sessions_log.instruments import INSTRUMENTS
from sessions_log.quality import MAX_GROUP_SIZE, MAX_MINUTES

from . import disclosure, indicators
from .disclosure import Relation, derived_withheld, is_small, share_numerator
from .indicators import REGISTRY, Unit
from .kpis import METHOD_NOTES
from .narrative import parse_milestones

SMALL_CELL = disclosure.DEFAULT_THRESHOLD
COMPLEMENT = "×"  # withheld so that a small count cannot be worked out
DERIVED = "–*"  # a share, mean, median or change resting on too few persons
PRIVATE_FLATS = "private_flats"  # the key of the one row of all private flats
NO_BREAK = "\u00a0"
# Most bars of a breakdown chart: longer breakdowns show their first rows and one bar for the
# others (the table lists every row).
CHART_ROWS = 12
QUARTERS_AFTER = 18  # months; a longer period is charted by quarter


class Kind(StrEnum):
    """How a figure is printed (and whether it is a count of persons)."""

    COUNT = "count"  # activities, volunteers, sessions, groups: never suppressed
    PERSONS = "persons"  # counts of persons: withheld from 1 to threshold − 1
    HOURS = "hours"
    PERCENT = "percent"  # a share 0..1
    NUMBER = "number"  # days, ratios
    TEXT = "text"
    RATE = "rate"  # a share with its n: a :class:`Rate`
    POINTS = "points"  # a difference in percentage points, with its sign
    MONEY = "money"  # an amount in the grant's currency (named in the label)
    CHANGE = "change"  # a signed difference: counts, hours or percentage points
    CHANGE_PERCENT = "change_percent"  # a signed relative change 0..1


# How the figures of each unit of :mod:`reports.indicators` are printed.
KIND_OF_UNIT = {
    Unit.COUNT: Kind.COUNT,
    Unit.PERSONS: Kind.PERSONS,
    Unit.HOURS: Kind.HOURS,
    Unit.DAYS: Kind.NUMBER,
    Unit.RATE: Kind.RATE,
}


def small_marker(threshold: int) -> str:
    """How a count of persons from 1 to ``threshold`` − 1 is printed: "<5" or "<10"."""
    return f"<{threshold}"


def is_withheld(printed: str) -> bool:
    """Whether a printed figure is a suppression marker rather than a number."""
    return printed in (COMPLEMENT, DERIVED) or printed.startswith("<")


def format_value(
    value, kind: Kind, *, suppress: bool, base: int | None = None, threshold: int = SMALL_CELL
) -> str:
    """A figure as printed in the report's language; "–" where there is none.

    Suppressed, a count of persons from 1 to ``threshold`` − 1 prints as "<5", a share whose
    ``base`` or count is that small as "–*" (:func:`reports.disclosure.derived_withheld`).
    """
    if value is None or value == "":
        return "–"
    if kind == Kind.TEXT:
        return str(value)
    if suppress and kind == Kind.PERSONS and is_small(value, threshold):
        return small_marker(threshold)
    if (
        suppress
        and kind == Kind.PERCENT
        and derived_withheld(base, threshold, share_numerator(value, base))
    ):
        return DERIVED
    if kind in (Kind.CHANGE, Kind.CHANGE_PERCENT):
        return _signed(value, kind)
    return _number(value, kind).replace("-", "\N{MINUS SIGN}", 1)  # "−1,4", not "-1,4"


def _number(value, kind: Kind) -> str:
    if kind == Kind.PERCENT:
        return f"{number_format(round(value * 100), 0, use_l10n=True)} %"
    if kind == Kind.MONEY:
        places = 0 if float(value).is_integer() else 2
        return number_format(round(value, places), places, use_l10n=True, force_grouping=True)
    # Django's number_format cuts decimals off; round first so 44.57 prints as 44.6.
    if kind == Kind.HOURS:
        return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)


def _signed(value, kind: Kind, of: Kind = Kind.NUMBER) -> str:
    """A change with its sign: "+12", "−3,5", "+8 %"; no change is "0". ``of``: the kind of
    the figures compared (a change of hours keeps their decimal)."""
    number = round(value * 100) if kind == Kind.CHANGE_PERCENT else value
    printed = format_value(
        abs(number), Kind.HOURS if of == Kind.HOURS else Kind.NUMBER, suppress=False
    )
    sign = "+" if number > 0 else "−" if number < 0 else ""
    return f"{sign}{printed} %" if kind == Kind.CHANGE_PERCENT else f"{sign}{printed}"


@dataclass(frozen=True)
class Rate:
    """A share printed with its numerator and denominator."""

    part: int | None
    whole: int | None
    counts: Kind = Kind.PERSONS  # what the two count: a rate over persons can be withheld

    @property
    def share(self) -> float | None:
        return indicators.share(self.part, self.whole)


def rate_withheld(rate: Rate, threshold: int) -> bool:
    """Whether funder output withholds a rate over persons as a whole: its denominator, or
    its numerator, is from 1 to ``threshold`` − 1 (:func:`reports.disclosure.derived_withheld`).
    A rate over groups is never withheld: groups are not persons."""
    if rate.counts != Kind.PERSONS or rate.part is None or not rate.whole:
        return False
    return derived_withheld(rate.whole, threshold, rate.part)


def format_rate(rate: Rate, *, suppress: bool, threshold: int = SMALL_CELL) -> str:
    """A rate as "11 of 14 (79 %)" in the report's language; "–" without a denominator.

    In funder output a rate over few persons is withheld as a whole, "–*" (:func:`rate_withheld`):
    neither its share nor its n is printed.
    """
    if rate.part is None or not rate.whole:
        return "–"
    if suppress and rate_withheld(rate, threshold):
        return DERIVED
    percent = format_value(rate.share, Kind.PERCENT, suppress=False)
    return _("%(part)s of %(whole)s (%(percent)s)") % {
        "part": format_value(rate.part, Kind.COUNT, suppress=False),
        "whole": format_value(rate.whole, Kind.COUNT, suppress=False),
        "percent": percent.replace(" ", NO_BREAK),  # "79 %" stays on one line
    }


def format_points(value) -> str:
    """A difference in percentage points with its sign: "+3.5", "−0.4", "±0.0"; a whole
    number of points (a count's deviation from plan) without a decimal: "−45", "±0"."""
    if value is None or value == "":
        return "–"
    places = 0 if isinstance(value, int) else 1
    number = number_format(round(abs(value), places), places, use_l10n=True, force_grouping=True)
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return f"{sign}{number}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind != Kind.TEXT


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)  # raw values, for the XLSX export
    cells: list[list[str]] = field(default_factory=list)  # printed values
    empty: str = ""
    kinds: list[list[Kind]] = field(default_factory=list)  # how each cell is printed


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    markers: tuple[str, ...] = ()  # suppression markers on its bars, for the footnotes


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    raw: object = None
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Listing:
    """Terms with a text each (milestones, reasons for deviations), printed as a list."""

    title: str
    items: list[tuple[str, str]]


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""
    text: str = ""  # written by the program, printed before the figures
    lists: list[Listing] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)  # what the markers used here mean
    paragraphs: list[str] = field(default_factory=list)  # findings and limitations, in words


class Builder:
    """Turns snapshot values into printed figures, tables and charts, suppressing or not.

    ``withheld`` maps figure ids to their markers (:func:`disclosure_plan`): a breakdown's
    cell is ``(measure, breakdown, row key)``, e.g. ``("contacts", "by_kind", "group")``, a
    total ``(measure, "total")``. A row may carry ``"_marks"``, markers by column key.

    ``entries`` are the snapshot's indicators (:func:`reports.indicators.entries_of`); the
    keys of those printed are remembered in ``used``, for the definitions annex. ``bases``
    gives the statistics that are not rates the persons they rest on (:func:`statistic_bases`).
    """

    def __init__(
        self,
        *,
        suppress: bool,
        threshold: int = SMALL_CELL,
        withheld=None,
        entries: dict | None = None,
        bases: dict | None = None,
        labels: dict | None = None,
        report=None,
    ):
        self.suppress = suppress
        self.report = report  # the written parts (reasons, measures, milestones), if any
        self.threshold = threshold
        self.withheld: dict = withheld or {}
        self.entries = entries or {}
        self.bases = bases or {}
        self.labels = labels or {}  # the program's own words for some indicators
        self.used: dict[str, None] = {}

    def format(self, value, kind: Kind, *, ref=None, base=None, mark=None) -> str:
        """A value as printed: its marker where the plan or ``mark`` withholds it."""
        if self.suppress:
            if mark:
                return mark
            if ref is not None and ref in self.withheld:
                return self.withheld[ref]
            if kind in (Kind.NUMBER, Kind.HOURS) and derived_withheld(base, self.threshold):
                return DERIVED if value is not None else "–"
        if kind == Kind.RATE:
            return format_rate(value, suppress=self.suppress, threshold=self.threshold)
        if kind == Kind.POINTS:
            return format_points(value)
        return format_value(
            value, kind, suppress=self.suppress, base=base, threshold=self.threshold
        )

    def figure(self, label, value, kind=Kind.COUNT, base=None, ref=None) -> Figure:
        """A figure; ``ref`` is its id in the plan, ``base`` the persons a statistic rests on."""
        return Figure(str(label), self.format(value, kind, ref=ref, base=base), value, kind)

    def recorded(self, key: str) -> bool:
        entry = self.entries.get(key)
        return entry is not None and entry["recorded"]

    def mark(self, key: str) -> str | None:
        """The marker of indicator ``key`` in funder output, None where it is printed.

        The one decision for the figure, wherever it appears: its id in the plan
        (:data:`PLAN_IDS`), a small count of persons, a rate over persons as a whole
        (:func:`rate_withheld`), a statistic resting on too few persons (``bases``).
        """
        entry = self.entries.get(key)
        if not self.suppress or entry is None or not entry["recorded"]:
            return None
        ref = PLAN_IDS.get(key)
        if ref in self.withheld:
            return self.withheld[ref]
        unit = Unit(entry["unit"])
        if unit == Unit.RATE:
            rate = rate_of(key, entry["numerator"], entry["denominator"])
            return DERIVED if rate_withheld(rate, self.threshold) else None
        value = entry["value"]
        if unit == Unit.PERSONS and is_small(value, self.threshold):
            return small_marker(self.threshold)
        if value is not None and derived_withheld(self.bases.get(key), self.threshold):
            return DERIVED
        return None

    def indicator(self, key: str) -> Figure:
        """The figure of indicator ``key``: a rate with its n, "Not recorded" where the
        program does not record it, its marker where it is withheld (:meth:`mark`)."""
        entry = self.entries[key]
        self.used[key] = None
        label = self.labels.get(key, entry["label"])
        if not entry["recorded"]:
            return Figure(label, _("Not recorded"), None, Kind.TEXT)
        kind = KIND_OF_UNIT[Unit(entry["unit"])]
        if kind == Kind.RATE:
            value = rate_of(key, entry["numerator"], entry["denominator"])
        else:
            value = entry["value"]
        return Figure(label, self.format(value, kind, mark=self.mark(key)), value, kind)

    def indicators(self, *keys: str, optional: tuple[str, ...] = ()) -> list[Figure]:
        """The figures of ``keys``, then of those ``optional`` ones the program records."""
        chosen = list(keys) + [key for key in optional if self.recorded(key)]
        return [self.indicator(key) for key in chosen if key in self.entries]

    def table(self, title, rows: list[dict], columns: list[Column], ref=None) -> Table:
        """A table of ``rows``; ``ref`` names the breakdown (``"by_kind"``) in the plan. A
        row's ``kinds`` may print some of its cells differently from their column (a rate
        target among counts), its ``_marks`` withhold some."""
        table = Table(str(title), columns, empty=_("Nothing recorded in this period."))
        for row in rows:
            values = [row.get(c.key) for c in columns]
            kinds = [row.get("kinds", {}).get(c.key, c.kind) for c in columns]
            marks = row.get("_marks", {})
            table.rows.append(values)
            table.kinds.append(kinds)
            table.cells.append(
                [
                    self.format(
                        v,
                        k,
                        ref=(c.key, ref, row.get("key")) if ref else None,
                        mark=marks.get(c.key),
                    )
                    for v, k, c in zip(values, kinds, columns, strict=True)
                ]
            )
        return table

    def printed(self, value, kind: Kind, ref=None) -> tuple[int | float, str]:
        """A chart bar's length and printed value; a suppressed value draws no bar."""
        text = self.format(value, kind, ref=ref)
        return (0, text) if self.suppress and is_withheld(text) else (value or 0, text)

    def chart(self, title, rows: list[dict], value: str, kind: Kind, chart_id: str, **kw):
        """A bar per row, or the first rows and one bar for the others past
        :data:`CHART_ROWS`; ``ref`` names the breakdown in the plan, so a bar prints the
        marker its table cell prints."""
        horizontal = kw.pop("horizontal", True)
        label: Callable[[dict], str] = kw.pop("label", lambda r: r["label"])
        ref = kw.pop("ref", None)
        shown, others = rows, []
        if len(rows) > CHART_ROWS:
            shown, others = rows[: CHART_ROWS - 1], rows[CHART_ROWS - 1 :]
        bars = []
        for row in shown:
            length, text = self.printed(row.get(value), kind, _cell(value, ref, row))
            bars.append(
                Bar(
                    label=label(row),
                    value=length,
                    description=f"{row['label']}: {spoken(text)}",
                    display=text,
                )
            )
        if others:
            bars.append(self.others_bar(others, value, kind, ref))
        if not any(bar.value for bar in bars):
            return None  # nothing to draw: every value is zero or suppressed
        draw = hbar_chart if horizontal else bar_chart
        svg = draw(title=str(title), bars=bars, chart_id=chart_id)
        return Chart(str(title), svg, markers_of(bars))

    def total(self, values: list[tuple], kind: Kind) -> tuple[int | float, str]:
        """A bar's length and printed value for the sum of ``values`` (value, plan id) pairs:
        withheld as "×" when one of them is withheld, since the sum and the other values
        printed beside it would give it away."""
        if self.suppress and any(
            is_withheld(self.printed(value, kind, ref)[1]) for value, ref in values
        ):
            return 0, COMPLEMENT
        return self.printed(sum(value or 0 for value, _ref in values), kind)

    def others_bar(self, rows: list[dict], value: str, kind: Kind, ref=None) -> Bar:
        """One bar for the rows beyond the chart's limit: their sum, each named in the
        description."""
        label = _("%(count)s others") % {"count": len(rows)}
        cells = [(row.get(value), _cell(value, ref, row)) for row in rows]
        length, text = self.total(cells, kind)
        listed = ", ".join(
            f"{row['label']} {spoken(self.printed(v, kind, cell)[1])}"
            for row, (v, cell) in zip(rows, cells, strict=True)
        )
        return Bar(
            label=label,
            value=length,
            display=text,
            description=f"{label}: {spoken(text)} ({listed})",
        )


def _cell(value: str, ref, row: dict):
    """The plan id of a breakdown's cell: ``(measure, breakdown, row key)``."""
    return (value, ref, row.get("key")) if ref else None


def spoken(text: str) -> str:
    """A printed value as the alternative text says it: "×" in words."""
    return str(_("withheld")) if text == COMPLEMENT else text


def markers_of(bars: list[Bar]) -> tuple[str, ...]:
    """The suppression markers printed on ``bars``, for the section's footnotes."""
    return tuple(sorted({bar.display for bar in bars if is_withheld(bar.display)}))


def _period_chart(
    b: Builder, titles: tuple, rows: list[dict], value: str, kind: Kind, chart_id, ref=None
):
    """A chart over the report period: a bar for every month, or for every quarter when the
    period is longer than :data:`QUARTERS_AFTER` months, with the years under the labels. Its
    alternative text names the period and every value ("… January 2025 to December 2025:
    January 2025 12, February 15, …"); ``titles`` are the titles by month and by quarter,
    ``ref`` names the breakdown by month in the plan."""
    months = [
        (dt.date.fromisoformat(f"{row['key']}-01"), row.get(value), _cell(value, ref, row))
        for row in rows
    ]
    if not months:
        return None
    by_quarter = len(months) > QUARTERS_AFTER
    bars = _quarter_bars(b, months, kind) if by_quarter else _month_bars(b, months, kind)
    if not any(bar.value for bar in bars):
        return None
    title = str(titles[1] if by_quarter else titles[0])
    alt = _("%(title)s, %(start)s to %(end)s: %(values)s") % {
        "title": title,
        "start": date_format(months[0][0], "YEAR_MONTH_FORMAT"),
        "end": date_format(months[-1][0], "YEAR_MONTH_FORMAT"),
        "values": ", ".join(bar.description for bar in bars),
    }
    svg = bar_chart(title=title, bars=bars, chart_id=chart_id, alt=alt)
    return Chart(title, svg, markers_of(bars))


def _month_bars(b: Builder, months: list[tuple], kind: Kind) -> list[Bar]:
    """A bar per month; the year is named at the first month and at each January."""
    bars = []
    for i, (month, value, ref) in enumerate(months):
        length, text = b.printed(value, kind, ref)
        named = date_format(month, "YEAR_MONTH_FORMAT" if i == 0 or month.month == 1 else "F")
        bars.append(
            Bar(
                label=date_format(month, "M"),
                value=length,
                display=text,
                description=f"{named} {spoken(text)}",
                group=str(month.year),
            )
        )
    return bars


def _quarter_bars(b: Builder, months: list[tuple], kind: Kind) -> list[Bar]:
    """A bar per calendar quarter; a quarter the period covers only in part names its months.
    A quarter with a withheld month is withheld as "×" (:meth:`Builder.total`)."""
    quarters: dict[tuple[int, int], list] = {}
    for month, value, ref in months:
        quarters.setdefault((month.year, (month.month - 1) // 3 + 1), []).append(
            (month, value, ref)
        )
    bars = []
    for (year, quarter), inside in quarters.items():
        length, text = b.total([(value, ref) for _month, value, ref in inside], kind)
        named = _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
        if len(inside) < 3:
            first, last = date_format(inside[0][0], "F"), date_format(inside[-1][0], "F")
            named += f" ({first}–{last})" if first != last else f" ({first})"
        bars.append(
            Bar(
                label=_("Q%(quarter)s") % {"quarter": quarter},
                value=length,
                display=text,
                description=f"{named} {spoken(text)}",
                group=str(year),
            )
        )
    return bars


# Indicators that are figures of the disclosure plan (:func:`disclosure_plan`): their id in it.
PLAN_IDS = {
    "activities": ("activities", "total"),
    "contacts": ("contacts", "total"),
    "people_reached": ("people", "total"),
    "referrals": ("referrals", "total"),
    "matches_ended": ("matches", "total"),
}


def statistic_bases(s: dict) -> dict:
    """Indicators that are statistics but not rates, with the persons each rests on."""
    referrals = s["referrals"]
    return {
        "supervision_hours_per_active_volunteer": s["volunteers"]["active"],
        "median_days_to_appointment": referrals.get(
            "with_appointment", referrals.get("with_appointment_outcome")
        ),
    }


def rate_of(key: str, part, whole) -> Rate:
    """The :class:`Rate` of indicator ``key``, suppressed as what it counts."""
    indicator = REGISTRY.get(key)
    counts = KIND_OF_UNIT[indicator.counts] if indicator else Kind.PERSONS
    return Rate(part, whole, counts)


def _label_column(title=None) -> Column:
    return Column("label", str(title or _("Category")))


SECTION_TITLES = {
    "activities": gettext_lazy("Activities"),
    "contacts": gettext_lazy("Contacts"),
    "people_reached": gettext_lazy("People reached"),
    "languages": gettext_lazy("Languages"),
    "volunteers": gettext_lazy("Volunteers"),
    "supervision": gettext_lazy("Supervision"),
    "referrals": gettext_lazy("Referrals"),
    "matches": gettext_lazy("Matches"),
    "selfhelp_groups": gettext_lazy("Self-help groups"),
    "caseload": gettext_lazy("Caseload by area"),
    "targets": gettext_lazy("Targets and results"),
    "outcomes": gettext_lazy("Outcomes"),
    "comparison": gettext_lazy("Compared with the previous period"),
    "measures": gettext_lazy("Measures and milestones"),
    "costs": gettext_lazy("Costs"),
    "data_quality": gettext_lazy("Data quality"),
}


def _section(key: str) -> Section:
    return Section(key=key, title=str(SECTION_TITLES[key]), note=str(METHOD_NOTES[key]))


# ---- what the program calls its volunteers --------------------------------------------------

# Labels with the program's own word for its volunteers ("Aktive Counselor:innen"); the word
# stands in the nominative plural, so one phrasing fits every term in German.
HELPER_LABELS = {
    "active": gettext_noop("Active %(helpers)s"),
    "new": gettext_noop("New %(helpers)s"),
    "left": gettext_noop("%(helpers)s who left"),
    "trained": gettext_noop("%(helpers)s trained"),
    "languages": gettext_noop("Languages spoken by active %(helpers)s"),
    "supervised": gettext_noop("%(helpers)s supervised"),
    "unsupervised": gettext_noop("Active %(helpers)s without supervision"),
}


def helper_term(s: dict) -> HelperTerm:
    """The program's word for its volunteers, as the snapshot recorded it."""
    try:
        return HelperTerm(s.get("program", {}).get("helper_term") or HelperTerm.VOLUNTEERS)
    except ValueError:
        return HelperTerm.VOLUNTEERS


def helper_label(s: dict, key: str) -> str:
    """The label ``key`` of ``HELPER_LABELS`` in the report's language and the program's word."""
    return capfirst(_(HELPER_LABELS[key]) % {"helpers": helper_term(s).sentence_noun})


def helper_labels(s: dict) -> dict[str, str]:
    """The labels of the indicators about a program's helpers, in the program's own word for
    them ("Aktive Laienhelfer:innen"); the registry's labels say "volunteers"."""
    if helper_term(s) == HelperTerm.VOLUNTEERS:
        return {}
    labels = {
        "volunteers_active": "active",
        "volunteers_new": "new",
        "volunteers_left": "left",
        "volunteers_trained": "trained",
        "volunteer_languages": "languages",
        "volunteers_supervised": "supervised",
        "active_never_supervised": "unsupervised",
    }
    return {key: helper_label(s, label) for key, label in labels.items()} | {
        "supervision_hours_per_active_volunteer": str(_("Supervision hours per active person"))
    }


def _helper_note(s: dict, note: str) -> str:
    """A definition that says "volunteers", told what the word means in this program."""
    term = helper_term(s)
    if term == HelperTerm.VOLUNTEERS:
        return note
    meaning = _("In these definitions, “volunteers” means the program’s %(helpers)s.") % {
        "helpers": term.sentence_noun
    }
    return f"{meaning} {note}"


# ---- dates in the report's language ----------------------------------------------------------


def format_day(day: dt.date, language: str | None = None) -> str:
    """A day as the report's language writes it in full: "6 December 2026", "6. Dezember 2026"."""
    return format_date(day, "long", locale=current_locale(language))


def _full_months(pattern: str) -> str:
    return re.sub(r"(?<![ML])(MMM|LLL)(?![ML])", lambda m: m.group(1) + m.group(1)[0], pattern)


def format_period(start: dt.date, end: dt.date, language: str | None = None) -> str:
    """A period as the report's language writes it, months in full and the shared year once:
    "1 January – 31 December 2025", "1. Januar – 31. Dezember 2025", "1. januar–31. december
    2025" (the CLDR's interval formats)."""
    locale = current_locale(language)
    if start == end:
        return format_day(start, language)
    greatest = "y" if start.year != end.year else "M" if start.month != end.month else "d"
    patterns = (locale.interval_formats.get("yMMMd") or {}).get(greatest)
    if not patterns or len(patterns) != 2:
        fallback = locale.interval_formats.get(None) or "{0} – {1}"
        return fallback.format(format_day(start, language), format_day(end, language))
    text = "".join(
        parse_pattern(_full_months(pattern)).apply(day, locale)
        for pattern, day in zip(patterns, (start, end), strict=True)
    )
    # The CLDR sets the dash between thin spaces; the report sets every range with plain ones.
    return text.replace("\u2009", " ")


def _activities(s: dict, b: Builder) -> Section:
    a = s["activities"]
    sec = _section("activities")
    sec.figures = b.indicators("activities", "activity_hours", optional=("shelters_reached",))
    sec.charts = [
        _period_chart(
            b,
            (_("Activities per month"), _("Activities per quarter")),
            a["by_month"],
            "activities",
            Kind.COUNT,
            "chart-activities-month",
            ref="by_month",
        ),
        b.chart(
            _("Activities by kind"),
            a["by_kind"],
            "activities",
            Kind.COUNT,
            "chart-kind",
            ref="by_kind",
        ),
    ]
    by_kind_columns = [
        _label_column(_("Kind")),
        Column("activities", _("Activities"), Kind.COUNT),
        Column("contacts", _("Contacts"), Kind.PERSONS),
        Column("minutes", _("Minutes"), Kind.COUNT),
    ]
    sec.tables = [
        b.table(_("Activities by kind"), a["by_kind"], by_kind_columns, ref="by_kind"),
        b.table(
            _("Activities by month"),
            a["by_month"],
            [
                _label_column(_("Month")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
            ref="by_month",
        ),
        b.table(
            _("Activities by site"),
            a["by_site"],
            [
                _label_column(_("Site")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
            ref="by_site",
        ),
        b.table(
            _("Activities by topic"),
            a["by_topic"],
            [
                _label_column(_("Topic")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
            ref="by_topic",
        ),
    ]
    return sec


def _contacts(s: dict, b: Builder) -> Section:
    c = s["contacts"]
    sec = _section("contacts")
    sec.figures = b.indicators("contacts")
    sec.charts = [
        _period_chart(
            b,
            (_("Contacts per month"), _("Contacts per quarter")),
            c["by_month"],
            "contacts",
            Kind.PERSONS,
            "chart-contacts-month",
            ref="by_month",
        )
    ]
    sec.tables = [
        b.table(
            title,
            c[key],
            [_label_column(column), Column("contacts", _("Contacts"), Kind.PERSONS)],
            ref=key,
        )
        for key, title, column in (
            ("by_kind", _("Contacts by kind of activity"), _("Kind")),
            ("by_site", _("Contacts by site"), _("Site")),
            ("by_language", _("Contacts by language"), _("Language")),
        )
    ]
    return sec


def _people(s: dict, b: Builder) -> Section:
    p = s["people_reached"]
    sec = _section("people_reached")
    sec.figures = b.indicators(
        "people_reached",
        optional=("people_counselled", "intakes", "aftercare_at_end", "aftercare_ended"),
    )
    if not b.recorded("people_reached"):
        return sec  # no participants are logged: nothing to break down
    sec.charts = [
        b.chart(
            _("People by age"),
            p["by_age_band"],
            "people",
            Kind.PERSONS,
            "chart-age",
            ref="by_age_band",
        ),
        b.chart(
            _("People by gender"),
            p["by_gender"],
            "people",
            Kind.PERSONS,
            "chart-gender",
            ref="by_gender",
        ),
    ]
    sec.tables = [
        b.table(
            title,
            p[key],
            [_label_column(column), Column("people", _("People"), Kind.PERSONS)],
            ref=key,
        )
        for key, title, column in (
            ("by_gender", _("People reached by gender"), _("Gender")),
            ("by_age_band", _("People reached by age"), _("Age")),
            ("by_country", _("People reached by country of origin"), _("Country of origin")),
            ("by_language", _("People reached by language"), _("Language")),
        )
    ]
    return sec


def _languages(s: dict, b: Builder) -> Section:
    lang = s["languages"]
    sec = _section("languages")
    sec.figures = b.indicators("languages", optional=("counselling_languages",))
    sec.charts = [
        b.chart(
            _("Activities by language"),
            lang["rows"],
            "activities",
            Kind.COUNT,
            "chart-lang",
            ref="by_language",
        )
    ]
    sec.tables = [
        b.table(
            _("Activities and contacts by language"),
            lang["rows"],
            [
                _label_column(_("Language")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
            ref="by_language",
        )
    ]
    return sec


def _volunteers(s: dict, b: Builder) -> Section:
    v = s["volunteers"]
    sec = _section("volunteers")
    sec.title = str(helper_term(s).label)
    sec.note = _helper_note(s, sec.note)
    sec.figures = b.indicators(
        "volunteers_active",
        "volunteers_new",
        "volunteers_left",
        "volunteers_trained",
        "counsellors_employed",
        "volunteer_retention",
        "volunteer_languages",
    )
    sec.tables = [
        b.table(
            helper_label(s, "languages"),
            v["languages"],
            [
                _label_column(_("Language")),
                Column("volunteers", str(helper_term(s).label), Kind.COUNT),
            ],
            ref="by_language",
        )
    ]
    return sec


def _supervision(s: dict, b: Builder) -> Section:
    sv = s["supervision"]
    sec = _section("supervision")
    sec.note = _helper_note(s, sec.note)
    sec.figures = b.indicators(
        "supervision_sessions",
        "supervision_hours",
        "volunteers_supervised",
        "supervision_hours_per_active_volunteer",
        "active_never_supervised",
    )
    sec.tables = [
        b.table(
            _("Supervision by kind"),
            sv["by_kind"],
            [
                _label_column(_("Kind")),
                Column("sessions", _("Supervision sessions"), Kind.COUNT),
                Column("hours", _("Hours"), Kind.HOURS),
            ],
        )
    ]
    return sec


def _referrals(s: dict, b: Builder) -> Section:
    r = s["referrals"]
    sec = _section("referrals")
    sec.figures = b.indicators(
        "referrals",
        "referrals_attended_share",
        "no_show_rate",
        "median_days_to_appointment",
        "referrals_inbound",
        "referral_sources",
    )
    sec.charts = [
        b.chart(
            _("Referrals by service"),
            r["by_category"],
            "referrals",
            Kind.PERSONS,
            "chart-refcat",
            ref="by_category",
        )
    ]
    columns = [Column("referrals", _("Referrals"), Kind.PERSONS)]
    sec.tables = [
        b.table(
            _("Referrals by service"),
            r["by_category"],
            [_label_column(_("Service"))] + columns,
            ref="by_category",
        ),
        b.table(
            _("Referrals by status"),
            r["by_status"],
            [_label_column(_("Status"))] + columns,
            ref="by_status",
        ),
    ]
    return sec


def _matches(s: dict, b: Builder) -> Section:
    m = s["matches"]
    sec = _section("matches")
    # The cohort started within the period, where any of it has a known outcome.
    started = ("match_retention_6m_started",) if m.get("period_cohort") else ()
    sec.figures = b.indicators(
        "matches_started",
        "matches_active_at_end",
        "matches_ended",
        "match_retention_6m",
        *started,
    )
    sec.tables = [
        b.table(
            _("Why matches ended"),
            m["end_reasons"],
            [_label_column(_("Reason")), Column("matches", _("Matches"), Kind.PERSONS)],
            ref="end_reasons",
        )
    ]
    return sec


def _selfhelp(s: dict, b: Builder) -> Section:
    g = s["selfhelp_groups"]
    sec = _section("selfhelp_groups")
    started = ("selfhelp_groups_12m_started",) if g.get("period_follow_up_cohort") else ()
    sec.figures = b.indicators(
        "selfhelp_groups_started",
        "selfhelp_groups_accompanied",
        "contact_points",
        "contact_point_cities",
        "selfhelp_groups_12m",
        *started,
    )
    sec.tables = [
        b.table(
            _("Groups accompanied by topic"),
            g["by_topic"],
            [_label_column(_("Topic")), Column("groups", _("Groups"), Kind.COUNT)],
        )
    ]
    return sec


def _caseload(s: dict, b: Builder) -> Section:
    sec = _section("caseload")
    sec.tables = [
        b.table(
            _("Residents per full-time staff"),
            [{**area, "_marks": _caseload_marks(area, b)} for area in s["caseload"]["areas"]],
            [
                _label_column(_("Area")),
                Column("sites", _("Sites"), Kind.COUNT),
                Column("residents", _("Residents"), Kind.PERSONS),
                Column("staff_fte", _("Full-time staff"), Kind.HOURS),
                Column("residents_per_staff", _("Residents per staff"), Kind.NUMBER),
                Column("target", _("Target (1:N)"), Kind.NUMBER),
                Column("status_label", _("Status"), Kind.TEXT),
            ],
        )
    ]
    return sec


def _period(start_iso: str, end_iso: str) -> str:
    return format_period(dt.date.fromisoformat(start_iso), dt.date.fromisoformat(end_iso))


def _target_row(row: dict, s: dict, b: Builder) -> dict:
    """A target as the table prints it: a count as its share of the target, a rate with its
    n, never as a share of the target; each with its deviation from plan in percentage points
    (:func:`reports.kpis.deviation_points`); in funder output withheld as the report's own
    figure is, the deviation with it (:func:`_target_marks`)."""
    printed = {
        **row,
        "period": _period(row["starts_on"], row["ends_on"]),
        "share": None if row.get("percent") is None else row["percent"] / 100,
        "elapsed": row["elapsed_percent"] / 100,
        # A snapshot from before the deviation column holds a rate target's gap only.
        "deviation": row.get("deviation", row.get("gap_points")),
    }
    if row["indicator"] in b.entries:
        b.used[row["indicator"]] = None
    if not row.get("recorded", True):
        return {**printed, "actual": _("Not recorded"), "kinds": {"actual": Kind.TEXT}}
    if row.get("unit") == Unit.RATE:
        rate = rate_of(row["indicator"], row.get("numerator"), row.get("denominator"))
        return {
            **printed,
            "target": row["target"] / 100,
            "actual": rate,
            "kinds": {"target": Kind.PERCENT, "actual": Kind.RATE},
            "_marks": _target_marks(row, s, b),
        }
    return {**printed, "_marks": _target_marks(row, s, b)}


def _targets(s: dict, b: Builder) -> Section:
    sec = _section("targets")
    rows = [_target_row(row, s, b) for row in s["targets"]["rows"]]
    margin = s["targets"].get("margin")
    if margin is not None:
        sec.note = f"{sec.note} {METHOD_NOTES['plan_versus_actual'] % {'margin': margin}}"
    reasons = _reasons(rows, b)
    if reasons:
        sec.lists = [Listing(_("Reasons for deviations"), reasons)]
    sec.tables = [
        b.table(
            _("Targets and results"),
            rows,
            [
                Column("label", _("Indicator")),
                Column("period", _("Target period")),
                Column("target", _("Target"), Kind.NUMBER),
                Column("actual", _("Achieved"), Kind.NUMBER),
                Column("share", _("Achieved (%)"), Kind.PERCENT),
                Column("elapsed", _("Period elapsed (%)"), Kind.PERCENT),
                Column("deviation", _("Deviation (points)"), Kind.POINTS),
            ],
        )
    ]
    return sec


def target_term(row: dict, deviation: str | None = None) -> str:
    """A target row named as the reasons for deviations name it, with its deviation printed
    (``deviation``, or the row's own); without it where funder output withholds it."""
    period = _period(row["starts_on"], row["ends_on"])
    if deviation is None:
        deviation = format_points(row.get("deviation"))
    if deviation == "–" or is_withheld(deviation):
        return f"{row['label']}, {period}"
    return _("%(target)s, %(period)s: %(deviation)s points") % {
        "target": row["label"],
        "period": period,
        "deviation": deviation,
    }


def _reasons(rows: list[dict], b: Builder) -> list[tuple[str, str]]:
    """The program's reason beside each target that has one, and a gap for each target behind
    plan without one (a draft; a report is not published so). ``rows``: as the table prints
    them (:func:`_target_row`), so a withheld deviation stays withheld here."""
    given = (b.report.target_reasons or {}) if b.report is not None else {}
    items = []
    for row in rows:
        reason = str(given.get(row["key"], "")).strip()
        if reason or row.get("behind"):
            mark = row.get("_marks", {}).get("deviation")
            deviation = b.format(row.get("deviation"), Kind.POINTS, mark=mark)
            items.append((target_term(row, deviation), reason or _("No reason given yet.")))
    return items


def _change_cells(
    current, previous, kind: Kind, suppress: bool, *, withheld=None, threshold=SMALL_CELL
) -> tuple[list, list[str]]:
    """The change from ``previous`` to ``current``, absolute and in per cent, raw and printed.

    Suppressed, a change is withheld as "–*" where either figure is withheld (it would give
    the withheld one away); ``withheld`` says so, by default where either is a small count of
    persons (:func:`reports.disclosure.is_small`). The change in per cent is "–" where the
    previous figure is zero or below ``threshold`` (too small a base).
    """
    if current is None or previous is None:
        return [None, None], ["–", "–"]
    if withheld is None:
        withheld = kind == Kind.PERSONS and (
            is_small(current, threshold) or is_small(previous, threshold)
        )
    change = round(current - previous, 1)
    ratio = change / previous if previous else None
    if suppress and withheld:
        return [change, ratio], [DERIVED, DERIVED]
    printed_ratio = (
        "–" if ratio is None or previous < threshold else _signed(ratio, Kind.CHANGE_PERCENT)
    )
    return [change, ratio], [_signed(change, Kind.CHANGE, kind), printed_ratio]


def _previous_mark(key: str, entry: dict, figures: dict, b: Builder) -> str | None:
    """The marker of indicator ``key`` of the previous period in funder output: a small count
    of persons, a rate over few persons, a statistic resting on few (as :meth:`Builder.mark`)."""
    if not b.suppress:
        return None
    unit = Unit(entry["unit"])
    if unit == Unit.RATE:
        rate = rate_of(key, entry["numerator"], entry["denominator"])
        return DERIVED if rate_withheld(rate, b.threshold) else None
    value = entry["value"]
    if unit == Unit.PERSONS and is_small(value, b.threshold):
        return small_marker(b.threshold)
    base = statistic_bases(figures).get(key)
    if value is not None and derived_withheld(base, b.threshold):
        return DERIVED
    return None


def _in_points(points: float | None) -> str:
    """A rate's change, with its unit: "+17.5 pp" (percentage points, not per cent)."""
    if points is None:
        return "–"
    return pgettext("a change of a rate", "%(points)s pp") % {"points": format_points(points)}


def _comparison_row(key: str, figures: dict, b: Builder) -> tuple[list, list[str], list[Kind]]:
    """Key figure ``key`` of this period and the previous one, with the change: raw values,
    printed values and how each is printed. A rate changes in percentage points."""
    now = b.indicator(key)
    entry = indicators.entry(REGISTRY[key], figures)
    kind = KIND_OF_UNIT[Unit(entry["unit"])]
    mark = _previous_mark(key, entry, figures, b)
    either_withheld = is_withheld(now.value) or mark is not None
    if kind == Kind.RATE:
        before = rate_of(key, entry["numerator"], entry["denominator"])
        points = None
        if now.raw.share is not None and before.share is not None:
            points = round(100 * (now.raw.share - before.share), 1)
        change = DERIVED if b.suppress and either_withheld else _in_points(points)
        printed = [now.value, b.format(before, kind, mark=mark), change, "–"]
        return [now.raw, before, points, None], printed, [kind, kind, Kind.POINTS, Kind.TEXT]
    before = entry["value"]
    raw, changes = _change_cells(
        now.raw, before, kind, b.suppress, withheld=either_withheld, threshold=b.threshold
    )
    printed = [now.value, b.format(before, kind, mark=mark), *changes]
    return [now.raw, before, *raw], printed, [kind, kind, Kind.CHANGE, Kind.CHANGE_PERCENT]


def _comparison(s: dict, b: Builder) -> Section | None:
    """The report's key figures (the program's headline indicators) beside those of the
    previous period, computed by the same definitions, with the change."""
    previous = s.get("previous")
    if previous is None:
        return None  # a snapshot from before the comparison
    sec = _section("comparison")
    period = _period(previous["start"], previous["end"])
    columns = [
        Column("label", _("Key figure")),
        Column("current", _("This period"), Kind.NUMBER),
        Column("previous", _("Previous period (%(period)s)") % {"period": period}, Kind.NUMBER),
        Column("change", pgettext("compared with the previous period", "Change"), Kind.CHANGE),
        Column(
            "change_percent",
            pgettext("compared with the previous period", "Change (%)"),
            Kind.CHANGE_PERCENT,
        ),
    ]
    table = Table(
        _("Key figures compared with the previous period"),
        columns,
        empty=_("The program had not started in the previous period (%(period)s).")
        % {"period": period},
    )
    figures = previous["figures"]
    headline = s.get("headline") or indicators.headline(None, s)
    for key in headline if figures is not None else ():
        if key not in REGISTRY or not b.recorded(key):
            continue
        raw, printed, kinds = _comparison_row(key, figures, b)
        label = b.labels.get(key, b.entries[key]["label"])
        table.rows.append([label, *raw])
        table.cells.append([label, *printed])
        table.kinds.append([Kind.TEXT, *kinds])
    sec.tables = [table]
    return sec


def _measures(s: dict, b: Builder) -> Section | None:
    report = b.report
    sec = _section("measures")
    sec.text = (report.measures or "").strip() if report is not None else ""
    trainings = [
        {**row, "dates": _period(row["starts_on"], row["ends_on"])}
        for row in s.get("trainings", {}).get("rows", [])
    ]
    if trainings:
        sec.tables = [
            b.table(
                _("Trainings in the period"),
                trainings,
                [
                    _label_column(_("Training")),
                    Column("dates", _("Dates"), Kind.TEXT),
                    Column("planned_hours", _("Planned hours"), Kind.HOURS),
                    Column("enrolled", _("Enrolled"), Kind.COUNT),
                    Column("completed", _("Completed in the period"), Kind.COUNT),
                ],
            )
        ]
    text = report.milestones if report is not None else ""
    try:
        milestones = [(format_day(day), what) for day, what in parse_milestones(text)]
    except ValueError:  # stored before the form checked it: print the lines as they are
        milestones = [("", line.strip()) for line in text.splitlines() if line.strip()]
    if milestones:
        sec.lists = [Listing(_("Milestones"), milestones)]
    if not (sec.text or sec.tables or sec.lists):
        return None
    return sec


def _costs(s: dict, b: Builder) -> Section | None:
    """The grant's funds and what they came to per person and per hour. The cost per person
    reached is derived from the people reached: withheld ("–*") where that figure is."""
    c = s.get("costs")
    if not c:
        return None
    sec = _section("costs")
    currency = {"currency": c["currency"]}
    people = b.indicator("people_reached")

    def money(label, value, withheld=False):
        printed = (
            DERIVED if b.suppress and withheld else format_value(value, Kind.MONEY, suppress=False)
        )
        return Figure(str(label) % currency, printed, value, Kind.MONEY)

    rate = c["volunteer_hour_rate"]
    sec.figures = [
        money(_("Grant amount (%(currency)s)"), c["amount"]),
        b.figure(_("Grant period"), _period(c["grant_start"], c["grant_end"]), Kind.TEXT),
        b.figure(_("Share of the grant period in this report"), c["period_share"], Kind.PERCENT),
        money(_("Grant funds for this period, pro rata (%(currency)s)"), c["amount_for_period"]),
        people,
        money(
            _("Cost per person reached (%(currency)s)"),
            c["cost_per_person"],
            withheld=is_withheld(people.value)
            or derived_withheld(c["people_reached"], b.threshold),
        ),
        b.figure(_("Hours of activities"), c["activity_hours"], Kind.HOURS),
        money(_("Cost per hour of activity (%(currency)s)"), c["cost_per_activity_hour"]),
        b.figure(_("Hours given by volunteers"), c["volunteer_hours"], Kind.HOURS),
    ]
    if rate is not None:
        sec.figures += [
            money(_("Value of a volunteer hour (%(currency)s)"), rate),
            money(_("Volunteer hours as in-kind contribution (%(currency)s)"), c["in_kind_value"]),
        ]
    notes = [sec.note]
    if not c.get("within_grant", True):
        notes.append(
            _(
                "The report period extends beyond the grant period, so no costs per person or "
                "per hour are stated."
            )
        )
    if rate is None:
        notes.append(
            _(
                "No value of a volunteer hour in %(currency)s is set for the program, so the "
                "volunteer hours are not valued."
            )
            % currency
        )
    sec.note = " ".join(notes)
    return sec


def _data_quality(s: dict, b: Builder) -> Section | None:
    q = s.get("data_quality")
    if not q:
        return None
    sec = _section("data_quality")
    sec.note = sec.note % {"people": MAX_GROUP_SIZE, "hours": MAX_MINUTES // 60}
    hours = {"hours": MAX_MINUTES // 60}
    # (label, records, records checked, kind, shown)
    checks = [
        (_("Activities without a language"), "activities_without_language", "activities",
         Kind.COUNT, True),
        (_("Activities without a duration"), "activities_without_duration", "activities",
         Kind.COUNT, True),
        (_("Activities longer than %(hours)s hours") % hours, "activities_over_max_minutes",
         "activities", Kind.COUNT, True),
        (_("Group activities with no one attending"), "group_activities_empty",
         "group_activities", Kind.COUNT, q["group_activities"]),
        (_("Group activities with more than %(people)s people") % {"people": MAX_GROUP_SIZE},
         "group_activities_over_max_size", "group_activities", Kind.COUNT,
         q["group_activities"]),
        (_("Questionnaires with missing answers"), "questionnaires_incomplete",
         "questionnaires", Kind.PERSONS, q["questionnaires"]),
        (_("Baselines without a follow-up by the end of the period"),
         "baselines_without_follow_up", "baselines", Kind.PERSONS, q["baselines"]),
        (_("Six-month checks of matches due but not recorded"), "match_checks_missing",
         "match_checks_due", Kind.PERSONS, q["match_checks_due"]),
        (_("Twelve-month follow-ups of self-help groups due but not recorded"),
         "group_follow_ups_missing", "group_follow_ups_due", Kind.COUNT,
         q["group_follow_ups_due"]),
    ]  # fmt: skip
    columns = [
        Column("label", _("Check")),
        Column("records", _("Records concerned"), Kind.NUMBER),
        Column("checked", _("Records checked"), Kind.NUMBER),
    ]
    table = Table(
        _("What the figures rest on"), columns, empty=_("Nothing recorded in this period.")
    )
    for label, key, base, kind, shown in checks:
        if not shown:
            continue
        table.rows.append([str(label), q[key], q[base]])
        table.cells.append(
            [
                str(label),
                b.format(q[key], kind),
                b.format(q[base], kind),
            ]
        )
    sec.tables = [table]
    return sec


def _with_sign(value: float) -> str:
    text = format_value(value, Kind.NUMBER, suppress=False)
    return f"+{text}" if value > 0 else text


def _outcome_scale(item: dict) -> tuple[int, int]:
    """The instrument's range in report units (older snapshots do not carry it)."""
    if "scale_min" in item:
        return item["scale_min"], item["scale_max"]
    instrument = INSTRUMENTS[item["instrument"]]
    factor = instrument.percent_factor if instrument.report_field == "score_percent" else 1
    return instrument.score_min * (factor or 1), instrument.score_max * (factor or 1)


def _outcome_chart(item: dict) -> Chart:
    """The means before and after with their 95 % intervals and n, on the instrument's scale."""
    low, high = _outcome_scale(item)
    title = _("%(instrument)s: mean before and after (n = %(n)s)") % {
        "instrument": item["label"],
        "n": item["n"],
    }
    estimates = []
    for label, key in ((_("Before"), "before"), (_("After"), "after")):
        mean = item[f"mean_{key}"]
        ci_low, ci_high = item.get(f"{key}_ci_low", mean), item.get(f"{key}_ci_high", mean)
        text = format_value(mean, Kind.NUMBER, suppress=False)
        estimates.append(
            Estimate(
                label=str(label),
                value=mean,
                low=ci_low,
                high=ci_high,
                text=text,
                description=_("%(label)s %(mean)s (95 %% confidence interval %(low)s to %(high)s)")
                % {
                    "label": label,
                    "mean": text,
                    "low": format_value(ci_low, Kind.NUMBER, suppress=False),
                    "high": format_value(ci_high, Kind.NUMBER, suppress=False),
                },
            )
        )
    alt = _("%(title)s, scale %(low)s to %(high)s: %(values)s") % {
        "title": title,
        "low": low,
        "high": high,
        "values": "; ".join(e.description for e in estimates),
    }
    chart_id = f"chart-outcome-{item['instrument']}"
    svg = interval_chart(
        title=title, estimates=estimates, low=low, high=high, chart_id=chart_id, alt=alt
    )
    return Chart(title, svg)


def _reliable_threshold(item: dict) -> str:
    """The rule of a reliable improvement in words ("a rise of at least 10 percentage points")."""
    rule, threshold = item.get("reliable_rule"), item.get("reliable_threshold")
    if rule == "screen":
        return _("from a positive to a negative screen")
    if threshold is None:
        return "–"
    amount = f"{format_value(threshold, Kind.NUMBER, suppress=False)} {item.get('unit', '')}"
    better_up = item.get("direction") == "higher_is_better"
    if rule == "rci":
        text = (
            _("a rise of more than %(amount)s")
            if better_up
            else _("a fall of more than %(amount)s")
        )
        return _("%(rule)s (reliable change index)") % {"rule": text % {"amount": amount}}
    text = _("a rise of at least %(amount)s") if better_up else _("a fall of at least %(amount)s")
    return text % {"amount": amount}


def _finding(item: dict) -> str:
    """The mean change in words, and whether its interval includes zero."""
    text = _(
        "%(instrument)s: mean change %(change)s %(unit)s (95 %% confidence interval %(low)s "
        "to %(high)s; %(n)s pairs)."
    ) % {
        "instrument": item["label"],
        "change": _with_sign(item["mean_change"]),
        "unit": item.get("unit", ""),
        "low": format_value(item["ci_low"], Kind.NUMBER, suppress=False),
        "high": format_value(item["ci_high"], Kind.NUMBER, suppress=False),
        "n": item["n"],
    }
    if item["ci_low"] <= 0 <= item["ci_high"]:
        verdict = _("The interval includes zero: the change may be due to chance.")
    else:
        verdict = _(
            "The interval does not include zero: a change this large is unlikely to be due to "
            "chance alone."
        )
    return f"{text} {verdict}"


OUTCOME_LIMITATIONS = (
    gettext_lazy(
        "Limitations: there is no control group, so the change cannot be attributed to the "
        "program alone. People also change without support, and very high or low first scores "
        "tend to move towards the average by themselves."
    ),
    gettext_lazy(
        "Attrition: baselines without a follow-up are left out (see the table). The people "
        "followed up may differ from those who were not, for instance if those who did well, "
        "or badly, stopped coming."
    ),
    gettext_lazy(
        "Self-report: the questionnaires are answered by the participants themselves, often "
        "with the people who support them, which can tilt answers towards improvement."
    ),
)


def _outcomes(s: dict, b: Builder) -> Section:
    o = s["outcomes"]
    sec = _section("outcomes")
    rows = []
    for item in o["instruments"]:
        row = {**item, "n": small_marker(b.threshold) if item.get("suppressed") else item["n"]}
        if item.get("ci_low") is not None:
            low = format_value(item["ci_low"], Kind.NUMBER, suppress=False)
            high = format_value(item["ci_high"], Kind.NUMBER, suppress=False)
            row["ci"] = f"{low} – {high}"
            row["reliable"] = _reliable_threshold(item)
            if "reliable_improved_share" not in item:  # a snapshot from before reliable change
                row["reliable_improved_share"] = item.get("improved_share")
        row["_marks"] = _outcome_marks({**row, "n": item.get("n")}, b)
        rows.append(row)
        if not item.get("suppressed") and not (
            b.suppress and derived_withheld(item.get("n"), b.threshold)
        ):
            sec.charts.append(_outcome_chart(item))
            sec.paragraphs.append(_finding(item))
    columns = [
        _label_column(_("Instrument")),
        Column("n", _("Pairs"), Kind.TEXT),
        Column("mean_before", _("Mean before"), Kind.NUMBER),
        Column("mean_after", _("Mean after"), Kind.NUMBER),
        Column("mean_change", _("Mean change"), Kind.NUMBER),
        # xgettext:no-python-format
        Column("ci", _("95 % confidence interval"), Kind.TEXT),
    ]
    attrition = b.table(
        _("Baselines and follow-ups"),
        rows,
        [
            _label_column(_("Instrument")),
            Column("baselines", _("Baselines due"), Kind.PERSONS),
            Column("lost", _("Without follow-up"), Kind.PERSONS),
            Column("attrition_share", _("Attrition"), Kind.PERCENT),
        ],
    )
    sec.tables = [
        b.table(_("Change between baseline and latest follow-up"), rows, columns),
        b.table(
            _("Reliable improvement"),
            rows,
            [
                _label_column(_("Instrument")),
                Column("reliable", _("Threshold"), Kind.TEXT),
                Column("reliable_improved_share", _("Improved reliably"), Kind.PERCENT),
            ],
        ),
        attrition,
        b.table(
            _("Share in the cut-off band"),
            rows,
            [
                _label_column(_("Instrument")),
                Column("cutoff_label", _("Band"), Kind.TEXT),
                Column("below_cutoff_before", _("Before"), Kind.PERCENT),
                Column("below_cutoff_after", _("After"), Kind.PERCENT),
            ],
        ),
    ]
    if sec.paragraphs:
        sec.paragraphs += [str(text) for text in OUTCOME_LIMITATIONS]
    if o.get("note"):
        sec.note = f"{sec.note} {o['note']}"
    return sec


BUILDERS = {
    "comparison": _comparison,
    "measures": _measures,
    "activities": _activities,
    "contacts": _contacts,
    "people_reached": _people,
    "languages": _languages,
    "volunteers": _volunteers,
    "supervision": _supervision,
    "referrals": _referrals,
    "matches": _matches,
    "selfhelp_groups": _selfhelp,
    "caseload": _caseload,
    "targets": _targets,
    "costs": _costs,
    "outcomes": _outcomes,
    "data_quality": _data_quality,
}


def _has_content(key: str, s: dict) -> bool:
    """Sections without anything logged are left out (a program without matches has none)."""
    if key == "activities":
        return True
    if key == "caseload":
        return bool(s["caseload"]["areas"])
    if key == "targets":
        return bool(s["targets"]["rows"])
    if key == "outcomes":
        return bool(s["outcomes"]["instruments"])
    if key == "matches":
        return any(s["matches"][k] for k in ("proposed", "started", "active_at_end", "ended"))
    if key == "selfhelp_groups":
        return any(s["selfhelp_groups"][k] for k in ("started", "accompanied"))
    if key == "referrals":
        return bool(s["referrals"]["outbound"] or s["referrals"]["inbound"])
    if key == "supervision":
        return bool(s["supervision"]["sessions"])
    return True


@dataclass(frozen=True)
class Definition:
    """One indicator in the definitions annex, in the report's language."""

    key: str
    label: str
    numerator: str
    denominator: str
    unit: str
    period: str


@dataclass
class Document:
    key_figures: list[Figure]
    sections: list[Section]
    suppression_note: str
    definitions: list[Definition] = field(default_factory=list)


def _definitions(entries: dict, used) -> list[Definition]:
    """The annex: every indicator the report prints, in the order of the registry."""
    return [
        Definition(key=key, label=entry["label"], **entry["definition"])
        for key, entry in entries.items()
        if key in used
    ]


def build(snapshot: dict, *, suppress: bool = True, report=None) -> Document:
    """The report's layout from a snapshot; ``suppress`` for everything a funder sees; the
    written parts (measures, milestones, reasons for deviations) from ``report``.

    Suppressed, private flats are one row and small cells are withheld with the threshold the
    snapshot records (:func:`reports.disclosure.report_facts`; 5 for older snapshots).
    """
    facts = snapshot.get("disclosure") or {}
    threshold = facts.get("threshold") or SMALL_CELL
    entries = indicators.entries_of(snapshot)
    withheld = {}
    if suppress:
        snapshot = _without_private_flats(snapshot, facts.get("private_sites") or ())
        withheld = disclosure_plan(snapshot, threshold)
    b = Builder(
        suppress=suppress,
        threshold=threshold,
        withheld=withheld,
        entries=entries,
        bases=statistic_bases(snapshot),
        labels=helper_labels(snapshot),
        report=report,
    )
    headline = snapshot.get("headline") or indicators.headline(None, snapshot)
    key_figures = b.indicators(*headline)
    built = [BUILDERS[key](snapshot, b) for key in BUILDERS if _has_content(key, snapshot)]
    sections = [section for section in built if section is not None]
    for section in sections:
        section.charts = [chart for chart in section.charts if chart]
        if suppress:
            section.footnotes = _footnotes(section, threshold)
    return Document(
        key_figures=key_figures,
        sections=sections,
        suppression_note=suppression_rule(threshold) if suppress else "",
        definitions=_definitions(entries, b.used),
    )


# ---- disclosure control ------------------------------------------------------------------

# Breakdowns whose rows add up to a published total: (group, list, measure, total id). The
# activities of these rows add up too; breakdowns by topic or language do not (an activity
# may have several), so only their small counts are withheld.
ADDITIVE = (
    ("activities", "by_kind", "contacts", ("contacts", "total")),
    ("activities", "by_site", "contacts", ("contacts", "total")),
    ("activities", "by_month", "contacts", ("contacts", "total")),
    ("activities", "by_kind", "activities", ("activities", "total")),
    ("activities", "by_site", "activities", ("activities", "total")),
    ("activities", "by_month", "activities", ("activities", "total")),
    ("people_reached", "by_gender", "people", ("people", "total")),
    ("people_reached", "by_age_band", "people", ("people", "total")),
    ("people_reached", "by_country", "people", ("people", "total")),
    ("referrals", "by_category", "referrals", ("referrals", "total")),
    ("referrals", "by_status", "referrals", ("referrals", "total")),
    ("matches", "end_reasons", "matches", ("matches", "total")),
)
# Breakdowns without a total: (group, list, measure, figure id of the breakdown).
NON_ADDITIVE = (
    ("activities", "by_topic", "contacts", "by_topic"),
    ("activities", "by_topic", "activities", "by_topic"),
    ("languages", "rows", "contacts", "by_language"),
    ("languages", "rows", "activities", "by_language"),
    ("people_reached", "by_language", "people", "by_language"),
    ("volunteers", "languages", "volunteers", "by_language"),
)
# Counts that are not of persons: withheld only to protect one that is.
NOT_PERSONS = {"activities"}


def disclosure_plan(s: dict, threshold: int) -> dict:
    """Every figure of the report to withhold, by id, with its marker.

    One decision per figure: the contacts by kind in the activities table and in the contacts
    table are one figure (``("contacts", "by_kind", key)``), and the complements are chosen
    against every total the report publishes (:func:`reports.disclosure.protect`).
    """
    values: dict = {}
    relations = []
    small = set()

    def add(key, value, measure):
        values[key] = value or 0
        if measure not in NOT_PERSONS and is_small(value, threshold):
            small.add(key)

    add(("activities", "total"), s["activities"]["total"], "activities")
    add(("contacts", "total"), s["contacts"]["total"], "contacts")
    add(("people", "total"), s["people_reached"]["total"], "people")
    add(("referrals", "total"), s["referrals"].get("outbound"), "referrals")
    add(("matches", "total"), s["matches"].get("ended"), "matches")
    for group, name, measure, total in ADDITIVE:
        parts = []
        for row in s[group].get(name, []):
            key = (measure, name, row["key"])
            add(key, row.get(measure), measure)
            parts.append(key)
        relations.append(Relation(total, tuple(parts)))
    for group, name, measure, ref in NON_ADDITIVE:
        for row in s[group].get(name, []):
            add((measure, ref, row["key"]), row.get(measure), measure)
    # A row's activities bound its contacts from below (4 activities, "<5" contacts = 4).
    linked = {
        ("activities", *key[1:])
        for key in small
        if key[0] == "contacts" and len(key) == 3 and values.get(("activities", *key[1:]))
    }
    protection = disclosure.protect(values, relations, threshold, primary=small | linked)
    marker = small_marker(threshold)
    return {key: marker if key in small else COMPLEMENT for key in protection.withheld}


def _group_flats(rows: list[dict], private: set, measures: tuple[str, ...]) -> list[dict]:
    flats = [row for row in rows if row["key"] in private]
    if not flats:
        return rows
    merged = {"key": PRIVATE_FLATS, "label": _("Private flats")}
    for measure in measures:
        merged[measure] = sum(row.get(measure) or 0 for row in flats)
    kept = [row for row in rows if row["key"] not in private] + [merged]
    return sorted(kept, key=lambda row: (-(row.get(measures[0]) or 0), row["label"]))


def _without_private_flats(s: dict, private_sites) -> dict:
    """The snapshot with every private flat of the breakdowns by site in one row."""
    private = set(private_sites)
    if not private:
        return s
    s = dict(s)
    activities = s["activities"]
    s["activities"] = {
        **activities,
        "by_site": _group_flats(activities["by_site"], private, ("activities", "contacts")),
    }
    s["contacts"] = {
        **s["contacts"],
        "by_site": _group_flats(s["contacts"]["by_site"], private, ("contacts",)),
    }
    return s


def _target_marks(row: dict, s: dict, b: Builder) -> dict:
    """Markers of a target's achieved value, share and deviation: the decision the report made for
    the same figure (:meth:`Builder.mark`), so the table never prints what a section withholds.

    A rate target prints the report's own rate, so it is withheld, with its deviation,
    when the section's rate is. A count whose window is the report's period is the section's
    figure, withheld when the section's is. Over another window a count of persons is withheld
    when small, or when it differs from the section's published figure by a small count (the
    difference would count the persons of the other months).
    """
    entry = b.entries.get(row["indicator"])
    if not b.suppress or entry is None or not row.get("recorded", True):
        return {}
    section_mark = b.mark(row["indicator"])
    unit = Unit(entry["unit"])
    if unit == Unit.RATE:
        return {"actual": section_mark, "deviation": DERIVED} if section_mark else {}
    actual, section_value = row.get("actual"), entry["value"]
    period = s["period"]
    same_window = row["starts_on"] == period["start"] and row["ends_on"] >= period["end"]
    mark = None
    if same_window and section_mark:
        mark = section_mark
    elif unit == Unit.PERSONS:
        if is_small(actual, b.threshold):
            mark = small_marker(b.threshold)
        elif actual is not None and section_value is not None and not section_mark:
            if is_small(abs(actual - section_value), b.threshold):
                mark = COMPLEMENT
    if mark is None:
        return {}
    return {"actual": mark, "share": DERIVED, "deviation": DERIVED}


def _outcome_marks(item: dict, b: Builder) -> dict:
    """An instrument's figures over fewer pairs than the threshold, or shares of few pairs;
    and, where few baselines went without a follow-up, the baselines and attrition beside
    them (:func:`_attrition_marks`)."""
    n = item.get("n")
    if not b.suppress or item.get("suppressed") or n is None:
        return {}
    shares = ("improved_share", "reliable_improved_share", "below_cutoff_before")
    shares += ("below_cutoff_after",)
    if derived_withheld(n, b.threshold):
        statistics = ("mean_before", "mean_after", "mean_change", "ci")
        if item.get("reliable_rule") == "rci":  # the index rests on the baselines' spread
            statistics += ("reliable",)
        marks = {"n": small_marker(b.threshold)} | dict.fromkeys(statistics + shares, DERIVED)
    else:
        marks = {
            key: DERIVED
            for key in shares
            if derived_withheld(n, b.threshold, share_numerator(item.get(key), n))
        }
    return marks | _attrition_marks(item, b)


def _attrition_marks(item: dict, b: Builder) -> dict:
    """Few baselines without a follow-up ("<5"): the baselines due are withheld as "×" and
    the attrition as "–*", since with the pairs printed beside them they would give the
    small count away."""
    if not is_small(item.get("lost"), b.threshold):
        return {}
    return {
        "lost": small_marker(b.threshold),
        "baselines": COMPLEMENT,
        "attrition_share": DERIVED,
    }


def _caseload_marks(area: dict, b: Builder) -> dict:
    """Residents per staff would give the residents of an area back."""
    if b.suppress and is_small(area.get("residents"), b.threshold):
        return {"residents_per_staff": DERIVED}
    return {}


def _footnotes(section: Section, threshold: int) -> list[str]:
    """What the markers printed in ``section`` mean."""
    printed = {f.value for f in section.figures}
    for table in section.tables:
        printed.update(cell for row in table.cells for cell in row)
    for chart in section.charts:
        printed.update(chart.markers)
    notes = []
    if small_marker(threshold) in printed:
        notes.append(
            _("“<%(n)s”: from 1 to %(below)s persons.") % {"n": threshold, "below": threshold - 1}
        )
    if COMPLEMENT in printed:
        notes.append(
            _("“×”: withheld so that a number below %(n)s cannot be worked out from totals.")
            % {"n": threshold}
        )
    if DERIVED in printed:
        notes.append(
            _(
                "“–*”: not shown, as it rests on fewer than %(n)s persons or would reveal "
                "such a number."
            )
            % {"n": threshold}
        )
    return notes


def suppression_rule(threshold: int) -> str:
    """The rule as the methods annex states it, in the report's language."""
    return _(
        "To protect the people supported, this report withholds small numbers; the threshold "
        "set for this program is %(n)s. Counts of 1 to %(below)s persons are shown as "
        "“<%(n)s”. Where such a count could be worked out from a total or from other figures of "
        "the report, further figures are withheld and shown as “×”; so is the number of "
        "activities in a row whose contacts are withheld. Shares, averages, medians and changes "
        "that rest on fewer than %(n)s persons, or that would reveal such a count, are shown as "
        "“–*”. Private flats are never named: they are counted together as “Private flats”. "
        "Counts of activities and volunteers and hours are otherwise shown in full; volunteers "
        "by language count as persons."
    ) % {"n": threshold, "below": threshold - 1}
