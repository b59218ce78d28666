"""Matches of a volunteer with a participant: the list, proposing one, its page, and moving it
along its lifecycle (activate, pause, resume, end, the six-month check)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView, participant_code_column

from .. import policies, selectors, services
from ..filters import MatchFilter
from ..forms import (
    MatchActivateForm,
    MatchCheckForm,
    MatchEndForm,
    MatchForm,
    participant_label,
)
from ..models import Match
from .common import form_errors


def _running_text(match, today) -> str:
    """How long an active match has been running, in months (or days in the first month)."""
    running = selectors.match_running_time(match, today)
    if running is None:
        return ""
    if running.months >= 1:
        return ngettext("%(n)d month", "%(n)d months", running.months) % {"n": running.months}
    return ngettext("%(n)d day", "%(n)d days", running.days) % {"n": running.days}


def _six_month_check_text(match):
    """The date of the six-month check, "due" when it is, or nothing. ``match`` comes with
    ``six_month_check_due`` (``selectors.with_six_month_check_due``)."""
    if match.six_month_check_on:
        return match.six_month_check_on
    return _("due") if match.six_month_check_due else ""


class MatchListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = MatchFilter
    title = gettext_lazy("Matches")
    export_basename = gettext_lazy("matches")
    template_name = "sessions_log/match_list.html"

    def get_queryset(self):
        return selectors.match_list(self.program, timezone.localdate())

    def get_columns(self):
        slug, today = self.program.slug, timezone.localdate()
        return (
            Column(
                gettext_lazy("Volunteer"),
                lambda m: m.volunteer.name,
                order_by="volunteer",
                link=lambda m: reverse("match_detail", args=[slug, m.pk]),
            ),
            participant_code_column(
                gettext_lazy("Participant"), lambda m: m.participant, order_by="participant"
            ),
            Column(gettext_lazy("Status"), lambda m: m.get_status_display(), order_by="status"),
            Column(gettext_lazy("Proposed on"), lambda m: m.proposed_on, order_by="proposed_on"),
            Column(gettext_lazy("Started on"), lambda m: m.started_on, order_by="started_on"),
            Column(gettext_lazy("Running for"), lambda m: _running_text(m, today)),
            Column(gettext_lazy("6-month check"), _six_month_check_text),
            Column(gettext_lazy("Ended on"), lambda m: m.ended_on),
            Column(gettext_lazy("Reason for ending"), lambda m: m.get_end_reason_display()),
        )

    def get_context_data(self, **kwargs):
        due = selectors.six_month_checks_due(
            Match.objects.filter(program=self.program), timezone.localdate()
        ).count()
        return super().get_context_data(checks_due=due, **kwargs)


@program_view(Perm.MANAGE_PROGRAM)
def match_create(request, program_slug):
    program = request.program
    with_alias = policies.sees_alias(request.membership)
    form = MatchForm(request.POST or None, program=program, with_alias=with_alias)
    if request.method == "POST" and form.is_valid():
        try:
            match = services.match_propose(
                program=program,
                volunteer=form.cleaned_data["volunteer"],
                participant=form.cleaned_data["participant"],
                proposed_on=form.cleaned_data["proposed_on"],
                matching_notes=form.cleaned_data["matching_notes"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The match was proposed."))
            return redirect("match_detail", program.slug, match.pk)
    return render(request, "sessions_log/match_form.html", {"program": program, "form": form})


@program_view(Perm.MANAGE_PROGRAM)
def match_detail(request, program_slug, pk):
    program = request.program
    today = timezone.localdate()
    match = read_or_404(
        selectors.with_six_month_check_due(
            Match.objects.filter(program=program).select_related("volunteer", "participant"),
            today,
        ),
        pk=pk,
    )
    actions = services.match_actions(match)
    return render(
        request,
        "sessions_log/match_detail.html",
        {
            "program": program,
            "match": match,
            "participant_label": participant_label(
                match.participant, with_alias=policies.sees_alias(request.membership)
            ),
            "age": _running_text(match, today),
            "check": _six_month_check_text(match),
            "can_activate": "activate" in actions,
            "can_pause": "pause" in actions,
            "can_resume": "resume" in actions,
            "can_end": "end" in actions,
            "can_check": "check" in actions,
            "activate_form": MatchActivateForm(initial={"started_on": today}),
            "end_form": MatchEndForm(initial={"ended_on": today}),
            "check_form": MatchCheckForm(initial={"six_month_check_on": today}),
        },
    )


# Each action of the match page: its form (None: a button only), the service that does it,
# and what the page says when it is done.
MATCH_ACTIONS = {
    "activate": (
        MatchActivateForm,
        lambda m, d: services.match_activate(match=m, started_on=d["started_on"]),
        gettext_lazy("The match is active."),
    ),
    "pause": (
        None,
        lambda m, d: services.match_pause(match=m),
        gettext_lazy("The match is paused."),
    ),
    "resume": (
        None,
        lambda m, d: services.match_resume(match=m),
        gettext_lazy("The match is active again."),
    ),
    "end": (
        MatchEndForm,
        lambda m, d: services.match_end(match=m, ended_on=d["ended_on"], reason=d["end_reason"]),
        gettext_lazy("The match has ended."),
    ),
    "check": (
        MatchCheckForm,
        lambda m, d: services.match_record_six_month_check(
            match=m, checked_on=d["six_month_check_on"]
        ),
        gettext_lazy("The six-month check was recorded."),
    ),
}


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def match_action(request, program_slug, pk, action):
    program = request.program
    if action not in MATCH_ACTIONS:
        raise Http404
    match = get_object_or_404(Match.objects.filter(program=program), pk=pk)
    form_class, run, done = MATCH_ACTIONS[action]
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("match_detail", program.slug, match.pk)
        data = form.cleaned_data
    try:
        run(match, data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("match_detail", program.slug, match.pk)
