"""Reads for the program home pages: aggregates computed in the database.

The coordinator's dashboard compares this month (so far) with last month. Every figure is an
aggregate query (``Count(filter=…)``, ``Sum``, ``Count(distinct=True)``), so the number of
queries stays the same however much has been logged.
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
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
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.charts import Bar, bar_chart
from core.dates import month_start
from programs.models import ActivityKind, Participant, Program, Target
from referrals.models import Referral
from sessions_log.models import Activity, Concern, Match, SelfHelpGroup
from volunteers.models import Enrollment, SupervisionSession, Volunteer
from volunteers.selectors import supervision_overdue

OPEN_REFERRAL_STATUSES = (
    Referral.Status.PROPOSED,
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.APPOINTMENT,
)
CHART_MONTHS = 12


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
class Comparison:
    this: int
    last: int

    @property
    def change(self) -> int:
        return self.this - self.last


@dataclass(frozen=True)
class KindFigure:
    kind: str
    label: str
    this: int
    last: int

    @property
    def change(self) -> int:
        return self.this - self.last


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    actual: int | Decimal | None  # None: not computed on the dashboard
    elapsed_percent: int  # how much of the target's period has passed

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.target.value:
            return None
        return round(100 * Decimal(self.actual) / self.target.value)

    @property
    def on_track(self) -> bool | None:
        """At least the share of the target that the elapsed share of the period asks for."""
        if self.percent is None:
            return None
        return self.percent >= self.elapsed_percent


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    counted_at: dt.datetime  # when the counts were made (they are kept for a few minutes)
    this_month: Period
    last_month: Period
    activities: Comparison
    activities_by_kind: list[KindFigure]
    contacts: Comparison
    people_reached: Comparison
    active_volunteers: Comparison
    open_referrals: int
    referrals_made: Comparison
    overdue_supervision: int
    unacknowledged_concerns: int
    targets: list[TargetProgress]
    chart: str


def months_to_compare(today: dt.date) -> tuple[Period, Period]:
    """This month up to today, and the whole of last month."""
    this_start = today.replace(day=1)
    return (
        Period(this_start, today),
        Period(month_start(this_start, -1), this_start - dt.timedelta(days=1)),
    )


def _dashboard_counts(
    program: Program, today: dt.date, this: Period, last: Period, targets: list[Target]
) -> dict:
    """The dashboard's counts: plain numbers, so they can be kept in the cache."""
    both = Q(program=program, date__gte=last.start, date__lte=this.end)
    counts = {}
    for key, period in (("this", this), ("last", last)):
        counts[f"{key}_n"] = Count("pk", filter=period.q())
        counts[f"{key}_contacts"] = Sum("attendees_total", filter=period.q())
        for kind in ActivityKind.values:
            counts[f"{key}_{kind}"] = Count("pk", filter=period.q() & Q(kind=kind))
    return {
        "activity": Activity.objects.filter(both).aggregate(**counts),
        # Distinct people and volunteers (one participant in two activities counts once).
        "people": Activity.objects.filter(both).aggregate(
            this_people=Count("participants", distinct=True, filter=this.q()),
            last_people=Count("participants", distinct=True, filter=last.q()),
            this_volunteers=Count("facilitators", distinct=True, filter=this.q()),
            last_volunteers=Count("facilitators", distinct=True, filter=last.q()),
        ),
        "referrals": Referral.objects.filter(program=program).aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_REFERRAL_STATUSES)),
            this=Count("pk", filter=this.q("referred_on")),
            last=Count("pk", filter=last.q("referred_on")),
        ),
        "targets": target_actuals(program, today, targets),
        "months": activities_per_month(program, today),
    }


def dashboard(program: Program, today: dt.date, *, recount: bool = False) -> Dashboard:
    """The coordinator's dashboard.

    Its counts (the month comparison, the targets' progress over their whole periods, the
    chart) are kept for ``LOTSE_DASHBOARD_SECONDS``; the page says when they were counted and
    offers to count again (``recount``). A changed target is counted afresh at once: the cache
    key holds every current target's indicator and period. Overdue supervision and
    unacknowledged concerns are always read fresh: someone may have to act on them.
    """
    this, last = months_to_compare(today)
    targets = current_targets(program, today)
    definition = ";".join(f"{t.pk}:{t.indicator}:{t.starts_on}:{t.ends_on}" for t in targets)
    digest = hashlib.sha256(definition.encode()).hexdigest()[:20]
    key = f"lotse:dashboard:{program.pk}:{today.isoformat()}:{digest}"
    counted = None if recount else cache.get(key)
    if counted is None:
        counted = (timezone.now(), _dashboard_counts(program, today, this, last, targets))
        cache.set(key, counted, settings.LOTSE_DASHBOARD_SECONDS)
    counted_at, counts = counted
    activity, people, referrals = counts["activity"], counts["people"], counts["referrals"]
    # .get: counts kept in a shared cache may predate a kind added by a new release.
    kinds = [
        KindFigure(
            kind, str(label), activity.get(f"this_{kind}", 0), activity.get(f"last_{kind}", 0)
        )
        for kind, label in ActivityKind.choices
        if kind in program.activity_kinds
        or activity.get(f"this_{kind}")
        or activity.get(f"last_{kind}")
    ]
    return Dashboard(
        today=today,
        counted_at=counted_at,
        this_month=this,
        last_month=last,
        activities=Comparison(activity["this_n"], activity["last_n"]),
        activities_by_kind=kinds,
        contacts=Comparison(activity["this_contacts"] or 0, activity["last_contacts"] or 0),
        people_reached=Comparison(people["this_people"], people["last_people"]),
        active_volunteers=Comparison(people["this_volunteers"], people["last_volunteers"]),
        open_referrals=referrals["open"],
        referrals_made=Comparison(referrals["this"], referrals["last"]),
        overdue_supervision=overdue_supervision_count(program, today),
        unacknowledged_concerns=unacknowledged_concerns_count(program),
        targets=targets_progress(program, today, targets, actuals=counts["targets"]),
        chart=activities_chart(counts["months"]),
    )


def overdue_supervision_count(program: Program, today: dt.date) -> int:
    return supervision_overdue(program, today).order_by().count()


def unacknowledged_concerns_count(program: Program) -> int:
    return Concern.objects.filter(program=program, acknowledged_at__isnull=True).count()


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
    Indicator.VOLUNTEERS_TRAINED: (
        lambda p: Enrollment.objects.filter(
            training__program=p, status=Enrollment.Status.COMPLETED
        ),
        lambda period: Count("volunteer", distinct=True, filter=period.q("completed_on")),
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


# ---- chart -----------------------------------------------------------------------------------


def activities_per_month(program: Program, today: dt.date, months: int = CHART_MONTHS):
    """(first day of month, number of activities) for the last ``months`` months, oldest first."""
    first = month_start(today, -(months - 1))
    counted = dict(
        Activity.objects.filter(program=program, date__gte=first, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counted = {(m.date() if isinstance(m, dt.datetime) else m): n for m, n in counted.items()}
    return [(month_start(first, i), counted.get(month_start(first, i), 0)) for i in range(months)]


def activities_chart(per_month: list[tuple[dt.date, int]]) -> str:
    """The bar chart of ``activities_per_month``."""
    bars = [
        Bar(
            label=date_format(month, "M"),
            value=n,
            description=f"{date_format(month, 'YEAR_MONTH_FORMAT')}: {n}",
        )
        for month, n in per_month
    ]
    return bar_chart(
        title=_("Activities per month, last 12 months"), bars=bars, chart_id="activities-chart"
    )


# ---- other roles -----------------------------------------------------------------------------


def open_concerns(program: Program, limit: int = 10):
    return (
        Concern.objects.filter(program=program, acknowledged_at__isnull=True)
        .select_related("activity", "raised_by")
        .order_by("-raised_at")[:limit]
    )


def recent_activities_of(program: Program, user, limit: int = 10):
    """A volunteer's own latest sessions: those they facilitated or logged."""
    return (
        Activity.objects.filter(program=program)
        .filter(Q(facilitators__user=user) | Q(logged_by=user))
        .distinct()
        .select_related("site")
        .order_by("-date", "-id")[:limit]
    )


def published_reports(program: Program):
    """Published reports, newest period first, for the coordinator's and funder's home pages."""
    return (
        program.reports.filter(status="published")
        .select_related("grant__funder")
        .order_by("-period_end", "-version")
    )


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
