"""Reads that aggregate or join: volunteers' profiles, trainings, attendance and supervision.

Every aggregate is computed in SQL (subqueries, ``Count``/``Sum``/``Max``), so a page's number
of queries does not grow with the number of volunteers, sessions or marks.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from programs.models import Program

from .models import (
    Enrollment,
    SupervisionSession,
    Training,
    TrainingAttendance,
    TrainingSession,
    Volunteer,
)


def _subquery_count(queryset: QuerySet, outer: str) -> Coalesce:
    """COUNT(*) of ``queryset`` grouped by its ``outer`` column, as a correlated subquery."""
    counted = (
        queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")  # GROUP BY outer
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _subquery_sum(queryset: QuerySet, outer: str, column: str) -> Coalesce:
    summed = queryset.order_by().values(outer).annotate(total=Sum(column)).values("total")
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def hours(minutes: int | None) -> Decimal:
    """Minutes as hours with one decimal, the way trainings and supervision are counted."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


# ---- volunteers ------------------------------------------------------------------------------


def attended_training_minutes() -> Coalesce:
    """For an Enrollment queryset: minutes of the training's sessions the volunteer attended."""
    return _subquery_sum(
        TrainingAttendance.objects.filter(
            session__training=OuterRef("training"), volunteer=OuterRef("volunteer")
        ),
        "volunteer",
        "session__minutes",
    )


def attended_training_sessions() -> Coalesce:
    """For an Enrollment queryset: how many of the training's sessions the volunteer attended."""
    return _subquery_count(
        TrainingAttendance.objects.filter(
            session__training=OuterRef("training"), volunteer=OuterRef("volunteer")
        ),
        "volunteer",
    )


def with_hours(enrollments) -> list:
    """Evaluate enrolments annotated by :func:`enrollments_with_attendance`, adding hours."""
    enrollments = list(enrollments)
    for enrollment in enrollments:
        enrollment.attended_hours = hours(enrollment.attended_minutes)
    return enrollments


def enrollments_with_attendance(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("training").annotate(
        attended_minutes=attended_training_minutes(),
        attended_sessions=attended_training_sessions(),
        session_count=_subquery_count(
            TrainingSession.objects.filter(training=OuterRef("training")), "training"
        ),
    )


@dataclass(frozen=True)
class SupervisionHours:
    last_12_months: Decimal
    total: Decimal
    sessions: int
    last_date: dt.date | None


def supervision_hours_of(volunteer: Volunteer, today: dt.date) -> SupervisionHours:
    """Hours of supervision the volunteer attended: in the last 12 months and in total."""
    year_ago = today - dt.timedelta(days=365)
    figures = volunteer.supervision_sessions.filter(date__lte=today).aggregate(
        total=Sum("minutes"),
        recent=Sum("minutes", filter=Q(date__gt=year_ago)),
        sessions=Count("id"),
        last=Max("date"),
    )
    return SupervisionHours(
        last_12_months=hours(figures["recent"]),
        total=hours(figures["total"]),
        sessions=figures["sessions"],
        last_date=figures["last"],
    )


@dataclass
class VolunteerProfile:
    volunteer: Volunteer
    status_changes: list
    enrollments: list
    supervision: SupervisionHours
    activity_count: int
    latest_activities: list = field(default_factory=list)


def volunteer_profile(volunteer: Volunteer, today: dt.date) -> VolunteerProfile:
    """Everything the profile page shows, in a fixed number of queries."""
    activities = volunteer.activities.all()
    return VolunteerProfile(
        volunteer=volunteer,
        status_changes=list(volunteer.status_changes.select_related("changed_by")),
        enrollments=with_hours(
            enrollments_with_attendance(volunteer.enrollments.all()).order_by(
                "-training__starts_on", "training__title"
            )
        ),
        supervision=supervision_hours_of(volunteer, today),
        activity_count=activities.count(),
        latest_activities=list(activities.select_related("site").order_by("-date", "-id")[:10]),
    )


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def next_volunteer_code(program: Program) -> str:
    """The code to suggest for a new volunteer: the program's highest numbered code plus one,
    in the same pattern (``V-031`` after ``V-030``, ``LH12`` after ``LH11``); ``V-001`` for the
    first volunteer."""
    best = None
    codes = set()
    for code in program.volunteers.values_list("code", flat=True):
        codes.add(code.upper())
        match = _NUMBERED.match(code)
        if match and (best is None or int(match[2]) > int(best[2])):
            best = match
    prefix, number, width = ("V-", 0, 3) if best is None else (best[1], int(best[2]), len(best[2]))
    while True:
        number += 1
        code = f"{prefix}{number:0{width}d}"
        if code.upper() not in codes:
            return code


def volunteers_for_list(program: Program) -> QuerySet:
    return (
        program.volunteers.select_related("employed_by")
        .prefetch_related(  # as lists: no related manager and queryset per row
            Prefetch("languages", to_attr="language_list"),
            Prefetch("usual_sites", to_attr="usual_site_list"),
        )
        .annotate(
            activity_count=_subquery_count(
                Volunteer.activities.through.objects.filter(volunteer=OuterRef("pk")),
                "volunteer",
            )
        )
        .order_by("name")
    )


# ---- trainings -------------------------------------------------------------------------------


def trainings_for_list(program: Program) -> QuerySet:
    enrollments = Enrollment.objects.filter(training=OuterRef("pk"))
    return program.trainings.annotate(
        session_count=_subquery_count(
            TrainingSession.objects.filter(training=OuterRef("pk")), "training"
        ),
        session_minutes=_subquery_sum(
            TrainingSession.objects.filter(training=OuterRef("pk")), "training", "minutes"
        ),
        enrolled_count=_subquery_count(
            enrollments.exclude(status=Enrollment.Status.DROPPED), "training"
        ),
        completed_count=_subquery_count(
            enrollments.filter(status=Enrollment.Status.COMPLETED), "training"
        ),
    ).order_by("-starts_on", "title")


@dataclass(frozen=True)
class GridRow:
    enrollment: Enrollment
    marks: frozenset[int]  # ids of the sessions attended
    attended_minutes: int

    @property
    def volunteer(self) -> Volunteer:
        return self.enrollment.volunteer

    @property
    def attended_hours(self) -> Decimal:
        return hours(self.attended_minutes)


@dataclass(frozen=True)
class AttendanceGrid:
    training: Training
    sessions: list[TrainingSession]
    rows: list[GridRow]
    session_counts: dict[int, int]  # session id -> volunteers present

    @property
    def cells(self) -> set[tuple[int, int]]:
        """Every (session id, volunteer id) the grid shows."""
        return {(s.pk, r.volunteer.pk) for r in self.rows for s in self.sessions}

    def session_columns(self):
        return [(s, self.session_counts.get(s.pk, 0)) for s in self.sessions]


def attendance_grid(training: Training) -> AttendanceGrid:
    """All enrolled volunteers × all sessions of a training: three queries, whatever the size."""
    sessions = list(
        training.sessions.annotate(
            present=_subquery_count(
                TrainingAttendance.objects.filter(
                    session=OuterRef("pk"),
                    volunteer__enrollments__training=training,
                ),
                "session",
            )
        ).order_by("date", "pk")
    )
    enrollments = training.enrollments.select_related("volunteer").annotate(
        attended_minutes=attended_training_minutes()
    )
    marks: dict[int, set[int]] = {}
    for session_id, volunteer_id in TrainingAttendance.objects.filter(
        session__training=training
    ).values_list("session_id", "volunteer_id"):
        marks.setdefault(volunteer_id, set()).add(session_id)
    rows = [
        GridRow(
            enrollment=enrollment,
            marks=frozenset(marks.get(enrollment.volunteer_id, ())),
            attended_minutes=enrollment.attended_minutes,
        )
        for enrollment in enrollments.order_by("volunteer__name", "pk")
    ]
    return AttendanceGrid(
        training=training,
        sessions=sessions,
        rows=rows,
        session_counts={s.pk: s.present for s in sessions},
    )


def volunteers_to_enrol(training: Training) -> QuerySet:
    """The program's volunteers not yet enrolled in the training (and not gone)."""
    return (
        training.program.volunteers.exclude(status=Volunteer.Status.LEFT)
        .exclude(Exists(Enrollment.objects.filter(training=training, volunteer=OuterRef("pk"))))
        .order_by("name")
    )


# ---- supervision -----------------------------------------------------------------------------


def supervision_sessions_for_list(program: Program) -> QuerySet:
    return (
        program.supervision_sessions.select_related("supervisor")
        .defer("confidential_notes")
        .annotate(
            attendee_count=_subquery_count(
                SupervisionSession.attendees.through.objects.filter(
                    supervisionsession=OuterRef("pk")
                ),
                "supervisionsession",
            )
        )
        .order_by("-date", "-pk")
    )


def last_supervision_on(today: dt.date) -> Subquery:
    """For a Volunteer queryset: the date of the latest supervision session attended by today."""
    return Subquery(
        SupervisionSession.attendees.through.objects.filter(
            volunteer=OuterRef("pk"), supervisionsession__date__lte=today
        )
        .order_by()
        .values("volunteer")
        .annotate(last=Max("supervisionsession__date"))
        .values("last"),
        output_field=DateField(),
    )


def supervision_overdue(program: Program, today: dt.date) -> QuerySet:
    """Active volunteers who attended no supervision in the program's interval up to today.

    A session exactly ``supervision_interval_days`` days ago still counts; one day earlier
    and the volunteer is overdue. Volunteers never supervised are overdue too.
    """
    cutoff = today - dt.timedelta(days=program.supervision_interval_days)
    recent = SupervisionSession.attendees.through.objects.filter(
        volunteer=OuterRef("pk"),
        supervisionsession__date__gte=cutoff,
        supervisionsession__date__lte=today,
    )
    return (
        program.volunteers.filter(status=Volunteer.Status.ACTIVE)
        .exclude(Exists(recent))
        .annotate(last_supervision=last_supervision_on(today))
        .prefetch_related("usual_sites")
        .order_by("last_supervision", "name")
    )


# ---- a volunteer's own page ------------------------------------------------------------------


@dataclass
class OwnTraining:
    volunteer: Volunteer | None
    enrollments: list
    supervision_sessions: list
    supervision: SupervisionHours | None


def own_training(program: Program, user, today: dt.date) -> OwnTraining:
    """A volunteer's enrolments and supervision; never the confidential notes."""
    volunteer = program.volunteers.filter(user=user).first()
    if volunteer is None:
        return OwnTraining(None, [], [], None)
    enrollments = enrollments_with_attendance(volunteer.enrollments.all()).order_by(
        "-training__starts_on", "training__title"
    )
    sessions = (
        volunteer.supervision_sessions.filter(program=program)
        .select_related("supervisor")
        .only(
            "id",
            "kind",
            "date",
            "minutes",
            "supervisor_name",
            "supervisor__first_name",
            "supervisor__last_name",
            "supervisor__username",
        )
        .order_by("-date", "-pk")
    )
    return OwnTraining(
        volunteer=volunteer,
        enrollments=with_hours(enrollments),
        supervision_sessions=list(sessions),
        supervision=supervision_hours_of(volunteer, today),
    )
