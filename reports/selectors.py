"""Reads shared by the funder report and the home pages: aggregates computed in the database.

A report's period, each target's progress (all measures in one query, whatever the number of
targets; the coordinator's dashboard shows the same figures) and a report's versions.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils.formats import date_format
from django.utils.http import urlencode

from programs.models import Participant, Program, Target
from referrals.models import Referral
from sessions_log.models import Activity, Match, SelfHelpGroup
from volunteers.models import SupervisionSession, Volunteer

from .indicators import REGISTRY, qualified_on


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def q(self, field: str = "date") -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    @property
    def label(self) -> str:
        return date_format(self.start, "YEAR_MONTH_FORMAT")

    @property
    def query(self) -> str:
        """The period as the date filter of the activity list."""
        return urlencode({"date_from": self.start.isoformat(), "date_to": self.end.isoformat()})


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: int | Decimal | None  # None: not computed on the dashboard
    elapsed_percent: int  # how much of the target's period has passed

    @property
    def label(self) -> str:
        """The indicator's name as the report prints it (:mod:`reports.indicators`)."""
        return str(REGISTRY[self.target.indicator].label)

    @property
    def percent(self) -> int | None:
        """The share of the target reached; never computed for a rate (its ``actual`` is
        None), which a report compares in percentage points instead."""
        if self.actual is None or not self.target.value:
            return None
        return round(100 * Decimal(self.actual) / self.target.value)

    @property
    def on_track(self) -> bool | None:
        """At least the share of the target that the elapsed share of the period asks for."""
        if self.percent is None:
            return None
        return self.percent >= self.elapsed_percent


# ---- targets ---------------------------------------------------------------------------------

Indicator = Target.Indicator
Measure = tuple[Callable[[Program], QuerySet], Callable[[Period], Aggregate]]


def _employed_by_end(period: Period) -> Aggregate:
    employed = Q(employed_since__isnull=True) | Q(employed_since__lte=period.end)
    return Count("pk", filter=employed)


def _took_part(through, field: str, period: Period) -> Exists:
    """Whether the row (a participant or a volunteer) is in an activity of ``period``."""
    return Exists(
        through.objects.filter(
            period.q("activity__date"),
            **{field: OuterRef("pk"), "activity__program": OuterRef("program")},
        )
    )


# How each indicator is measured over a period: the rows and the aggregate over them.
MEASURES: dict[str, Measure] = {
    Indicator.ACTIVITIES: (
        lambda p: Activity.objects.filter(program=p),
        lambda period: Count("pk", filter=period.q()),
    ),
    Indicator.CONTACTS: (
        lambda p: Activity.objects.filter(program=p),
        lambda period: Sum("attendees_total", filter=period.q()),
    ),
    # People and volunteers are counted from the program's own rows with an EXISTS per row,
    # which probes the through tables' (participant_id / volunteer_id) indexes: a distinct
    # count over the through tables would read every activity of the period.
    Indicator.PEOPLE_REACHED: (
        lambda p: Participant.objects.filter(program=p),
        lambda period: Count(
            "pk", filter=_took_part(Activity.participants.through, "participant", period)
        ),
    ),
    Indicator.LANGUAGES: (
        lambda p: Activity.languages.through.objects.filter(activity__program=p),
        lambda period: Count("language", distinct=True, filter=period.q("activity__date")),
    ),
    Indicator.VOLUNTEERS_ACTIVE: (
        lambda p: Volunteer.objects.filter(program=p),
        lambda period: Count(
            "pk", filter=_took_part(Activity.facilitators.through, "volunteer", period)
        ),
    ),
    # Completed the whole qualifying training, counted once, when its last part was completed.
    Indicator.VOLUNTEERS_TRAINED: (
        lambda p: Volunteer.objects.filter(program=p).annotate(trained_on=qualified_on()),
        lambda period: Count("pk", filter=period.q("trained_on")),
    ),
    Indicator.COUNSELLORS_EMPLOYED: (
        lambda p: Volunteer.objects.filter(program=p, employed_by__isnull=False),
        _employed_by_end,
    ),
    Indicator.SUPERVISION_HOURS: (
        lambda p: SupervisionSession.objects.filter(program=p),
        lambda period: Sum("minutes", filter=period.q()),
    ),
    # Referrals made by the program to services (inbound ones arrive as matches or intakes).
    Indicator.REFERRALS: (
        lambda p: Referral.objects.filter(program=p, direction=Referral.Direction.OUTBOUND),
        lambda period: Count("pk", filter=period.q("referred_on")),
    ),
    Indicator.MATCHES_STARTED: (
        lambda p: Match.objects.filter(program=p),
        lambda period: Count("pk", filter=period.q("started_on")),
    ),
    Indicator.SELFHELP_GROUPS_STARTED: (
        lambda p: SelfHelpGroup.objects.filter(program=p),
        lambda period: Count("pk", filter=period.q("started_on")),
    ),
}


def current_targets(program: Program, today: dt.date) -> list[Target]:
    """The targets whose period contains ``today``."""
    return _ordered(program.targets.filter(starts_on__lte=today, ends_on__gte=today))


def _ordered(targets: QuerySet) -> list[Target]:
    return list(targets.select_related("grant__funder").order_by("ends_on", "indicator", "pk"))


def target_actuals(program: Program, today: dt.date, targets: list[Target]) -> dict:
    """What was logged towards each target from its start up to ``today``, by target id.

    An indicator without a measure here (the retention rates) has no entry. All measures run
    in one query (a scalar subquery each), whatever the number of targets.
    """
    measured = [t for t in targets if t.indicator in MEASURES]
    if not measured:
        return {}
    subqueries = {}
    for t in measured:
        rows, measure = MEASURES[t.indicator]
        aggregate = measure(Period(t.starts_on, min(today, t.ends_on)))
        subqueries[f"t{t.pk}"] = Subquery(
            rows(program)
            .order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(value=aggregate)
            .values("value"),
            output_field=IntegerField(),
        )
    result = Program.objects.filter(pk=program.pk).annotate(**subqueries).values(*subqueries).get()
    actuals = {}
    for target in measured:
        value = result[f"t{target.pk}"] or 0
        if target.indicator == Indicator.SUPERVISION_HOURS:
            value = (Decimal(value) / 60).quantize(Decimal("0.1"))
        actuals[target.pk] = value
    return actuals


def targets_progress(
    program: Program,
    today: dt.date,
    targets: QuerySet | list[Target] | None = None,
    *,
    actuals: dict | None = None,
) -> list[TargetProgress]:
    """Each target (default: those whose period contains today) with what was logged up to
    today (``actuals`` if counted already); ``actual`` is None where there is no measure."""
    if targets is None:
        targets = current_targets(program, today)
    elif isinstance(targets, QuerySet):
        targets = _ordered(targets)
    if actuals is None:
        actuals = target_actuals(program, today, targets)
    return [
        TargetProgress(
            target=t,
            actual=actuals.get(t.pk),
            elapsed_percent=min(
                100,
                max(
                    0,
                    round(
                        100
                        * ((today - t.starts_on).days + 1)
                        / ((t.ends_on - t.starts_on).days + 1)
                    ),
                ),
            ),
        )
        for t in targets
    ]


def report_versions(report, visible: QuerySet) -> list:
    """The report's other versions, earlier and later, that are in ``visible`` (oldest first).

    A version chain is short (each republication adds one), so it is walked link by link.
    """
    chain = []
    earlier = report.previous
    while earlier is not None:
        chain.append(earlier)
        earlier = earlier.previous
    later = report.next_versions.first()
    while later is not None:
        chain.append(later)
        later = later.next_versions.first()
    allowed = set(visible.filter(pk__in=[r.pk for r in chain]).values_list("pk", flat=True))
    return sorted((r for r in chain if r.pk in allowed), key=lambda r: r.version)
