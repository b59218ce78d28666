"""The activities sheet, by ref (or the ``A-<id>`` the exporter gives a record without one)."""

from django.utils.translation import gettext

from programs.models import ActivityKind
from sessions_log import rules
from sessions_log.models import Activity, Topic

from ... import format as fmt
from ..rows import ABSENT
from .base import M2M, Handler, site_capacities

# The columns of the fields the rules name otherwise.
COLUMNS = {"minutes": "duration_minutes"}


class Activities(Handler):
    sheet = fmt.ACTIVITIES
    model = Activity
    key_field = "ref"
    fields = (
        "date",
        "kind",
        "site_id",
        "minutes",
        "attendees_total",
        "attendees_women",
        "attendees_men",
        "attendees_children",
    )
    m2m = {
        "facilitators": M2M(Activity.facilitators.through, "activity_id", "volunteer_id"),
        "languages": M2M(Activity.languages.through, "activity_id", "language_id"),
        "topics": M2M(Activity.topics.through, "activity_id", "topic_id"),
        "participants": M2M(Activity.participants.through, "activity_id", "participant_id"),
    }
    generated_ref_prefix = fmt.ACTIVITY_REF_PREFIX
    individual = ActivityKind.individual()

    def defaults(self):
        return {
            "site_id": None,
            "minutes": None,
            "attendees_women": 0,
            "attendees_men": 0,
            "attendees_children": 0,
        }

    def parse(self, row):
        kind = row.choice("kind")
        used = self.program.activity_kinds or []
        if kind is not ABSENT and kind and kind not in used:
            row.error(
                "kind",
                gettext("this program does not log “%(kind)s”; it uses: %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(used) or "—"},
            )
        data = {
            "date": row.date("date"),
            "kind": kind,
            "site_id": row.reference("site", self.run.sites, "site"),
            "facilitators": row.references("facilitators", self.run.volunteers, "volunteer"),
            "languages": row.languages("languages"),
            "minutes": row.integer("duration_minutes"),
            "attendees_total": row.integer("attendees_total"),
            "attendees_women": row.integer("attendees_women"),
            "attendees_men": row.integer("attendees_men"),
            "attendees_children": row.integer("attendees_children"),
            "participants": row.references("participants", self.run.participants, "participant"),
        }
        topics = row.items("topics")
        if topics is not ABSENT:
            limit = Topic._meta.get_field("name").max_length
            for name in topics:
                if len(name) > limit:
                    row.error(
                        "topics",
                        gettext("the topic name is longer than %(max)s characters")
                        % {"max": limit},
                    )
            if row.ok:
                topics = frozenset(self.run.topic(name) for name in topics)
        data["topics"] = topics
        for name in ("attendees_women", "attendees_men", "attendees_children"):
            if data[name] is None:
                data[name] = 0
        return data

    def complete(self, row, merged, data, old):
        if old is not None and data["participants"] is not ABSENT:
            # The export leaves out the codes of participants whose consent does not cover
            # it, so an edited export cannot list them: they stay in their activities.
            kept = old.values["participants"] & self.run.not_exported
            merged["participants"] = frozenset(merged["participants"] | kept)
        total = data["attendees_total"]
        if total is None or (total is ABSENT and old is None):
            # A one-to-one kind counts its participants; a group's head count is needed.
            individual = merged["kind"] in self.individual
            merged["attendees_total"] = max(1, len(merged["participants"])) if individual else None
        site = merged["site_id"]
        findings = rules.check_activity(
            program=self.program,
            kind=merged["kind"],
            date=merged["date"],
            minutes=merged["minutes"],
            site=site,
            site_capacity=site_capacities(self.run).get(site),
            total=merged["attendees_total"],
            women=merged["attendees_women"],
            men=merged["attendees_men"],
            children=merged["attendees_children"],
            before=self._saved(old),
            today=self.run.today,
        )
        row.report(findings, COLUMNS)

    @staticmethod
    def _saved(old):
        """The activity as saved, in the words of the rules (warnings about unchanged values
        are not raised again)."""
        if old is None:
            return None
        values = old.values
        return {
            "kind": values["kind"],
            "date": values["date"],
            "minutes": values["minutes"],
            "site": values["site_id"],
            "attendees_total": values["attendees_total"],
        }

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        if old is None:
            attributes["logged_by_id"] = self.run.by_id
        else:
            attributes["updated_at"] = self.run.now
        return attributes
