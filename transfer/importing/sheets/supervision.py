"""The supervision_sessions sheet, by ref (or the ``S-<id>`` the exporter gives a session
without one). The supervisor is a supervisor or coordinator of the program with a Lotse
account, named by e-mail address, or else an external supervisor's name; the confidential
notes never leave Lotse and are never imported."""

from django.utils.translation import gettext

from volunteers import policies, rules
from volunteers.models import SupervisionSession

from ... import format as fmt
from ..rows import ABSENT
from .base import M2M, Handler


class SupervisionSessions(Handler):
    sheet = fmt.SUPERVISION_SESSIONS
    model = SupervisionSession
    key_field = "ref"
    # ``supervisor`` is the account's pk, or the external supervisor's name (text).
    fields = ("kind", "date", "minutes", "supervisor", "topics")
    m2m = {
        "attendees": M2M(
            SupervisionSession.attendees.through, "supervisionsession_id", "volunteer_id"
        )
    }
    generated_ref_prefix = fmt.SUPERVISION_REF_PREFIX

    def __init__(self, run):
        super().__init__(run)
        self._leaders: dict[str, int] | None = None

    def leaders(self) -> dict[str, int]:
        """The program's supervisors and coordinators by their casefolded e-mail address."""
        if self._leaders is None:
            self._leaders = {}
            users = policies.supervision_leaders(self.program).values_list("email", "pk")
            for email, pk in users:
                if email:
                    self._leaders.setdefault(email.casefold(), pk)
        return self._leaders

    def defaults(self):
        return {"supervisor": "", "topics": ""}

    def db_values(self):
        return ("kind", "date", "minutes", "supervisor_id", "supervisor_name", "topics")

    def to_row_values(self, stored):
        values = {name: stored[name] for name in ("kind", "date", "minutes", "topics")}
        values["supervisor"] = stored["supervisor_id"] or stored["supervisor_name"]
        return values

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        supervisor = attributes.pop("supervisor")
        attributes["supervisor_id"] = supervisor if isinstance(supervisor, int) else None
        attributes["supervisor_name"] = supervisor if isinstance(supervisor, str) else ""
        return attributes

    def parse(self, row):
        data = {
            "kind": row.choice("kind"),
            "date": row.date("date"),
            "minutes": row.integer("duration_minutes"),
            "topics": row.text("topics"),
            "attendees": row.references("attendees", self.run.volunteers, "volunteer"),
        }
        supervisor = row.text("supervisor")
        if supervisor is not ABSENT and "@" in supervisor:
            supervisor = self.leaders().get(supervisor.casefold(), supervisor)
        data["supervisor"] = supervisor
        return data

    def complete(self, row, merged, data, old):
        row.report(
            rules.check_supervision(
                date=merged["date"],
                minutes=merged["minutes"],
                today=self.run.today,
                program=self.program,
            ),
            {"minutes": "duration_minutes"},
        )
        supervisor = merged["supervisor"]
        changed = old is None or old.values["supervisor"] != supervisor
        if isinstance(supervisor, str) and "@" in supervisor and changed:
            row.warning(
                "supervisor",
                gettext(
                    "no supervisor or coordinator of this program has this e-mail address; it "
                    "is kept as the name of an external supervisor"
                ),
            )
        if old is None and not supervisor:
            row.warning("supervisor", gettext("Who led the supervision?"))
