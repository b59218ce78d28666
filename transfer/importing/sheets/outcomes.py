"""The outcomes sheet (questionnaires), by ref (or the ``Q-<id>`` the exporter gives one
without a ref). The answers are imported; the score, percentage, screen and category are
computed by ``sessions_log.instruments`` as when a questionnaire is recorded in Lotse, never
read from the file. A questionnaire with an unanswered item is kept as a draft: it stays due
and counts nowhere."""

from django.db.models import Q
from django.utils.translation import gettext

from core.rules import Findings
from programs.rules import check_date
from sessions_log import rules
from sessions_log.instruments import INSTRUMENTS
from sessions_log.models import OutcomeMeasure

from ... import format as fmt
from ..rows import ABSENT
from .base import Handler

ITEM_COLUMNS = tuple(f"item_{number}" for number in range(1, fmt.OUTCOME_ITEMS + 1))
BASELINE = OutcomeMeasure.Timepoint.BASELINE
CUSTOM = OutcomeMeasure.Timepoint.CUSTOM


class Outcomes(Handler):
    sheet = fmt.OUTCOMES
    model = OutcomeMeasure
    key_field = "ref"
    fields = ("participant_id", "instrument", "timepoint", "custom_label", "date", "answers")
    generated_ref_prefix = fmt.OUTCOME_REF_PREFIX

    def __init__(self, run):
        super().__init__(run)
        self.baselines: dict[tuple, str] = {}  # (participant, instrument) -> the file's ref
        self.baseline_dates: dict[tuple, object] = {}  # … -> the date the file gives it
        self._saved_baselines: dict[tuple, tuple] | None = None  # … -> (pk, date) in Lotse
        # The file's other time points, checked against their baseline once all rows are read:
        # (row, (participant, instrument), time point, date).
        self.follow_ups: list[tuple] = []
        self.moved: set[int] = set()  # records the file changes from a baseline to another

    def defaults(self):
        return {"custom_label": "", "answers": {}}

    def parse(self, row):
        data = {
            "participant_id": row.reference("participant", self.run.participants, "participant"),
            "instrument": row.choice("instrument"),
            "timepoint": row.choice("timepoint"),
            "custom_label": row.text("custom_label"),
            "date": row.date("date"),
        }
        present = [column for column in ITEM_COLUMNS if row.has(column)]
        if not present:
            data["answers"] = ABSENT
            return data
        values = {column: row.integer(column) for column in present}
        definition = INSTRUMENTS.get(data["instrument"]) if data["instrument"] else None
        if definition is None:
            data["answers"] = ABSENT
            return data
        answers = {}
        for number, column in enumerate(ITEM_COLUMNS, start=1):
            value = values.get(column)
            key = str(number)
            if key not in definition.keys:
                if value is not None:
                    row.error(
                        column,
                        gettext("%(instrument)s has %(count)s items; leave this cell empty")
                        % {"instrument": definition.name, "count": len(definition.keys)},
                    )
                continue
            item = definition.item(key)
            if value is not None and not item.accepts(value):
                row.error(
                    column,
                    gettext("%(value)s is not on the scale of this item (%(low)s to %(high)s)")
                    % {"value": value, "low": item.low, "high": item.high},
                )
                value = None
            answers[key] = value
        data["answers"] = answers
        return data

    def complete(self, row, merged, data, old):
        timepoint = merged["timepoint"]
        if timepoint == CUSTOM and not merged["custom_label"]:
            row.error("custom_label", gettext("Name the time point."))
        elif timepoint != CUSTOM and merged["custom_label"]:
            row.error("custom_label", gettext("only the time point “custom” has a name"))
        findings = Findings()
        check_date(findings, "date", merged["date"], today=self.run.today)
        row.report(findings)
        pair = (merged["participant_id"], merged["instrument"])
        if timepoint != BASELINE and row.ok and merged["participant_id"] is not None:
            self.follow_ups.append((row.number, pair, timepoint, merged["date"]))
            if old is not None:
                self.moved.add(old.pk)
        if timepoint == BASELINE and merged["participant_id"] is not None:
            key = row.text("ref")
            if pair in self.baselines and self.baselines[pair] != key:
                row.error(
                    "timepoint",
                    gettext(
                        "the file already has a baseline of this questionnaire for this "
                        "participant (%(ref)s)"
                    )
                    % {"ref": self.baselines[pair]},
                )
            else:
                self.baselines[pair] = key
                self.baseline_dates[pair] = merged["date"]
                saved = self.saved_baselines().get(pair)
                if saved is not None and (old is None or old.pk != saved[0]):
                    row.error(
                        "timepoint", gettext("A baseline of this instrument was already recorded.")
                    )

    def saved_baselines(self) -> dict[tuple, tuple]:
        """The baselines Lotse holds: (participant, instrument) -> (pk, date)."""
        if self._saved_baselines is None:
            baselines = OutcomeMeasure.objects.filter(
                Q(program=self.program) & Q(timepoint=BASELINE)
            ).values_list("participant_id", "instrument", "pk", "date")
            self._saved_baselines = {(p, i): (pk, on) for p, i, pk, on in baselines}
        return self._saved_baselines

    def finish(self):
        """A follow-up is not dated before its baseline: the file's, else the one in Lotse
        (unless the file makes that one another time point), wherever the rows stand."""
        if not self.follow_ups:
            return
        saved = self.saved_baselines()
        for number, pair, timepoint, date in self.follow_ups:
            baseline_on = self.baseline_dates.get(pair)
            if baseline_on is None and pair in saved and saved[pair][0] not in self.moved:
                baseline_on = saved[pair][1]
            findings = rules.check_outcome_date(
                timepoint=timepoint, date=date, baseline_on=baseline_on
            )
            for field, message in findings.messages("errors"):
                self.run.problem(self.sheet.name, number, field, message)

    def attributes(self, merged, old):
        attributes = super().attributes(merged, old)
        definition = INSTRUMENTS[merged["instrument"]]
        answers = {key: merged["answers"].get(key) for key in definition.keys}
        result = definition.score(answers)
        attributes |= {
            "answers": answers,
            "score": result.score,
            "score_percent": result.score_percent,
            "complete": result.complete,
            "positive_screen": result.positive_screen,
            "category": result.category,
            "status": OutcomeMeasure.Status.COMPLETE
            if result.complete
            else OutcomeMeasure.Status.DRAFT,
        }
        if old is None:
            attributes["administered_by_id"] = self.run.by_id
        return attributes
