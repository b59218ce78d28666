"""Every figure of a funder report, computed in the database for a program and a period.

:func:`compute` returns a *snapshot*: plain JSON (numbers, strings, lists, dicts) with one key
per KPI group (``activities``, ``contacts``, ``people_reached``, ``languages``, ``volunteers``,
``supervision``, ``referrals``, ``matches``, ``selfhelp_groups``, ``caseload``, ``targets``,
``outcomes``, and for the Sachbericht ``previous``, ``trainings``, ``costs``, ``data_quality``).
Labels are written in the report's language when the snapshot is taken, so a
published snapshot reads the same for ever. Breakdowns are lists of rows
``{"key": …, "label": …, <figures>}``.

Aggregation happens in SQL (``values().annotate()``, ``aggregate(Count(filter=…))``,
``Exists``); each group runs a fixed, small number of queries whatever the amount of data, and
no Python loop walks over logged rows: loops only turn the few grouped rows into dicts.
Every figure is defined once in :mod:`reports.indicators`; the snapshot's ``indicators`` hold
each with its label, value, n and definition, and ``headline`` the keys of the key figures.
:data:`METHOD_NOTES` are the notes printed under each section.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, TruncMonth
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from core.dates import month_start, month_starts, months_later
from programs import languages as language_names
from programs.models import (
    AGE_BANDS,
    ActivityKind,
    Grant,
    Participant,
    Program,
    Site,
    age_band_label,
)
from programs.selectors import CaseloadStatus, areas_with_caseload
from referrals.models import Referral
from referrals.selectors import referral_figures
from sessions_log.models import Activity, Match, SelfHelpGroup
from sessions_log.quality import data_quality
from sessions_log.topics import CATALOGUE
from volunteers.models import Enrollment, SupervisionSession, Training, Volunteer

from . import indicators
from .indicators import REGISTRY, SHELTER_KINDS, Recording, Unit, qualified_on
from .outcomes import outcome_kpis
from .selectors import Period, targets_progress

SCHEMA_VERSION = 1

KPI_GROUPS = (
    "activities",
    "contacts",
    "people_reached",
    "languages",
    "volunteers",
    "supervision",
    "referrals",
    "matches",
    "selfhelp_groups",
    "caseload",
    "targets",
    "outcomes",
    "previous",
    "trainings",
    "costs",
    "data_quality",
)

UNKNOWN = "unknown"

ActivityParticipant = Activity.participants.through
ActivityLanguage = Activity.languages.through
ActivityFacilitator = Activity.facilitators.through
ActivityTopic = Activity.topics.through
SupervisionAttendee = SupervisionSession.attendees.through
VolunteerLanguage = Volunteer.languages.through
ParticipantLanguage = Participant.languages.through


# ---- helpers ---------------------------------------------------------------------------------


def _number(value) -> int | float:
    """A JSON number: Decimals become floats, None becomes 0."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return float(value)
    return value


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


def _share(part: int, whole: int) -> float | None:
    """A share between 0 and 1, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def _month_start(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def full_months(start: str, end: str):
    """SQL: whole calendar months from the date field ``start`` to ``end`` (may be negative)."""
    return ExpressionWrapper(
        (ExtractYear(end) - ExtractYear(start)) * 12
        + ExtractMonth(end)
        - ExtractMonth(start)
        - Case(When(**{f"{end}__day__lt": ExtractDay(start)}, then=1), default=0),
        output_field=IntegerField(),
    )


def _rows(queryset, key: str, label, **figures) -> list[dict]:
    """Grouped rows as ``{"key", "label", **figures}``; ``label`` maps a row to its text."""
    rows = []
    for row in queryset:
        rows.append(
            {
                "key": "" if row[key] is None else str(row[key]),
                "label": label(row),
                **{name: _number(row[name]) for name in figures},
            }
        )
    return rows


def _by_count(rows: list[dict], field: str) -> list[dict]:
    return sorted(rows, key=lambda r: (-r[field], r["label"]))


def _country(code: str | None) -> str:
    return str(countries.name(code)) if code else _("Not recorded")


def _language(code: str | None) -> str:
    return language_names.display_name(code) if code else _("Not recorded")


def _distinct_languages(through: QuerySet) -> int:
    """How many rows :func:`_by_language` gives for ``through``: its distinct languages."""
    return through.order_by().aggregate(n=Count("language_id", distinct=True))["n"]


def _by_language(through: QuerySet, **figures) -> list[dict]:
    """Rows of a language many-to-many table counted by language, ``figures`` being the
    aggregates; the largest first by the first of them."""
    rows = _rows(
        through.order_by().values("language_id").annotate(**figures),
        "language_id",
        lambda r: _language(r["language_id"]),
        **figures,
    )
    return _by_count(rows, next(iter(figures)))


# ---- the groups ------------------------------------------------------------------------------


def _activities(
    program: Program, period: Period, *, breakdowns: bool = True
) -> tuple[dict, dict, dict]:
    """Activities, contacts (head counts) and languages: by kind, site, month, topic, language.
    Without ``breakdowns``, the single figures only."""
    activities = Activity.objects.filter(program=program).filter(period.q()).order_by()
    figures = {"activities": Count("pk"), "contacts": Sum("attendees_total")}
    totals = activities.aggregate(**figures, minutes=Sum("minutes"))
    minutes = totals["minutes"] or 0
    spoken = ActivityLanguage.objects.filter(activity__program=program).filter(
        period.q("activity__date")
    )
    if not breakdowns:
        return (
            {"total": totals["activities"], "minutes": minutes, "hours": _hours(minutes)},
            {"total": _number(totals["contacts"])},
            {"total": _distinct_languages(spoken)},
        )

    kind_labels = dict(ActivityKind.choices)
    by_kind = _rows(
        activities.values("kind").annotate(**figures, minutes=Sum("minutes")),
        "kind",
        lambda r: str(kind_labels.get(r["kind"], r["kind"])),
        activities=1,
        contacts=1,
        minutes=1,
    )
    order = list(kind_labels)
    by_kind.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))

    by_site = _by_count(
        _rows(
            activities.values("site_id", "site__name").annotate(**figures),
            "site_id",
            lambda r: r["site__name"] or _("No site recorded"),
            activities=1,
            contacts=1,
        ),
        "activities",
    )

    counted = {
        _month_start(r["month"]): r
        for r in activities.annotate(month=TruncMonth("date")).values("month").annotate(**figures)
    }
    by_month = []
    for month in month_starts(period.start, period.end):
        row = counted.get(month, {})
        by_month.append(
            {
                "key": month.strftime("%Y-%m"),
                "label": date_format(month, "YEAR_MONTH_FORMAT"),
                "short": date_format(month, "M"),
                "activities": _number(row.get("activities")),
                "contacts": _number(row.get("contacts")),
            }
        )

    by_topic = _by_count(
        _rows(
            ActivityTopic.objects.filter(activity__program=program)
            .filter(period.q("activity__date"))
            .order_by()
            .values("topic_id", "topic__key", "topic__name")
            .annotate(activities=Count("activity_id"), contacts=Sum("activity__attendees_total")),
            "topic_id",
            lambda r: str(CATALOGUE.get(r["topic__key"], r["topic__name"])),
            activities=1,
            contacts=1,
        ),
        "activities",
    )

    by_language = _by_language(
        spoken,
        activities=Count("activity_id"),
        contacts=Sum("activity__attendees_total"),
    )

    activities_group = {
        "total": totals["activities"],
        "minutes": minutes,
        "hours": _hours(minutes),
        "by_kind": by_kind,
        "by_site": by_site,
        "by_month": by_month,
        "by_topic": by_topic,
    }
    contacts_group = {
        "total": _number(totals["contacts"]),
        "by_kind": [{k: r[k] for k in ("key", "label", "contacts")} for r in by_kind],
        "by_site": _by_count(
            [{k: r[k] for k in ("key", "label", "contacts")} for r in by_site], "contacts"
        ),
        "by_month": [{k: r[k] for k in ("key", "label", "short", "contacts")} for r in by_month],
        "by_language": _by_count(
            [{k: r[k] for k in ("key", "label", "contacts")} for r in by_language], "contacts"
        ),
    }
    languages_group = {"total": len(by_language), "rows": by_language}
    return activities_group, contacts_group, languages_group


def _age_band(year: int):
    """SQL: the age band (``programs.models.AGE_BANDS``) of a participant in ``year``: the age
    in the period's last year."""
    whens = []
    for key, low, high in AGE_BANDS:
        # Age = year - year_of_birth; low <= age <= high  <=>  year - high <= yob <= year - low.
        condition = Q(year_of_birth__lte=year - low)
        if high is not None:
            condition &= Q(year_of_birth__gte=year - high)
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _counted(counts: Counter, label, order: list | None = None) -> list[dict]:
    """Rows ``{"key", "label", "people"}`` of ``counts``: in ``order`` of their keys where
    given, else the largest first."""
    rows = [
        {"key": "" if key is None else str(key), "label": label(key), "people": n}
        for key, n in counts.items()
    ]
    if order is None:
        return _by_count(rows, "people")
    return sorted(rows, key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))


def _people_reached(program: Program, period: Period, *, breakdowns: bool = True) -> dict:
    """Distinct participants of the period's activities, by gender, age, origin and language.
    Without ``breakdowns``, their number only."""
    met = (
        ActivityParticipant.objects.filter(activity__program=program)
        .filter(period.q("activity__date"))
        .order_by()
    )
    if not breakdowns:
        return {"total": met.aggregate(n=Count("participant_id", distinct=True))["n"]}

    # Each person reached once, counted by gender, age band and origin together (one query).
    by_gender, by_band, by_country = Counter(), Counter(), Counter()
    reached = (
        Participant.objects.filter(pk__in=met.values("participant_id"))
        .order_by()
        .values("gender", "country_of_origin")
        .annotate(band=_age_band(period.end.year), people=Count("pk"))
    )
    for row in reached:
        by_gender[row["gender"]] += row["people"]
        by_band[row["band"]] += row["people"]
        by_country[row["country_of_origin"]] += row["people"]

    gender_labels = dict(Participant.Gender.choices)
    by_age_band = [
        {"key": key, "label": age_band_label(key), "people": by_band[key]}
        for key, _low, _high in AGE_BANDS
    ]
    if by_band[UNKNOWN]:
        by_age_band.append({"key": UNKNOWN, "label": _("Not recorded"), "people": by_band[UNKNOWN]})
    by_language = _by_language(
        ParticipantLanguage.objects.filter(participant__in=met.values("participant_id")),
        people=Count("participant_id", distinct=True),
    )
    return {
        "total": by_gender.total(),
        "by_gender": _counted(
            by_gender, lambda key: str(gender_labels.get(key, key)), order=list(gender_labels)
        ),
        "by_age_band": by_age_band,
        "by_country": _counted(by_country, _country),
        "by_language": by_language,
    }


def _volunteers(program: Program, period: Period, *, breakdowns: bool = True) -> dict:
    """Active, new, left, trained, employed and retained volunteers; languages of the active
    (without ``breakdowns``, their number only).

    Trained volunteers completed the whole qualifying training in the period
    (:func:`reports.indicators.qualified_on`).
    """
    facilitated = ActivityFacilitator.objects.filter(
        volunteer=OuterRef("pk"), activity__program=program
    ).filter(period.q("activity__date"))
    supervised = SupervisionAttendee.objects.filter(
        volunteer=OuterRef("pk"), supervisionsession__program=program
    ).filter(period.q("supervisionsession__date"))

    on_team_at_start = Q(joined_on__lte=period.start) & (
        Q(left_on__isnull=True) | Q(left_on__gte=period.start)
    )
    still_there = Q(left_on__isnull=True) | Q(left_on__gt=period.end)
    employed = Q(employed_by__isnull=False) & (
        Q(employed_since__isnull=True) | Q(employed_since__lte=period.end)
    )
    counts = (
        Volunteer.objects.filter(program=program)
        .order_by()
        .annotate(
            was_active=Exists(facilitated),
            trained_on=qualified_on(),
            was_supervised=Exists(supervised),
        )
        .aggregate(
            active=Count("pk", filter=Q(was_active=True)),
            new=Count("pk", filter=period.q("joined_on")),
            left=Count("pk", filter=period.q("left_on")),
            trained=Count("pk", filter=period.q("trained_on")),
            employed=Count("pk", filter=employed),
            at_start=Count("pk", filter=on_team_at_start),
            retained=Count("pk", filter=on_team_at_start & still_there),
            active_never_supervised=Count("pk", filter=Q(was_active=True, was_supervised=False)),
        )
    )
    active_ids = (
        ActivityFacilitator.objects.filter(activity__program=program)
        .filter(period.q("activity__date"))
        .values("volunteer_id")
    )
    spoken = VolunteerLanguage.objects.filter(volunteer_id__in=active_ids)
    figures = {**counts, "retention": _share(counts["retained"], counts["at_start"])}
    if not breakdowns:
        return {**figures, "languages_total": _distinct_languages(spoken)}
    languages = _by_language(spoken, volunteers=Count("volunteer_id", distinct=True))
    return {**figures, "languages": languages, "languages_total": len(languages)}


def _supervision(program: Program, period: Period, volunteers: dict) -> dict:
    sessions = SupervisionSession.objects.filter(program=program).filter(period.q()).order_by()
    totals = sessions.aggregate(sessions=Count("pk"), minutes=Sum("minutes"))
    kind_labels = dict(SupervisionSession.Kind.choices)
    by_kind = _rows(
        sessions.values("kind").annotate(sessions=Count("pk"), minutes=Sum("minutes")),
        "kind",
        lambda r: str(kind_labels.get(r["kind"], r["kind"])),
        sessions=1,
        minutes=1,
    )
    for row in by_kind:
        row["hours"] = _hours(row.pop("minutes"))
    active_ids = (
        ActivityFacilitator.objects.filter(activity__program=program)
        .filter(period.q("activity__date"))
        .values("volunteer_id")
    )
    attended = (
        SupervisionAttendee.objects.filter(supervisionsession__program=program)
        .filter(period.q("supervisionsession__date"))
        .order_by()
        .aggregate(
            supervised=Count("volunteer_id", distinct=True),
            received=Sum("supervisionsession__minutes", filter=Q(volunteer_id__in=active_ids)),
        )
    )
    active = volunteers["active"]
    return {
        "sessions": totals["sessions"],
        "hours": _hours(totals["minutes"]),
        "volunteers_supervised": attended["supervised"],
        "hours_per_active_volunteer": (
            round(_hours(attended["received"]) / active, 1) if active else None
        ),
        "active_never_supervised": volunteers["active_never_supervised"],
        "by_kind": by_kind,
    }


def _referrals(program: Program, period: Period) -> dict:
    outbound = referral_figures(program, date_from=period.start, date_to=period.end)
    inbound = (
        Referral.objects.filter(program=program, direction=Referral.Direction.INBOUND)
        .filter(period.q("referred_on"))
        .order_by()
        .aggregate(n=Count("pk"), sources=Count("provider_id", distinct=True))
    )
    status_labels = dict(Referral.Status.choices)
    overall = outbound.overall
    return {
        "outbound": overall.total,
        "inbound": inbound["n"],
        "inbound_sources": inbound["sources"],
        "sent": overall.sent,
        "attended": overall.attended,
        "no_show": overall.no_show,
        "with_appointment_outcome": overall.with_appointment_outcome,
        "share_attended": _share(overall.attended, overall.sent),
        "no_show_rate": _share(overall.no_show, overall.with_appointment_outcome),
        "median_days_to_appointment": overall.median_days_to_appointment,
        "by_category": [
            {"key": row.category, "label": row.label, "referrals": row.total}
            for row in outbound.by_category
        ],
        "by_status": [
            {"key": status, "label": str(label), "referrals": outbound.by_status[status]}
            for status, label in status_labels.items()
            if outbound.by_status.get(status)
        ],
    }


def _matches(program: Program, period: Period) -> dict:
    """Matches started, running at the end, and the 6-month retention.

    The retention counts every match started up to the end of the period whose six-month
    outcome is known by then: started at least six months before the end, or ended before
    reaching six months (an early end is known as soon as it happens). A match that started
    less than six months before the end and is still running is left out: its outcome is not
    known yet. The same again for the matches started within the period.
    """
    cohort_until = months_later(period.end, -6)
    running_at_end = Q(started_on__lte=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=period.end)
    )
    reached = Q(started_on__lte=cohort_until) & (Q(ended_on__isnull=True) | Q(months_lasted__gte=6))
    ended_early = Q(started_on__lte=period.end, ended_on__lte=period.end, months_lasted__lt=6)
    known = Q(started_on__lte=cohort_until) | ended_early
    started_in_period = period.q("started_on")
    matches = (
        Match.objects.filter(program=program)
        .order_by()
        .annotate(months_lasted=full_months("started_on", "ended_on"))
    )
    counts = matches.aggregate(
        proposed=Count("pk", filter=period.q("proposed_on")),
        started=Count("pk", filter=started_in_period),
        ended=Count("pk", filter=period.q("ended_on")),
        active_at_end=Count("pk", filter=running_at_end),
        cohort=Count("pk", filter=known),
        retained=Count("pk", filter=reached),
        period_cohort=Count("pk", filter=known & started_in_period),
        period_retained=Count("pk", filter=reached & started_in_period),
    )
    reason_labels = dict(Match.EndReason.choices)
    end_reasons = _by_count(
        _rows(
            matches.filter(period.q("ended_on")).values("end_reason").annotate(matches=Count("pk")),
            "end_reason",
            lambda r: str(reason_labels.get(r["end_reason"], r["end_reason"])),
            matches=1,
        ),
        "matches",
    )
    return {
        "proposed": counts["proposed"],
        "started": counts["started"],
        "ended": counts["ended"],
        "active_at_end": counts["active_at_end"],
        "retention_cohort": counts["cohort"],
        "retained_6m": counts["retained"],
        "retention_6m": _share(counts["retained"], counts["cohort"]),
        "period_cohort": counts["period_cohort"],
        "period_retained_6m": counts["period_retained"],
        "period_retention_6m": _share(counts["period_retained"], counts["period_cohort"]),
        "cohort_started_until": cohort_until.isoformat(),
        "end_reasons": end_reasons,
    }


def _accompanied(period: Period, prefix: str = "") -> Q:
    """Self-help groups (``prefix`` leads to them) accompanied during the period."""
    return Q(**{f"{prefix}started_on__lte": period.end}) & (
        Q(**{f"{prefix}accompaniment_ends_on__gte": period.start})
        | Q(
            **{
                f"{prefix}accompaniment_ends_on__isnull": True,
                f"{prefix}status__in": [
                    SelfHelpGroup.Status.FORMING,
                    SelfHelpGroup.Status.ACCOMPANIED,
                ],
            }
        )
    )


def _selfhelp_groups(program: Program, period: Period, places: dict) -> dict:
    """Groups started and accompanied, and how many still meet a year after the start.

    The 12-month rate counts every group started up to the end of the period whose
    twelve-month answer is known by then: a "still meeting" recorded by the end for a group
    started at least twelve months before it; a "no longer meeting" recorded by the end, or
    the status "ended" without an answer, whenever the group started (a group that ended
    before its twelve months counts as not meeting). The same again for the groups started
    within the period. Contact points and their cities come from ``places``.
    """
    cohort_until = months_later(period.end, -12)
    FollowUp = SelfHelpGroup.FollowUp
    answered = Q(follow_up_checked_on__lte=period.end)
    meeting = answered & Q(follow_up_still_meeting=FollowUp.YES, started_on__lte=cohort_until)
    not_meeting = Q(started_on__lte=period.end) & (
        (answered & Q(follow_up_still_meeting=FollowUp.NO))
        | Q(follow_up_still_meeting=FollowUp.UNKNOWN, status=SelfHelpGroup.Status.ENDED)
    )
    known = meeting | not_meeting
    started_in_period = period.q("started_on")
    accompanied = _accompanied(period)
    groups = SelfHelpGroup.objects.filter(program=program).order_by()
    counts = groups.aggregate(
        started=Count("pk", filter=started_in_period),
        accompanied=Count("pk", filter=accompanied),
        cohort=Count("pk", filter=known),
        still_meeting=Count("pk", filter=meeting),
        period_cohort=Count("pk", filter=known & started_in_period),
        period_still_meeting=Count("pk", filter=meeting & started_in_period),
    )
    topic_labels = dict(SelfHelpGroup.TopicArea.choices)
    by_topic = _by_count(
        _rows(
            groups.filter(accompanied).values("topic_area").annotate(groups=Count("pk")),
            "topic_area",
            lambda r: str(topic_labels.get(r["topic_area"], r["topic_area"])),
            groups=1,
        ),
        "groups",
    )
    return {
        "started": counts["started"],
        "accompanied": counts["accompanied"],
        "contact_points": places["contact_points"],
        "cities": places["cities"],
        "follow_up_cohort": counts["cohort"],
        "still_meeting_12m": counts["still_meeting"],
        "rate_12m": _share(counts["still_meeting"], counts["cohort"]),
        "period_follow_up_cohort": counts["period_cohort"],
        "period_still_meeting_12m": counts["period_still_meeting"],
        "period_rate_12m": _share(counts["period_still_meeting"], counts["period_cohort"]),
        "cohort_started_until": cohort_until.isoformat(),
        "by_topic": by_topic,
    }


def _places(program: Program, period: Period) -> dict:
    """Shelters reached, and the contact points worked at (and their cities), in one query.

    A contact point counts when an activity was held there in the period or a group it looks
    after was accompanied during it: the self-help section and the key figures count the same.
    """
    held_there = Exists(
        Activity.objects.filter(program=program, site=OuterRef("pk")).filter(period.q())
    )
    group_there = Exists(
        SelfHelpGroup.objects.filter(program=program, contact_point=OuterRef("pk")).filter(
            _accompanied(period)
        )
    )
    worked = Q(kind=Site.Kind.CONTACT_POINT, held=True) | Q(looked_after=True)
    return (
        Site.objects.filter(program=program)
        .order_by()
        .annotate(held=held_there, looked_after=group_there)
        .aggregate(
            shelters_reached=Count("pk", filter=Q(kind__in=SHELTER_KINDS, held=True)),
            contact_points=Count("pk", filter=worked),
            cities=Count("city", distinct=True, filter=worked & ~Q(city="")),
        )
    )


def _people_counselled_and_visited(program: Program, period: Period) -> dict:
    """People counselled, intakes (first visits) and aftercare, in one query over the
    program's participants."""
    took_part = ActivityParticipant.objects.filter(participant=OuterRef("pk"))
    in_period = took_part.filter(period.q("activity__date"))
    visits = took_part.filter(activity__kind=ActivityKind.VISIT)
    return (
        Participant.objects.filter(program=program)
        .order_by()
        .annotate(
            was_counselled=Exists(in_period.filter(activity__kind=ActivityKind.COUNSELLING)),
            visited=Exists(visits.filter(period.q("activity__date"))),
            visited_before=Exists(visits.filter(activity__date__lt=period.start)),
            met_by_end=Exists(took_part.filter(activity__date__lte=period.end)),
        )
        .aggregate(
            counselled=Count("pk", filter=Q(was_counselled=True)),
            intakes=Count("pk", filter=Q(visited=True, visited_before=False)),
            aftercare_at_end=Count("pk", filter=Q(aftercare_until__gt=period.end, met_by_end=True)),
            aftercare_ended=Count("pk", filter=period.q("aftercare_until")),
        )
    )


def _counselling_languages(program: Program, period: Period) -> int:
    return (
        ActivityLanguage.objects.filter(
            activity__program=program, activity__kind=ActivityKind.COUNSELLING
        )
        .filter(period.q("activity__date"))
        .order_by()
        .aggregate(n=Count("language_id", distinct=True))["n"]
    )


def _recording(program: Program) -> Recording:
    """What the program's configuration says it records (one query)."""
    sites = Site.objects.filter(program=OuterRef("pk"))
    flags = (
        Program.objects.filter(pk=program.pk)
        .annotate(
            qualifying=Exists(
                Training.objects.filter(
                    program=OuterRef("pk"),
                    qualifying=True,
                    kind__in=indicators.QUALIFYING_KINDS,
                )
            ),
            shelters=Exists(sites.filter(kind__in=SHELTER_KINDS)),
            contact_points=Exists(sites.filter(kind=Site.Kind.CONTACT_POINT)),
            employment=Exists(
                Volunteer.objects.filter(program=OuterRef("pk"), employed_by__isnull=False)
            ),
        )
        .values("qualifying", "shelters", "contact_points", "employment")
        .get()
    )
    return Recording(
        activity_kinds=frozenset(program.activity_kinds or ()),
        qualifying_trainings=flags["qualifying"],
        shelters=flags["shelters"],
        contact_points=flags["contact_points"],
        employment=flags["employment"],
    )


def _caseload(program: Program, period: Period) -> dict:
    status_labels = dict(CaseloadStatus.choices)
    areas = [
        {
            "key": str(area.pk),
            "label": area.name,
            "sites": area.site_count,
            "residents": area.current_residents,
            "staff_fte": float(area.staff_fte),
            "residents_per_staff": (
                round(area.residents_per_staff) if area.residents_per_staff is not None else None
            ),
            "target": area.caseload_ratio_target,
            "status": area.caseload_status,
            "status_label": str(status_labels[area.caseload_status]),
        }
        for area in areas_with_caseload(program, on=period.end).order_by("name")
    ]
    return {"as_of": period.end.isoformat(), "areas": areas}


def _targets(program: Program, period: Period, grant: Grant | None, snapshot: dict) -> dict:
    """Every target overlapping the period, with what was logged from its start to the end.

    A count is compared as a share of its target (``percent``). A rate (the retention rates)
    is the report's own figure with its n, compared as the gap to its target in percentage
    points (``gap_points``), never as a share of it. An indicator the program does not
    record has no actual.
    """
    targets = program.targets.filter(starts_on__lte=period.end, ends_on__gte=period.start)
    if grant is not None:
        targets = targets.filter(Q(grant=grant) | Q(grant__isnull=True))
    entries = snapshot["indicators"]
    rows = []
    for progress in targets_progress(program, period.end, targets=targets):
        target = progress.target
        indicator = REGISTRY[target.indicator]
        entry = entries[indicator.key]
        row = {
            "key": str(target.pk),
            "indicator": target.indicator,
            "label": entry["label"],
            "unit": indicator.unit.value,
            "recorded": entry["recorded"],
            "grant": target.grant.reference if target.grant else "",
            "starts_on": target.starts_on.isoformat(),
            "ends_on": target.ends_on.isoformat(),
            "target": _number(target.value),
            "actual": None,
            "percent": None,
            "gap_points": None,
            "elapsed_percent": progress.elapsed_percent,
            "note": target.note,
        }
        if indicator.unit == Unit.RATE:
            part, whole = entry["numerator"], entry["denominator"]
            if whole:
                points = 100 * part / whole
                row.update(
                    actual=round(points, 1),
                    numerator=part,
                    denominator=whole,
                    gap_points=round(points - float(target.value), 1),
                )
        elif entry["recorded"] and progress.actual is not None:
            row["actual"] = _number(progress.actual)
            row["percent"] = progress.percent
        rows.append(row)
    return {"rows": rows}


def deviation_points(row: dict) -> int | float | None:
    """A target's deviation from plan in percentage points, the one definition the targets
    table prints and publishing checks.

    A rate target (retention) is compared with itself: the rate reached minus the rate aimed
    at (its ``gap_points``). A count is compared with the time gone: the share of the target
    reached minus the share of its period gone. None without an actual.
    """
    if row["actual"] is None:
        return None
    indicator = REGISTRY.get(row["indicator"])
    if indicator is not None and indicator.unit == Unit.RATE:
        gap = row.get("gap_points")
        return gap if gap is not None else round(row["actual"] - row["target"], 1)
    if row.get("percent") is None:
        return None
    return row["percent"] - row["elapsed_percent"]


def _plan_versus_actual(group: dict, margin: int) -> dict:
    """Each target's deviation from plan (:func:`deviation_points`), and whether it is more
    than ``margin`` points behind, so that it needs a reason."""
    for row in group["rows"]:
        deviation = deviation_points(row)
        row["deviation"] = deviation
        row["behind"] = deviation is not None and deviation < -margin
    group["margin"] = margin
    return group


def previous_period(start: dt.date, end: dt.date) -> Period:
    """The period of the same length just before: whole calendar months (a year, a quarter)
    move by as many months, any other period by as many days."""
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return Period(month_start(start, -months), start - dt.timedelta(days=1))
    days = (end - start).days + 1
    return Period(start - dt.timedelta(days=days), start - dt.timedelta(days=1))


def _scalars(group: dict) -> dict:
    """The single figures of a group (no breakdowns, labels or dates)."""
    return {
        key: value
        for key, value in group.items()
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    }


def _previous(program: Program, period: Period) -> dict:
    """The single figures of every group that holds an indicator, for the previous period of
    the same length, computed by the same functions as the report's own (as :func:`compute`
    calls them, so by the same definitions); none where the program had not started by the end
    of that period."""
    before = previous_period(period.start, period.end)
    result = {"start": before.start.isoformat(), "end": before.end.isoformat(), "figures": None}
    if before.end < program.starts_on:
        return result
    activities, contacts, languages = _activities(program, before, breakdowns=False)
    places = _places(program, before)
    activities["shelters_reached"] = places["shelters_reached"]
    languages["counselling"] = _counselling_languages(program, before)
    volunteers = _volunteers(program, before, breakdowns=False)
    groups = {
        "activities": activities,
        "contacts": contacts,
        "people_reached": {
            **_people_reached(program, before, breakdowns=False),
            **_people_counselled_and_visited(program, before),
        },
        "languages": languages,
        "volunteers": volunteers,
        "supervision": _supervision(program, before, volunteers),
        "referrals": _referrals(program, before),
        "matches": _matches(program, before),
        "selfhelp_groups": _selfhelp_groups(program, before, places),
    }
    result["figures"] = {name: _scalars(group) for name, group in groups.items()}
    return result


def _trainings(program: Program, period: Period) -> dict:
    """Trainings of the program held (at least partly) in the period, with their enrolments
    and the completions within the period."""
    kind_labels = dict(Training.Kind.choices)
    trainings = (
        Training.objects.filter(program=program, starts_on__lte=period.end)
        .filter(ends_on__gte=period.start)
        .order_by("starts_on", "pk")
        .values("pk", "title", "kind", "starts_on", "ends_on", "planned_hours")
        .annotate(
            enrolled=Count("enrollments"),
            completed=Count(
                "enrollments",
                filter=Q(enrollments__status=Enrollment.Status.COMPLETED)
                & period.q("enrollments__completed_on"),
            ),
        )
    )
    rows = [
        {
            "key": str(t["pk"]),
            "label": t["title"],
            "kind": str(kind_labels.get(t["kind"], t["kind"])),
            "starts_on": t["starts_on"].isoformat(),
            "ends_on": t["ends_on"].isoformat(),
            "planned_hours": _number(t["planned_hours"]),
            "enrolled": t["enrolled"],
            "completed": t["completed"],
        }
        for t in trainings
    ]
    return {"rows": rows}


def _volunteer_minutes(program: Program, period: Period) -> int:
    """Minutes unpaid volunteers gave: the duration of each activity for each of its unpaid
    facilitators, and of each supervision session for each unpaid attendee. A volunteer is
    paid from the day a partner employs them (``employed_since``; always, without that date)."""

    def unpaid(on: str) -> Q:
        return Q(volunteer__employed_by__isnull=True) | Q(volunteer__employed_since__gt=F(on))

    facilitated = (
        ActivityFacilitator.objects.filter(activity__program=program)
        .filter(period.q("activity__date"), unpaid("activity__date"))
        .order_by()
        .aggregate(minutes=Sum("activity__minutes"))["minutes"]
    )
    supervised = (
        SupervisionAttendee.objects.filter(supervisionsession__program=program)
        .filter(period.q("supervisionsession__date"), unpaid("supervisionsession__date"))
        .order_by()
        .aggregate(minutes=Sum("supervisionsession__minutes"))["minutes"]
    )
    return (facilitated or 0) + (supervised or 0)


def _money(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _per(amount: float, count: float | int | None) -> float | None:
    return _money(amount / count) if count else None


def _costs(program: Program, period: Period, grant: Grant | None, snapshot: dict) -> dict | None:
    """The grant's funds for the period (pro rata by days), what they came to per person
    reached and per hour of activity, and the volunteer hours valued as in-kind contribution.

    None for a report without a grant (no amount, no currency). The costs per person and per
    hour only where the report period lies within the grant period: otherwise the figures
    include work the grant did not pay for.
    """
    if grant is None:
        return None
    grant_days = (grant.ends_on - grant.starts_on).days + 1
    overlap = (min(period.end, grant.ends_on) - max(period.start, grant.starts_on)).days + 1
    share = max(0, overlap) / grant_days
    for_period = float(grant.amount) * share
    within = grant.starts_on <= period.start and period.end <= grant.ends_on
    people = snapshot["people_reached"]["total"]
    activity_hours = (snapshot["activities"]["minutes"] or 0) / 60
    volunteer_hours = _volunteer_minutes(program, period) / 60
    rate = program.volunteer_hour_value(grant.currency)
    return {
        "currency": grant.currency,
        "amount": _money(grant.amount),
        "grant_start": grant.starts_on.isoformat(),
        "grant_end": grant.ends_on.isoformat(),
        "period_share": round(share, 4),
        "amount_for_period": _money(for_period),
        "within_grant": within,
        "people_reached": people,
        "activity_hours": round(activity_hours, 1),
        "cost_per_person": _per(for_period, people) if within else None,
        "cost_per_activity_hour": _per(for_period, activity_hours) if within else None,
        "volunteer_hours": round(volunteer_hours, 1),
        "volunteer_hour_rate": _money(rate),
        "in_kind_value": None if rate is None else _money(volunteer_hours * float(rate)),
    }


def _data_quality(program: Program, period: Period) -> dict:
    return data_quality(program, period.start, period.end).as_dict()


def _outcomes(program: Program, period: Period) -> dict:
    """Change in validated outcome measures between baseline and latest follow-up."""
    return outcome_kpis(program, period.start, period.end)


# ---- the snapshot ----------------------------------------------------------------------------


def compute(
    program: Program,
    *,
    start: dt.date,
    end: dt.date,
    grant: Grant | None = None,
    language: str | None = None,
) -> dict:
    """The KPI snapshot of ``program`` for ``start``–``end`` (inclusive), labels in ``language``."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    period = Period(start, end)
    with translation.override(language or program.default_language):
        activities, contacts, languages = _activities(program, period)
        places = _places(program, period)
        activities["shelters_reached"] = places["shelters_reached"]
        languages["counselling"] = _counselling_languages(program, period)
        snapshot = {
            "schema": SCHEMA_VERSION,
            "program": {
                "slug": program.slug,
                "name": program.name,
                "helper_term": program.helper_term,
            },
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "grant": grant.reference if grant else "",
            "language": translation.get_language(),
            "activities": activities,
            "contacts": contacts,
            "people_reached": {
                **_people_reached(program, period),
                **_people_counselled_and_visited(program, period),
            },
            "languages": languages,
        }
        snapshot["volunteers"] = _volunteers(program, period)
        snapshot["supervision"] = _supervision(program, period, snapshot["volunteers"])
        snapshot["referrals"] = _referrals(program, period)
        snapshot["matches"] = _matches(program, period)
        snapshot["selfhelp_groups"] = _selfhelp_groups(program, period, places)
        snapshot["caseload"] = _caseload(program, period)
        snapshot["indicators"] = indicators.snapshot_entries(snapshot, _recording(program))
        snapshot["headline"] = indicators.headline(program.headline_indicators, snapshot)
        snapshot["targets"] = _targets(program, period, grant, snapshot)
        snapshot["outcomes"] = _outcomes(program, period)
        _plan_versus_actual(snapshot["targets"], program.target_margin_points)
        snapshot["previous"] = _previous(program, period)
        snapshot["trainings"] = _trainings(program, period)
        snapshot["costs"] = _costs(program, period, grant, snapshot)
        snapshot["data_quality"] = _data_quality(program, period)
    return snapshot


# Definitions printed in the report's method notes, one per KPI group.
METHOD_NOTES = {
    "activities": gettext_lazy(
        "Activities are all sessions, talks, visits, events and meetings logged with a date in "
        "the period. Hours are the sum of the logged durations."
    ),
    "contacts": gettext_lazy(
        "Contacts are the head counts logged with each activity: a person who attended three "
        "group sessions counts three times. Contacts by language count an activity held in two "
        "languages under both."
    ),
    "people_reached": gettext_lazy(
        "People reached are the distinct participants recorded by their pseudonymous code in at "
        "least one activity of the period; each person counts once. Age is the age reached in "
        "the period's last year, from the year of birth. Anonymous attendees of group sessions "
        "are counted as contacts only."
    ),
    "languages": gettext_lazy(
        "Languages are those in which activities of the period were held, with the number of "
        "activities and contacts in each."
    ),
    "volunteers": gettext_lazy(
        "Active volunteers facilitated at least one activity in the period. New and leaving "
        "volunteers joined or left within it; trained volunteers completed the whole qualifying "
        "training, and count once, in the period in which they completed its last part; "
        "employed counsellors are employed by a partner organisation at the end of the period. "
        "Retention is the share of the volunteers on the team at the start of the period who "
        "are still on it at its end."
    ),
    "supervision": gettext_lazy(
        "Supervision hours are the durations of the supervision sessions held in the period. "
        "Hours per active volunteer are the supervision hours active volunteers attended, "
        "divided by the number of active volunteers."
    ),
    "referrals": gettext_lazy(
        "Referrals are counted by the date they were made. The share attended is the share of "
        "sent referrals whose appointment was attended; the no-show rate is the share of "
        "appointments with an outcome that were missed; the median days run from sending to "
        "the appointment date. Inbound referrals were made to the program by partners."
    ),
    "matches": gettext_lazy(
        "Matches started in the period and matches running at its end. The 6-month retention "
        "counts every match started up to the end of the period whose six-month outcome is "
        "known by then: those started at least six months before the end, and those that ended "
        "before reaching six months. A match started less than six months before the end that "
        "is still running is not counted yet."
    ),
    "selfhelp_groups": gettext_lazy(
        "Self-help groups started in the period and groups accompanied during it. The 12-month "
        "rate counts every group started up to the end of the period whose twelve-month answer "
        "is recorded by then; a group recorded as no longer meeting, or as ended, counts as not "
        "meeting. Contact points are those where an activity was held or a group they look "
        "after was accompanied."
    ),
    "caseload": gettext_lazy(
        "Residents are the latest recorded occupancy, up to the end of the period, of each "
        "active site of an area; staff are the area's full-time equivalents."
    ),
    "targets": gettext_lazy(
        "Each target whose period overlaps the report is compared with what was logged from "
        "the target's start to the end of the report period (or of the target). A rate is "
        "compared with its target as the gap in percentage points."
    ),
    "outcomes": gettext_lazy(
        "Outcomes compare each participant's baseline with the latest follow-up measure of the "
        "same validated instrument."
    ),
    "plan_versus_actual": gettext_lazy(
        "The deviation is the share of the target reached minus the share of the target's "
        "period gone, in percentage points; for a target rate, the rate reached minus the rate "
        "aimed at. The program states a reason for every target more than %(margin)s points "
        "behind."
    ),
    "comparison": gettext_lazy(
        "The previous period has the same length and ends the day before this one starts; its "
        "figures are computed by the same definitions. A change is not shown where a figure it "
        "rests on is suppressed, and a change in per cent not where the previous figure is "
        "below 5."
    ),
    "measures": gettext_lazy(
        "Measures and milestones are written by the program. Trainings are those of the "
        "program held at least partly in the period, with everyone enrolled and those who "
        "completed them within the period."
    ),
    "costs": gettext_lazy(
        "The grant's funds for the period are its amount pro rata by the days of the grant "
        "period that fall in the report period; they are not the expenditure, which the "
        "financial statement states. Cost per person reached and per hour of activity divide "
        "these funds by the people reached and the logged hours of activities. Volunteer hours "
        "are the durations of the activities unpaid volunteers facilitated and of the "
        "supervision they attended, each counted for every volunteer; they are valued at "
        "the program's hourly rate as an in-kind contribution."
    ),
    "data_quality": gettext_lazy(
        "The checks count the records of the period that lack a detail the figures rest on, "
        "or hold an implausible value: a group activity with no one or more than %(people)s "
        "people, a duration over %(hours)s hours. Follow-ups count as due when the sixth "
        "(matches) or twelfth (self-help groups) month after the start ends in the period. "
        "The records are counted, "
        "not corrected: the figures of this report include them as logged."
    ),
}
