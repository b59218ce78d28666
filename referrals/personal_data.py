"""What referrals hold about a participant, for the privacy registry
(``programs.personal_data``)."""

from programs import audit
from programs.personal_data import Erasure, record
from programs.personal_data import register as register_data

from .models import Referral, ReferralEvent


def _export(referral: Referral) -> dict:
    """A referral with its status history."""
    data = record(referral, skip={"program", "participant"})
    data["events"] = [record(event, skip={"referral"}) for event in referral.events.all()]
    return data


def _scrub(referrals) -> None:
    """Empty the outcome and the notes of the history, and drop the referrals' names (they
    carried the participant's code) from the audit trail."""
    referrals.update(outcome="")
    ReferralEvent.objects.filter(referral__in=referrals).update(note="")
    audit.redact_names(referrals)


def register() -> None:
    """Register the entry; called from the app's ``ready()``. A referral stays in the
    program's figures, linked to the emptied participant record."""
    register_data(
        Referral,
        erasure=Erasure.KEEP,
        export_row=_export,
        scrub=_scrub,
        contact_dates=("referred_on",),
    )
