"""The matches sheet, by ref (or the ``M-<id>`` the exporter gives a match without one)."""

from django.utils.translation import gettext

from sessions_log import rules
from sessions_log.models import Match

from ... import format as fmt
from .base import Handler

RUNNING = (Match.Status.ACTIVE, Match.Status.PAUSED)


class Matches(Handler):
    sheet = fmt.MATCHES
    model = Match
    key_field = "ref"
    fields = (
        "volunteer_id",
        "participant_id",
        "status",
        "proposed_on",
        "started_on",
        "ended_on",
        "end_reason",
        "six_month_check_on",
    )
    generated_ref_prefix = fmt.MATCH_REF_PREFIX

    def defaults(self):
        return {
            "started_on": None,
            "ended_on": None,
            "end_reason": "",
            "six_month_check_on": None,
        }

    def parse(self, row):
        return {
            "volunteer_id": row.reference("volunteer", self.run.volunteers, "volunteer"),
            "participant_id": row.reference("participant", self.run.participants, "participant"),
            "status": row.choice("status"),
            "proposed_on": row.date("proposed_on"),
            "started_on": row.date("started_on"),
            "ended_on": row.date("ended_on"),
            "end_reason": row.choice("end_reason"),
            "six_month_check_on": row.date("six_month_check_on"),
        }

    def complete(self, row, merged, data, old):
        status = merged["status"]
        if status in RUNNING and merged["started_on"] is None:
            row.error("started_on", gettext("An active or paused match needs the date it started."))
        if status == Match.Status.ENDED:
            if merged["ended_on"] is None:
                row.error("ended_on", gettext("the status “ended” needs the date it ended"))
            if not merged["end_reason"]:
                row.error("end_reason", gettext("Please give a reason for ending the match."))
        elif merged["ended_on"] is not None:
            row.error("ended_on", gettext("only an ended match has an end date"))
        row.report(
            rules.check_match(
                program=self.program,
                proposed_on=merged["proposed_on"],
                started_on=merged["started_on"],
                ended_on=merged["ended_on"],
                six_month_check_on=merged["six_month_check_on"],
                today=self.run.today,
            )
        )
