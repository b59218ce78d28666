"""The activities sheet, by ref (or the ``A-<id>`` the exporter gives a record without one)."""

from django.utils.translation import gettext

from programs.models import ActivityKind
from sessions_log.models import Activity, Topic

from ... import format as fmt
from ..rows import ABSENT
from .base import M2M, Handler


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
            if merged["kind"] in self.individual:
                merged["attendees_total"] = max(1, len(merged["participants"]))
            else:
                merged["attendees_total"] = 0
        total = merged["attendees_total"]
        women, men = merged["attendees_women"], merged["attendees_men"]
        if women + men > total:
            row.error(
                "attendees_women" if row.has("attendees_women") else "attendees_men",
                gettext(
                    "women (%(women)s) and men (%(men)s) together are more than the total "
                    "(%(total)s)"
                )
                % {"women": women, "men": men, "total": total},
            )
        if merged["attendees_children"] > total:
            row.error(
                "attendees_children",
                gettext("%(children)s children are more than the total (%(total)s)")
                % {"children": merged["attendees_children"], "total": total},
            )

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        if old is None:
            attributes["logged_by"] = self.run.by
        else:
            attributes["updated_at"] = self.run.now
        return attributes
