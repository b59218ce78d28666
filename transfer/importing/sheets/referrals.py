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
    )
    extra_fields = ("sent_on", "consent_to_share", "consent_on", "version")
    generated_ref_prefix = fmt.REFERRAL_REF_PREFIX

    def defaults(self):
        return {
            "direction": Referral.Direction.OUTBOUND,
            "appointment_on": None,
            "closed_on": None,
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
        findings = rules.check_referral(
            program=self.program,
            referred_on=day,
            sent_on=self._sent_on(merged, old),
            appointment_on=merged["appointment_on"],
            closed_on=merged["closed_on"],
            today=self.run.today,
        )
        row.report(findings, COLUMNS)

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
        day = merged["referred_on"]
        attributes["sent_on"] = self._sent_on(merged, old)
        consent, consent_on = extra.get("consent_to_share", False), extra.get("consent_on")
        if (
            merged["direction"] == Referral.Direction.OUTBOUND
            and merged["status"] != Referral.Status.PROPOSED
        ):
            # The database requires consent for a sent referral: importing one asserts it.
            consent, consent_on = True, consent_on or day
        attributes["consent_to_share"] = consent
        attributes["consent_on"] = consent_on
        if old is None:
            attributes["created_by"] = self.run.by
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
