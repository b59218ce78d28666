"""Questionnaires (outcome measures): record one, a participant's history with its charts, and
the follow-ups that are due."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import charts
from core.dates import months_later
from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView, participant_code_column

from .. import policies, selectors, services
from ..filters import OutcomeDueFilter
from ..forms import OutcomeMeasureForm
from ..instruments import INSTRUMENTS
from ..models import OutcomeMeasure
from .common import form_errors, visible_participants


def _outcome_chart(definition, measures, chart_id: str):
    """A sparkline of the complete measures of one instrument, in report units."""
    points = [
        charts.Point(
            m.date,
            m.report_value,
            f"{date_format(m.date, 'SHORT_DATE_FORMAT')} {m.timepoint_label}: {m.report_value}",
        )
        for m in measures
        if m.report_value is not None and not m.is_draft
    ]
    if not points:
        return ""
    percent = definition.report_field == "score_percent"
    factor = definition.percent_factor if percent else 1
    low, high = definition.score_min * factor, definition.score_max * factor
    band_categories = [c for c in definition.categories if c.key in definition.report_categories]
    band = None
    if band_categories and definition.scorer is None:
        band = (
            min(c.low for c in band_categories) * factor,
            max(c.high for c in band_categories) * factor,
        )
    return charts.sparkline(
        points=points,
        low=low,
        high=high,
        band=band,
        title=_("%(instrument)s over time") % {"instrument": definition.name},
        chart_id=chart_id,
    )


def outcome_history(participant, *, administered_by=None) -> list[dict]:
    """Per instrument: its measures (oldest first) and a small chart of the scores."""
    measures = list(selectors.participant_outcomes(participant, administered_by=administered_by))
    history = []
    for code, definition in INSTRUMENTS.items():
        mine = [m for m in measures if m.instrument == code]
        if mine:
            history.append(
                {
                    "instrument": definition,
                    "measures": mine,
                    "chart": _outcome_chart(definition, mine, f"outcome-{participant.pk}-{code}"),
                }
            )
    return history


def _result_text(measure) -> str:
    definition = measure.definition
    if measure.score is None:
        text = _("Incomplete: no score.")
    elif measure.score_percent is not None:
        text = _("Score %(score)s of %(max)s (%(percent)s %%).") % {
            "score": measure.score,
            "max": definition.score_max,
            "percent": measure.score_percent,
        }
    else:
        text = _("Score %(score)s of %(max)s.") % {
            "score": measure.score,
            "max": definition.score_max,
        }
    if measure.category_label:
        text = f"{text} {measure.category_label}."
    return text


def _draft_of(request, participant, value):
    """The draft ``?draft=`` names: one of this participant's, and for a volunteer one they
    took themselves (as they see only those); anything else is a 404."""
    if not str(value).isdigit():
        raise Http404
    drafts = participant.outcome_measures.drafts()
    administered_by = policies.outcomes_administered_by(request.membership)
    if administered_by is not None:
        drafts = drafts.filter(administered_by=administered_by)
    return read_or_404(drafts, pk=value)


@program_view(Perm.LOG_ACTIVITY)
def outcome_measure_create(request, program_slug, pk):
    """Record a questionnaire: coordinators for anyone, a volunteer for the people they met.

    With ``?draft=<id>`` the page opens a saved draft to finish it.
    """
    program = request.program
    volunteer = selectors.volunteer_of(program, request.user)
    participant = read_or_404(
        visible_participants(request, volunteer).select_related("program"), pk=pk
    )
    draft = None
    if "draft" in request.GET:
        draft = _draft_of(request, participant, request.GET["draft"])
    code = draft.instrument if draft else request.GET.get("instrument", "")
    definition = INSTRUMENTS.get(code)
    context = {"program": program, "participant": participant}
    if definition is None:
        return render(
            request,
            "sessions_log/outcome_choose.html",
            {**context, "instruments": INSTRUMENTS.values()},
        )
    if draft:
        initial = OutcomeMeasureForm.initial_of(draft)
    else:
        initial = {
            "timepoint": request.GET.get("timepoint")
            or selectors.suggested_timepoint(participant, code, timezone.localdate())
        }
    as_draft = request.POST.get("_action") == OutcomeMeasureForm.DRAFT_ACTION
    form = OutcomeMeasureForm(
        request.POST or None,
        initial=initial,
        instrument=definition,
        participant=participant,
        draft=as_draft,
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.outcome_measure_record(
                program=program,
                participant=participant,
                instrument=code,
                timepoint=form.cleaned_data["timepoint"],
                custom_label=form.cleaned_data["custom_label"],
                date=form.cleaned_data["date"],
                answers=form.answers(),
                language=form.cleaned_data["language"],
                by=request.user,
                draft=as_draft,
                measure=draft,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if measure.is_draft:
                text = _(
                    "%(instrument)s saved as a draft for %(code)s. It stays due until it is "
                    "complete."
                )
            else:
                text = _("%(instrument)s recorded for %(code)s. %(result)s")
            messages.success(
                request,
                text
                % {
                    "instrument": definition.name,
                    "code": participant.code,
                    "result": _result_text(measure),
                },
            )
            return redirect("participant_detail", program.slug, participant.pk)
    return render(
        request,
        "sessions_log/outcome_form.html",
        {
            **context,
            "form": form,
            "draft": draft,
            "instrument": definition,
            "stem": definition.stem(),
            "items": form.item_fields(),
        },
    )


class OutcomeDueListView(ProgramListView):
    """Follow-up questionnaires that are due: a baseline and no follow-up after 3 or 6 months."""

    permission = Perm.MANAGE_PROGRAM
    filterset_class = OutcomeDueFilter
    title = gettext_lazy("Follow-up questionnaires due")
    export_basename = gettext_lazy("outcomes-due")
    template_name = "sessions_log/outcome_due_list.html"

    def get_queryset(self):
        return selectors.outcome_follow_ups_due(self.program, timezone.localdate()).order_by(
            "date", "participant__code"
        )

    def get_columns(self):
        slug = self.program.slug
        months = selectors.FOLLOW_UP_MONTHS
        timepoints = dict(OutcomeMeasure.Timepoint.choices)

        def record_url(m):
            target = reverse("outcome_measure_create", args=[slug, m.participant_id])
            if m.draft_id:
                return f"{target}?draft={m.draft_id}"
            return f"{target}?instrument={m.instrument}&timepoint={m.due}"

        def record_text(m):
            return _("Finish the draft") if m.draft_id else _("Record")

        return (
            participant_code_column(
                gettext_lazy("Participant"),
                lambda m: m.participant,
                order_by="participant",
                link=lambda m: reverse("participant_detail", args=[slug, m.participant_id]),
            ),
            Column(gettext_lazy("Instrument"), lambda m: m.get_instrument_display()),
            Column(gettext_lazy("Baseline"), lambda m: m.date, order_by="date"),
            Column(gettext_lazy("Due"), lambda m: timepoints.get(m.due, m.due)),
            Column(
                gettext_lazy("Due since"),
                lambda m: months_later(m.date, months.get(m.due, 0)),
            ),
            Column(gettext_lazy("Record"), record_text, link=record_url),
        )
