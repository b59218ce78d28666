from django.shortcuts import render
from django.utils import timezone

from programs.access import (
    OrganisationPerm,
    Perm,
    has_organisation_perm,
    has_perm,
    organisation_view,
    program_view,
    request_memberships,
)
from sessions_log.selectors import concerns_raised_by

from . import selectors
from .organisation import organisation_dashboard


@program_view(Perm.VIEW_HOME)
def program_home(request, program_slug):
    """Each role's start page in a program; what it shows follows the member's permissions.

    Those who manage the program get the dashboard, which holds the supervision and concern
    counts; those who manage supervision without it get these counts alone.
    """
    program, membership = request.program, request.membership
    today = timezone.localdate()
    context = {"program": program}
    if has_perm(membership, Perm.MANAGE_PROGRAM):
        recount = request.GET.get("recount") == "1"
        context["dashboard"] = selectors.dashboard(program, today, recount=recount)
    elif has_perm(membership, Perm.MANAGE_SUPERVISION):
        context["overdue_supervision"] = selectors.overdue_supervision_count(program, today)
        context["unacknowledged_concerns"] = selectors.unacknowledged_concerns_count(program)
    if has_perm(membership, Perm.VIEW_CONCERNS):
        context["concerns"] = selectors.open_concerns(program)
    if has_perm(membership, Perm.VIEW_OWN_WORK):
        context["my_activities"] = selectors.recent_activities_of(program, request.user)
        # The volunteer sees whether the concerns they raised were acknowledged.
        context["my_concerns"] = list(concerns_raised_by(program, request.user)[:5])
    if has_perm(membership, Perm.DOWNLOAD_REPORTS):
        context["reports"] = selectors.published_reports(program)
    return render(request, f"home/{membership.role}.html", context)


@organisation_view(OrganisationPerm.VIEW_ORGANISATION)
def organisation_home(request, organisation_slug):
    """The organisation coordinator's dashboard across the programs the organisation leads."""
    member_of = {m.program_id for m in request_memberships(request)}
    context = {
        "organisation": request.organisation,
        "dashboard": organisation_dashboard(
            request.organisation, timezone.localdate(), member_of=member_of
        ),
        "may_build_reports": has_organisation_perm(
            request.organisation_membership, OrganisationPerm.BUILD_ORGANISATION_REPORTS
        ),
    }
    return render(request, "organisations/home.html", context)
