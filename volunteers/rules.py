"""Plausibility rules of volunteers, trainings and supervision.

The volunteer forms, the volunteer services and the importer's volunteers sheet ask these
functions; each takes plain values and returns :class:`core.rules.Findings`. The bounds are
named here, once.
"""

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.rules import Bound, Findings
from programs.rules import check_date, check_not_before

# Duration of a training or supervision session in minutes (12 hours at most).
SESSION_MINUTES = Bound(1, 720)
# Hours a training plans, and supervised practice hours a volunteer collects in one.
TRAINING_HOURS = Bound(Decimal(0), Decimal(1_000))
PRACTICE_HOURS = Bound(Decimal(0), Decimal(2_000))


def _check_minutes(findings: Findings, minutes: int | None) -> None:
    if minutes is None:
        return
    if minutes < SESSION_MINUTES.low:
        findings.error("minutes", _("A session lasts at least one minute."), code="minutes")
    elif minutes > SESSION_MINUTES.high:
        findings.error(
            "minutes",
            _("A session lasts at most %(max)s minutes (%(hours)s hours)."),
            code="minutes",
            max=SESSION_MINUTES.high,
            hours=SESSION_MINUTES.high // 60,
        )


def _check_hours(findings: Findings, field: str, hours, bound: Bound) -> None:
    if hours is not None and hours not in bound:
        findings.error(
            field,
            _("Give between %(low)s and %(high)s hours."),
            code="hours",
            low=formats.number_format(bound.low),
            high=formats.number_format(bound.high, force_grouping=True),
        )


def check_volunteer(
    *,
    joined_on: dt.date | None,
    left_on: dt.date | None = None,
    employed_since: dt.date | None = None,
    today: dt.date | None = None,
) -> Findings:
    """A volunteer's dates have come, and they leave on or after the day they joined."""
    findings = Findings()
    for field, day in (
        ("joined_on", joined_on),
        ("left_on", left_on),
        ("employed_since", employed_since),
    ):
        check_date(findings, field, day, today=today)
    check_not_before(
        findings,
        "left_on",
        left_on,
        joined_on,
        _("The leaving date cannot be before the joining date (%(date)s)."),
    )
    return findings


def check_training(
    *, starts_on: dt.date | None, ends_on: dt.date | None, planned_hours=None
) -> Findings:
    """A training ends on or after its start and plans a plausible number of hours."""
    findings = Findings()
    check_not_before(
        findings, "ends_on", ends_on, starts_on, _("The training cannot end before it starts.")
    )
    _check_hours(findings, "planned_hours", planned_hours, TRAINING_HOURS)
    return findings


def check_training_session(
    *, training_starts_on: dt.date, training_ends_on: dt.date, date: dt.date | None, minutes
) -> Findings:
    """A training's session lies within the training's dates and lasts 1 to 720 minutes."""
    findings = Findings()
    if date is not None and not training_starts_on <= date <= training_ends_on:
        findings.error(
            "date",
            _("The training runs from %(start)s to %(end)s."),
            code="outside_training",
            start=training_starts_on.isoformat(),
            end=training_ends_on.isoformat(),
        )
    _check_minutes(findings, minutes)
    return findings


def check_supervision(
    *, date: dt.date | None, minutes: int | None, today: dt.date | None = None, program=None
) -> Findings:
    """A supervision session has happened (with ``program``: not before the program started)
    and lasts 1 to 720 minutes."""
    findings = Findings()
    check_date(findings, "date", date, program=program, today=today)
    _check_minutes(findings, minutes)
    return findings


def check_enrollment(
    *,
    enrolled_on: dt.date,
    completed_on: dt.date | None = None,
    practice_hours=None,
    today: dt.date | None = None,
) -> Findings:
    """A training is completed on or after the enrolment, on a day that has come, with a
    plausible number of practice hours."""
    findings = Findings()
    check_date(findings, "completed_on", completed_on, today=today)
    check_not_before(
        findings,
        "completed_on",
        completed_on,
        enrolled_on,
        _("The completion date cannot be before the enrolment (%(date)s)."),
    )
    _check_hours(findings, "practice_hours", practice_hours, PRACTICE_HOURS)
    return findings
