"""Writes of logged work: sessions, participants, concerns, matches, self-help groups and
outcome measures.

Each function takes keyword arguments only, runs in one transaction and validates the rows it
writes (``full_clean``), so a command or an import can call it as safely as a view.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.rules import clean_before_writing, explain_refusal
from core.validators import not_in_future
from programs import audit
from programs.models import ActivityKind, Language, Participant, Program, Site
from volunteers.models import Volunteer

from . import rules, selectors, tasks
from .instruments import INSTRUMENTS
from .models import Activity, Concern, Match, OutcomeMeasure, SelfHelpGroup

NOTIFY_SEVERITIES = frozenset({Concern.Severity.HIGH, Concern.Severity.URGENT})


@dataclass(frozen=True)
class ConcernData:
    category: str
    severity: str
    description: str


@dataclass(frozen=True)
class Attendance:
    total: int
    women: int
    men: int
    children: int


def attendance_of_participants(participants: Iterable[Participant], on: date) -> Attendance:
    """Head counts of a one-to-one kind come from the people who were there."""
    people = list(participants)
    return Attendance(
        total=len(people),
        women=sum(p.gender == Participant.Gender.FEMALE for p in people),
        men=sum(p.gender == Participant.Gender.MALE for p in people),
        children=sum(
            p.year_of_birth is not None and on.year - p.year_of_birth < 18 for p in people
        ),
    )


def _check_activity(
    activity: Activity,
    *,
    participants: Iterable[Participant],
    attendance: Attendance | None,
    confirmed: bool,
    before: dict | None = None,
) -> list[Participant]:
    """Set the head counts and check the session as a whole (``rules.check_activity``, then
    its fields); returns the participants to link (none for a group kind). The database
    checks its constraints as it writes; a refusal is explained by ``explain_refusal``."""
    individual = activity.kind in ActivityKind.individual()
    participants = list(participants) if individual else []
    if individual:
        attendance = attendance_of_participants(participants, activity.date)
    if attendance is not None:
        activity.attendees_total = attendance.total
        activity.attendees_women = attendance.women
        activity.attendees_men = attendance.men
        activity.attendees_children = attendance.children
    rules.check_activity(
        program=activity.program,
        kind=activity.kind,
        date=activity.date,
        minutes=activity.minutes,
        site=activity.site_id,
        site_capacity=activity.site.capacity if activity.site else None,
        total=activity.attendees_total,
        women=activity.attendees_women,
        men=activity.attendees_men,
        children=activity.attendees_children,
        participants=len(participants) if individual else None,
        before=before,
    ).check(confirmed=confirmed)
    # The idempotency key is left to the database's unique constraint (see activity_log).
    clean_before_writing(activity, exclude=["idempotency_key"])
    return participants


def _save_activity(
    activity: Activity,
    *,
    volunteer: Volunteer | None,
    facilitators: Iterable[Volunteer],
    languages,
    topics,
    participants: list[Participant],
) -> Activity:
    new = activity._state.adding
    activity.save()
    chosen = set(facilitators)
    if volunteer is not None:
        chosen.add(volunteer)
    program_id = activity.program_id
    transaction.on_commit(lambda: selectors.forget_session_languages(program_id))
    relations = (
        (activity.facilitators, chosen),
        (activity.languages, languages),
        (activity.topics, topics),
        (activity.participants, participants),
    )
    for relation, objects in relations:
        if not new:
            relation.set(objects)
        elif objects:
            relation.add(*objects)  # a new session links nothing yet: nothing to read first
    return activity


def activity_logged_with(program: Program, idempotency_key) -> Activity | None:
    """The activity logged with ``idempotency_key`` (a UUID, or its text from a form), if any."""
    try:
        idempotency_key = uuid.UUID(str(idempotency_key))
    except (TypeError, ValueError):
        return None
    return program.activities.filter(idempotency_key=idempotency_key).first()


def activity_log(
    *,
    program: Program,
    user,
    volunteer: Volunteer | None,
    idempotency_key: uuid.UUID | None,
    kind: str,
    date: date,
    site: Site | None = None,
    facilitators: Iterable[Volunteer] = (),
    languages=(),
    topics=(),
    participants: Iterable[Participant] = (),
    minutes: int | None = None,
    interpreter_used: bool = False,
    attendance: Attendance | None = None,
    follow_up_needed: bool = False,
    notes: str = "",
    concern: ConcernData | None = None,
    confirmed: bool = False,
) -> tuple[Activity, bool]:
    """Log a session; returns ``(activity, created)``.

    The session is checked by :func:`sessions_log.rules.check_activity`: impossible values
    are refused (``ValidationError`` by field); unusual ones are refused with
    ``core.rules.NeedsConfirmation`` unless ``confirmed``.

    A second call with the same idempotency key (a double tap, the back button, a retry on a
    flaky connection) returns the activity of the first call and writes nothing: no second
    activity, no second concern. The database's unique constraint on (program,
    idempotency_key) settles it, for concurrent calls too. The views confirm a session sent
    again without checking it again: the log form looks the key up first, the sync URL when
    the entry is refused.
    """
    if kind not in program.activity_kinds:
        raise ValidationError({"kind": _("This program does not log this kind of activity.")})
    activity = Activity(
        program=program,
        kind=kind,
        date=date,
        site=site,
        minutes=minutes,
        logged_by=user,
        interpreter_used=interpreter_used,
        follow_up_needed=follow_up_needed,
        notes=notes,
        idempotency_key=idempotency_key,
    )
    # Checked before the transaction: the checks only read (and inside a transaction, each
    # check constraint's query would run in a savepoint of its own).
    participants = _check_activity(
        activity, participants=participants, attendance=attendance, confirmed=confirmed
    )
    try:
        with transaction.atomic():
            _save_activity(
                activity,
                volunteer=volunteer,
                facilitators=facilitators,
                languages=languages,
                topics=topics,
                participants=participants,
            )
            if concern is not None:
                concern_raise(
                    program=program,
                    activity=activity,
                    by=user,
                    data=concern,
                )
    except IntegrityError:
        if idempotency_key is not None:
            existing = activity_logged_with(program, idempotency_key)
            if existing is not None:
                return existing, False
        explain_refusal(activity, exclude=["idempotency_key"])
        raise
    return activity, True


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    volunteer: Volunteer | None,
    any_time: bool = False,
    kind: str,
    date: date,
    site: Site | None = None,
    facilitators: Iterable[Volunteer] = (),
    languages=(),
    topics=(),
    participants: Iterable[Participant] = (),
    minutes: int | None = None,
    interpreter_used: bool = False,
    attendance: Attendance | None = None,
    follow_up_needed: bool = False,
    notes: str | None = None,
    confirmed: bool = False,
) -> Activity:
    """Change a logged session. ``notes=None`` keeps the notes as they are.

    The rules of :func:`activity_log` apply; a warning about a value that did not change
    (confirmed when it was saved) is not raised again.

    A volunteer may change a session only within the program's edit window
    (``Activity.edit_deadline``); ``any_time`` lifts it for those who may change any session
    (``policies.edits_any_time``). The window counts from the session's date as saved, not
    from a date being changed to.
    """
    saved = Activity.objects.select_for_update().select_related("program").get(pk=activity.pk)
    if not any_time and not saved.open_to_volunteer_edits(timezone.localdate()):
        raise ValidationError(
            _("This session can no longer be changed."), code="edit_window_closed"
        )
    if kind != activity.kind and kind not in activity.program.activity_kinds:
        raise ValidationError({"kind": _("This program does not log this kind of activity.")})
    activity.kind = kind
    activity.date = date
    activity.site = site
    activity.minutes = minutes
    activity.interpreter_used = interpreter_used
    activity.follow_up_needed = follow_up_needed
    if notes is not None:
        activity.notes = notes
    before = {
        "kind": saved.kind,
        "date": saved.date,
        "minutes": saved.minutes,
        "site": saved.site_id,
        "attendees_total": saved.attendees_total,
        "participants": saved.participants.count(),
    }
    participants = _check_activity(
        activity,
        participants=participants,
        attendance=attendance,
        confirmed=confirmed,
        before=before,
    )
    try:
        with transaction.atomic():
            return _save_activity(
                activity,
                volunteer=volunteer,
                facilitators=facilitators,
                languages=languages,
                topics=topics,
                participants=participants,
            )
    except IntegrityError:
        explain_refusal(activity, exclude=["idempotency_key"])
        raise


@transaction.atomic
def participant_quick_create(
    *,
    program: Program,
    year_of_birth: int | None,
    gender: str,
    languages=(),
    consent_on: date | None,
    consent_scope: str,
    site: Site | None = None,
    country_of_origin: str = "",
    alias: str = "",
) -> Participant:
    """Record a participant with the few pseudonymous facts taken on the spot."""
    for _attempt in range(5):
        participant = Participant(
            program=program,
            year_of_birth=year_of_birth,
            gender=gender,
            consent_on=consent_on,
            consent_scope=consent_scope,
            site=site,
            country_of_origin=country_of_origin,
            alias=alias,
        )
        if site is not None and site.program_id != program.pk:
            raise ValidationError({"site": _("This site belongs to another program.")})
        if program.participants.filter(code=participant.code).exists():
            continue  # the generated code is taken: draw another
        participant.full_clean()
        participant.save()
        participant.languages.set(languages)
        return participant
    raise ValidationError(_("No free participant code was found. Please try again."))


@transaction.atomic
def concern_raise(
    *,
    program: Program,
    activity: Activity | None,
    by,
    data: ConcernData,
) -> Concern:
    """Record a concern; high and urgent ones are e-mailed to coordinators and supervisors."""
    concern = Concern(
        program=program,
        activity=activity,
        category=data.category,
        severity=data.severity,
        description=data.description,
        raised_by=by,
    )
    concern.full_clean()
    concern.save()
    if concern.severity in NOTIFY_SEVERITIES:
        concern_id = concern.pk
        transaction.on_commit(lambda: tasks.concern_notify.enqueue(concern_id))
    return concern


def _concern_step(concern: Concern, to: Concern.State) -> Concern:
    """The concern, locked, if ``Concern.TRANSITIONS`` lets it move to ``to``."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not concern.may_become(to):
        if concern.state == Concern.State.OPEN:
            raise ValidationError(_("Please acknowledge the concern first."))
        if to == Concern.State.ACKNOWLEDGED:
            raise ValidationError(_("This concern was already acknowledged."))
        raise ValidationError(_("The outcome of this concern was already recorded."))
    return concern


@transaction.atomic
def concern_acknowledge(*, concern: Concern, by) -> Concern:
    """Say that the concern was seen and is being dealt with; the outcome follows later. The
    volunteer who raised it is told by e-mail and on their start page."""
    concern = _concern_step(concern, Concern.State.ACKNOWLEDGED)
    concern.acknowledged_by = by
    concern.acknowledged_at = timezone.now()
    concern.full_clean()
    concern.save(update_fields=["acknowledged_by", "acknowledged_at"])
    if concern.raised_by_id is not None and concern.raised_by_id != getattr(by, "pk", None):
        concern_id = concern.pk
        transaction.on_commit(lambda: tasks.concern_acknowledged_notify.enqueue(concern_id))
    return concern


@transaction.atomic
def concern_record_outcome(*, concern: Concern, by, outcome: str) -> Concern:
    """Record what was done about an acknowledged concern; this closes it."""
    concern = _concern_step(concern, Concern.State.CLOSED)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Please describe the outcome.")})
    concern.outcome = outcome
    concern.outcome_recorded_by = by
    concern.outcome_recorded_at = timezone.now()
    concern.full_clean()
    concern.save(update_fields=["outcome", "outcome_recorded_by", "outcome_recorded_at"])
    return concern


# Match lifecycle: proposed → active | ended; active → paused | ended; paused → active | ended.
MATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    Match.Status.PROPOSED: frozenset({Match.Status.ACTIVE, Match.Status.ENDED}),
    Match.Status.ACTIVE: frozenset({Match.Status.PAUSED, Match.Status.ENDED}),
    Match.Status.PAUSED: frozenset({Match.Status.ACTIVE, Match.Status.ENDED}),
    Match.Status.ENDED: frozenset(),
}


def _match_move(current: str, target: str) -> str:
    """The name of the move from one status to another, as the match page names its actions."""
    if target == Match.Status.ACTIVE:
        return "resume" if current == Match.Status.PAUSED else "activate"
    return {Match.Status.PAUSED: "pause", Match.Status.ENDED: "end"}[target]


def match_actions(match: Match) -> frozenset[str]:
    """What can be done with a match now: the moves its lifecycle allows ("activate",
    "pause", "resume", "end"), and "check" once it has started, until the six-month check is
    recorded."""
    actions = {_match_move(match.status, target) for target in MATCH_TRANSITIONS[match.status]}
    if match.started_on is not None and not match.six_month_check_on:
        actions.add("check")
    return frozenset(actions)


def _locked_match(match: Match) -> Match:
    return Match.objects.select_for_update().get(pk=match.pk)


def _refuse(match: Match, message: str) -> None:
    raise ValidationError(message % {"status": match.get_status_display().lower()})


def _check_match_date(match: Match, field: str, day: date) -> None:
    """The rules of a match's dates (:func:`sessions_log.rules.check_match`) for the date
    being recorded now, with the match's other dates as saved."""
    dates = {
        "proposed_on": match.proposed_on,
        "started_on": match.started_on,
        "ended_on": match.ended_on,
        "six_month_check_on": match.six_month_check_on,
        field: day,
    }
    findings = rules.check_match(program=match.program, **dates)
    if field in findings.errors:
        raise ValidationError({field: findings.errors[field]})


@transaction.atomic
def match_propose(
    *,
    program: Program,
    volunteer: Volunteer,
    participant: Participant,
    proposed_on: date,
    matching_notes: str = "",
) -> Match:
    if volunteer.program_id != program.pk or participant.program_id != program.pk:
        raise ValidationError(_("Volunteer and participant must belong to this program."))
    rules.check_match(program=program, proposed_on=proposed_on).raise_errors()
    match = Match(
        program=program,
        volunteer=volunteer,
        participant=participant,
        proposed_on=proposed_on,
        matching_notes=matching_notes,
    )
    match.full_clean()
    match.save()
    return match


@transaction.atomic
def match_activate(*, match: Match, started_on: date) -> Match:
    match = _locked_match(match)
    if "activate" not in match_actions(match):
        _refuse(match, _("Only a proposed match can be activated; this match is %(status)s."))
    _check_match_date(match, "started_on", started_on)
    match.status = Match.Status.ACTIVE
    match.started_on = started_on
    match.full_clean()
    match.save(update_fields=["status", "started_on"])
    return match


@transaction.atomic
def match_pause(*, match: Match) -> Match:
    match = _locked_match(match)
    if "pause" not in match_actions(match):
        _refuse(match, _("Only an active match can be paused; this match is %(status)s."))
    match.status = Match.Status.PAUSED
    match.save(update_fields=["status"])
    return match


@transaction.atomic
def match_resume(*, match: Match) -> Match:
    match = _locked_match(match)
    if "resume" not in match_actions(match):
        _refuse(match, _("Only a paused match can be resumed; this match is %(status)s."))
    match.status = Match.Status.ACTIVE
    match.save(update_fields=["status"])
    return match


@transaction.atomic
def match_end(*, match: Match, ended_on: date, reason: str) -> Match:
    match = _locked_match(match)
    if "end" not in match_actions(match):
        _refuse(match, _("This match has already ended."))
    if not reason:
        raise ValidationError({"end_reason": _("Please give a reason for ending the match.")})
    _check_match_date(match, "ended_on", ended_on)
    match.status = Match.Status.ENDED
    match.ended_on = ended_on
    match.end_reason = reason
    match.full_clean()
    match.save(update_fields=["status", "ended_on", "end_reason"])
    return match


@transaction.atomic
def match_record_six_month_check(*, match: Match, checked_on: date) -> Match:
    match = _locked_match(match)
    if match.started_on is None:
        _refuse(match, _("The six-month check follows a start; this match is %(status)s."))
    _check_match_date(match, "six_month_check_on", checked_on)
    match.six_month_check_on = checked_on
    match.save(update_fields=["six_month_check_on"])
    return match


# Self-help group lifecycle: forming → accompanied → independent | ended.
SELFHELP_TRANSITIONS: dict[str, frozenset[str]] = {
    SelfHelpGroup.Status.FORMING: frozenset(
        {SelfHelpGroup.Status.ACCOMPANIED, SelfHelpGroup.Status.ENDED}
    ),
    SelfHelpGroup.Status.ACCOMPANIED: frozenset(
        {SelfHelpGroup.Status.INDEPENDENT, SelfHelpGroup.Status.ENDED}
    ),
    SelfHelpGroup.Status.INDEPENDENT: frozenset({SelfHelpGroup.Status.ENDED}),
    SelfHelpGroup.Status.ENDED: frozenset(),
}


def selfhelp_next_statuses(group: SelfHelpGroup) -> list[SelfHelpGroup.Status]:
    """The statuses a group may move on to, in the order of its lifecycle."""
    allowed = SELFHELP_TRANSITIONS[group.status]
    return [SelfHelpGroup.Status(s) for s in SelfHelpGroup.Status.values if s in allowed]


@transaction.atomic
def selfhelp_group_change_status(*, group: SelfHelpGroup, status: str, on: date) -> SelfHelpGroup:
    """Move a group along its lifecycle; leaving accompaniment closes the accompaniment."""
    group = SelfHelpGroup.objects.select_for_update().get(pk=group.pk)
    if status not in SELFHELP_TRANSITIONS[group.status]:
        raise ValidationError(
            _("A group that is %(current)s cannot become %(target)s.")
            % {
                "current": group.get_status_display().lower(),
                "target": str(SelfHelpGroup.Status(status).label).lower(),
            }
        )
    not_in_future(on)
    if (
        group.status == SelfHelpGroup.Status.ACCOMPANIED
        and group.accompaniment_ends_on is None
        and on >= group.started_on
    ):
        group.accompaniment_ends_on = on
    group.status = status
    group.full_clean()
    group.save(update_fields=["status", "accompaniment_ends_on"])
    return group


@transaction.atomic
def selfhelp_group_record_follow_up(
    *, group: SelfHelpGroup, still_meeting: bool, checked_on: date
) -> SelfHelpGroup:
    """Record the one-year follow-up: does the group still meet on its own?"""
    group = SelfHelpGroup.objects.select_for_update().get(pk=group.pk)
    rules.check_selfhelp_group(
        program=group.program,
        started_on=group.started_on,
        accompaniment_ends_on=group.accompaniment_ends_on,
        follow_up_checked_on=checked_on,
    ).raise_errors()
    group.follow_up_still_meeting = (
        SelfHelpGroup.FollowUp.YES if still_meeting else SelfHelpGroup.FollowUp.NO
    )
    group.follow_up_checked_on = checked_on
    group.full_clean()
    group.save(update_fields=["follow_up_still_meeting", "follow_up_checked_on"])
    return group


@transaction.atomic
def outcome_measure_record(
    *,
    program: Program,
    participant: Participant,
    instrument: str,
    timepoint: str,
    date: date,
    answers: dict,
    by,
    language: Language | None = None,
    custom_label: str = "",
    draft: bool = False,
    measure: OutcomeMeasure | None = None,
) -> OutcomeMeasure:
    """Record one administration of an instrument; the score is computed, never typed.

    ``answers`` maps item keys ("1", "2", …) to an int on the item's scale or None (not
    answered). Refuses a participant of another program, a date in the future, answers off
    the scale, a second baseline and a follow-up dated before the baseline.

    With ``draft`` it is kept as a draft, to be finished later; without, every item needs an
    answer. ``measure`` is a draft of this participant and instrument being finished.
    """
    definition = INSTRUMENTS.get(instrument)
    if definition is None:
        raise ValidationError({"instrument": _("Unknown instrument.")})
    if participant.program_id != program.pk:
        raise ValidationError({"participant": _("This participant belongs to another program.")})
    not_in_future(date, field="date")
    answers = {str(key): value for key, value in answers.items()}
    problems = definition.invalid_answers(answers)
    if problems:
        raise ValidationError({"answers": problems})
    answers = {key: answers.get(key) for key in definition.keys}
    if not draft:
        missing_answers_refused(definition, answers)
    custom_label = custom_label.strip() if timepoint == OutcomeMeasure.Timepoint.CUSTOM else ""
    if timepoint == OutcomeMeasure.Timepoint.CUSTOM and not custom_label:
        raise ValidationError({"custom_label": _("Name the time point.")})
    # Lock the participant's row so two baselines cannot be recorded side by side.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    baselines = participant.outcome_measures.filter(
        instrument=instrument, timepoint=OutcomeMeasure.Timepoint.BASELINE
    )
    if measure is not None:
        # Read again under the lock: someone may have finished the draft meanwhile.
        measure = (
            participant.outcome_measures.drafts()
            .filter(pk=measure.pk, instrument=instrument)
            .first()
        )
        if measure is None:
            raise ValidationError(_("Only a draft of this questionnaire can be finished."))
        baselines = baselines.exclude(pk=measure.pk)
    baseline = baselines.first()
    if timepoint == OutcomeMeasure.Timepoint.BASELINE and baseline is not None:
        raise ValidationError(
            {
                "timepoint": _("A baseline of this instrument was already recorded on %(date)s.")
                % {"date": date_format(baseline.date, "SHORT_DATE_FORMAT")}
            }
        )
    rules.check_outcome_date(
        timepoint=timepoint, date=date, baseline_on=baseline.date if baseline else None
    ).raise_errors()
    if measure is None:
        measure = OutcomeMeasure(
            program=program, participant=participant, instrument=instrument, administered_by=by
        )
    elif measure.administered_by_id is None:
        measure.administered_by = by
    measure.timepoint = timepoint
    measure.custom_label = custom_label
    measure.date = date
    measure.answers = answers
    measure.language = language
    measure.apply_score(draft=draft)
    measure.full_clean()
    measure.save()
    return measure


def missing_answers_refused(definition, answers: dict) -> None:
    """Refuse to save as complete a questionnaire with an item left unanswered."""
    missing = [key for key in definition.keys if answers.get(key) is None]
    if missing:
        raise ValidationError(
            {
                "answers": _(
                    "Not every question is answered (%(items)s): answer them, or save the "
                    "questionnaire as a draft."
                )
                % {"items": ", ".join(missing)}
            }
        )


@transaction.atomic
def activities_set_follow_up(*, activities: Iterable[Activity], needed: bool, by) -> int:
    """Mark sessions as needing follow-up (or as followed up), each change in the audit
    trail; returns how many sessions changed."""
    changed = [a for a in activities if a.follow_up_needed != needed]
    for activity in changed:
        activity.follow_up_needed = needed
    audit.bulk_update(changed, ["follow_up_needed"], by=by, note="bulk")
    return len(changed)
