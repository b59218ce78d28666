"""Plausibility rules of a program's records: dates within the program's time, a site's
places, a participant's year of birth and consent date.

Each function takes plain values and adds to (or returns) :class:`core.rules.Findings`;
forms, services and the importer call them alike. The bounds are named here, once.
"""

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.dates import months_later
from core.rules import Bound, Findings
from core.validators import future_date_error

# A date of logged work further back than this is asked about ("is that right?").
LONG_AGO_MONTHS = 6
# The earliest plausible date where no program start applies (a volunteer joining).
EARLIEST_DATE = dt.date(1950, 1, 1)
# Places (residents) of a site.
SITE_CAPACITY = Bound(1, 5_000)
EARLIEST_BIRTH_YEAR = 1900


def short_date(day: dt.date) -> str:
    """A date as the user's language writes it short."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def check_date(
    findings: Findings,
    field: str,
    day: dt.date | None,
    *,
    program=None,
    today: dt.date | None = None,
    warn_long_ago: bool = False,
) -> None:
    """A date that has happened: not in the future, not before the program started (or, with
    no program, before ``EARLIEST_DATE``); with ``warn_long_ago``, a warning when it lies more
    than ``LONG_AGO_MONTHS`` months back."""
    if day is None:
        return
    today = today or timezone.localdate()
    if error := future_date_error(day, today=today):
        findings.errors.setdefault(field, []).append(error)
        return
    if program is not None and day < program.starts_on:
        findings.error(
            field,
            _("The date is before the program started (%(start)s)."),
            code="before_program_start",
            start=short_date(program.starts_on),
        )
    elif program is None and day < EARLIEST_DATE:
        findings.error(
            field,
            _("The date lies before %(year)s; please check the year."),
            code="too_early",
            year=EARLIEST_DATE.year,
        )
    elif warn_long_ago and day < months_later(today, -LONG_AGO_MONTHS):
        findings.warn(
            field,
            _("The date is more than %(months)s months ago: is that right?"),
            code="long_ago",
            about={field: day},
            months=LONG_AGO_MONTHS,
        )


def check_not_before(
    findings: Findings, field: str, day: dt.date | None, earlier: dt.date | None, message
) -> None:
    """``day`` comes on or after ``earlier`` (``message`` names the earlier date as %(date)s)."""
    if day is not None and earlier is not None and day < earlier and field not in findings.errors:
        findings.error(field, message, code="out_of_order", date=short_date(earlier))


def check_site(*, capacity: int | None) -> Findings:
    """A site's places: none (empty) or between the bounds of ``SITE_CAPACITY``."""
    findings = Findings()
    if capacity is None:
        return findings
    if capacity < SITE_CAPACITY.low:
        findings.error(
            "capacity", _("Leave the places empty if the site has none."), code="capacity_low"
        )
    elif capacity > SITE_CAPACITY.high:
        findings.error(
            "capacity",
            _("A site has at most %(max)s places; please check the number."),
            code="capacity_high",
            max=formats.number_format(SITE_CAPACITY.high, force_grouping=True),
        )
    return findings


def check_participant(
    *, year_of_birth: int | None, consent_on: dt.date | None, today: dt.date | None = None
) -> Findings:
    """A participant's year of birth lies between 1900 and this year; consent was given on a
    day that has come."""
    today = today or timezone.localdate()
    findings = Findings()
    if year_of_birth is not None and not EARLIEST_BIRTH_YEAR <= year_of_birth <= today.year:
        findings.error(
            "year_of_birth",
            _("The year of birth lies between %(low)s and %(high)s."),
            code="year_of_birth",
            low=EARLIEST_BIRTH_YEAR,
            high=today.year,
        )
    check_date(findings, "consent_on", consent_on, today=today)
    return findings
