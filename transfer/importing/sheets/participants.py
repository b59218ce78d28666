"""The participants sheet, by pseudonymous code."""

from django.utils.translation import gettext

from programs import rules
from programs.models import Participant

from ... import format as fmt
from ..rows import ABSENT
from .base import M2M, Handler


class Participants(Handler):
    sheet = fmt.PARTICIPANTS
    model = Participant
    key_field = "code"
    fields = (
        "year_of_birth",
        "gender",
        "country_of_origin",
        "site_id",
        "consent_on",
        "consent_scope",
    )
    m2m = {"languages": M2M(Participant.languages.through, "participant_id", "language_id")}
    keymap_name = "participants"

    def defaults(self):
        return {
            "year_of_birth": None,
            "gender": Participant.Gender.UNKNOWN,
            "country_of_origin": "",
            "site_id": None,
            "consent_on": None,
            "consent_scope": "",
        }

    def parse(self, row):
        gender = row.choice("gender")
        return {
            "year_of_birth": row.integer("year_of_birth"),
            "gender": gender or (Participant.Gender.UNKNOWN if gender is not ABSENT else ABSENT),
            "languages": row.languages("languages"),
            "country_of_origin": row.country("country_of_origin"),
            "site_id": row.reference("site", self.run.sites, "site"),
            "consent_on": row.date("consent_on"),
            # An empty cell keeps the recorded scope, like a missing column.
            "consent_scope": row.choice("consent_scope") or ABSENT,
        }

    def complete(self, row, merged, data, old):
        row.report(
            rules.check_participant(
                year_of_birth=merged["year_of_birth"],
                consent_on=merged["consent_on"],
                today=self.run.today,
            )
        )
        if merged["consent_on"] is None:
            if data["consent_scope"] is not ABSENT:
                row.error(
                    "consent_scope",
                    gettext("a consent scope needs the date of the consent (consent_on)"),
                )
            merged["consent_scope"] = ""
        elif not merged["consent_scope"]:
            merged["consent_scope"] = Participant.ConsentScope.SUPPORT
        self.run.file_consents.add(
            row.text("code"), (merged["consent_scope"], merged["consent_on"])
        )
