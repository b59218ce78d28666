"""Reads of the referral directory and of referrals: lists, follow-up, figures.

Aggregates are computed in the database. The one exception is the median on databases without
an ordered-set aggregate (SQLite): there the day differences, computed in SQL and ordered in
SQL, are fetched as one list of integers.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Coalesce

from programs.models import Membership, Participant, Program

from . import policies
from .models import Category, Referral, ReferralEvent, ServiceProvider

Status = Referral.Status

# Statuses a referral waits in until someone follows it up.
FOLLOW_UP_STATUSES = (Status.SENT, Status.APPOINTMENT)


# ---- directory ---------------------------------------------------------------------------


def providers_for(program: Program) -> QuerySet:
    """The directory of a program: its own providers and those shared with its organisation.

    A provider of another program is shared with ``program`` when its ``organisation`` is the
    lead organisation of ``program``.
    """
    return ServiceProvider.objects.filter(
        Q(program=program) | Q(organisation_id=program.lead_organisation_id)
    )


def provider_directory(program: Program) -> QuerySet:
    """The directory with what its list shows, in a constant number of queries."""
    return (
        providers_for(program)
        .select_related("program", "area", "organisation")
        .prefetch_related("languages")
        .order_by("name", "pk")
    )


def provider_referral_counts(program: Program, provider: ServiceProvider) -> list[tuple[str, int]]:
    """How many of the program's referrals to (or from) a provider are in each status."""
    counts = dict(
        Referral.objects.filter(program=program, provider=provider)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(label, counts[value]) for value, label in Status.choices if counts.get(value)]


# ---- lists -------------------------------------------------------------------------------


def referral_list(program: Program, membership: Membership | None) -> QuerySet:
    """The referrals a user may see with what the list shows."""
    return (
        policies.visible_referrals(program, membership)
        .select_related("participant", "provider")
        .order_by("-referred_on", "-pk")
    )


def participant_referrals(
    program: Program, membership: Membership | None, participant: Participant
) -> QuerySet:
    """A participant's referrals that a member may follow, newest first, for the participant's
    page: all of them for coordinators, a volunteer's own proposals, none for other roles."""
    return (
        policies.visible_referrals(program, membership)
        .filter(participant=participant)
        .select_related("provider")
        .order_by("-referred_on", "-pk")
    )


def referral_history(referral: Referral) -> QuerySet:
    return referral.events.select_related("by").order_by("at", "pk")


# ---- follow-up ---------------------------------------------------------------------------


def _waiting_since():
    """The date a referral entered its current waiting status."""
    return Case(
        When(status=Status.APPOINTMENT, then=F("appointment_on")),
        default=Coalesce(F("sent_on"), F("referred_on")),
        output_field=DateField(),
    )


def follow_up_cutoff(program: Program, today: date) -> date:
    """Referrals waiting since before this date need following up."""
    return today - timedelta(days=program.referral_follow_up_days)


def follow_up_referrals(program: Program, today: date) -> QuerySet:
    """Referrals sitting in ``sent`` or ``appointment`` longer than the program's follow-up days.

    A referral sent (or with an appointment) exactly ``referral_follow_up_days`` ago is not due
    yet; one day later it is.
    """
    return (
        Referral.objects.filter(program=program, status__in=FOLLOW_UP_STATUSES)
        .annotate(waiting_since=_waiting_since())
        .filter(waiting_since__lt=follow_up_cutoff(program, today))
        .select_related("participant", "provider")
        .order_by("waiting_since", "pk")
    )


# ---- figures -----------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from the second date to the first, computed by the database."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date - date is an integer number of days.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class Median(Aggregate):
    """The median, as PostgreSQL's ordered-set aggregate ``percentile_cont(0.5)``."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()


def _has_median_aggregate() -> bool:
    return connection.vendor == "postgresql"


def _reached(status: str):
    """True for referrals that are, or once were, in ``status``."""
    return ExpressionWrapper(
        Q(status=status)
        | Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=status)),
        output_field=BooleanField(),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class Outcomes:
    """Counts and rates of a set of referrals (all of a period, or one provider's)."""

    total: int
    sent: int
    attended: int
    no_show: int
    declined: int
    median_days_to_appointment: float | None
    median_days_to_attended: float | None
    with_appointment_outcome: int

    @property
    def share_attended(self) -> float | None:
        """Of the referrals that were sent, the share that reached ``attended``."""
        return _share(self.attended, self.sent)

    @property
    def no_show_rate(self) -> float | None:
        """Of the referrals with an appointment outcome, the share with a missed appointment."""
        return _share(self.no_show, self.with_appointment_outcome)


@dataclass(frozen=True)
class ProviderOutcomes(Outcomes):
    provider_id: int = 0
    provider_name: str = ""


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    total: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class ReferralFigures:
    date_from: date
    date_to: date
    overall: Outcomes
    by_category: list[CategoryRow]
    by_status: dict[str, int]
    by_provider: list[ProviderOutcomes]


def _figure_base(program: Program, date_from: date, date_to: date, direction: str | None):
    referrals = Referral.objects.filter(
        program=program, referred_on__gte=date_from, referred_on__lte=date_to
    )
    if direction:
        referrals = referrals.filter(direction=direction)
    return referrals.annotate(
        reached_attended=_reached(Status.ATTENDED),
        reached_no_show=_reached(Status.NO_SHOW),
        reached_declined=_reached(Status.DECLINED),
    )


def _counts():
    return {
        "total": Count("pk"),
        "sent": Count("pk", filter=Q(sent_on__isnull=False)),
        "attended": Count("pk", filter=Q(reached_attended=True)),
        "no_show": Count("pk", filter=Q(reached_no_show=True)),
        "declined": Count("pk", filter=Q(reached_declined=True)),
        "with_appointment_outcome": Count(
            "pk", filter=Q(reached_attended=True) | Q(reached_no_show=True)
        ),
    }


# Days from sending to the appointment: every referral with both dates. Days from sending to
# being seen: the referrals that reached ``attended`` (their appointment is the one attended).
_TO_APPOINTMENT = Q(sent_on__isnull=False, appointment_on__isnull=False)
_TO_ATTENDED = _TO_APPOINTMENT & Q(reached_attended=True)


def _days():
    return DaysBetween(F("appointment_on"), F("sent_on"))


NO_MEDIANS = {"median_days_to_appointment": None, "median_days_to_attended": None}


def _medians(referrals: QuerySet) -> dict[str, float | None]:
    if _has_median_aggregate():
        return referrals.aggregate(
            median_days_to_appointment=Median(_days(), filter=_TO_APPOINTMENT),
            median_days_to_attended=Median(_days(), filter=_TO_ATTENDED),
        )
    return {
        "median_days_to_appointment": _median(
            referrals.filter(_TO_APPOINTMENT)
            .annotate(days=_days())
            .order_by("days")
            .values_list("days", flat=True)
        ),
        "median_days_to_attended": _median(
            referrals.filter(_TO_ATTENDED)
            .annotate(days=_days())
            .order_by("days")
            .values_list("days", flat=True)
        ),
    }


def _medians_by_provider(referrals: QuerySet) -> dict[int, dict[str, float | None]]:
    if _has_median_aggregate():
        rows = (
            referrals.order_by()
            .values("provider_id")
            .annotate(
                median_days_to_appointment=Median(_days(), filter=_TO_APPOINTMENT),
                median_days_to_attended=Median(_days(), filter=_TO_ATTENDED),
            )
        )
        return {row.pop("provider_id"): row for row in rows}
    result: dict[int, dict[str, float | None]] = {}
    for key, condition in (
        ("median_days_to_appointment", _TO_APPOINTMENT),
        ("median_days_to_attended", _TO_ATTENDED),
    ):
        pairs = (
            referrals.filter(condition)
            .annotate(days=_days())
            .order_by("provider_id", "days")
            .values_list("provider_id", "days")
        )
        for provider_id, group in groupby(pairs, key=lambda pair: pair[0]):
            result.setdefault(provider_id, {})[key] = _median(days for _, days in group)
    return result


def referral_figures(
    program: Program,
    *,
    date_from: date,
    date_to: date,
    direction: str | None = Referral.Direction.OUTBOUND,
) -> ReferralFigures:
    """What became of the referrals made between ``date_from`` and ``date_to`` (inclusive).

    - by category and status: counts of the referrals by their current status;
    - ``share_attended``: of those sent, the share that reached ``attended`` (now or before
      being closed);
    - median days from sending to the appointment date (every referral with an appointment)
      and to the appointment attended (those that reached ``attended``);
    - ``no_show_rate``: of the referrals with an appointment outcome (attended or not), the
      share where the person missed an appointment;
    - the same per provider.

    ``direction`` limits the figures to outbound (default) or inbound referrals; ``None``
    counts both.
    """
    referrals = _figure_base(program, date_from, date_to, direction)

    overall = Outcomes(**referrals.aggregate(**_counts()), **_medians(referrals))

    by_status: dict[str, int] = {}
    by_category: dict[str, dict[str, int]] = {}
    for row in referrals.order_by().values("category", "status").annotate(n=Count("pk")):
        by_category.setdefault(row["category"], {})[row["status"]] = row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    labels = dict(Category.choices)
    category_rows = sorted(
        (
            CategoryRow(
                category=category,
                label=str(labels.get(category, category)),
                total=sum(counts.values()),
                by_status=counts,
            )
            for category, counts in by_category.items()
        ),
        key=lambda row: (-row.total, row.label),
    )

    medians = _medians_by_provider(referrals)
    provider_rows = []
    for row in (
        referrals.order_by()
        .values("provider_id", "provider__name")
        .annotate(**_counts())
        .order_by("-total", "provider__name")
    ):
        provider_id = row.pop("provider_id")
        provider_rows.append(
            ProviderOutcomes(
                provider_id=provider_id,
                provider_name=row.pop("provider__name"),
                **row,
                **{**NO_MEDIANS, **medians.get(provider_id, {})},
            )
        )
    return ReferralFigures(
        date_from=date_from,
        date_to=date_to,
        overall=overall,
        by_category=category_rows,
        by_status=by_status,
        by_provider=provider_rows,
    )
