"""What logged work lacks or holds implausibly: the data-quality counts of a program's period.

The funder report states them beside its figures (what the figures rest on), and a
coordinator's page (``views/quality.py``) lists the records behind each count to get them fixed,
read with the same querysets and filters (:func:`problem_records`). The counts are a fixed
number of SQL aggregates whatever the amount of data (four queries in all).

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
    QuerySet,
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


def _group_kinds() -> list[str]:
    return [kind for kind in ActivityKind.values if kind not in ActivityKind.individual()]


def _due_in(start: dt.date, end: dt.date, months: int) -> Q:
    """Started so that ``months`` after the start falls in the period; the bounds are those of
    the report's own cohorts, so that consecutive periods neither share nor miss a record."""
    return Q(
        started_on__gt=months_later(start - dt.timedelta(days=1), -months),
        started_on__lte=months_later(end, -months),
    )


@dataclass(frozen=True)
class _Source:
    """One kind of record checked: the records of the period (annotated for the checks), the
    counts of records checked, the problems (count name → filter), and how a list of the
    records behind a problem is read (order, related rows)."""

    checked: QuerySet
    totals: dict
    problems: dict[str, Q]
    order_by: tuple[str, ...]
    related: tuple[str, ...] = ()


def _activities(program: Program, start: dt.date, end: dt.date) -> _Source:
    is_group = Q(kind__in=_group_kinds())
    has_language = Exists(Activity.languages.through.objects.filter(activity=OuterRef("pk")))
    return _Source(
        checked=Activity.objects.filter(program=program, date__gte=start, date__lte=end)
        .order_by()
        .annotate(has_language=has_language),
        totals={"activities": Count("pk"), "group_activities": Count("pk", filter=is_group)},
        problems={
            "activities_without_language": Q(has_language=False),
            "activities_without_duration": Q(minutes__isnull=True),
            "activities_over_max_minutes": Q(minutes__gt=MAX_MINUTES),
            "group_activities_empty": is_group & Q(attendees_total=0),
            "group_activities_over_max_size": is_group & Q(attendees_total__gt=MAX_GROUP_SIZE),
        },
        order_by=("date", "pk"),
    )


def _questionnaires(program: Program, start: dt.date, end: dt.date) -> _Source:
    baseline = Q(timepoint=OutcomeMeasure.Timepoint.BASELINE)
    follow_up = Exists(
        OutcomeMeasure.objects.filter(
            participant=OuterRef("participant"),
            instrument=OuterRef("instrument"),
            date__gte=OuterRef("date"),
            date__lte=end,
        ).exclude(timepoint=OutcomeMeasure.Timepoint.BASELINE)
    )
    return _Source(
        checked=OutcomeMeasure.objects.filter(program=program, date__gte=start, date__lte=end)
        .order_by()
        .annotate(followed_up=follow_up),
        totals={"questionnaires": Count("pk"), "baselines": Count("pk", filter=baseline)},
        problems={
            "questionnaires_incomplete": Q(complete=False),
            "baselines_without_follow_up": baseline & Q(followed_up=False),
        },
        order_by=("date", "pk"),
        related=("participant",),
    )


def _match_checks(program: Program, start: dt.date, end: dt.date) -> _Source:
    """Matches whose sixth month after the start ends in the period and that ran that long."""
    due = _due_in(start, end, 6) & (Q(ended_on__isnull=True) | Q(months_lasted__gte=6))
    return _Source(
        checked=Match.objects.filter(program=program, started_on__isnull=False)
        .order_by()
        .annotate(months_lasted=_full_months("started_on", "ended_on")),
        totals={"match_checks_due": Count("pk", filter=due)},
        problems={"match_checks_missing": due & Q(six_month_check_on__isnull=True)},
        order_by=("started_on", "pk"),
        related=("volunteer", "participant"),
    )


def _group_follow_ups(program: Program, start: dt.date, end: dt.date) -> _Source:
    """Self-help groups whose twelfth month after the start ends in the period."""
    due = _due_in(start, end, 12)
    unknown = Q(follow_up_still_meeting=SelfHelpGroup.FollowUp.UNKNOWN)
    return _Source(
        checked=SelfHelpGroup.objects.filter(program=program).order_by(),
        totals={"group_follow_ups_due": Count("pk", filter=due)},
        problems={"group_follow_ups_missing": due & unknown},
        order_by=("started_on", "pk"),
    )


def _sources(program: Program, start: dt.date, end: dt.date) -> list[_Source]:
    return [
        source(program, start, end)
        for source in (_activities, _questionnaires, _match_checks, _group_follow_ups)
    ]


def data_quality(program: Program, start: dt.date, end: dt.date) -> DataQuality:
    """The data-quality counts of ``program`` for ``start``–``end`` (both days included)."""
    counts = {}
    for source in _sources(program, start, end):
        problems = {name: Count("pk", filter=q) for name, q in source.problems.items()}
        counts.update(source.checked.aggregate(**source.totals, **problems))
    return DataQuality(**{name: value or 0 for name, value in counts.items()})


PROBLEMS = (
    "activities_without_language",
    "activities_without_duration",
    "activities_over_max_minutes",
    "group_activities_empty",
    "group_activities_over_max_size",
    "questionnaires_incomplete",
    "baselines_without_follow_up",
    "match_checks_missing",
    "group_follow_ups_missing",
)
"""The problem counts of :class:`DataQuality`, in the order the report and the page show them."""


def problem_records(program: Program, start: dt.date, end: dt.date) -> dict[str, QuerySet]:
    """Per problem count (a name of :data:`PROBLEMS`): the records behind it, oldest first.

    Each is the queryset the count aggregates, filtered by the count's own condition, so a
    list and its count cannot disagree."""
    records = {}
    for source in _sources(program, start, end):
        for name, condition in source.problems.items():
            records[name] = source.checked.filter(condition).order_by(*source.order_by)
            if source.related:
                records[name] = records[name].select_related(*source.related)
    return {name: records[name] for name in PROBLEMS}


@dataclass(frozen=True)
class ProblemList:
    """The first records behind one problem count, with the count itself."""

    name: str
    total: int
    records: list

    @property
    def more(self) -> int:
        """How many records beyond those listed."""
        return self.total - len(self.records)


def problem_lists(
    program: Program, start: dt.date, end: dt.date, limit: int = 50
) -> tuple[DataQuality, list[ProblemList]]:
    """The counts of the period and, per problem, its first ``limit`` records: a fixed number
    of queries (the counts' four and one per problem) whatever the amount of data."""
    counts = data_quality(program, start, end)
    totals = counts.as_dict()
    lists = [
        ProblemList(name, totals[name], list(records[:limit]))
        for name, records in problem_records(program, start, end).items()
    ]
    return counts, lists
