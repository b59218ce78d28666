"""Concerns: the inbox of coordinators and supervisors, and acknowledging one."""

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
from ..forms import ConcernAcknowledgeForm
from ..models import Concern


def _concern_status(concern) -> str:
    if concern.acknowledged_at is None:
        return _("open")
    return _("acknowledged %(date)s by %(person)s") % {
        "date": timezone.localdate(concern.acknowledged_at).isoformat(),
        "person": concern.acknowledged_by,
    }


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
            Column(gettext_lazy("Raised by"), lambda c: c.raised_by),
            Column(gettext_lazy("Status"), _concern_status),
        )


@program_view(Perm.ACKNOWLEDGE_CONCERNS)
def concern_acknowledge(request, program_slug, pk):
    program = request.program
    concern = read_or_404(
        Concern.objects.filter(program=program).select_related(
            "activity__site", "raised_by", "acknowledged_by"
        ),
        pk=pk,
    )
    form = ConcernAcknowledgeForm(request.POST or None)
    if request.method == "POST":
        if concern.acknowledged_at is not None:
            messages.error(request, _("This concern was already acknowledged."))
            return redirect("concern_acknowledge", program.slug, concern.pk)
        if form.is_valid():
            try:
                services.concern_acknowledge(
                    concern=concern, by=request.user, outcome=form.cleaned_data["outcome"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("concern_acknowledge", program.slug, concern.pk)
            messages.success(request, _("The concern was acknowledged."))
            return redirect("concern_list", program.slug)
    return render(
        request,
        "sessions_log/concern_detail.html",
        {"program": program, "concern": concern, "form": form},
    )
