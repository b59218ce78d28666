"""Data subject rights and retention for participants (GDPR Art. 15, 17 and 5(1)(e)).

A participant's data lives in several apps (activities, referrals, matches, questionnaires).
Each app registers its models in the registry of ``programs.personal_data``: how their rows
are exported, erased and dated. This module runs every registered entry, so it names none of
those models, and a test makes sure that every model pointing at a participant is registered.

Erasure keeps anonymous counts: sessions keep their attendee numbers, referrals and matches
stay as rows (for the program's figures) but point at an emptied participant record with a
new random code; questionnaire answers are deleted. A participant without rows that stay
(``Erasure.KEEP``: referrals, matches) is deleted outright.

The logs about the data have a retention period of their own: security log entries older than
``LOTSE_SECURITY_LOG_DAYS`` and audit trail entries older than ``LOTSE_AUDIT_LOG_DAYS`` are
deleted by the same daily run. The audit entry that records an erasure is the proof that the
erasure happened; it holds nothing about the person (no name, no content) and is kept for the
audit period like every other entry, long enough to answer a question about it.
"""

import datetime as dt
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from core.dates import months_later
from programs import audit, personal_data
from programs.models import Participant, Program, SecurityEvent

ERASED_PREFIX = "X-"
NEVER = dt.date(1900, 1, 1)


# ---- Art. 15: everything stored about one participant --------------------------------------


def participant_data(participant: Participant) -> dict:
    """What Lotse stores about a participant, as JSON-ready data (Art. 15)."""
    record = personal_data.record(participant)
    record["languages"] = [str(language) for language in participant.languages.all()]
    data = {
        "exported_at": timezone.now().isoformat(),
        "program": participant.program.name,
        "participant": record,
    }
    for entry in personal_data.registered():
        data[entry.key] = entry.export(participant)
    data["audit_trail"] = [
        {
            "time": entry.timestamp.isoformat(),
            "action": entry.get_action_display(),
            "by": str(entry.actor) if entry.actor else None,
        }
        for entry in LogEntry.objects.get_for_object(participant).select_related("actor")
    ]
    return data


# ---- Art. 17: erase ------------------------------------------------------------------------


def _keeps_rows(participant: Participant) -> bool:
    """Whether erasure keeps an emptied record (rows that stay, such as referrals and
    matches, point at it) rather than deleting the participant."""
    return any(entry.keeps(participant) for entry in personal_data.registered())


@transaction.atomic
def participant_erase(*, participant: Participant, reason: str, by=None) -> str:
    """Erase a participant's personal data; returns ``"deleted"`` or ``"pseudonymised"``.

    The audit trail keeps that it happened, when and by whom, and loses what was erased.
    """
    program_id = participant.program_id
    old_pk = participant.pk
    keeps_rows = _keeps_rows(participant)
    with disable_auditlog():
        for entry in personal_data.registered():
            entry.erase(participant)
        if keeps_rows:
            participant.code = _erased_code(participant.program)
            participant.alias = ""
            participant.year_of_birth = None
            participant.gender = Participant.Gender.UNKNOWN
            participant.country_of_origin = ""
            participant.site = None
            participant.consent_on = None
            participant.consent_scope = ""
            participant.aftercare_until = None
            participant.erased_at = timezone.now()
            participant.save()
            participant.languages.clear()
        audit.erase_from_trail(participant)
        if not keeps_rows:
            participant.delete()
    LogEntry.objects.create(
        content_type=audit.content_type_of(Participant),
        object_pk=str(old_pk),
        object_id=old_pk,
        object_repr=audit.REDACTED,
        action=LogEntry.Action.DELETE,
        actor=by,
        changes_text=str(reason),
        additional_data={"program": program_id, "erased": True},
    )
    return "pseudonymised" if keeps_rows else "deleted"


def _erased_code(program: Program) -> str:
    from programs.models import generate_participant_code

    while True:
        code = ERASED_PREFIX + generate_participant_code()[2:]
        if not program.participants.filter(code=code).exists():
            return code


# ---- retention -------------------------------------------------------------------------------


def participants_past_retention(program: Program, today: dt.date):
    """Participants whose last contact and aftercare both ended before the retention period.

    Last contact is the latest of: the contact dates of the registered rows (a session they
    attended, a referral, the start or end of a match), and the day they were recorded.
    Registered rows that are ongoing (a match that has not ended) count as contact now.
    """
    cutoff = months_later(today, -program.participant_retention_months)
    entries = personal_data.registered()
    contacts = [
        Coalesce(Max(f"{entry.lookup}__{date}"), NEVER)
        for entry in entries
        for date in entry.contact_dates
    ]
    ongoing = [
        Exists(entry.model._default_manager.filter(entry.ongoing, **{entry.field: OuterRef("pk")}))
        for entry in entries
        if entry.ongoing is not None
    ]
    participants = program.participants.filter(erased_at__isnull=True).annotate(
        last_contact=Greatest(
            *contacts,
            Coalesce(TruncDate("created_at"), NEVER),
            Coalesce("aftercare_until", NEVER),
        )
    )
    for rows in ongoing:
        participants = participants.exclude(rows)
    return participants.filter(last_contact__lt=cutoff).order_by("code")


@dataclass
class RetentionResult:
    program: Program
    cutoff: dt.date
    deleted: list[str]
    pseudonymised: list[str]


@dataclass
class LogRetentionResult:
    audit_cutoff: dt.datetime
    audit_entries: int  # deleted, or that a dry run would delete
    security_cutoff: dt.datetime
    security_events: int


@dataclass
class RetentionRun:
    programs: list[RetentionResult]
    logs: LogRetentionResult

    @property
    def erased(self) -> int:
        return sum(len(r.deleted) + len(r.pseudonymised) for r in self.programs)


def _program_retention(program: Program, today: dt.date, dry_run: bool) -> RetentionResult:
    due = list(participants_past_retention(program, today))
    result = RetentionResult(
        program=program,
        cutoff=months_later(today, -program.participant_retention_months),
        deleted=[],
        pseudonymised=[],
    )
    for participant in due:
        code = participant.code
        if dry_run:
            keeps = _keeps_rows(participant)
            (result.pseudonymised if keeps else result.deleted).append(code)
            continue
        outcome = participant_erase(
            participant=participant,
            reason=f"retention: no contact since {participant.last_contact.isoformat()}",
        )
        (result.deleted if outcome == "deleted" else result.pseudonymised).append(code)
    return result


def _log_retention(now: dt.datetime, dry_run: bool) -> LogRetentionResult:
    """Delete (or, in a dry run, count) log entries older than their retention period."""
    audit_cutoff = now - dt.timedelta(days=settings.LOTSE_AUDIT_LOG_DAYS)
    security_cutoff = now - dt.timedelta(days=settings.LOTSE_SECURITY_LOG_DAYS)
    audit = LogEntry.objects.filter(timestamp__lt=audit_cutoff)
    security = SecurityEvent.objects.filter(created_at__lt=security_cutoff)
    if dry_run:
        audit_count, security_count = audit.count(), security.count()
    else:
        audit_count, _ = audit.delete()
        security_count, _ = security.delete()
    return LogRetentionResult(
        audit_cutoff=audit_cutoff,
        audit_entries=audit_count,
        security_cutoff=security_cutoff,
        security_events=security_count,
    )


def apply_retention(*, today: dt.date | None = None, dry_run: bool = False) -> RetentionRun:
    """Erase participants past their program's retention period (one result a program), then
    delete audit trail and security log entries past theirs."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    programs = [
        _program_retention(program, today, dry_run) for program in Program.objects.order_by("slug")
    ]
    return RetentionRun(programs=programs, logs=_log_retention(now, dry_run))
