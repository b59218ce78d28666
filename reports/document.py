"""A KPI snapshot laid out as a report: key figures, sections, tables and charts.

One layout serves the HTML preview, the PDF and the XLSX export, so what a coordinator previews
is what the funder receives. Funder output suppresses small cells: a count of persons from 1 to
4 is printed as "<5", and so is a share computed over fewer than five persons. Totals of
activities, volunteers and hours are printed in full.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import Bar, Estimate, bar_chart, hbar_chart, interval_chart
from sessions_log.instruments import INSTRUMENTS

from .kpis import METHOD_NOTES

SMALL_CELL = 5
SUPPRESSED = "<5"
# Most bars of a breakdown chart: longer breakdowns show their first rows and one bar for the
# others (the table lists every row).
CHART_ROWS = 12
QUARTERS_AFTER = 18  # months; a longer period is charted by quarter
# A figure left out because, with the figures printed beside it, it would reveal a suppressed
# count (a quarter's sum of months, one of which is "<5").
WITHHELD = "•"


class Kind(StrEnum):
    """How a figure is printed (and whether it is a count of persons)."""

    COUNT = "count"  # activities, volunteers, sessions, groups: never suppressed
    PERSONS = "persons"  # counts of persons: suppressed from 1 to 4
    HOURS = "hours"
    PERCENT = "percent"  # a share 0..1
    NUMBER = "number"  # days, ratios
    TEXT = "text"


def format_value(value, kind: Kind, *, suppress: bool, base: int | None = None) -> str:
    """A figure as printed in the report's language; "–" where there is none."""
    if value is None or value == "":
        return "–"
    if kind == Kind.TEXT:
        return str(value)
    if suppress and kind == Kind.PERSONS and 0 < value < SMALL_CELL:
        return SUPPRESSED
    if suppress and kind == Kind.PERCENT and base is not None and 0 < base < SMALL_CELL:
        return SUPPRESSED
    if kind == Kind.PERCENT:
        return f"{number_format(round(value * 100), 0, use_l10n=True)} %"
    # Django's number_format cuts decimals off; round first so 44.57 prints as 44.6.
    if kind == Kind.HOURS:
        return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)


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


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    raw: object = None
    kind: Kind = Kind.COUNT


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""
    paragraphs: list[str] = field(default_factory=list)  # findings and limitations, in words


class Builder:
    """Turns snapshot values into printed figures, tables and charts, suppressing or not."""

    def __init__(self, *, suppress: bool):
        self.suppress = suppress
        self.withheld = 0  # figures left out so that no suppressed count can be worked out

    def figure(self, label, value, kind=Kind.COUNT, base=None) -> Figure:
        return Figure(
            str(label), format_value(value, kind, suppress=self.suppress, base=base), value, kind
        )

    def table(self, title, rows: list[dict], columns: list[Column]) -> Table:
        table = Table(str(title), columns, empty=_("Nothing recorded in this period."))
        for row in rows:
            values = [row.get(c.key) for c in columns]
            table.rows.append(values)
            table.cells.append(
                [
                    format_value(v, c.kind, suppress=self.suppress)
                    for v, c in zip(values, columns, strict=True)
                ]
            )
        return table

    def printed(self, value, kind: Kind) -> tuple[int | float, str]:
        """A chart bar's length and printed value; a suppressed value draws no bar."""
        text = format_value(value, kind, suppress=self.suppress)
        return (0, text) if text == SUPPRESSED else (value or 0, text)

    def chart(self, title, rows: list[dict], value: str, kind: Kind, chart_id: str, **kw):
        horizontal = kw.pop("horizontal", True)
        label: Callable[[dict], str] = kw.pop("label", lambda r: r["label"])
        shown, others = rows, []
        if len(rows) > CHART_ROWS:
            shown, others = rows[: CHART_ROWS - 1], rows[CHART_ROWS - 1 :]
        bars = []
        for row in shown:
            length, text = self.printed(row.get(value), kind)
            bars.append(
                Bar(
                    label=label(row),
                    value=length,
                    description=f"{row['label']}: {text}",
                    display=text,
                )
            )
        if others:
            bars.append(self.others_bar(others, value, kind))
        if not any(bar.value for bar in bars):
            return None  # nothing to draw: every value is zero or suppressed
        draw = hbar_chart if horizontal else bar_chart
        return Chart(str(title), draw(title=str(title), bars=bars, chart_id=chart_id))

    def total(self, values: list, kind: Kind) -> tuple[int | float, str]:
        """A bar's length and printed value for the sum of ``values``; withheld when one of
        them is suppressed, since the sum and the other values would reveal it."""
        printed = [self.printed(v, kind)[1] for v in values]
        if SUPPRESSED in printed:
            self.withheld += 1
            return 0, WITHHELD
        return self.printed(sum(v or 0 for v in values), kind)

    def others_bar(self, rows: list[dict], value: str, kind: Kind) -> Bar:
        """One bar for the rows beyond the chart's limit: their sum, each named in the
        description."""
        label = _("%(count)s others") % {"count": len(rows)}
        length, text = self.total([row.get(value) for row in rows], kind)
        spoken = _("withheld") if text == WITHHELD else text
        listed = ", ".join(
            f"{row['label']} {self.printed(row.get(value), kind)[1]}" for row in rows
        )
        return Bar(
            label=label, value=length, display=text, description=f"{label}: {spoken} ({listed})"
        )


def _period_chart(b: Builder, titles: tuple, rows: list[dict], value: str, kind: Kind, chart_id):
    """A chart over the report period: a bar for every month, or for every quarter when the
    period is longer than :data:`QUARTERS_AFTER` months, with the years under the labels. Its
    alternative text names the period and every value ("… January 2025 to December 2025:
    January 2025 12, February 15, …"); ``titles`` are the titles by month and by quarter."""
    months = [(dt.date.fromisoformat(f"{row['key']}-01"), row.get(value)) for row in rows]
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
    return Chart(title, bar_chart(title=title, bars=bars, chart_id=chart_id, alt=alt))


def _month_bars(b: Builder, months: list[tuple[dt.date, object]], kind: Kind) -> list[Bar]:
    """A bar per month; the year is named at the first month and at each January."""
    bars = []
    for i, (month, value) in enumerate(months):
        length, text = b.printed(value, kind)
        named = date_format(month, "YEAR_MONTH_FORMAT" if i == 0 or month.month == 1 else "F")
        bars.append(
            Bar(
                label=date_format(month, "M"),
                value=length,
                display=text,
                description=f"{named} {text}",
                group=str(month.year),
            )
        )
    return bars


def _quarter_bars(b: Builder, months: list[tuple[dt.date, object]], kind: Kind) -> list[Bar]:
    """A bar per calendar quarter; a quarter the period covers only in part names its months."""
    quarters: dict[tuple[int, int], list] = {}
    for month, value in months:
        quarters.setdefault((month.year, (month.month - 1) // 3 + 1), []).append((month, value))
    bars = []
    for (year, quarter), inside in quarters.items():
        length, text = b.total([value for _month, value in inside], kind)
        named = _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
        if len(inside) < 3:
            first, last = date_format(inside[0][0], "F"), date_format(inside[-1][0], "F")
            named += f" ({first}–{last})" if first != last else f" ({first})"
        spoken = _("withheld") if text == WITHHELD else text
        bars.append(
            Bar(
                label=_("Q%(quarter)s") % {"quarter": quarter},
                value=length,
                display=text,
                description=f"{named} {spoken}",
                group=str(year),
            )
        )
    return bars


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
}


def _section(key: str) -> Section:
    return Section(key=key, title=str(SECTION_TITLES[key]), note=str(METHOD_NOTES[key]))


def _activities(s: dict, b: Builder) -> Section:
    a = s["activities"]
    sec = _section("activities")
    sec.figures = [
        b.figure(_("Activities"), a["total"]),
        b.figure(_("Hours of activities"), a["hours"], Kind.HOURS),
    ]
    sec.charts = [
        _period_chart(
            b,
            (_("Activities per month"), _("Activities per quarter")),
            a["by_month"],
            "activities",
            Kind.COUNT,
            "chart-activities-month",
        ),
        b.chart(_("Activities by kind"), a["by_kind"], "activities", Kind.COUNT, "chart-kind"),
    ]
    by_kind_columns = [
        _label_column(_("Kind")),
        Column("activities", _("Activities"), Kind.COUNT),
        Column("contacts", _("Contacts"), Kind.PERSONS),
        Column("minutes", _("Minutes"), Kind.COUNT),
    ]
    sec.tables = [
        b.table(_("Activities by kind"), a["by_kind"], by_kind_columns),
        b.table(
            _("Activities by month"),
            a["by_month"],
            [
                _label_column(_("Month")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
        ),
        b.table(
            _("Activities by site"),
            a["by_site"],
            [
                _label_column(_("Site")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
        ),
        b.table(
            _("Activities by topic"),
            a["by_topic"],
            [
                _label_column(_("Topic")),
                Column("activities", _("Activities"), Kind.COUNT),
                Column("contacts", _("Contacts"), Kind.PERSONS),
            ],
        ),
    ]
    return sec


def _contacts(s: dict, b: Builder) -> Section:
    c = s["contacts"]
    sec = _section("contacts")
    sec.figures = [b.figure(_("Contacts"), c["total"], Kind.PERSONS)]
    sec.charts = [
        _period_chart(
            b,
            (_("Contacts per month"), _("Contacts per quarter")),
            c["by_month"],
            "contacts",
            Kind.PERSONS,
            "chart-contacts-month",
        )
    ]
    sec.tables = [
        b.table(
            title,
            c[key],
            [_label_column(column), Column("contacts", _("Contacts"), Kind.PERSONS)],
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
    sec.figures = [b.figure(_("People reached"), p["total"], Kind.PERSONS)]
    sec.charts = [
        b.chart(_("People by age"), p["by_age_band"], "people", Kind.PERSONS, "chart-age"),
        b.chart(_("People by gender"), p["by_gender"], "people", Kind.PERSONS, "chart-gender"),
    ]
    sec.tables = [
        b.table(title, p[key], [_label_column(column), Column("people", _("People"), Kind.PERSONS)])
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
    sec.figures = [b.figure(_("Languages used"), lang["total"])]
    sec.charts = [
        b.chart(_("Activities by language"), lang["rows"], "activities", Kind.COUNT, "chart-lang")
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
        )
    ]
    return sec


def _volunteers(s: dict, b: Builder) -> Section:
    v = s["volunteers"]
    sec = _section("volunteers")
    sec.figures = [
        b.figure(_("Active volunteers"), v["active"]),
        b.figure(_("New volunteers"), v["new"]),
        b.figure(_("Volunteers who left"), v["left"]),
        b.figure(_("Volunteers trained"), v["trained"]),
        b.figure(_("Employed counsellors"), v["employed"]),
        b.figure(_("Retention over the period"), v["retention"], Kind.PERCENT),
        b.figure(_("Languages spoken by active volunteers"), v["languages_total"]),
    ]
    sec.tables = [
        b.table(
            _("Languages spoken by active volunteers"),
            v["languages"],
            [_label_column(_("Language")), Column("volunteers", _("Volunteers"), Kind.COUNT)],
        )
    ]
    return sec


def _supervision(s: dict, b: Builder) -> Section:
    sv = s["supervision"]
    sec = _section("supervision")
    sec.figures = [
        b.figure(_("Supervision sessions"), sv["sessions"]),
        b.figure(_("Supervision hours"), sv["hours"], Kind.HOURS),
        b.figure(_("Volunteers supervised"), sv["volunteers_supervised"]),
        b.figure(
            _("Supervision hours per active volunteer"),
            sv["hours_per_active_volunteer"],
            Kind.HOURS,
        ),
        b.figure(_("Active volunteers without supervision"), sv["active_never_supervised"]),
    ]
    sec.tables = [
        b.table(
            _("Supervision by kind"),
            sv["by_kind"],
            [
                _label_column(_("Kind")),
                Column("sessions", _("Sessions"), Kind.COUNT),
                Column("hours", _("Hours"), Kind.HOURS),
            ],
        )
    ]
    return sec


def _referrals(s: dict, b: Builder) -> Section:
    r = s["referrals"]
    sec = _section("referrals")
    sec.figures = [
        b.figure(_("Referrals to services"), r["outbound"], Kind.PERSONS),
        b.figure(
            _("Share of sent referrals attended"), r["share_attended"], Kind.PERCENT, r["sent"]
        ),
        b.figure(_("No-show rate"), r["no_show_rate"], Kind.PERCENT, r["with_appointment_outcome"]),
        b.figure(
            _("Median days from referral to appointment"),
            r["median_days_to_appointment"],
            Kind.NUMBER,
        ),
        b.figure(_("Referrals received from partners"), r["inbound"], Kind.PERSONS),
    ]
    sec.charts = [
        b.chart(
            _("Referrals by service"), r["by_category"], "referrals", Kind.PERSONS, "chart-refcat"
        )
    ]
    columns = [Column("referrals", _("Referrals"), Kind.PERSONS)]
    sec.tables = [
        b.table(
            _("Referrals by service"), r["by_category"], [_label_column(_("Service"))] + columns
        ),
        b.table(_("Referrals by status"), r["by_status"], [_label_column(_("Status"))] + columns),
    ]
    return sec


def _matches(s: dict, b: Builder) -> Section:
    m = s["matches"]
    sec = _section("matches")
    sec.figures = [
        b.figure(_("Matches started"), m["started"], Kind.PERSONS),
        b.figure(_("Matches running at the end of the period"), m["active_at_end"], Kind.PERSONS),
        b.figure(_("Matches ended"), m["ended"], Kind.PERSONS),
        b.figure(
            _("Matches still running after 6 months"),
            m["retention_6m"],
            Kind.PERCENT,
            m["retention_cohort"],
        ),
    ]
    sec.tables = [
        b.table(
            _("Why matches ended"),
            m["end_reasons"],
            [_label_column(_("Reason")), Column("matches", _("Matches"), Kind.PERSONS)],
        )
    ]
    return sec


def _selfhelp(s: dict, b: Builder) -> Section:
    g = s["selfhelp_groups"]
    sec = _section("selfhelp_groups")
    sec.figures = [
        b.figure(_("Groups started"), g["started"]),
        b.figure(_("Groups accompanied"), g["accompanied"]),
        b.figure(_("Contact points"), g["contact_points"]),
        b.figure(_("Groups meeting on their own after 12 months"), g["rate_12m"], Kind.PERCENT),
    ]
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
            s["caseload"]["areas"],
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


def _date(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _targets(s: dict, b: Builder) -> Section:
    sec = _section("targets")
    rows = [
        {
            **row,
            "period": f"{_date(row['starts_on'])} – {_date(row['ends_on'])}",
            "share": None if row["percent"] is None else row["percent"] / 100,
            "elapsed": row["elapsed_percent"] / 100,
        }
        for row in s["targets"]["rows"]
    ]
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
            ],
        )
    ]
    return sec


def _signed(value: float) -> str:
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
        "change": _signed(item["mean_change"]),
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
        row = {**item, "n": SUPPRESSED if item.get("suppressed") else item["n"]}
        if item.get("ci_low") is not None:
            low = format_value(item["ci_low"], Kind.NUMBER, suppress=False)
            high = format_value(item["ci_high"], Kind.NUMBER, suppress=False)
            row["ci"] = f"{low} – {high}"
            row["reliable"] = _reliable_threshold(item)
            if "reliable_improved_share" not in item:  # a snapshot from before reliable change
                row["reliable_improved_share"] = item.get("improved_share")
        rows.append(row)
        if not item.get("suppressed"):
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
    for values, cells in zip(attrition.rows, attrition.cells, strict=True):
        # With the pairs printed, baselines and attrition would give away a suppressed count.
        if b.suppress and cells[2] == SUPPRESSED:
            values[1] = values[3] = cells[1] = cells[3] = WITHHELD
            b.withheld += 1
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
    "outcomes": _outcomes,
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


@dataclass
class Document:
    key_figures: list[Figure]
    sections: list[Section]
    suppression_note: str


def build(snapshot: dict, *, suppress: bool = True) -> Document:
    """The report's layout from a snapshot; ``suppress`` for everything a funder sees."""
    b = Builder(suppress=suppress)
    sections = []
    for key in BUILDERS:
        if _has_content(key, snapshot):
            withheld = b.withheld
            sections.append(BUILDERS[key](snapshot, b))
            if b.withheld > withheld:
                sections[-1].note += " " + _(
                    "%(mark)s: withheld, because together with the figures beside it, it would "
                    "reveal a number below %(n)s."
                ) % {"mark": WITHHELD, "n": SMALL_CELL}
    for section in sections:
        section.charts = [chart for chart in section.charts if chart]
    s = snapshot
    key_figures = [
        b.figure(_("Activities"), s["activities"]["total"]),
        b.figure(_("Contacts"), s["contacts"]["total"], Kind.PERSONS),
        b.figure(_("People reached"), s["people_reached"]["total"], Kind.PERSONS),
        b.figure(_("Languages used"), s["languages"]["total"]),
        b.figure(_("Active volunteers"), s["volunteers"]["active"]),
        b.figure(_("Supervision hours"), s["supervision"]["hours"], Kind.HOURS),
    ]
    if _has_content("referrals", s):
        key_figures.append(
            b.figure(_("Referrals to services"), s["referrals"]["outbound"], Kind.PERSONS)
        )
    if _has_content("matches", s):
        key_figures.append(
            b.figure(_("Matches running"), s["matches"]["active_at_end"], Kind.PERSONS)
        )
    if _has_content("selfhelp_groups", s):
        key_figures.append(
            b.figure(_("Self-help groups accompanied"), s["selfhelp_groups"]["accompanied"])
        )
    return Document(
        key_figures=key_figures,
        sections=sections,
        suppression_note=str(METHOD_NOTES["suppression"]) if suppress else "",
    )
