"""Plausibility rules of referrals: their dates, in order.

A referral is dated (``referred_on``), then sent, then may get an appointment, and is closed;
no step comes before the one it follows. The referral forms, the referral services and the
importer's referrals sheet all ask :func:`check_referral`.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.rules import Findings
from programs.models import Participant, Program
from programs.rules import check_date, check_not_before, short_date

# An appointment is booked at most this far ahead.
APPOINTMENT_AHEAD_DAYS = 2 * 365
# Participant consent scopes that include sharing data with service providers.
REFERRAL_SCOPES = (Participant.ConsentScope.REFERRAL, Participant.ConsentScope.EVALUATION)
CONSENT_REQUIRED = _(
    "The participant's consent to share their data with the service is needed before the "
    "referral is sent. Record the date they gave it."
)


def sending_consent(
    *,
    given_on: dt.date | None = None,
    recorded_on: dt.date | None = None,
    participant_scope: str = "",
    participant_consent_on: dt.date | None = None,
) -> dt.date | None:
    """The date of the consent a referral is sent with: the consent given now, else the one
    recorded with the referral, else the participant's own consent if it covers referrals;
    None when there is none."""
    if given_on is not None:
        return given_on
    if recorded_on is not None:
        return recorded_on
    if participant_scope in REFERRAL_SCOPES and participant_consent_on is not None:
        return participant_consent_on
    return None


def check_sending_consent(*, direction: str, consent_on: dt.date | None) -> Findings:
    """An outbound referral is sent only with the participant's consent (and its date); an
    inbound one comes from the service and needs none."""
    findings = Findings()
    if direction == "outbound" and consent_on is None:
        findings.error("consent_on", CONSENT_REQUIRED, code="consent_required")
    return findings


def check_referral(
    *,
    program: Program,
    referred_on: dt.date | None,
    sent_on: dt.date | None = None,
    appointment_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    consent_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Findings:
    """A referral's dates: the referral, its sending and closing and the consent have come
    (the appointment may lie ahead, up to ``APPOINTMENT_AHEAD_DAYS``); the referral is not
    dated before the program started; sent, appointment and closing follow the referral, and
    the appointment follows the sending."""
    today = today or timezone.localdate()
    findings = Findings()
    check_date(findings, "referred_on", referred_on, program=program, today=today)
    for field, day in (("sent_on", sent_on), ("closed_on", closed_on)):
        check_date(findings, field, day, program=program, today=today)
    check_date(findings, "consent_on", consent_on, today=today)
    check_not_before(
        findings,
        "sent_on",
        sent_on,
        referred_on,
        _("A referral cannot be sent before its date (%(date)s)."),
    )
    check_not_before(
        findings,
        "closed_on",
        closed_on,
        referred_on,
        _("A referral cannot be closed before its date (%(date)s)."),
    )
    if appointment_on is not None:
        latest = today + dt.timedelta(days=APPOINTMENT_AHEAD_DAYS)
        if appointment_on > latest:
            findings.error(
                "appointment_on",
                _("An appointment is booked at most until %(date)s; please check the year."),
                code="too_far_ahead",
                date=short_date(latest),
            )
        check_not_before(
            findings,
            "appointment_on",
            appointment_on,
            referred_on,
            _("The appointment cannot be before the referral (%(date)s)."),
        )
        check_not_before(
            findings,
            "appointment_on",
            appointment_on,
            sent_on,
            _("The appointment cannot be before the referral was sent (%(date)s)."),
        )
    return findings
