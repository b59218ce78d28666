"""Reads of logged work: who may see which activities and participants, and the due lists."""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from core.dates import months_later
from programs.models import Participant, Program
from volunteers.models import Volunteer

from .models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup

# Volunteers who may be chosen as facilitators or for matches and self-help groups.
WORKING_STATUSES = (Volunteer.Status.ACTIVE, Volunteer.Status.TRAINING)


def volunteer_of(program: Program, user) -> Volunteer | None:
    """The user's volunteer profile in the program, if they have one."""
    return program.volunteers.filter(user=user).first()


def working_volunteers(program: Program, *, include: QuerySet | None = None) -> QuerySet:
    """Volunteers who can be picked now, plus any already chosen (``include``)."""
    condition = Q(status__in=WORKING_STATUSES)
    if include is not None:
        condition |= Q(pk__in=include.values("pk"))
    return program.volunteers.filter(condition).order_by("name")


def activities_of_user(program: Program, user) -> QuerySet:
    """A user's own activities: those they facilitated or logged.

    One set of ids from the two indexes (logged by, facilitators): with ``logged_by = user OR
    pk IN (…)`` the database reads every activity of the program to test each."""
    logged = Activity.objects.filter(logged_by=user).values("pk")
    facilitated = Activity.facilitators.through.objects.filter(volunteer__user=user).values(
        "activity_id"
    )
    return Activity.objects.filter(program=program, pk__in=logged.union(facilitated))


def activity_list(program: Program) -> QuerySet:
    """Every activity of the program with what the list shows, in a constant number of queries.

    The related rows come as lists (``facilitator_list``, ``language_list``, ``topic_list``):
    a prefetch into a list skips building a related manager and queryset per row.
    """
    return (
        Activity.objects.filter(program=program)
        .select_related("site")
        .prefetch_related(
            Prefetch(
                "facilitators",
                queryset=Volunteer.objects.only("pk", "name").order_by("name"),
                to_attr="facilitator_list",
            ),
            Prefetch("languages", to_attr="language_list"),
            Prefetch("topics", to_attr="topic_list"),
        )
        .order_by("-date", "-id")
    )


# The languages a program's sessions were held in (the activity list's language filter). Reading
# them takes a pass over the program's whole history, so they are cached for a while and
# forgotten whenever sessions are written (``forget_session_languages``).
SESSION_LANGUAGES_KEY = "lotse:session-languages:{}"
SESSION_LANGUAGES_SECONDS = 10 * 60


def session_language_codes(program: Program) -> list[str]:
    return cache.get_or_set(
        SESSION_LANGUAGES_KEY.format(program.pk),
        lambda: list(
            Activity.languages.through.objects.filter(activity__program=program)
            .order_by()
            .values_list("language_id", flat=True)
            .distinct()
        ),
        SESSION_LANGUAGES_SECONDS,
    )


def forget_session_languages(program_id: int) -> None:
    cache.delete(SESSION_LANGUAGES_KEY.format(program_id))


def participants_met_by(program: Program, volunteer: Volunteer | None) -> QuerySet:
    """Participants of the activities a volunteer facilitated and of their matches."""
    if volunteer is None:
        return Participant.objects.none()
    in_activities = Activity.participants.through.objects.filter(
        activity__program=program, activity__facilitators=volunteer
    ).values("participant_id")
    in_matches = Match.objects.filter(program=program, volunteer=volunteer).values("participant_id")
    return program.participants.filter(Q(pk__in=in_activities) | Q(pk__in=in_matches)).filter(
        erased_at__isnull=True
    )


def visible_participants(
    program: Program, *, sees_all: bool, volunteer: Volunteer | None, extra_ids=()
) -> QuerySet:
    """The participants a user may pick and open.

    Coordinators and supervisors (``sees_all``) see the whole program; a volunteer sees the
    people they met, plus those they have just created (``extra_ids``) before a session links
    them. Erased participants (GDPR Art. 17, retention) are nobody's to pick or open.
    """
    if sees_all:
        return program.participants.filter(erased_at__isnull=True)
    met = participants_met_by(program, volunteer)
    if extra_ids:
        met = program.participants.filter(
            Q(pk__in=met.values("pk")) | Q(pk__in=list(extra_ids)), erased_at__isnull=True
        )
    return met


def participant_list(program: Program) -> QuerySet:
    return (
        program.participants.filter(erased_at__isnull=True)
        .select_related("site")
        .prefetch_related("languages")
    )


def with_raiser_name(concerns: QuerySet) -> QuerySet:
    """Concerns with ``raiser_volunteer``: the name of the raiser's volunteer profile in the
    concern's program (read in the same query), for :func:`raiser_name`."""
    return concerns.annotate(
        raiser_volunteer=Subquery(
            Volunteer.objects.filter(
                program=OuterRef("program_id"), user=OuterRef("raised_by_id")
            ).values("name")[:1]
        )
    )


def person_name(user, volunteer_name: str | None = None) -> str:
    """How a member is named on a page: their volunteer name, else their full name, else
    their user name unless that is an e-mail address."""
    if volunteer_name:
        return volunteer_name
    if user is None:
        return "—"
    full = user.get_full_name()
    if full:
        return full
    return user.username if "@" not in user.username else str(_("a member without a name"))


def raiser_name(concern) -> str:
    return person_name(concern.raised_by, getattr(concern, "raiser_volunteer", None))


def concern_inbox(program: Program) -> QuerySet:
    """Open concerns first, then those waiting for their outcome, then the newest."""
    return with_raiser_name(
        Concern.objects.filter(program=program)
        .select_related("activity__site", "raised_by", "acknowledged_by")
        .alias(
            is_open=ExpressionWrapper(Q(acknowledged_at__isnull=True), output_field=BooleanField()),
            is_pending=ExpressionWrapper(
                Q(outcome_recorded_at__isnull=True), output_field=BooleanField()
            ),
        )
        .order_by("-is_open", "-is_pending", "-raised_at", "-id")
    )


def concerns_raised_by(program: Program, user) -> QuerySet:
    """The concerns a member raised in the program, newest first."""
    return (
        Concern.objects.filter(program=program, raised_by=user)
        .select_related("activity__site")
        .order_by("-raised_at", "-id")
    )


def match_list(program: Program, today: date) -> QuerySet:
    """The program's matches, newest proposal first, each with ``six_month_check_due``."""
    return with_six_month_check_due(
        Match.objects.filter(program=program)
        .select_related("volunteer", "participant")
        .order_by("-proposed_on", "-id"),
        today,
    )


# The conversation about whether a match still goes is due this many months after its start.
SIX_MONTH_CHECK_MONTHS = 6


def _six_month_check_due(today: date) -> Q:
    """Active matches that started six months ago or earlier and have no six-month check."""
    return Q(
        status=Match.Status.ACTIVE,
        started_on__lte=months_later(today, -SIX_MONTH_CHECK_MONTHS),
        six_month_check_on__isnull=True,
    )


def six_month_checks_due(queryset: QuerySet, today: date) -> QuerySet:
    """The matches of ``queryset`` whose six-month check is due."""
    return queryset.filter(_six_month_check_due(today))


def with_six_month_check_due(queryset: QuerySet, today: date) -> QuerySet:
    """``queryset`` with ``six_month_check_due`` on each match: is its six-month check due?"""
    return queryset.annotate(
        six_month_check_due=ExpressionWrapper(
            _six_month_check_due(today), output_field=BooleanField()
        )
    )


@dataclass(frozen=True)
class RunningTime:
    """How long a match has been running: whole months, and days, since its start."""

    months: int
    days: int


def match_running_time(match: Match, today: date) -> RunningTime | None:
    """How long an active match has been running by ``today``; None for any other match."""
    if match.status != Match.Status.ACTIVE or match.started_on is None:
        return None
    start = match.started_on
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return RunningTime(months=months, days=(today - start).days)


def selfhelp_list(program: Program) -> QuerySet:
    return (
        SelfHelpGroup.objects.filter(program=program)
        .select_related("contact_point")
        .prefetch_related("volunteers")
        .order_by("-started_on", "name")
    )


def selfhelp_follow_ups_due(queryset: QuerySet, today: date) -> QuerySet:
    """Groups that started twelve months ago or earlier whose follow-up is not recorded."""
    return queryset.filter(
        started_on__lte=months_later(today, -12),
        follow_up_still_meeting=SelfHelpGroup.FollowUp.UNKNOWN,
    )


# --- outcome measures -----------------------------------------------------------------------

# When a follow-up falls due, counted in months from the baseline.
FOLLOW_UP_MONTHS = {
    OutcomeMeasure.Timepoint.FOLLOWUP_3M: 3,
    OutcomeMeasure.Timepoint.FOLLOWUP_6M: 6,
}


def participant_outcomes(participant: Participant, *, administered_by=None) -> QuerySet:
    """A participant's measures by instrument and date; a volunteer's own when given."""
    measures = participant.outcome_measures.select_related("administered_by").order_by(
        "instrument", "date", "id"
    )
    if administered_by is not None:
        measures = measures.filter(administered_by=administered_by)
    return measures


def suggested_timepoint(participant: Participant, instrument: str, today: date) -> str:
    """The time point to record next: the baseline first; then the 3-month follow-up while
    the baseline is less than six months old and no follow-up exists, else the 6-month one."""
    Timepoint = OutcomeMeasure.Timepoint
    recorded = set(
        participant.outcome_measures.filter(instrument=instrument).values_list(
            "timepoint", flat=True
        )
    )
    if Timepoint.BASELINE not in recorded:
        return Timepoint.BASELINE
    if Timepoint.FOLLOWUP_3M not in recorded and Timepoint.FOLLOWUP_6M not in recorded:
        baseline = participant.outcome_measures.get(
            instrument=instrument, timepoint=Timepoint.BASELINE
        )
        if baseline.date > months_later(today, -FOLLOW_UP_MONTHS[Timepoint.FOLLOWUP_6M]):
            return Timepoint.FOLLOWUP_3M
    return Timepoint.FOLLOWUP_6M


def outcome_follow_ups_due(program: Program, today: date) -> QuerySet:
    """Baselines whose next follow-up is due, annotated with ``due`` (the time point).

    The 6-month follow-up is due six months after the baseline unless it (or an exit measure)
    was recorded; before that, the 3-month follow-up is due three months after the baseline
    unless a 3-month, 6-month or exit measure exists. Nothing is due after an exit measure.
    Only complete measures count: a draft leaves its follow-up due, and ``draft_id`` names
    the draft saved for the time point that is due, to be finished.
    """
    Timepoint = OutcomeMeasure.Timepoint
    same = {"participant": OuterRef("participant"), "instrument": OuterRef("instrument")}
    later = OutcomeMeasure.objects.complete().filter(**same)
    return (
        OutcomeMeasure.objects.filter(program=program, timepoint=Timepoint.BASELINE)
        .annotate(
            has_3m=Exists(later.filter(timepoint=Timepoint.FOLLOWUP_3M)),
            has_6m=Exists(later.filter(timepoint=Timepoint.FOLLOWUP_6M)),
            has_exit=Exists(later.filter(timepoint=Timepoint.EXIT)),
        )
        .annotate(
            due=Case(
                When(has_exit=True, then=Value("")),
                When(
                    has_6m=False,
                    date__lte=months_later(today, -FOLLOW_UP_MONTHS[Timepoint.FOLLOWUP_6M]),
                    then=Value(Timepoint.FOLLOWUP_6M.value),
                ),
                When(
                    has_3m=False,
                    has_6m=False,
                    date__lte=months_later(today, -FOLLOW_UP_MONTHS[Timepoint.FOLLOWUP_3M]),
                    then=Value(Timepoint.FOLLOWUP_3M.value),
                ),
                default=Value(""),
            )
        )
        .exclude(due="")
        .annotate(
            draft_id=Subquery(
                OutcomeMeasure.objects.drafts()
                .filter(**same, timepoint=OuterRef("due"))
                .order_by("-date", "-id")
                .values("pk")[:1]
            )
        )
        .select_related("participant")
    )
