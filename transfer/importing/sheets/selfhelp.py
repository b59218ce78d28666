"""The self-help groups sheet, by the group's name."""

from django.utils.translation import gettext

from sessions_log import rules
from sessions_log.models import SelfHelpGroup

from ... import format as fmt
from ..rows import ABSENT
from .base import M2M, Handler


class SelfHelpGroups(Handler):
    sheet = fmt.SELFHELP_GROUPS
    model = SelfHelpGroup
    key_field = "name"
    fields = (
        "contact_point_id",
        "topic_area",
        "started_on",
        "accompaniment_ends_on",
        "status",
        "follow_up_still_meeting",
        "follow_up_checked_on",
    )
    m2m = {"volunteers": M2M(SelfHelpGroup.volunteers.through, "selfhelpgroup_id", "volunteer_id")}

    def defaults(self):
        return {
            "contact_point_id": None,
            "accompaniment_ends_on": None,
            "follow_up_still_meeting": SelfHelpGroup.FollowUp.UNKNOWN,
            "follow_up_checked_on": None,
        }

    def parse(self, row):
        follow_up = row.choice("follow_up_still_meeting")
        return {
            "contact_point_id": row.reference("contact_point", self.run.sites, "site"),
            "topic_area": row.choice("topic_area"),
            "started_on": row.date("started_on"),
            "accompaniment_ends_on": row.date("accompaniment_ends_on"),
            "volunteers": row.references("volunteers", self.run.volunteers, "volunteer"),
            "status": row.choice("status"),
            "follow_up_still_meeting": follow_up
            or (SelfHelpGroup.FollowUp.UNKNOWN if follow_up is not ABSENT else ABSENT),
            "follow_up_checked_on": row.date("follow_up_checked_on"),
        }

    def complete(self, row, merged, data, old):
        if merged["contact_point_id"] is None:
            row.error(
                "contact_point", gettext("a self-help group needs the site that looks after it")
            )
        if (
            merged["follow_up_still_meeting"] != SelfHelpGroup.FollowUp.UNKNOWN
            and merged["follow_up_checked_on"] is None
        ):
            row.error("follow_up_checked_on", gettext("Give the date the follow-up was checked."))
        row.report(
            rules.check_selfhelp_group(
                program=self.program,
                started_on=merged["started_on"],
                accompaniment_ends_on=merged["accompaniment_ends_on"],
                follow_up_checked_on=merged["follow_up_checked_on"],
                today=self.run.today,
            )
        )
