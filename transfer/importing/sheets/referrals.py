"""The referrals sheet, by ref (or ``R-<id>``); a change of status is recorded as an event."""

from django.utils.translation import gettext

from referrals import rules
from referrals.models import Referral, ReferralEvent

from ... import format as fmt
from ..rows import ABSENT
from .base import BATCH, IMPORT_NOTE, Handler

# The columns of the fields the rules name otherwise.
COLUMNS = {"referred_on": "date"}


class Referrals(Handler):
    sheet = fmt.REFERRALS
    model = Referral
    key_field = "ref"
    fields = (
        "referred_on",
        "participant_id",
        "provider_id",
        "category",
        "direction",
        "status",
        "appointment_on",
        "closed_on",
        "consent_on",
    )
    extra_fields = ("sent_on", "consent_to_share", "consent_on", "version")
    generated_ref_prefix = fmt.REFERRAL_REF_PREFIX

    def defaults(self):
        return {
            "direction": Referral.Direction.OUTBOUND,
            "appointment_on": None,
            "closed_on": None,
            "consent_on": None,
        }

    def parse(self, row):
        direction = row.choice("direction")
        data = {
            "referred_on": row.date("date"),
            "participant_id": row.reference("participant", self.run.participants, "participant"),
            "category": row.choice("category"),
            "direction": direction
            or (Referral.Direction.OUTBOUND if direction is not ABSENT else ABSENT),
            "status": row.choice("status"),
            "appointment_on": row.date("appointment_on"),
            "closed_on": row.date("closed_on"),
            "consent_on": row.date("consent_on"),
            "participant_code": row.text("participant"),
        }
        provider = row.text("provider")
        data["provider_id"] = None
        if provider is not ABSENT and provider and row.ok:
            data["provider_id"] = self.run.provider(provider, data["category"])
        return data

    def complete(self, row, merged, data, old):
        status, day = merged["status"], merged["referred_on"]
        if status == Referral.Status.APPOINTMENT and merged["appointment_on"] is None:
            row.error(
                "appointment_on", gettext("the status “appointment” needs the appointment date")
            )
        if status == Referral.Status.CLOSED and merged["closed_on"] is None:
            row.error("closed_on", gettext("the status “closed” needs the date it was closed"))
        consent_on = self._consent_on(merged, data, old)
        findings = rules.check_referral(
            program=self.program,
            referred_on=day,
            sent_on=self._sent_on(merged, old),
            appointment_on=merged["appointment_on"],
            closed_on=merged["closed_on"],
            consent_on=consent_on,
            today=self.run.today,
        )
        if merged["status"] != Referral.Status.PROPOSED:
            # Sent with the consent the file or Lotse records, as the referral form asks.
            findings_consent = rules.check_sending_consent(
                direction=merged["direction"], consent_on=consent_on
            )
            for field, errors in findings_consent.errors.items():
                findings.errors.setdefault(field, []).extend(errors)
        row.report(findings, COLUMNS)
        merged["consent_on"] = consent_on

    def _consent_on(self, merged, data, old):
        """The consent the referral is recorded with: the file's, else the one Lotse holds for
        the referral, else (for a sent one) the participant's own if it covers referrals."""
        given = data["consent_on"] if data["consent_on"] is not ABSENT else None
        extra = old.extra if old is not None else {}
        recorded = extra.get("consent_on") if extra.get("consent_to_share") else None
        if data["consent_on"] is not ABSENT and data["consent_on"] is None:
            recorded = None  # an empty cell clears what was recorded
        if merged["status"] == Referral.Status.PROPOSED:
            return given if given is not None else recorded
        scope, participant_on = self.run.participant_consent(
            data["participant_code"], merged["participant_id"]
        )
        return rules.sending_consent(
            given_on=given,
            recorded_on=recorded,
            participant_scope=scope,
            participant_consent_on=participant_on,
        )

    @staticmethod
    def _sent_on(merged, old):
        """A referral that left "proposed" was sent on its date, or on the day recorded."""
        if merged["status"] == Referral.Status.PROPOSED or merged["referred_on"] is None:
            return None
        day = merged["referred_on"]
        extra = old.extra if old is not None else {}
        return max(extra.get("sent_on") or day, day)

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        extra = old.extra if old is not None else {}
        attributes["sent_on"] = self._sent_on(merged, old)
        attributes["consent_to_share"] = merged["consent_on"] is not None
        if old is None:
            attributes["created_by_id"] = self.run.by_id
        else:
            attributes["version"] = extra["version"] + 1
            attributes["updated_at"] = self.run.now
        return attributes

    def after_write(self, created, updates):
        events = [
            ReferralEvent(
                referral_id=instance.pk,
                from_status="",
                to_status=merged["status"],
                by=self.run.by,
                note=IMPORT_NOTE,
            )
            for (_key, merged), instance in created
        ]
        events += [
            ReferralEvent(
                referral_id=old.pk,
                from_status=old.values["status"],
                to_status=merged["status"],
                by=self.run.by,
                note=IMPORT_NOTE,
            )
            for _key, merged, old in updates
            if merged["status"] != old.values["status"]
        ]
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
