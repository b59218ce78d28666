"""Concerns: the inbox of coordinators and supervisors, acknowledging one and recording its
outcome later, and a volunteer's own concerns."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView

from .. import selectors, services
from ..filters import ConcernFilter
from ..forms import ConcernOutcomeForm
from ..models import Concern


def _concern_status(concern) -> str:
    if concern.state == Concern.State.OPEN:
        return _("open")
    text = _("acknowledged %(date)s by %(person)s") % {
        "date": timezone.localdate(concern.acknowledged_at).isoformat(),
        "person": selectors.person_name(concern.acknowledged_by),
    }
    if concern.state == Concern.State.ACKNOWLEDGED:
        return f"{text} · {_('outcome to follow')}"
    return f"{text} · {_('outcome recorded')}"


def _activity_text(activity) -> str:
    if activity is None:
        return ""
    site = f" · {activity.site}" if activity.site_id else ""
    return f"{activity.get_kind_display()} {activity.date.isoformat()}{site}"


class ConcernListView(ProgramListView):
    permission = Perm.VIEW_CONCERNS
    filterset_class = ConcernFilter
    title = gettext_lazy("Concerns")
    export_basename = gettext_lazy("concerns")

    def get_queryset(self):
        return selectors.concern_inbox(self.program)

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Raised"),
                lambda c: date_format(timezone.localtime(c.raised_at), "SHORT_DATETIME_FORMAT"),
                order_by="raised_at",
                link=lambda c: reverse("concern_acknowledge", args=[slug, c.pk]),
            ),
            Column(
                gettext_lazy("Severity"), lambda c: c.get_severity_display(), order_by="severity"
            ),
            Column(
                gettext_lazy("Category"), lambda c: c.get_category_display(), order_by="category"
            ),
            Column(
                gettext_lazy("Activity"),
                lambda c: _activity_text(c.activity),
                link=lambda c: (
                    reverse("activity_detail", args=[slug, c.activity_id])
                    if c.activity_id
                    else None
                ),
            ),
            Column(gettext_lazy("Raised by"), selectors.raiser_name),
            Column(gettext_lazy("Status"), _concern_status),
        )


@program_view(Perm.ACKNOWLEDGE_CONCERNS)
def concern_acknowledge(request, program_slug, pk):
    """A concern's page: acknowledge it (one click), then record its outcome when it is known."""
    program = request.program
    concern = read_or_404(
        selectors.with_raiser_name(
            Concern.objects.filter(program=program).select_related(
                "activity__site", "raised_by", "acknowledged_by", "outcome_recorded_by"
            )
        ),
        pk=pk,
    )
    form = ConcernOutcomeForm()
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "acknowledge":
                services.concern_acknowledge(concern=concern, by=request.user)
                messages.success(
                    request,
                    _(
                        "The concern was acknowledged; the person who raised it is told. "
                        "Record the outcome here when it is known."
                    ),
                )
                return redirect("concern_acknowledge", program.slug, concern.pk)
            if step == "outcome":
                form = ConcernOutcomeForm(request.POST)
                if form.is_valid():
                    services.concern_record_outcome(
                        concern=concern, by=request.user, outcome=form.cleaned_data["outcome"]
                    )
                    messages.success(request, _("The outcome was recorded."))
                    return redirect("concern_list", program.slug)
            else:
                messages.error(request, _("This step was not understood. Please try again."))
                return redirect("concern_acknowledge", program.slug, concern.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("concern_acknowledge", program.slug, concern.pk)
    return render(
        request,
        "sessions_log/concern_detail.html",
        {
            "program": program,
            "concern": concern,
            "form": form,
            "raised_by": selectors.raiser_name(concern),
            "acknowledged_by": selectors.person_name(concern.acknowledged_by),
            "outcome_by": selectors.person_name(concern.outcome_recorded_by),
        },
        status=422 if form.is_bound and not form.is_valid() else 200,
    )


@program_view(Perm.VIEW_OWN_WORK)
def my_concerns(request, program_slug):
    """The concerns a volunteer raised and how far each has come (what was written and the
    outcome stay with those who deal with them)."""
    program = request.program
    return render(
        request,
        "sessions_log/my_concerns.html",
        {"program": program, "concerns": selectors.concerns_raised_by(program, request.user)},
    )
