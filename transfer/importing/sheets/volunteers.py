"""The volunteers sheet, by code; a change of status is recorded in the status history."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

from core.spreadsheets import quoted
from volunteers import rules
from volunteers.models import Volunteer, VolunteerStatusChange

from ... import format as fmt
from ..rows import ABSENT
from .base import BATCH, IMPORT_NOTE, M2M, Handler


class Volunteers(Handler):
    sheet = fmt.VOLUNTEERS
    model = Volunteer
    key_field = "code"
    fields = ("name", "email", "status", "joined_on", "left_on", "employed")
    m2m = {"languages": M2M(Volunteer.languages.through, "volunteer_id", "language_id")}
    extra_fields = ("employed_by_id", "employed_since")
    keymap_name = "volunteers"

    def defaults(self):
        return {"email": "", "joined_on": None, "left_on": None, "employed": False}

    def parse(self, row):
        data = {"name": row.text("name"), "email": row.text("email")}
        if data["email"] is not ABSENT and data["email"]:
            try:
                validate_email(data["email"])
            except ValidationError:
                row.error(
                    "email",
                    gettext("“%(value)s” is not an e-mail address")
                    % {"value": quoted(data["email"])},
                )
        data["languages"] = row.languages("languages")
        data["status"] = row.choice("status")
        data["joined_on"] = row.date("joined_on")
        data["left_on"] = row.date("left_on")
        employed = row.yes_no("employed")
        data["employed"] = bool(employed) if employed is not ABSENT else ABSENT
        return data

    def complete(self, row, merged, data, old):
        if merged["status"] == Volunteer.Status.LEFT and merged["left_on"] is None:
            row.error("left_on", gettext("a volunteer who left needs the date they left"))
        row.report(
            rules.check_volunteer(
                joined_on=merged["joined_on"], left_on=merged["left_on"], today=self.run.today
            )
        )

    def db_values(self):
        return ("name", "email", "status", "joined_on", "left_on")

    def to_row_values(self, stored):
        values = {name: stored[name] for name in self.db_values()}
        values["employed"] = stored["employed_by_id"] is not None
        return values

    def attributes(self, merged, old):
        attributes = {name: merged[name] for name in self.db_values()}
        if merged["employed"]:
            kept = old.extra if old is not None and old.values["employed"] else {}
            attributes["employed_by_id"] = (
                kept.get("employed_by_id") or self.program.lead_organisation_id
            )
            attributes["employed_since"] = kept.get("employed_since")
        else:
            attributes["employed_by_id"] = None
            attributes["employed_since"] = None
        return attributes

    def after_write(self, created, updates):
        def changed_on(merged):
            if merged["status"] == Volunteer.Status.LEFT:
                return merged["left_on"]
            return merged["joined_on"] or self.run.today

        changes = [
            VolunteerStatusChange(
                volunteer_id=instance.pk,
                from_status="",
                to_status=merged["status"],
                changed_on=changed_on(merged),
                reason=IMPORT_NOTE,
                changed_by=self.run.by,
            )
            for (_key, merged), instance in created
        ]
        changes += [
            VolunteerStatusChange(
                volunteer_id=old.pk,
                from_status=old.values["status"],
                to_status=merged["status"],
                changed_on=merged["left_on"]
                if merged["status"] == Volunteer.Status.LEFT
                else self.run.today,
                reason=IMPORT_NOTE,
                changed_by=self.run.by,
            )
            for _key, merged, old in updates
            if merged["status"] != old.values["status"]
        ]
        VolunteerStatusChange.objects.bulk_create(changes, batch_size=BATCH)
