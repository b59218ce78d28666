from django.shortcuts import render
from django.utils import timezone

from programs.access import Perm, program_view
from programs.models import Membership

from . import selectors
from .models import Report

Role = Membership.Role


@program_view(Perm.VIEW_HOME)
def program_home(request, program_slug):
    """Each role's start page in a program."""
    program, role = request.program, request.membership.role
    today = timezone.localdate()
    context = {"program": program}
    if role == Role.COORDINATOR:
        context["dashboard"] = selectors.dashboard(program, today)
    if role == Role.SUPERVISOR:
        context["overdue_supervision"] = selectors.overdue_supervision_count(program, today)
        context["unacknowledged_concerns"] = selectors.unacknowledged_concerns_count(program)
    if role in (Role.COORDINATOR, Role.SUPERVISOR):
        context["concerns"] = selectors.open_concerns(program)
    if role == Role.VOLUNTEER:
        context["my_activities"] = selectors.recent_activities_of(program, request.user)
    if role in (Role.COORDINATOR, Role.FUNDER):
        context["reports"] = program.reports.filter(status=Report.Status.PUBLISHED).select_related(
            "grant__funder"
        )
    return render(request, f"reports/home_{role}.html", context)
