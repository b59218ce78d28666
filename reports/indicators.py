"""Every indicator of a funder report, defined once.

Each :class:`Indicator` names one figure that the report, its preview, the XLSX, the JSON and
the targets print: its key (a target's ``indicator`` is one of them), its label, what it counts
(the numerator), what a rate is a share of (the denominator), its unit and the period rule that
decides which records count. :func:`snapshot_entries` writes every indicator into the KPI
snapshot with its value, its n and its definition in the report's language, so a published
report keeps the words it was published with; the report's definitions annex is printed from
those entries.

Whether a program records a figure at all is decided from its configuration (the kinds of
activity it logs, its qualifying trainings, its kinds of site), never from the figure being
zero: a program that logs no named participants has people reached "not recorded", not 0.

The SQL of a definition that both the report (:mod:`reports.kpis`) and the targets' progress
(:mod:`reports.selectors`) count lives here too, so the two never differ.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import (
    Case,
    DateField,
    Exists,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.models import ActivityKind, Site
from volunteers.models import Enrollment, Training


class Unit(StrEnum):
    """What an indicator's value is."""

    COUNT = "count"  # activities, volunteers, groups, sites, languages
    PERSONS = "persons"  # counts of persons (and of matches and referrals, one person each)
    HOURS = "hours"
    DAYS = "days"
    RATE = "rate"  # a share, printed with its numerator and denominator


class PeriodRule(StrEnum):
    """Which records an indicator counts for a period."""

    IN_PERIOD = "in_period"
    COMPLETED_IN_PERIOD = "completed_in_period"
    AT_END = "at_end"
    START_TO_END = "start_to_end"
    COHORT = "cohort"
    COHORT_STARTED_IN_PERIOD = "cohort_started_in_period"


UNIT_LABELS = {
    Unit.COUNT: _("number"),
    Unit.PERSONS: _("number of persons"),
    Unit.HOURS: _("hours"),
    Unit.DAYS: _("days"),
    Unit.RATE: _("share, with its numerator and denominator"),
}

PERIOD_RULE_LABELS = {
    PeriodRule.IN_PERIOD: _("what happened within the period"),
    PeriodRule.COMPLETED_IN_PERIOD: _("counted once, in the period in which it was completed"),
    PeriodRule.AT_END: _("the state on the last day of the period"),
    PeriodRule.START_TO_END: _("from the first to the last day of the period"),
    PeriodRule.COHORT: _(
        "cohort: everything started up to the end of the period whose outcome is known by then"
    ),
    PeriodRule.COHORT_STARTED_IN_PERIOD: _(
        "cohort: what started within the period and whose outcome is known by its end"
    ),
}

# Sites counted as shelters reached.
SHELTER_KINDS = (Site.Kind.SHELTER, Site.Kind.TRANSITION_HOME)


@dataclass(frozen=True)
class Recording:
    """What a program's configuration says it records."""

    activity_kinds: frozenset[str]
    qualifying_trainings: bool  # it has a training that is part of the qualification
    shelters: bool  # it has sites that are shelters or transition homes
    contact_points: bool  # it has sites that are self-help contact points
    employment: bool = False  # some of its volunteers are employed by a partner organisation

    def logs(self, *kinds: str) -> bool:
        return bool(self.activity_kinds.intersection(kinds))

    @property
    def logs_participants(self) -> bool:
        """Named participants are logged with the individual kinds of activity only."""
        return self.logs(*ActivityKind.individual())


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise
    unit: Unit
    period_rule: PeriodRule
    group: str  # the KPI group of the snapshot that holds the figure
    field: str  # the figure in that group; for a rate, its numerator
    numerator: Promise  # what is counted
    denominator: Promise | None = None  # what a rate (or ratio) is a share of
    base: str | None = None  # for a rate: its denominator in the same group
    counts: Unit = Unit.COUNT  # for a rate: what its numerator and denominator count
    recorded: Callable[[Recording], bool] | None = None  # None: every program records it


def _people(r: Recording) -> bool:
    return r.logs_participants


INDICATORS: tuple[Indicator, ...] = (
    # ---- activities and contacts
    Indicator(
        "activities",
        _("Activities"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "activities",
        "total",
        _("Sessions, talks, visits, events and meetings logged with a date in the period."),
    ),
    Indicator(
        "activity_hours",
        _("Hours of activities"),
        Unit.HOURS,
        PeriodRule.IN_PERIOD,
        "activities",
        "hours",
        _("The logged durations of the period's activities, added up."),
    ),
    Indicator(
        "shelters_reached",
        _("Shelters reached"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "activities",
        "shelters_reached",
        _("Shelters and transition homes in which at least one activity was held in the period."),
        recorded=lambda r: r.shelters,
    ),
    Indicator(
        "contacts",
        _("Contacts"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "contacts",
        "total",
        _(
            "Head counts logged with the period's activities: a person who attended three "
            "group sessions counts three times."
        ),
    ),
    # ---- people
    Indicator(
        "people_reached",
        _("People reached"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "people_reached",
        "total",
        _(
            "Distinct participants, recorded by their pseudonymous code, in at least one "
            "activity of the period; each person counts once."
        ),
        recorded=_people,
    ),
    Indicator(
        "people_counselled",
        _("People counselled"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "people_reached",
        "counselled",
        _("Distinct participants in at least one counselling session of the period."),
        recorded=lambda r: r.logs(ActivityKind.COUNSELLING),
    ),
    Indicator(
        "intakes",
        _("Intakes"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "people_reached",
        "intakes",
        _(
            "Participants whose first visit, the visit with the standardised intake, took "
            "place in the period."
        ),
        recorded=lambda r: r.logs(ActivityKind.VISIT),
    ),
    Indicator(
        "aftercare_at_end",
        _("In aftercare at the end of the period"),
        Unit.PERSONS,
        PeriodRule.AT_END,
        "people_reached",
        "aftercare_at_end",
        _(
            "Participants met up to the end of the period whose aftercare runs beyond it "
            "(their aftercare end date lies after the period's last day)."
        ),
        recorded=lambda r: r.logs(ActivityKind.VISIT),
    ),
    Indicator(
        "aftercare_ended",
        _("Aftercare ended in the period"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "people_reached",
        "aftercare_ended",
        _("Participants whose aftercare end date lies in the period."),
        recorded=lambda r: r.logs(ActivityKind.VISIT),
    ),
    # ---- languages
    Indicator(
        "languages",
        _("Languages used"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "languages",
        "total",
        _("Languages in which the period's activities were held."),
    ),
    Indicator(
        "counselling_languages",
        _("Counselling languages"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "languages",
        "counselling",
        _("Languages in which the period's counselling sessions were held."),
        recorded=lambda r: r.logs(ActivityKind.COUNSELLING),
    ),
    # ---- volunteers
    Indicator(
        "volunteers_active",
        _("Active volunteers"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "volunteers",
        "active",
        _("Volunteers who facilitated at least one activity in the period."),
    ),
    Indicator(
        "volunteers_new",
        _("New volunteers"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "volunteers",
        "new",
        _("Volunteers who joined in the period."),
    ),
    Indicator(
        "volunteers_left",
        _("Volunteers who left"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "volunteers",
        "left",
        _("Volunteers who left in the period."),
    ),
    Indicator(
        "volunteers_trained",
        _("Volunteers trained"),
        Unit.COUNT,
        PeriodRule.COMPLETED_IN_PERIOD,
        "volunteers",
        "trained",
        _(
            "Volunteers who completed the whole qualifying training: one training of each "
            "qualifying kind of the program (for example the intensive phase and the "
            "supervised practice). Each counts once, in the period in which they completed "
            "its last part."
        ),
        recorded=lambda r: r.qualifying_trainings,
    ),
    Indicator(
        "counsellors_employed",
        _("Employed counsellors"),
        Unit.COUNT,
        PeriodRule.AT_END,
        "volunteers",
        "employed",
        _("Volunteers employed by a partner organisation at the end of the period."),
        recorded=lambda r: r.employment,
    ),
    Indicator(
        "volunteer_retention",
        _("Retention over the period"),
        Unit.RATE,
        PeriodRule.START_TO_END,
        "volunteers",
        "retained",
        _("Volunteers of the denominator who are still on the team at the end of the period."),
        _("Volunteers on the team at the start of the period."),
        base="at_start",
        counts=Unit.PERSONS,  # volunteers are persons: a share of few is withheld
    ),
    Indicator(
        "volunteer_languages",
        _("Languages spoken by active volunteers"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "volunteers",
        "languages_total",
        _("Languages spoken by the period's active volunteers."),
    ),
    # ---- supervision
    Indicator(
        "supervision_sessions",
        _("Supervision sessions"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "supervision",
        "sessions",
        _("Supervision sessions held in the period."),
    ),
    Indicator(
        "supervision_hours",
        _("Supervision hours"),
        Unit.HOURS,
        PeriodRule.IN_PERIOD,
        "supervision",
        "hours",
        _("The durations of the supervision sessions held in the period, added up."),
    ),
    Indicator(
        "volunteers_supervised",
        _("Volunteers supervised"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "supervision",
        "volunteers_supervised",
        _("Volunteers who attended at least one supervision session in the period."),
    ),
    Indicator(
        "supervision_hours_per_active_volunteer",
        _("Supervision hours per active volunteer"),
        Unit.HOURS,
        PeriodRule.IN_PERIOD,
        "supervision",
        "hours_per_active_volunteer",
        _("Supervision hours that active volunteers attended in the period."),
        _("Active volunteers."),
    ),
    Indicator(
        "active_never_supervised",
        _("Active volunteers without supervision"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "supervision",
        "active_never_supervised",
        _("Active volunteers who attended no supervision session in the period."),
    ),
    # ---- referrals
    Indicator(
        "referrals",
        _("Referrals to services"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "referrals",
        "outbound",
        _("Referrals of participants to services, counted by the date they were made."),
    ),
    Indicator(
        "referrals_attended_share",
        _("Share of sent referrals attended"),
        Unit.RATE,
        PeriodRule.IN_PERIOD,
        "referrals",
        "attended",
        _("Referrals of the denominator whose appointment was attended."),
        _("Referrals made in the period and sent to the service."),
        base="sent",
        counts=Unit.PERSONS,
    ),
    Indicator(
        "no_show_rate",
        _("No-show rate"),
        Unit.RATE,
        PeriodRule.IN_PERIOD,
        "referrals",
        "no_show",
        _("Referrals of the denominator whose appointment was missed."),
        _("Referrals made in the period with an appointment outcome (attended or missed)."),
        base="with_appointment_outcome",
        counts=Unit.PERSONS,
    ),
    Indicator(
        "median_days_to_appointment",
        _("Median days from referral to appointment"),
        Unit.DAYS,
        PeriodRule.IN_PERIOD,
        "referrals",
        "median_days_to_appointment",
        _(
            "The median number of days from sending a referral to its appointment, over the "
            "period's sent referrals with an appointment date."
        ),
    ),
    Indicator(
        "referrals_inbound",
        _("Referrals received from partners"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "referrals",
        "inbound",
        _("Referrals made to the program by partners, counted by the date they were made."),
    ),
    Indicator(
        "referral_sources",
        _("Referral sources"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "referrals",
        "inbound_sources",
        _("Partners who referred at least one person to the program in the period."),
    ),
    # ---- matches
    Indicator(
        "matches_started",
        _("Matches started"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "matches",
        "started",
        _("Matches whose start date lies in the period."),
    ),
    Indicator(
        "matches_active_at_end",
        _("Matches running at the end of the period"),
        Unit.PERSONS,
        PeriodRule.AT_END,
        "matches",
        "active_at_end",
        _("Matches started by the end of the period and not ended by then."),
    ),
    Indicator(
        "matches_ended",
        _("Matches ended"),
        Unit.PERSONS,
        PeriodRule.IN_PERIOD,
        "matches",
        "ended",
        _("Matches that ended in the period, whatever the reason."),
    ),
    Indicator(
        "match_retention_6m",
        _("Matches still running after 6 months"),
        Unit.RATE,
        PeriodRule.COHORT,
        "matches",
        "retained_6m",
        _("Matches of the denominator that were still running six months after their start."),
        _(
            "All matches started up to the end of the period whose six-month outcome is known "
            "by then: those started at least six months before the end, and those that ended "
            "before reaching six months."
        ),
        base="retention_cohort",
        counts=Unit.PERSONS,
    ),
    Indicator(
        "match_retention_6m_started",
        _("Matches started in the period still running after 6 months"),
        Unit.RATE,
        PeriodRule.COHORT_STARTED_IN_PERIOD,
        "matches",
        "period_retained_6m",
        _("Matches of the denominator that were still running six months after their start."),
        _(
            "Matches started in the period whose six-month outcome is known by its end: those "
            "started at least six months before the end, and those that ended before reaching "
            "six months."
        ),
        base="period_cohort",
        counts=Unit.PERSONS,
    ),
    # ---- self-help groups
    Indicator(
        "selfhelp_groups_started",
        _("Self-help groups started"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "selfhelp_groups",
        "started",
        _("Self-help groups whose start date lies in the period."),
    ),
    Indicator(
        "selfhelp_groups_accompanied",
        _("Self-help groups accompanied"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "selfhelp_groups",
        "accompanied",
        _("Self-help groups started by the end of the period whose accompaniment ran during it."),
    ),
    Indicator(
        "contact_points",
        _("Contact points"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "selfhelp_groups",
        "contact_points",
        _(
            "Self-help contact points at which the program worked in the period: an activity "
            "was held there, or a group they look after was accompanied."
        ),
        recorded=lambda r: r.contact_points,
    ),
    Indicator(
        "contact_point_cities",
        _("Cities and districts"),
        Unit.COUNT,
        PeriodRule.IN_PERIOD,
        "selfhelp_groups",
        "cities",
        _("The distinct cities or districts, as recorded with the sites, of those contact points."),
        recorded=lambda r: r.contact_points,
    ),
    Indicator(
        "selfhelp_groups_12m",
        _("Groups meeting on their own after 12 months"),
        Unit.RATE,
        PeriodRule.COHORT,
        "selfhelp_groups",
        "still_meeting_12m",
        _("Groups of the denominator recorded as still meeting on their own a year on."),
        _(
            "All groups started up to the end of the period whose twelve-month answer is "
            "recorded by then: groups started at least twelve months before the end with the "
            "answer recorded, and groups recorded as no longer meeting or as ended, which count "
            "as not meeting."
        ),
        base="follow_up_cohort",
    ),
    Indicator(
        "selfhelp_groups_12m_started",
        _("Groups started in the period meeting on their own after 12 months"),
        Unit.RATE,
        PeriodRule.COHORT_STARTED_IN_PERIOD,
        "selfhelp_groups",
        "period_still_meeting_12m",
        _("Groups of the denominator recorded as still meeting on their own a year on."),
        _(
            "Groups started in the period whose twelve-month answer is recorded by its end, "
            "counted as above."
        ),
        base="period_follow_up_cohort",
    ),
)

REGISTRY: dict[str, Indicator] = {indicator.key: indicator for indicator in INDICATORS}

# The key figures of a program that chose none; the three after them only where the program
# has that kind of work in the period.
DEFAULT_HEADLINE = (
    "activities",
    "contacts",
    "people_reached",
    "languages",
    "volunteers_active",
    "supervision_hours",
)
DEFAULT_HEADLINE_IF_ANY = (
    ("referrals", ("referrals", ("outbound", "inbound"))),
    ("matches_active_at_end", ("matches", ("proposed", "started", "active_at_end", "ended"))),
    ("selfhelp_groups_accompanied", ("selfhelp_groups", ("started", "accompanied"))),
)


def headline(chosen: list[str] | None, snapshot: dict) -> list[str]:
    """The keys of the key figures: the program's choice (unknown keys left out), or the
    standard ones."""
    keys = [key for key in chosen or () if key in REGISTRY]
    if keys:
        return list(dict.fromkeys(keys))
    keys = list(DEFAULT_HEADLINE)
    for key, (group, fields) in DEFAULT_HEADLINE_IF_ANY:
        if any(snapshot.get(group, {}).get(field) for field in fields):
            keys.append(key)
    return keys


def share(part, whole) -> float | None:
    """A share between 0 and 1, or None when there is nothing to divide by."""
    return round(part / whole, 4) if part is not None and whole else None


def definition(indicator: Indicator) -> dict:
    """An indicator's definition in the active language, as the annex prints it."""
    return {
        "numerator": str(indicator.numerator),
        "denominator": str(indicator.denominator) if indicator.denominator else "",
        "unit": str(UNIT_LABELS[indicator.unit]),
        "period": str(PERIOD_RULE_LABELS[indicator.period_rule]),
    }


def entry(indicator: Indicator, snapshot: dict, recorded: bool = True) -> dict:
    """One indicator of a snapshot: label, unit, period rule, value (and a rate's n)."""
    group = snapshot.get(indicator.group) or {}
    row = {
        "label": str(indicator.label),
        "unit": indicator.unit.value,
        "period_rule": indicator.period_rule.value,
        "recorded": recorded,
    }
    if indicator.unit == Unit.RATE:
        part, whole = group.get(indicator.field), group.get(indicator.base)
        if not recorded:
            part = whole = None
        row.update(value=share(part, whole), numerator=part, denominator=whole)
    else:
        row["value"] = group.get(indicator.field) if recorded else None
    row["definition"] = definition(indicator)
    return row


def snapshot_entries(snapshot: dict, recording: Recording) -> dict:
    """Every indicator of ``snapshot``, in registry order, keyed by its key."""
    return {
        indicator.key: entry(
            indicator,
            snapshot,
            indicator.recorded is None or indicator.recorded(recording),
        )
        for indicator in INDICATORS
    }


def entries_of(snapshot: dict) -> dict:
    """The indicator entries of a snapshot; a snapshot taken before they were stored gets
    them from the registry now (every figure taken as recorded)."""
    stored = snapshot.get("indicators")
    if stored:
        return stored
    return {indicator.key: entry(indicator, snapshot) for indicator in INDICATORS}


# ---- SQL shared by the report and the targets' progress ------------------------------------

# Kinds of training that can be part of a qualification; a refresher never is.
QUALIFYING_KINDS = tuple(k for k in Training.Kind.values if k != Training.Kind.REFRESHER)
NOT_QUALIFIED = dt.date(9999, 12, 31)  # a part not completed yet: later than any period
NOT_REQUIRED = dt.date(1, 1, 1)  # a kind the program's qualification does not have


def qualified_on():
    """SQL on volunteer rows: the day the volunteer completed the whole qualifying training.

    The qualification is one completed qualifying training of each kind that the program's
    qualifying trainings have; the day is the latest of the first completions of each kind.
    A volunteer who has not completed it gets a day after any period (9999-12-31); in a
    program without qualifying trainings everyone gets a day before any period (0001-01-01).
    """
    parts = []
    for kind in QUALIFYING_KINDS:
        required = Exists(
            Training.objects.filter(program=OuterRef("program"), qualifying=True, kind=kind)
        )
        first_completed = Subquery(
            Enrollment.objects.filter(
                volunteer=OuterRef("pk"),
                status=Enrollment.Status.COMPLETED,
                training__qualifying=True,
                training__kind=kind,
            )
            .order_by("completed_on")
            .values("completed_on")[:1],
            output_field=DateField(),
        )
        parts.append(
            Case(
                When(required, then=Coalesce(first_completed, Value(NOT_QUALIFIED))),
                default=Value(NOT_REQUIRED),
                output_field=DateField(),
            )
        )
    return Greatest(*parts, output_field=DateField())
