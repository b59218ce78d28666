"""The data-quality page: the records behind the funder report's data-quality counts, each with
a link to the page where a coordinator fixes it."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import months_later
from programs.access import Perm, program_view

from ..models import Activity, Match, OutcomeMeasure, SelfHelpGroup
from ..quality import MAX_GROUP_SIZE, MAX_MINUTES, problem_lists

LIMIT = 50  # records listed per check


def last_twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months up to and including ``today``."""
    return months_later(today, -12) + dt.timedelta(days=1), today


class PeriodForm(forms.Form):
    """The period checked, chosen like a report's: first and last day, both included."""

    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Both days are included."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day comes before the first."))
        return cleaned


@dataclass(frozen=True)
class Row:
    """One record listed under a check: what it is, when, and where to fix it."""

    date: dt.date | None
    text: str
    detail: str
    url: str


def _labels() -> dict[str, str]:
    """The checks' names, as the report's data-quality section words them."""
    hours = {"hours": MAX_MINUTES // 60}
    return {
        "activities_without_language": _("Activities without a language"),
        "activities_without_duration": _("Activities without a duration"),
        "activities_over_max_minutes": _("Activities longer than %(hours)s hours") % hours,
        "group_activities_empty": _("Group activities with no one attending"),
        "group_activities_over_max_size": _("Group activities with more than %(people)s people")
        % {"people": MAX_GROUP_SIZE},
        "questionnaires_incomplete": _("Questionnaires with missing answers"),
        "baselines_without_follow_up": _("Baselines without a follow-up by the end of the period"),
        "match_checks_missing": _("Six-month checks of matches due but not recorded"),
        "group_follow_ups_missing": _(
            "Twelve-month follow-ups of self-help groups due but not recorded"
        ),
    }


def _row(slug: str, name: str, record) -> Row:
    """A listed record and the page that fixes it: the activity's edit page, the participant's
    questionnaire's draft (or a new follow-up for a baseline), the match, the self-help group."""
    if isinstance(record, Activity):
        minutes = _("%(minutes)s minutes") % {"minutes": record.minutes} if record.minutes else "—"
        people = _("%(people)s people") % {"people": record.attendees_total}
        return Row(
            record.date,
            record.get_kind_display(),
            f"{minutes} · {people}",
            reverse("activity_edit", args=[slug, record.pk]),
        )
    if isinstance(record, OutcomeMeasure):
        if name == "baselines_without_follow_up":
            url = reverse("outcome_measure_create", args=[slug, record.participant_id])
            url = f"{url}?{urlencode({'instrument': record.instrument})}"
        else:  # incomplete: saved as a draft, opened to be finished
            url = reverse("outcome_measure_create", args=[slug, record.participant_id])
            url = f"{url}?{urlencode({'draft': record.pk})}"
        return Row(
            record.date,
            record.participant.code,
            f"{record.get_instrument_display()} · {record.get_timepoint_display()}",
            url,
        )
    if isinstance(record, Match):
        return Row(
            record.started_on,
            record.participant.code,
            str(record.volunteer),
            reverse("match_detail", args=[slug, record.pk]),
        )
    assert isinstance(record, SelfHelpGroup)
    return Row(
        record.started_on,
        record.name,
        "",
        reverse("selfhelp_detail", args=[slug, record.pk]),
    )


@program_view(Perm.MANAGE_PROGRAM)
def data_quality(request, program_slug):
    """Records of a period that lack a detail or hold an implausible value, per check the first
    fifty with the total, each linked to where it is fixed."""
    program = request.program
    start, end = last_twelve_months(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    _counts, lists = problem_lists(program, start, end, limit=LIMIT)
    labels = _labels()
    checks = [
        {
            "name": problems.name,
            "label": labels[problems.name],
            "total": problems.total,
            "more": problems.more,
            "rows": [_row(program.slug, problems.name, record) for record in problems.records],
        }
        for problems in lists
    ]
    return render(
        request,
        "sessions_log/data_quality.html",
        {
            "program": program,
            "form": form,
            "start": start,
            "end": end,
            "checks": checks,
            "problems": sum(check["total"] for check in checks),
        },
    )
