from django.shortcuts import render
from django.utils import timezone

from programs.access import Perm, program_view
from programs.models import Membership

from . import selectors
from .models import Report


@program_view(Perm.VIEW_HOME)
def program_home(request, program_slug):
    """Each role's start page in a program."""
    program, role = request.program, request.membership.role
    context = {"program": program}
    if role == Membership.Role.COORDINATOR:
        context["figures"] = selectors.month_figures(program, timezone.localdate())
    if role in (Membership.Role.COORDINATOR, Membership.Role.SUPERVISOR):
        context["concerns"] = selectors.open_concerns(program)
    if role == Membership.Role.VOLUNTEER:
        context["my_activities"] = selectors.recent_activities_of(program, request.user)
    if role in (Membership.Role.COORDINATOR, Membership.Role.FUNDER):
        context["reports"] = program.reports.filter(status=Report.Status.PUBLISHED)
    return render(request, f"reports/home_{role}.html", context)
