"""The trainings, training_sessions and enrolments sheets.

A training is identified by its ref (or the ``T-<id>`` the exporter gives one without a ref),
a session by its ref (``TS-<id>``), an enrolment by its training and volunteer together. The
checks are the volunteers app's rules, as on the training pages: a training ends on or after
its start, a session lies within its training's dates, a completion comes on or after the
enrolment and has happened, and hours and minutes stay within their bounds.
"""

from decimal import Decimal

from django.utils.translation import gettext

from core.spreadsheets import cell_text
from volunteers import rules
from volunteers.models import Enrollment, Training, TrainingAttendance, TrainingSession

from ... import format as fmt
from ..lookups import KeyMap
from ..rows import ABSENT
from .base import M2M, Existing, Handler

COMPLETED = Enrollment.Status.COMPLETED


def training_dates(run) -> KeyMap:
    """A training's start and end by the key the file names it with: as the trainings sheet
    gives them, else as Lotse holds them (by the ref, or ``T-<id>``); kept with the run."""
    if not hasattr(run, "training_dates"):
        run.training_dates = KeyMap()
        run.saved_training_dates = {
            pk: (starts_on, ends_on)
            for pk, starts_on, ends_on in run.program.trainings.values_list(
                "pk", "starts_on", "ends_on"
            )
        }
    return run.training_dates


class Trainings(Handler):
    sheet = fmt.TRAININGS
    model = Training
    key_field = "ref"
    fields = (
        "title",
        "kind",
        "qualifying",
        "starts_on",
        "ends_on",
        "planned_hours",
        "trainer",
        "description",
    )
    keymap_name = "trainings"
    generated_ref_prefix = fmt.TRAINING_REF_PREFIX

    def defaults(self):
        return {"qualifying": True, "trainer": "", "description": ""}

    def parse(self, row):
        qualifying = row.yes_no("qualifying")
        return {
            "title": row.text("title"),
            "kind": row.choice("kind"),
            "qualifying": True if qualifying is None else qualifying,
            "starts_on": row.date("starts_on"),
            "ends_on": row.date("ends_on"),
            "planned_hours": row.decimal("planned_hours"),
            "trainer": row.text("trainer"),
            "description": row.text("description"),
        }

    def complete(self, row, merged, data, old):
        row.report(
            rules.check_training(
                starts_on=merged["starts_on"],
                ends_on=merged["ends_on"],
                planned_hours=merged["planned_hours"],
            )
        )
        if row.ok:
            training_dates(self.run).add(row.text("ref"), (merged["starts_on"], merged["ends_on"]))


class TrainingSessions(Handler):
    sheet = fmt.TRAINING_SESSIONS
    model = TrainingSession
    key_field = "ref"
    fields = ("training_id", "date", "minutes", "topic")
    m2m = {"present": M2M(TrainingAttendance, "session_id", "volunteer_id")}
    generated_ref_prefix = fmt.TRAINING_SESSION_REF_PREFIX
    program_path = "training__program"

    def defaults(self):
        return {"topic": ""}

    def parse(self, row):
        return {
            "training_id": row.reference("training", self.run.trainings, "training"),
            "date": row.date("date"),
            "minutes": row.integer("duration_minutes"),
            "topic": row.text("topic"),
            "present": row.references("present", self.run.volunteers, "volunteer"),
        }

    def complete(self, row, merged, data, old):
        dates = None
        if data.get("training_id") not in (None, ABSENT):
            dates = training_dates(self.run).get(row.text("training"))
        if dates is None:
            training_dates(self.run)
            dates = self.run.saved_training_dates.get(merged["training_id"])
        findings = rules.check_training_session(
            training_starts_on=dates[0] if dates else None,
            training_ends_on=dates[1] if dates else None,
            date=merged["date"] if dates else None,
            minutes=merged["minutes"],
        )
        row.report(findings, {"minutes": "duration_minutes"})


class Enrolments(Handler):
    """One row per training and volunteer: the pair identifies the enrolment."""

    sheet = fmt.ENROLMENTS
    model = Enrollment
    key_field = None
    fields = ("status", "enrolled_on", "completed_on", "practice_hours")
    program_path = "training__program"

    def __init__(self, run):
        super().__init__(run)
        self.pairs: dict[str, tuple] = {}  # key -> (training, volunteer) as the keymaps hold them
        self.rows: dict[tuple, int] = {}  # (training, volunteer) -> the row naming it first

    def row_key(self, row):
        training = cell_text(row.cells.get("training")).strip()
        volunteer = cell_text(row.cells.get("volunteer")).strip()
        if not training or not volunteer:
            return ""
        key = f"{training} / {volunteer}"
        self.pairs[key] = (self.run.trainings.get(training), self.run.volunteers.get(volunteer))
        return key

    def defaults(self):
        return {"completed_on": None, "practice_hours": Decimal(0)}

    def parse(self, row):
        hours = row.decimal("practice_hours")
        return {
            "training_id": row.reference("training", self.run.trainings, "training"),
            "volunteer_id": row.reference("volunteer", self.run.volunteers, "volunteer"),
            "status": row.choice("status"),
            "enrolled_on": row.date("enrolled_on"),
            "completed_on": row.date("completed_on"),
            "practice_hours": Decimal(0) if hours is None else hours,
        }

    def existing(self, keys):
        wanted = {
            self.pairs[key]: key
            for key in keys
            if all(isinstance(pk, int) for pk in self.pairs.get(key, (None, None)))
        }
        if not wanted:
            return {}
        stored = self.scope().filter(
            training_id__in={t for t, _v in wanted}, volunteer_id__in={v for _t, v in wanted}
        )
        found = {}
        for values in stored.values("pk", "training_id", "volunteer_id", *self.fields):
            key = wanted.get((values["training_id"], values["volunteer_id"]))
            if key is not None:
                found[key] = Existing(values["pk"], self.to_row_values(values), {})
        return found

    def complete(self, row, merged, data, old):
        pair = (merged["training_id"], merged["volunteer_id"])
        if pair in self.rows and self.rows[pair] != row.number:
            row.error(
                "volunteer",
                gettext("this volunteer's enrolment in the training is already in row %(row)s")
                % {"row": self.rows[pair]},
            )
            return
        self.rows[pair] = row.number
        completed = merged["status"] == COMPLETED
        if completed and merged["completed_on"] is None:
            row.error("completed_on", gettext("Please give the date the training was completed."))
        elif not completed and merged["completed_on"] is not None:
            row.error(
                "completed_on",
                gettext(
                    "A completed training has the date it was completed, and only a completed "
                    "one has it."
                ),
            )
        row.report(
            rules.check_enrollment(
                enrolled_on=merged["enrolled_on"],
                completed_on=merged["completed_on"],
                practice_hours=merged["practice_hours"],
                today=self.run.today,
            )
        )

    def attributes(self, merged, old):
        return {
            "training_id": merged["training_id"],
            "volunteer_id": merged["volunteer_id"],
            **super().attributes(merged, old),
        }
