"""A KPI snapshot laid out as a report: key figures, sections, tables and charts.

One layout serves the HTML preview, the PDF and the XLSX export, so what a coordinator previews
is what the funder receives. Funder output suppresses small cells with the program's threshold
(5 or 10, :mod:`reports.disclosure`): a count of persons from 1 to threshold − 1 is printed as
"<5" ("<10"); figures withheld so that such a count cannot be worked out from totals, and the
activities of a row whose contacts are withheld, as "×"; a share, mean, median or change that
rests on too few persons, or reveals such a count, as "–*". Sites that are private flats are
one row "Private flats". Totals of activities, volunteers and hours are printed in full unless
one has to be withheld to protect a small count.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.charts import Bar, bar_chart, hbar_chart

from . import disclosure
from .disclosure import Relation, derived_withheld, is_small, share_numerator
from .kpis import METHOD_NOTES

SMALL_CELL = disclosure.DEFAULT_THRESHOLD
SUPPRESSED = "<5"
COMPLEMENT = "×"  # withheld so that a small count cannot be worked out
DERIVED = "–*"  # a share, mean, median or change resting on too few persons
PRIVATE_FLATS = "private_flats"  # the key of the one row of all private flats
CHART_ROWS = 12  # longest breakdown drawn as a chart; the table lists all rows


class Kind(StrEnum):
    """How a figure is printed (and whether it is a count of persons)."""

    COUNT = "count"  # activities, volunteers, sessions, groups: never suppressed
    PERSONS = "persons"  # counts of persons: suppressed from 1 to 4
    HOURS = "hours"
    PERCENT = "percent"  # a share 0..1
    NUMBER = "number"  # days, ratios
    TEXT = "text"


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
    footnotes: list[str] = field(default_factory=list)  # what the markers used here mean


class Builder:
    """Turns snapshot values into printed figures, tables and charts, suppressing or not.

    ``withheld`` maps figure ids to their markers (:func:`disclosure_plan`): a breakdown's
    cell is ``(measure, breakdown, row key)``, e.g. ``("contacts", "by_kind", "group")``, a
    total ``(measure, "total")``. A row may carry ``"_marks"``, markers by column key.
    """

    def __init__(self, *, suppress: bool, threshold: int = SMALL_CELL, withheld=None):
        self.suppress = suppress
        self.threshold = threshold
        self.withheld: dict = withheld or {}

    def _format(self, value, kind, *, ref=None, base=None, mark=None) -> str:
        if self.suppress:
            if mark:
                return mark
            if ref is not None and ref in self.withheld:
                return self.withheld[ref]
            if kind in (Kind.NUMBER, Kind.HOURS) and derived_withheld(base, self.threshold):
                return DERIVED if value is not None else "–"
        return format_value(
            value, kind, suppress=self.suppress, base=base, threshold=self.threshold
        )

    def figure(self, label, value, kind=Kind.COUNT, base=None, ref=None) -> Figure:
        """A figure; ``ref`` is its id in the plan, ``base`` the persons a statistic rests on."""
        return Figure(str(label), self._format(value, kind, ref=ref, base=base), value, kind)

    def table(self, title, rows: list[dict], columns: list[Column], ref=None) -> Table:
        """A table of ``rows``; ``ref`` names the breakdown (``"by_kind"``) in the plan."""
        table = Table(str(title), columns, empty=_("Nothing recorded in this period."))
        for row in rows:
            values = [row.get(c.key) for c in columns]
            marks = row.get("_marks", {})
            table.rows.append(values)
            table.cells.append(
                [
                    self._format(
                        v,
                        c.kind,
                        ref=(c.key, ref, row.get("key")) if ref else None,
                        mark=marks.get(c.key),
                    )
                    for v, c in zip(values, columns, strict=True)
                ]
            )
        return table

    def printed(self, value, kind: Kind, ref=None) -> tuple[int | float, str]:
        """A chart bar's length and printed value; a suppressed value draws no bar."""
        text = self._format(value, kind, ref=ref)
        return (0, text) if self.suppress and is_withheld(text) else (value or 0, text)

    def chart(self, title, rows: list[dict], value: str, kind: Kind, chart_id: str, **kw):
        horizontal = kw.pop("horizontal", True)
        label: Callable[[dict], str] = kw.pop("label", lambda r: r["label"])
        ref = kw.pop("ref", None)
        bars = []
        for row in rows[:CHART_ROWS]:
            length, text = self.printed(
                row.get(value), kind, (value, ref, row.get("key")) if ref else None
            )
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
}


def _section(key: str) -> Section:
    return Section(key=key, title=str(SECTION_TITLES[key]), note=str(METHOD_NOTES[key]))


def _activities(s: dict, b: Builder) -> Section:
    a = s["activities"]
    sec = _section("activities")
    sec.figures = [
        b.figure(_("Activities"), a["total"], ref=("activities", "total")),
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
    sec.figures = [b.figure(_("Contacts"), c["total"], Kind.PERSONS, ref=("contacts", "total"))]
    sec.charts = [
        b.chart(
            _("Contacts per month"),
            c["by_month"],
            "contacts",
            Kind.PERSONS,
            "chart-contacts-month",
            horizontal=False,
            label=lambda r: r.get("short", r["label"]),
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
    sec.figures = [b.figure(_("People reached"), p["total"], Kind.PERSONS, ref=("people", "total"))]
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
    sec.figures = [b.figure(_("Languages used"), lang["total"])]
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
    sec.figures = [
        b.figure(_("Active volunteers"), v["active"]),
        b.figure(_("New volunteers"), v["new"]),
        b.figure(_("Volunteers who left"), v["left"]),
        b.figure(_("Volunteers trained"), v["trained"]),
        b.figure(_("Employed counsellors"), v["employed"]),
        b.figure(_("Retention over the period"), v["retention"], Kind.PERCENT, v.get("at_start")),
        b.figure(_("Languages spoken by active volunteers"), v["languages_total"]),
    ]
    sec.tables = [
        b.table(
            _("Languages spoken by active volunteers"),
            v["languages"],
            [_label_column(_("Language")), Column("volunteers", _("Volunteers"), Kind.COUNT)],
            ref="by_language",
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
            s["volunteers"]["active"],
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
        b.figure(
            _("Referrals to services"), r["outbound"], Kind.PERSONS, ref=("referrals", "total")
        ),
        b.figure(
            _("Share of sent referrals attended"), r["share_attended"], Kind.PERCENT, r["sent"]
        ),
        b.figure(_("No-show rate"), r["no_show_rate"], Kind.PERCENT, r["with_appointment_outcome"]),
        b.figure(
            _("Median days from referral to appointment"),
            r["median_days_to_appointment"],
            Kind.NUMBER,
            r.get("with_appointment", r.get("with_appointment_outcome")),
        ),
        b.figure(_("Referrals received from partners"), r["inbound"], Kind.PERSONS),
    ]
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
    sec.figures = [
        b.figure(_("Matches started"), m["started"], Kind.PERSONS),
        b.figure(_("Matches running at the end of the period"), m["active_at_end"], Kind.PERSONS),
        b.figure(_("Matches ended"), m["ended"], Kind.PERSONS, ref=("matches", "total")),
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
            ref="end_reasons",
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
            "_marks": _target_marks(row, s, b),
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


def _outcomes(s: dict, b: Builder) -> Section:
    o = s["outcomes"]
    sec = _section("outcomes")
    rows = []
    for item in o["instruments"]:
        row = {
            **item,
            "n": small_marker(b.threshold) if item.get("suppressed") else item["n"],
            "_marks": _outcome_marks(item, b),
        }
        if item.get("ci_low") is not None:
            low = format_value(item["ci_low"], Kind.NUMBER, suppress=False)
            high = format_value(item["ci_high"], Kind.NUMBER, suppress=False)
            row["ci"] = f"{low} – {high}"
        rows.append(row)
        if not item.get("suppressed") and not (
            b.suppress and derived_withheld(item.get("n"), b.threshold)
        ):
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
    """The report's layout from a snapshot; ``suppress`` for everything a funder sees.

    Suppressed, private flats are one row and small cells are withheld with the threshold the
    snapshot records (:func:`reports.disclosure.report_facts`; 5 for older snapshots).
    """
    facts = snapshot.get("disclosure") or {}
    threshold = facts.get("threshold") or SMALL_CELL
    withheld = {}
    if suppress:
        snapshot = _without_private_flats(snapshot, facts.get("private_sites") or ())
        withheld = disclosure_plan(snapshot, threshold)
    b = Builder(suppress=suppress, threshold=threshold, withheld=withheld)
    sections = [BUILDERS[key](snapshot, b) for key in BUILDERS if _has_content(key, snapshot)]
    for section in sections:
        section.charts = [chart for chart in section.charts if chart]
        if suppress:
            section.footnotes = _footnotes(section, threshold)
    s = snapshot
    key_figures = [
        b.figure(_("Activities"), s["activities"]["total"], ref=("activities", "total")),
        b.figure(_("Contacts"), s["contacts"]["total"], Kind.PERSONS, ref=("contacts", "total")),
        b.figure(
            _("People reached"), s["people_reached"]["total"], Kind.PERSONS, ref=("people", "total")
        ),
        b.figure(_("Languages used"), s["languages"]["total"]),
        b.figure(_("Active volunteers"), s["volunteers"]["active"]),
        b.figure(_("Supervision hours"), s["supervision"]["hours"], Kind.HOURS),
    ]
    if _has_content("referrals", s):
        key_figures.append(
            b.figure(
                _("Referrals to services"),
                s["referrals"]["outbound"],
                Kind.PERSONS,
                ref=("referrals", "total"),
            )
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
        suppression_note=suppression_rule(threshold) if suppress else "",
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


# Target indicators that count persons: the figure of the report that counts the same.
PERSON_TARGETS = {
    "contacts": (("contacts", "total"), lambda s: s["contacts"]["total"]),
    "people_reached": (("people", "total"), lambda s: s["people_reached"]["total"]),
    "referrals": (("referrals", "total"), lambda s: s["referrals"]["outbound"]),
    "matches_started": (("matches", "started"), lambda s: s["matches"]["started"]),
}


def _retention_withheld(s: dict, threshold: int) -> bool:
    m = s["matches"]
    return derived_withheld(m.get("retention_cohort"), threshold, m.get("retained_6m"))


def _target_marks(row: dict, s: dict, b: Builder) -> dict:
    """Markers of a target's achieved value and share, the same decision as the section's.

    A target whose window is the report's period counts the same figure as the section, so it
    is withheld when the section's is. Over another window it is withheld when small, or when
    it differs from the section's published figure by a small count (the difference would
    count the persons of the other months).
    """
    if not b.suppress:
        return {}
    indicator, actual = row["indicator"], row.get("actual")
    mark = None
    if indicator in PERSON_TARGETS:
        ref, figure = PERSON_TARGETS[indicator]
        period = s["period"]
        same_window = row["starts_on"] == period["start"] and row["ends_on"] >= period["end"]
        section_value = figure(s)
        section_mark = b.withheld.get(ref) or (
            small_marker(b.threshold) if is_small(section_value, b.threshold) else None
        )
        if same_window and section_mark:
            mark = section_mark
        elif is_small(actual, b.threshold):
            mark = small_marker(b.threshold)
        elif actual is not None and not section_mark:
            if is_small(abs(actual - section_value), b.threshold):
                mark = COMPLEMENT
    elif indicator == "match_retention_6m" and _retention_withheld(s, b.threshold):
        mark = DERIVED
    if mark is None:
        return {}
    return {"actual": mark, "share": DERIVED}


def _outcome_marks(item: dict, b: Builder) -> dict:
    """An instrument's figures over fewer pairs than the threshold, or shares of few pairs."""
    n = item.get("n")
    if not b.suppress or item.get("suppressed") or n is None:
        return {}
    if derived_withheld(n, b.threshold):
        statistics = ("mean_before", "mean_after", "mean_change", "ci", "improved_share")
        shares = ("below_cutoff_before", "below_cutoff_after")
        return {"n": small_marker(b.threshold)} | dict.fromkeys(statistics + shares, DERIVED)
    return {
        key: DERIVED
        for key in ("improved_share", "below_cutoff_before", "below_cutoff_after")
        if derived_withheld(n, b.threshold, share_numerator(item.get(key), n))
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
