"""A KPI snapshot laid out as a report: key figures, sections, tables and charts.

One layout serves the HTML preview, the PDF and the XLSX export, so what a coordinator previews
is what the funder receives. Funder output suppresses small cells: a count of persons from 1 to
4 is printed as "<5", and so is a share computed over fewer than five persons. Totals of
activities, volunteers and hours are printed in full.

Besides the figures of each KPI group, the layout holds what makes the report a Sachbericht: the
key figures beside those of the previous period, the measures and milestones of the period,
each target's deviation from plan with the program's reason, the costs, and the data quality.
The written parts come from the :class:`~reports.models.Report` passed to :func:`build`.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.charts import Bar, bar_chart, hbar_chart
from sessions_log.quality import MAX_GROUP_SIZE, MAX_MINUTES

from .kpis import METHOD_NOTES
from .narrative import parse_milestones

SMALL_CELL = 5
SUPPRESSED = "<5"
CHART_ROWS = 12  # longest breakdown drawn as a chart; the table lists all rows


class Kind(StrEnum):
    """How a figure is printed (and whether it is a count of persons)."""

    COUNT = "count"  # activities, volunteers, sessions, groups: never suppressed
    PERSONS = "persons"  # counts of persons: suppressed from 1 to 4
    HOURS = "hours"
    PERCENT = "percent"  # a share 0..1
    NUMBER = "number"  # days, ratios
    TEXT = "text"
    MONEY = "money"  # an amount in the grant's currency (named in the label)
    CHANGE = "change"  # a signed difference: counts, hours or percentage points
    CHANGE_PERCENT = "change_percent"  # a signed relative change 0..1


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
    if kind in (Kind.CHANGE, Kind.CHANGE_PERCENT):
        return _signed(value, kind)
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


def derived_value(value, kind: Kind, *, suppress: bool, persons: tuple = ()) -> str:
    """A figure derived from counts of persons (a change, a cost per person), printed, or
    withheld where any of the counts ``persons`` it rests on is a small cell."""
    if suppress and any(n is not None and 0 < n < SMALL_CELL for n in persons):
        return SUPPRESSED
    return format_value(value, kind, suppress=False)


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


class Builder:
    """Turns snapshot values into printed figures, tables and charts, suppressing or not."""

    def __init__(self, *, suppress: bool, report=None):
        self.suppress = suppress
        self.report = report  # the written parts (reasons, measures, milestones), if any

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
        bars = []
        for row in rows[:CHART_ROWS]:
            length, text = self.printed(row.get(value), kind)
            bars.append(
                Bar(
                    label=label(row),
                    value=length,
                    description=f"{row['label']}: {text}",
                    display=text,
                )
            )
        if not any(bar.value for bar in bars):
            return None  # nothing to draw: every value is zero or suppressed
        draw = hbar_chart if horizontal else bar_chart
        return Chart(str(title), draw(title=str(title), bars=bars, chart_id=chart_id))


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


def _activities(s: dict, b: Builder) -> Section:
    a = s["activities"]
    sec = _section("activities")
    sec.figures = [
        b.figure(_("Activities"), a["total"]),
        b.figure(_("Hours of activities"), a["hours"], Kind.HOURS),
    ]
    sec.charts = [
        b.chart(
            _("Activities per month"),
            a["by_month"],
            "activities",
            Kind.COUNT,
            "chart-activities-month",
            horizontal=False,
            label=lambda r: r.get("short", r["label"]),
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
        b.chart(
            _("Contacts per month"),
            c["by_month"],
            "contacts",
            Kind.PERSONS,
            "chart-contacts-month",
            horizontal=False,
            label=lambda r: r.get("short", r["label"]),
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
                Column("deviation", _("Deviation (points)"), Kind.CHANGE),
            ],
        )
    ]
    return sec


def target_term(row: dict) -> str:
    """A target row of the snapshot named as the reasons for deviations name it."""
    return _("%(target)s, %(period)s: %(deviation)s points") % {
        "target": row["label"],
        "period": f"{_date(row['starts_on'])} – {_date(row['ends_on'])}",
        "deviation": format_value(row.get("deviation"), Kind.CHANGE, suppress=False),
    }


def _reasons(rows: list[dict], b: Builder) -> list[tuple[str, str]]:
    """The program's reason beside each target that has one, and a gap for each target behind
    plan without one (a draft; a report is not published so)."""
    given = (b.report.target_reasons or {}) if b.report is not None else {}
    items = []
    for row in rows:
        reason = str(given.get(row["key"], "")).strip()
        if reason or row.get("behind"):
            items.append((target_term(row), reason or _("No reason given yet.")))
    return items


# The key figures compared with the previous period: (group, figure, label, kind).
COMPARED = (
    ("activities", "total", gettext_lazy("Activities"), Kind.COUNT),
    ("contacts", "total", gettext_lazy("Contacts"), Kind.PERSONS),
    ("people_reached", "total", gettext_lazy("People reached"), Kind.PERSONS),
    ("languages", "total", gettext_lazy("Languages used"), Kind.COUNT),
    ("volunteers", "active", gettext_lazy("Active volunteers"), Kind.COUNT),
    ("supervision", "hours", gettext_lazy("Supervision hours"), Kind.HOURS),
    ("referrals", "outbound", gettext_lazy("Referrals to services"), Kind.PERSONS),
    ("matches", "active_at_end", gettext_lazy("Matches running"), Kind.PERSONS),
    ("selfhelp_groups", "accompanied", gettext_lazy("Self-help groups accompanied"), Kind.COUNT),
)
# Compared only where the program does this kind of work (as in the key figures).
COMPARED_IF_CONTENT = {"referrals", "matches", "selfhelp_groups"}


def _change_cells(current, previous, kind: Kind, suppress: bool) -> tuple[list, list[str]]:
    """The change from ``previous`` to ``current``, absolute and in per cent, raw and printed.

    A change is withheld where either count of persons is a small cell (it would give the
    suppressed one away); the change in per cent also where the previous figure is below
    :data:`SMALL_CELL` (a small base), and it is "–" where that figure is zero.
    """
    if current is None or previous is None:
        return [None, None], ["–", "–"]
    change = round(current - previous, 1)
    ratio = change / previous if previous else None
    persons = (current, previous) if kind == Kind.PERSONS else ()
    printed_change = derived_value(change, Kind.CHANGE, suppress=suppress, persons=persons)
    if kind == Kind.HOURS and printed_change != SUPPRESSED:
        printed_change = _signed(change, Kind.CHANGE, Kind.HOURS)
    if ratio is not None and previous < SMALL_CELL:
        printed_ratio = SUPPRESSED if suppress and kind == Kind.PERSONS else "–"
    else:
        printed_ratio = derived_value(
            ratio, Kind.CHANGE_PERCENT, suppress=suppress, persons=persons
        )
    return [change, ratio], [printed_change, printed_ratio]


def _comparison(s: dict, b: Builder) -> Section | None:
    previous = s.get("previous")
    if previous is None:
        return None  # a snapshot from before the comparison
    sec = _section("comparison")
    period = f"{_date(previous['start'])} – {_date(previous['end'])}"
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
    for group, key, label, kind in COMPARED if figures is not None else ():
        before = figures.get(group, {}).get(key)
        if group in COMPARED_IF_CONTENT and not (_has_content(group, s) or before):
            continue
        now = s[group][key]
        raw, printed = _change_cells(now, before, kind, b.suppress)
        table.rows.append([str(label), now, before, *raw])
        table.cells.append(
            [
                str(label),
                format_value(now, kind, suppress=b.suppress),
                format_value(before, kind, suppress=b.suppress),
                *printed,
            ]
        )
    sec.tables = [table]
    return sec


def _measures(s: dict, b: Builder) -> Section | None:
    report = b.report
    sec = _section("measures")
    sec.text = (report.measures or "").strip() if report is not None else ""
    trainings = [
        {**row, "dates": f"{_date(row['starts_on'])} – {_date(row['ends_on'])}"}
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
        milestones = [
            (date_format(day, "SHORT_DATE_FORMAT"), what) for day, what in parse_milestones(text)
        ]
    except ValueError:  # stored before the form checked it: print the lines as they are
        milestones = [("", line.strip()) for line in text.splitlines() if line.strip()]
    if milestones:
        sec.lists = [Listing(_("Milestones"), milestones)]
    if not (sec.text or sec.tables or sec.lists):
        return None
    return sec


def _costs(s: dict, b: Builder) -> Section | None:
    c = s.get("costs")
    if not c:
        return None
    sec = _section("costs")
    currency = {"currency": c["currency"]}
    people = (c["people_reached"],)

    def money(label, value, persons=()):
        printed = derived_value(value, Kind.MONEY, suppress=b.suppress, persons=persons)
        return Figure(str(label) % currency, printed, value, Kind.MONEY)

    rate = c["volunteer_hour_rate"]
    sec.figures = [
        money(_("Grant amount (%(currency)s)"), c["amount"]),
        b.figure(
            _("Grant period"),
            f"{_date(c['grant_start'])} – {_date(c['grant_end'])}",
            Kind.TEXT,
        ),
        b.figure(_("Share of the grant period in this report"), c["period_share"], Kind.PERCENT),
        money(_("Grant funds for this period, pro rata (%(currency)s)"), c["amount_for_period"]),
        b.figure(_("People reached"), c["people_reached"], Kind.PERSONS),
        money(_("Cost per person reached (%(currency)s)"), c["cost_per_person"], people),
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
                format_value(q[key], kind, suppress=b.suppress),
                format_value(q[base], kind, suppress=b.suppress),
            ]
        )
    sec.tables = [table]
    return sec


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
        rows.append(row)
        if not item.get("suppressed"):
            sec.charts.append(
                b.chart(
                    _("%(instrument)s: mean before and after") % {"instrument": item["label"]},
                    [
                        {"label": _("Before"), "value": item["mean_before"]},
                        {"label": _("After"), "value": item["mean_after"]},
                    ],
                    "value",
                    Kind.NUMBER,
                    f"chart-outcome-{item['instrument']}",
                    horizontal=False,
                )
            )
    columns = [
        _label_column(_("Instrument")),
        Column("n", _("Pairs"), Kind.TEXT),
        Column("mean_before", _("Mean before"), Kind.NUMBER),
        Column("mean_after", _("Mean after"), Kind.NUMBER),
        Column("mean_change", _("Mean change"), Kind.NUMBER),
        # xgettext:no-python-format
        Column("ci", _("95 % confidence interval"), Kind.TEXT),
        Column("improved_share", _("Improved meaningfully"), Kind.PERCENT),
    ]
    sec.tables = [
        b.table(_("Change between baseline and latest follow-up"), rows, columns),
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


@dataclass
class Document:
    key_figures: list[Figure]
    sections: list[Section]
    suppression_note: str


def build(snapshot: dict, *, suppress: bool = True, report=None) -> Document:
    """The report's layout from a snapshot; ``suppress`` for everything a funder sees; the
    written parts (measures, milestones, reasons for deviations) from ``report``."""
    b = Builder(suppress=suppress, report=report)
    built = [BUILDERS[key](snapshot, b) for key in BUILDERS if _has_content(key, snapshot)]
    sections = [section for section in built if section is not None]
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
