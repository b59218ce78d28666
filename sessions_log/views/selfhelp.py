"""Self-help groups: the list, creating and changing one, its page, its status and the
12-month follow-up."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.lists import Column
from programs.access import Perm, program_view
from programs.lists import ProgramListView

from .. import selectors, services
from ..filters import SelfHelpGroupFilter
from ..forms import SelfHelpFollowUpForm, SelfHelpGroupForm, SelfHelpStatusForm
from ..models import SelfHelpGroup


def _follow_up_text(group) -> str:
    if group.follow_up_still_meeting == SelfHelpGroup.FollowUp.UNKNOWN:
        return ""
    return f"{group.get_follow_up_still_meeting_display()} ({group.follow_up_checked_on})"


class SelfHelpGroupListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = SelfHelpGroupFilter
    title = gettext_lazy("Self-help groups")
    export_basename = gettext_lazy("self-help groups")
    template_name = "sessions_log/selfhelp_list.html"

    def get_queryset(self):
        return selectors.selfhelp_list(self.program)

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                gettext_lazy("Name"),
                lambda g: g.name,
                order_by="name",
                link=lambda g: reverse("selfhelp_detail", args=[slug, g.pk]),
            ),
            Column(gettext_lazy("Contact point"), lambda g: g.contact_point, "contact_point"),
            Column(gettext_lazy("Topic area"), lambda g: g.get_topic_area_display()),
            Column(gettext_lazy("Status"), lambda g: g.get_status_display(), order_by="status"),
            Column(gettext_lazy("Started on"), lambda g: g.started_on, order_by="started_on"),
            Column(gettext_lazy("Accompaniment ends"), lambda g: g.accompaniment_ends_on),
            Column(gettext_lazy("Volunteers"), lambda g: [v.name for v in g.volunteers.all()]),
            Column(gettext_lazy("After 12 months"), _follow_up_text),
        )

    def get_context_data(self, **kwargs):
        due = selectors.selfhelp_follow_ups_due(
            SelfHelpGroup.objects.filter(program=self.program), timezone.localdate()
        ).count()
        return super().get_context_data(follow_ups_due=due, **kwargs)


def _group(request, pk):
    return get_object_or_404(
        SelfHelpGroup.objects.filter(program=request.program).select_related("contact_point"),
        pk=pk,
    )


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_create(request, program_slug):
    return _selfhelp_form(request, None)


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_edit(request, program_slug, pk):
    return _selfhelp_form(request, _group(request, pk))


def _selfhelp_form(request, group):
    program = request.program
    form = SelfHelpGroupForm(request.POST or None, instance=group, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        group = form.save()
        messages.success(request, _("The self-help group was saved."))
        return redirect("selfhelp_detail", program.slug, group.pk)
    return render(
        request,
        "sessions_log/selfhelp_form.html",
        {"program": program, "form": form, "group": group},
    )


@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_detail(request, program_slug, pk):
    program = request.program
    group = _group(request, pk)
    today = timezone.localdate()
    due = selectors.selfhelp_follow_ups_due(
        SelfHelpGroup.objects.filter(pk=group.pk), today
    ).exists()
    return render(
        request,
        "sessions_log/selfhelp_detail.html",
        {
            "program": program,
            "group": group,
            "volunteers": group.volunteers.all(),
            "next_statuses": services.selfhelp_next_statuses(group),
            "today": today,
            "follow_up_due": due,
            "follow_up_form": SelfHelpFollowUpForm(initial={"checked_on": today}),
        },
    )


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_status(request, program_slug, pk):
    group = _group(request, pk)
    form = SelfHelpStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid status and date."))
    else:
        try:
            services.selfhelp_group_change_status(
                group=group, status=form.cleaned_data["status"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The group's status was changed."))
    return redirect("selfhelp_detail", request.program.slug, group.pk)


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def selfhelp_follow_up(request, program_slug, pk):
    group = _group(request, pk)
    form = SelfHelpFollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Please say whether the group still meets, and when you checked.")
        )
    else:
        try:
            services.selfhelp_group_record_follow_up(
                group=group,
                still_meeting=form.cleaned_data["still_meeting"],
                checked_on=form.cleaned_data["checked_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The 12-month follow-up was recorded."))
    return redirect("selfhelp_detail", request.program.slug, group.pk)
