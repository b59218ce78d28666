"""Plausibility rules of logged work: sessions, matches and self-help groups.

The log form, the activity services and the importer's activities sheet all ask
:func:`check_activity`; the match services and forms ask :func:`check_match`. Each function
takes plain values and returns :class:`core.rules.Findings` (errors and warnings by field).
The bounds are named here, once.
"""

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from core.rules import Bound, Findings
from programs.models import ActivityKind, Program
from programs.rules import check_date, check_not_before

# People one session of each kind can plausibly reach. One-to-one kinds count the named
# participants; a family may come along to a visit or a counselling session.
PEOPLE_PER_KIND: dict[str, Bound] = {
    ActivityKind.GROUP: Bound(1, 200),
    ActivityKind.INFO_EVENT: Bound(1, 2_000),
    ActivityKind.AWARENESS_TALK: Bound(1, 500),
    ActivityKind.SELFHELP_MEETING: Bound(1, 100),
    ActivityKind.ONE_TO_ONE: Bound(1, 20),
    ActivityKind.COUNSELLING: Bound(1, 20),
    ActivityKind.VISIT: Bound(1, 20),
    ActivityKind.MATCH_MEETING: Bound(1, 20),
}
# Kinds that are usually with one person: more is asked about.
USUALLY_ONE_PERSON = frozenset({ActivityKind.ONE_TO_ONE, ActivityKind.MATCH_MEETING})
# Duration of a session in minutes (12 hours at most); over 4 hours is asked about.
MINUTES = Bound(1, 720)
LONG_SESSION_MINUTES = 240

REQUIRED_PEOPLE = _("How many people took part?")
CHOOSE_PARTICIPANTS = _("Choose who took part, or add a new participant.")


def _count_field(kind: str, participants: int | None) -> str:
    """Where a head count's message belongs: the ticked participants of a one-to-one kind
    (in a form or a service), else the attendance field."""
    if kind in ActivityKind.individual() and participants is not None:
        return "participants"
    return "attendees_total"


def check_activity(
    *,
    program: Program,
    kind: str,
    date: dt.date | None,
    minutes: int | None = None,
    site: int | None = None,
    site_capacity: int | None = None,
    total: int | None = None,
    women: int = 0,
    men: int = 0,
    children: int = 0,
    participants: int | None = None,
    before: Mapping | None = None,
    today: dt.date | None = None,
) -> Findings:
    """A session's date, duration and head counts.

    ``site`` is the site's id and ``site_capacity`` its places; ``participants`` is the
    number of named participants where they were ticked (a one-to-one kind in a form or
    service), else None; for those kinds the head count is that number. ``before`` holds the
    saved values of a session being changed (date, minutes, site, attendees_total,
    participants, kind): warnings about unchanged values are not raised again.
    """
    findings = Findings(before)
    check_date(findings, "date", date, program=program, today=today, warn_long_ago=True)
    if minutes is not None:
        if minutes < MINUTES.low:
            findings.error("minutes", _("A session lasts at least one minute."), code="minutes")
        elif minutes > MINUTES.high:
            findings.error(
                "minutes",
                _("A session lasts at most %(max)s minutes (%(hours)s hours)."),
                code="minutes",
                max=MINUTES.high,
                hours=MINUTES.high // 60,
            )
        elif minutes > LONG_SESSION_MINUTES:
            findings.warn(
                "minutes",
                _("%(minutes)s minutes is more than %(hours)s hours: is that right?"),
                code="long_session",
                about={"minutes": minutes},
                minutes=minutes,
                hours=LONG_SESSION_MINUTES // 60,
            )
    if not kind:
        return findings
    if kind in ActivityKind.individual() and participants is not None:
        total = participants
    _check_people(findings, kind, total, participants, site, site_capacity)
    if total is not None and not findings.has_error("attendees_total", "participants"):
        if women + men > total:
            findings.error(
                "attendees_women",
                _("Women and men together cannot be more than the %(total)s attending."),
                code="women_men_above_total",
                total=total,
            )
        if children > total:
            findings.error(
                "attendees_children",
                _("Children cannot be more than the %(total)s attending."),
                code="children_above_total",
                total=total,
            )
    return findings


def _check_people(findings, kind, total, participants, site, site_capacity) -> None:
    field = _count_field(kind, participants)
    bound = PEOPLE_PER_KIND.get(kind, PEOPLE_PER_KIND[ActivityKind.GROUP])
    if total is None:
        findings.error(field, REQUIRED_PEOPLE, code="required")
    elif total < bound.low:
        if field == "participants":
            findings.error(field, CHOOSE_PARTICIPANTS, code="no_one")
        else:
            findings.error(
                field,
                _("A session needs at least one person. How many took part?"),
                code="no_one",
            )
    elif total > bound.high:
        findings.error(
            field,
            _("At most %(max)s people can take part in a “%(kind)s”; please check the number."),
            code="too_many_people",
            max=bound.high,
            kind=ActivityKind(kind).label,
        )
    elif kind in USUALLY_ONE_PERSON and total > 1:
        findings.warn(
            field,
            _("A “%(kind)s” is usually with one person, and there are %(count)s: is that right?"),
            code="more_than_one",
            about={"kind": kind, field: total},
            kind=ActivityKind(kind).label,
            count=total,
        )
    elif site_capacity and total > site_capacity and kind not in ActivityKind.individual():
        findings.warn(
            "attendees_total",
            _("%(people)s people at a site with %(places)s places: is that right?"),
            code="above_capacity",
            about={"attendees_total": total, "site": site},
            people=total,
            places=site_capacity,
        )


def check_match(
    *,
    program: Program,
    proposed_on: dt.date | None,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    six_month_check_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Findings:
    """A match's dates: each has come, none before the program started, and in order:
    proposed, started, ended; the six-month check after the start."""
    findings = Findings()
    for field, day in (
        ("proposed_on", proposed_on),
        ("started_on", started_on),
        ("ended_on", ended_on),
        ("six_month_check_on", six_month_check_on),
    ):
        check_date(findings, field, day, program=program, today=today)
    check_not_before(
        findings,
        "started_on",
        started_on,
        proposed_on,
        _("A match cannot start before it was proposed (%(date)s)."),
    )
    check_not_before(
        findings,
        "ended_on",
        ended_on,
        started_on or proposed_on,
        _("A match cannot end before it started (%(date)s)."),
    )
    check_not_before(
        findings,
        "six_month_check_on",
        six_month_check_on,
        started_on,
        _("The check cannot be before the match started (%(date)s)."),
    )
    return findings


def check_selfhelp_group(
    *,
    program: Program,
    started_on: dt.date | None,
    accompaniment_ends_on: dt.date | None = None,
    follow_up_checked_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Findings:
    """A self-help group's dates: it started on a day that has come, not before the program
    started; the accompaniment (which may be planned ahead) ends and the follow-up was checked
    (a day that has come) on or after the start."""
    findings = Findings()
    check_date(findings, "started_on", started_on, program=program, today=today)
    check_date(findings, "follow_up_checked_on", follow_up_checked_on, today=today)
    check_not_before(
        findings,
        "accompaniment_ends_on",
        accompaniment_ends_on,
        started_on,
        _("The accompaniment cannot end before the group started."),
    )
    check_not_before(
        findings,
        "follow_up_checked_on",
        follow_up_checked_on,
        started_on,
        _("The follow-up cannot be before the group started."),
    )
    return findings
