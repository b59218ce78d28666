"""Reads for the program home pages: aggregates computed in the database.

The coordinator's dashboard compares this month (so far) with last month. Every figure is an
aggregate query (``Count(filter=…)``, ``Sum``, ``Count(distinct=True)``), so the number of
queries stays the same however much has been logged. The targets' progress is measured as the
funder report measures it (``reports.selectors``).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.charts import Bar, bar_chart
from core.dates import month_start
from programs.models import ActivityKind, Program, Target
from referrals.models import Referral
from reports.selectors import (
    Period,
    TargetProgress,
    current_targets,
    target_actuals,
    targets_progress,
)
from sessions_log.models import Activity, Concern
from volunteers.selectors import supervision_overdue

OPEN_REFERRAL_STATUSES = (
    Referral.Status.PROPOSED,
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.APPOINTMENT,
)
CHART_MONTHS = 12


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
