"""Writes of referrals: creating them, moving them through their workflow, importing providers.

Every status change goes through :func:`referral_transition`, which enforces the workflow
(``TRANSITIONS``), who may take which step, consent before sending, and optimistic locking on
``Referral.version``; it records the step as a :class:`ReferralEvent` in the same transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.validators import not_in_future
from programs import audit
from programs.models import Language, Membership, Participant, Program
from sessions_log import services as sessions_services
from volunteers.models import Volunteer

from . import policies, rules, selectors
from .importing import FIELDS, provider_differs
from .models import Referral, ReferralEvent, ServiceProvider

Status = Referral.Status

# The workflow: proposed → sent → accepted | declined; accepted → appointment →
# attended | no_show; attended, no_show and declined → closed. A proposal may be withdrawn
# (closed) and a missed appointment may be followed by a new one.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.SENT, Status.CLOSED),
    Status.SENT: (Status.ACCEPTED, Status.DECLINED),
    Status.ACCEPTED: (Status.APPOINTMENT,),
    Status.DECLINED: (Status.CLOSED,),
    Status.APPOINTMENT: (Status.ATTENDED, Status.NO_SHOW),
    Status.ATTENDED: (Status.CLOSED,),
    Status.NO_SHOW: (Status.APPOINTMENT, Status.CLOSED),
    Status.CLOSED: (),
}

REFERRAL_SCOPES = rules.REFERRAL_SCOPES
CONSENT_REQUIRED = rules.CONSENT_REQUIRED

CHANGED_MEANWHILE = _(
    "This referral was changed meanwhile by someone else; review the current state."
)


class ReferralConflict(ValidationError):
    """The referral changed since the form was rendered (its version moved on)."""

    def __init__(self):
        super().__init__(CHANGED_MEANWHILE, code="changed_meanwhile")


class IllegalTransition(ValidationError):
    def __init__(self, from_status: str, to_status: str):
        super().__init__(
            _("A referral cannot go from “%(from)s” to “%(to)s”."),
            code="illegal_transition",
            params={"from": Status(from_status).label, "to": Status(to_status).label},
        )


def _membership(program: Program, user) -> Membership | None:
    return program.memberships.filter(user=user).first()


def permitted_next_statuses(referral: Referral, membership: Membership | None) -> list[str]:
    """The steps from the referral's current status this member may take, in workflow order.

    Who may take which step is :func:`referrals.policies.can_take_step`.
    """
    return [
        step
        for step in TRANSITIONS[referral.status]
        if policies.can_take_step(membership, referral, step)
    ]


def _record_participant_consent(participant: Participant, consent_on: date) -> None:
    """Write referral consent to the participant unless their consent already covers it."""
    if participant.consent_scope in REFERRAL_SCOPES:
        return
    participant.consent_scope = Participant.ConsentScope.REFERRAL
    participant.consent_on = consent_on
    participant.full_clean()
    participant.save(update_fields=["consent_scope", "consent_on"])


def _check_provider(program: Program, provider: ServiceProvider) -> None:
    if not selectors.providers_for(program).filter(pk=provider.pk).exists():
        raise ValidationError({"provider": gettext("This service is not in the directory.")})


def _check_dates(current: Referral, changes: dict, *, today: date) -> None:
    """The rules of a referral's dates (:func:`referrals.rules.check_referral`) for the dates
    a step sets, with the referral's other dates as saved."""
    dates = {
        name: changes.get(name, getattr(current, name))
        for name in ("referred_on", "sent_on", "appointment_on", "closed_on", "consent_on")
    }
    findings = rules.check_referral(program=current.program, today=today, **dates)
    errors = {field: errors for field, errors in findings.errors.items() if field in changes}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_create(
    *,
    program: Program,
    participant: Participant,
    provider: ServiceProvider,
    by,
    category: str = "",
    urgency: str = Referral.Urgency.ROUTINE,
    referred_on: date | None = None,
    consent_on: date | None = None,
    note: str = "",
    send: bool = False,
    today: date | None = None,
) -> Referral:
    """Propose an outbound referral and, with ``send``, send it straight away.

    Volunteers may refer only people they met; whether they may send is the program's choice
    (:func:`referrals.policies.can_send_referrals`). ``consent_on`` records the participant's
    consent to share their data.
    """
    today = today or timezone.localdate()
    membership = _membership(program, by)
    if not policies.can_refer(membership, participant):
        raise ValidationError(
            {"participant": gettext("You can refer only people you have met in this program.")}
        )
    if send and not policies.can_send_referrals(program, membership):
        raise PermissionDenied(
            gettext("In this program a coordinator sends referrals; save it as a proposal.")
        )
    _check_provider(program, provider)
    rules.check_referral(
        program=program, referred_on=referred_on or today, consent_on=consent_on, today=today
    ).raise_errors()
    referral = Referral(
        program=program,
        participant=participant,
        direction=Referral.Direction.OUTBOUND,
        provider=provider,
        category=category or provider.category,
        urgency=urgency,
        referred_on=referred_on or today,
        consent_to_share=consent_on is not None,
        consent_on=consent_on,
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    if consent_on is not None:
        _record_participant_consent(participant, consent_on)
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=Status.PROPOSED, by=by, note=note.strip()
    )
    if send:
        referral = referral_transition(
            referral=referral,
            to_status=Status.SENT,
            by=by,
            expected_version=referral.version,
            consent_on=consent_on,
            today=today,
        )
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to_status: str,
    by,
    note: str = "",
    appointment_on: date | None = None,
    expected_version: int,
    consent_on: date | None = None,
    outcome: str | None = None,
    today: date | None = None,
) -> Referral:
    """Move a referral to ``to_status`` and record the step (who, when, note).

    Refuses illegal steps (:class:`IllegalTransition`), steps the user's role may not take
    (``PermissionDenied``), sending without consent, and any change to a referral that moved
    on since ``expected_version`` was read (:class:`ReferralConflict`). Sets ``sent_on``,
    ``appointment_on`` and ``closed_on``; ``consent_on`` records consent given now (it is also
    written to the participant if their consent does not cover referrals yet); ``outcome``
    replaces the outcome text.
    """
    today = today or timezone.localdate()
    current = (
        Referral.objects.select_for_update()
        .select_related("program", "participant")
        .get(pk=referral.pk)
    )
    if current.version != expected_version:
        raise ReferralConflict()
    program = current.program
    membership = _membership(program, by)
    if not policies.can_follow_referral(membership, current):
        raise PermissionDenied(gettext("You cannot change this referral."))
    if to_status not in TRANSITIONS.get(current.status, ()):
        raise IllegalTransition(current.status, to_status)
    if to_status not in permitted_next_statuses(current, membership):
        if to_status == Status.SENT:
            message = gettext("In this program a coordinator sends referrals.")
        else:
            message = gettext("Your role does not allow moving this referral to “%(to)s”.") % {
                "to": Status(to_status).label
            }
        raise PermissionDenied(message)
    if outcome is not None and not policies.sees_referral_notes(membership):
        raise PermissionDenied(gettext("Only a coordinator records the outcome of a referral."))

    from_status = current.status
    changes: dict = {"status": to_status}
    consent_given = None
    if to_status == Status.SENT:
        not_in_future(consent_on, field="consent_on", today=today)
        recorded = current.consent_on if current.consent_to_share else None
        participant = current.participant
        consent = rules.sending_consent(
            given_on=consent_on,
            recorded_on=recorded,
            participant_scope=participant.consent_scope,
            participant_consent_on=participant.consent_on,
        )
        rules.check_sending_consent(direction=current.direction, consent_on=consent).raise_errors()
        if consent is not None and consent != recorded:
            consent_given = consent
            changes.update(consent_to_share=True, consent_on=consent_given)
        changes["sent_on"] = max(today, current.referred_on)
    elif to_status == Status.APPOINTMENT:
        if appointment_on is None:
            raise ValidationError({"appointment_on": gettext("Give the date of the appointment.")})
        changes["appointment_on"] = appointment_on
    elif to_status == Status.CLOSED:
        changes["closed_on"] = max(today, current.referred_on)
    if outcome is not None:
        changes["outcome"] = outcome.strip()
    _check_dates(current, changes, today=today)

    before = audit.snapshot(current, changes)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    updated = Referral.objects.filter(pk=current.pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ReferralConflict()
    audit.log_update(current, before, by=by)
    if consent_given is not None:
        _record_participant_consent(current.participant, consent_given)
    ReferralEvent.objects.create(
        referral=current, from_status=from_status, to_status=to_status, by=by, note=note.strip()
    )
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    by,
    expected_version: int,
    provider: ServiceProvider,
    category: str,
    urgency: str,
    referred_on: date,
    consent_on: date | None,
    ref: str = "",
    outcome: str = "",
    today: date | None = None,
) -> Referral:
    """Change a referral's details (not its status), refusing to overwrite someone else's edit."""
    today = today or timezone.localdate()
    current = Referral.objects.select_for_update().select_related("program").get(pk=referral.pk)
    if current.version != expected_version:
        raise ReferralConflict()
    program = current.program
    if not policies.can_manage_referrals(_membership(program, by)):
        raise PermissionDenied(gettext("Only a coordinator changes a referral's details."))
    if provider.pk != current.provider_id:
        _check_provider(program, provider)
    rules.check_referral(
        program=program,
        referred_on=referred_on,
        sent_on=current.sent_on,
        appointment_on=current.appointment_on,
        closed_on=current.closed_on,
        consent_on=consent_on,
        today=today,
    ).raise_errors()
    if current.sent_on and referred_on > current.sent_on:
        raise ValidationError(
            {
                "referred_on": gettext(
                    "The referral was sent on %(day)s; it cannot be dated later."
                )
                % {"day": current.sent_on.isoformat()}
            }
        )
    if (
        consent_on is None
        and current.direction == Referral.Direction.OUTBOUND
        and current.status != Status.PROPOSED
    ):
        raise ValidationError(
            {"consent_on": gettext("A referral that was sent keeps its record of consent.")}
        )
    changes = {
        "provider": provider,
        "category": category,
        "urgency": urgency,
        "referred_on": referred_on,
        "consent_to_share": consent_on is not None,
        "consent_on": consent_on,
        "ref": ref.strip(),
        "outcome": outcome.strip(),
    }
    before = audit.snapshot(current, changes)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    updated = Referral.objects.filter(pk=current.pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ReferralConflict()
    audit.log_update(current, before, by=by)
    if consent_on is not None and consent_on != referral.consent_on:
        _record_participant_consent(current.participant, consent_on)
    referral.refresh_from_db()
    return referral


@dataclass(frozen=True)
class NewParticipant:
    """The pseudonymous facts of a person referred to the program who is not in Lotse yet."""

    year_of_birth: int | None
    gender: str
    consent_on: date | None
    consent_scope: str
    country_of_origin: str = ""
    languages: Sequence[Language] = field(default_factory=tuple)


@transaction.atomic
def referral_inbound_create(
    *,
    program: Program,
    provider: ServiceProvider,
    by,
    participant: Participant | None = None,
    new_participant: NewParticipant | None = None,
    category: str = "",
    urgency: str = Referral.Urgency.ROUTINE,
    referred_on: date | None = None,
    ref: str = "",
    note: str = "",
    match_volunteer: Volunteer | None = None,
    matching_notes: str = "",
    today: date | None = None,
) -> Referral:
    """Record a referral to the program (e.g. from psychiatry), for a new or known participant.

    The referral starts as received (``sent``). With ``match_volunteer`` a match proposal with
    that volunteer is created, linked to the referral, and the referral is accepted.
    """
    today = today or timezone.localdate()
    if not policies.can_manage_referrals(_membership(program, by)):
        raise PermissionDenied(gettext("Only a coordinator records inbound referrals."))
    if (participant is None) == (new_participant is None):
        raise ValidationError(gettext("Choose a participant or describe a new one."))
    _check_provider(program, provider)
    rules.check_referral(
        program=program, referred_on=referred_on or today, today=today
    ).raise_errors()
    if participant is not None and participant.program_id != program.pk:
        raise ValidationError({"participant": gettext("This participant is not in the program.")})
    if new_participant is not None:
        not_in_future(new_participant.consent_on, field="consent_on", today=today)
        participant = sessions_services.participant_quick_create(
            program=program,
            year_of_birth=new_participant.year_of_birth,
            gender=new_participant.gender,
            languages=new_participant.languages,
            consent_on=new_participant.consent_on,
            consent_scope=new_participant.consent_scope,
            country_of_origin=new_participant.country_of_origin,
        )
    referred_on = referred_on or today
    referral = Referral(
        program=program,
        participant=participant,
        direction=Referral.Direction.INBOUND,
        provider=provider,
        category=category or provider.category,
        urgency=urgency,
        status=Status.SENT,
        referred_on=referred_on,
        sent_on=referred_on,
        ref=ref.strip(),
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=Status.SENT, by=by, note=note.strip()
    )
    if match_volunteer is not None:
        match = sessions_services.match_propose(
            program=program,
            volunteer=match_volunteer,
            participant=participant,
            proposed_on=today,
            matching_notes=matching_notes.strip(),
        )
        before = audit.snapshot(referral, ["match"])
        Referral.objects.filter(pk=referral.pk).update(match=match)
        referral.match = match
        audit.log_update(referral, before, by=by)
        referral = referral_transition(
            referral=referral,
            to_status=Status.ACCEPTED,
            by=by,
            note=gettext("Match proposed with %(volunteer)s.") % {"volunteer": match_volunteer},
            expected_version=referral.version,
            today=today,
        )
    return referral


@dataclass(frozen=True)
class ProviderImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def provider_import(*, program: Program, rows: Iterable[dict]) -> ProviderImportResult:
    """Create or update a program's providers from checked import rows, matched by name.

    The rows come from :func:`referrals.importing.preview_providers`: the model fields of
    ``FIELDS`` plus ``languages`` (a list of codes) and ``area`` (an area id or ``None``).
    Providers missing from the file are left alone; importing the same file again changes
    nothing.
    """
    created = updated = unchanged = 0
    existing = {p.name.casefold(): p for p in program.providers.prefetch_related("languages")}
    areas = set(program.areas.values_list("pk", flat=True))
    for row in rows:
        if row["area"] is not None and row["area"] not in areas:
            raise ValidationError(
                gettext("An area of the file no longer exists; upload the file again.")
            )
        provider = existing.get(row["name"].casefold())
        if provider is None:
            provider = ServiceProvider(program=program)
            created += 1
        elif provider_differs(provider, row, [lang.code for lang in provider.languages.all()]):
            updated += 1
        else:
            unchanged += 1
            continue
        provider.area_id = row["area"]
        for name in FIELDS:
            setattr(provider, name, row[name])
        provider.full_clean(exclude=["area"])
        provider.save()
        provider.languages.set(row["languages"])
        existing[provider.name.casefold()] = provider
    return ProviderImportResult(created=created, updated=updated, unchanged=unchanged)
