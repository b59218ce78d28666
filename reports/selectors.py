"""Reads for the program home pages: small aggregates computed in the database."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from programs.models import Program
from referrals.models import Referral
from sessions_log.models import Activity, Concern
from volunteers.models import Volunteer

OPEN_REFERRAL_STATUSES = (
    Referral.Status.PROPOSED,
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.APPOINTMENT,
)


@dataclass(frozen=True)
class MonthFigures:
    activities: int
    contacts: int
    active_volunteers: int
    open_referrals: int
    open_concerns: int


def month_figures(program: Program, today: date) -> MonthFigures:
    month_start = today.replace(day=1)
    activity = Activity.objects.filter(
        program=program, date__gte=month_start, date__lte=today
    ).aggregate(n=Count("id"), contacts=Sum("attendees_total"))
    return MonthFigures(
        activities=activity["n"],
        contacts=activity["contacts"] or 0,
        active_volunteers=Volunteer.objects.filter(
            program=program, status=Volunteer.Status.ACTIVE
        ).count(),
        open_referrals=Referral.objects.filter(
            program=program, status__in=OPEN_REFERRAL_STATUSES
        ).count(),
        open_concerns=Concern.objects.filter(program=program, acknowledged_at__isnull=True).count(),
    )


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
