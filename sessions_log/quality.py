"""What logged work lacks or holds implausibly: the data-quality counts of a program's period.

The funder report states them beside its figures (what the figures rest on), and a
coordinator's page can list the same counts to get them fixed. Each count is a fixed number of
SQL aggregates whatever the amount of data (four queries in all).

- Activities without a language, or without a duration.
- Group activities (the kinds logged with head counts) with no one attending or more than
  :data:`MAX_GROUP_SIZE` people; activities longer than :data:`MAX_MINUTES`.
- Questionnaires (outcome measures) with missing answers; baselines taken in the period without
  a follow-up of the same instrument by its end.
- Six-month checks of matches falling due in the period (the match was still running six
  months after its start) but not recorded; twelve-month follow-ups of self-help groups falling
  due in the period but not recorded.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from core.dates import months_later
from programs.models import ActivityKind, Program

from .models import Activity, Match, OutcomeMeasure, SelfHelpGroup

MAX_GROUP_SIZE = 200  # more people at one group activity is taken for a typing error
MAX_MINUTES = 12 * 60  # a longer activity is taken for a typing error


@dataclass(frozen=True)
class DataQuality:
    """Counts of records of a period that lack a detail or hold an implausible value, each
    with the number of records checked."""

    activities: int
    activities_without_language: int
    activities_without_duration: int
    activities_over_max_minutes: int
    group_activities: int
    group_activities_empty: int
    group_activities_over_max_size: int
    questionnaires: int
    questionnaires_incomplete: int
    baselines: int
    baselines_without_follow_up: int
    match_checks_due: int
    match_checks_missing: int
    group_follow_ups_due: int
    group_follow_ups_missing: int

    def as_dict(self) -> dict:
        return asdict(self)


def _full_months(start: str, end: str):
    """SQL: whole calendar months from the date field ``start`` to ``end``."""
    return ExpressionWrapper(
        (ExtractYear(end) - ExtractYear(start)) * 12
        + ExtractMonth(end)
        - ExtractMonth(start)
        - Case(When(**{f"{end}__day__lt": ExtractDay(start)}, then=1), default=0),
        output_field=IntegerField(),
    )


def _activities(program: Program, start: dt.date, end: dt.date) -> dict:
    group_kinds = [kind for kind in ActivityKind.values if kind not in ActivityKind.individual()]
    is_group = Q(kind__in=group_kinds)
    has_language = Exists(Activity.languages.through.objects.filter(activity=OuterRef("pk")))
    return (
        Activity.objects.filter(program=program, date__gte=start, date__lte=end)
        .order_by()
        .annotate(has_language=has_language)
        .aggregate(
            activities=Count("pk"),
            activities_without_language=Count("pk", filter=Q(has_language=False)),
            activities_without_duration=Count("pk", filter=Q(minutes__isnull=True)),
            activities_over_max_minutes=Count("pk", filter=Q(minutes__gt=MAX_MINUTES)),
            group_activities=Count("pk", filter=is_group),
            group_activities_empty=Count("pk", filter=is_group & Q(attendees_total=0)),
            group_activities_over_max_size=Count(
                "pk", filter=is_group & Q(attendees_total__gt=MAX_GROUP_SIZE)
            ),
        )
    )


def _questionnaires(program: Program, start: dt.date, end: dt.date) -> dict:
    baseline = Q(timepoint=OutcomeMeasure.Timepoint.BASELINE)
    follow_up = Exists(
        OutcomeMeasure.objects.filter(
            participant=OuterRef("participant"),
            instrument=OuterRef("instrument"),
            date__gte=OuterRef("date"),
            date__lte=end,
        ).exclude(timepoint=OutcomeMeasure.Timepoint.BASELINE)
    )
    return (
        OutcomeMeasure.objects.filter(program=program, date__gte=start, date__lte=end)
        .order_by()
        .annotate(followed_up=follow_up)
        .aggregate(
            questionnaires=Count("pk"),
            questionnaires_incomplete=Count("pk", filter=Q(complete=False)),
            baselines=Count("pk", filter=baseline),
            baselines_without_follow_up=Count("pk", filter=baseline & Q(followed_up=False)),
        )
    )


def _due_in(start: dt.date, end: dt.date, months: int) -> Q:
    """Started so that ``months`` after the start falls in the period; the bounds are those of
    the report's own cohorts, so that consecutive periods neither share nor miss a record."""
    return Q(
        started_on__gt=months_later(start - dt.timedelta(days=1), -months),
        started_on__lte=months_later(end, -months),
    )


def _match_checks(program: Program, start: dt.date, end: dt.date) -> dict:
    """Matches whose sixth month after the start ends in the period and that ran that long."""
    due = _due_in(start, end, 6) & (Q(ended_on__isnull=True) | Q(months_lasted__gte=6))
    return (
        Match.objects.filter(program=program, started_on__isnull=False)
        .order_by()
        .annotate(months_lasted=_full_months("started_on", "ended_on"))
        .aggregate(
            match_checks_due=Count("pk", filter=due),
            match_checks_missing=Count("pk", filter=due & Q(six_month_check_on__isnull=True)),
        )
    )


def _group_follow_ups(program: Program, start: dt.date, end: dt.date) -> dict:
    """Self-help groups whose twelfth month after the start ends in the period."""
    due = _due_in(start, end, 12)
    unknown = Q(follow_up_still_meeting=SelfHelpGroup.FollowUp.UNKNOWN)
    return (
        SelfHelpGroup.objects.filter(program=program)
        .order_by()
        .aggregate(
            group_follow_ups_due=Count("pk", filter=due),
            group_follow_ups_missing=Count("pk", filter=due & unknown),
        )
    )


def data_quality(program: Program, start: dt.date, end: dt.date) -> DataQuality:
    """The data-quality counts of ``program`` for ``start``–``end`` (both days included)."""
    counts = {
        **_activities(program, start, end),
        **_questionnaires(program, start, end),
        **_match_checks(program, start, end),
        **_group_follow_ups(program, start, end),
    }
    return DataQuality(**{name: value or 0 for name, value in counts.items()})
