"""Which funder reports a member may see and work on, built on the role table.

A role with ``MANAGE_REPORTS`` (coordinators) drafts, generates and publishes reports and sees
every one; a role that only downloads reports (funders) sees the published ones.
"""

from django.db.models import QuerySet

from programs.access import Perm, has_perm
from programs.models import Membership, Program

from .models import Report


def can_manage_reports(membership: Membership | None) -> bool:
    """Whether a member drafts, generates and publishes the program's reports."""
    return has_perm(membership, Perm.MANAGE_REPORTS)


def visible_reports(program: Program, membership: Membership | None) -> QuerySet:
    """The reports a member may see: all for coordinators, the published ones otherwise."""
    if can_manage_reports(membership):
        return program.reports.all()
    return program.reports.filter(status=Report.Status.PUBLISHED)
