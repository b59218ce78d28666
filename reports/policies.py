"""Which funder reports a member may see and work on, built on the role table.

A role with ``MANAGE_REPORTS`` (coordinators) drafts, generates and publishes reports and sees
every one; a role that only downloads reports (funders) sees the published ones.
"""

from django.db.models import QuerySet

from programs.access import Perm, has_perm, users_with
from programs.models import Membership, Program, SecurityEvent

from .models import Report


def can_manage_reports(membership: Membership | None) -> bool:
    """Whether a member drafts, generates and publishes the program's reports."""
    return has_perm(membership, Perm.MANAGE_REPORTS)


def visible_reports(program: Program, membership: Membership | None) -> QuerySet:
    """The reports a member may see: all for coordinators, the published ones otherwise."""
    if can_manage_reports(membership):
        return program.reports.all()
    return program.reports.filter(status=Report.Status.PUBLISHED)


def downloaded_by_funder(report: Report) -> bool:
    """Whether someone who only downloads reports (a funder) has downloaded this published
    report, as the security log records every download."""
    funders = users_with(report.program, Perm.DOWNLOAD_REPORTS).exclude(
        pk__in=users_with(report.program, Perm.MANAGE_REPORTS).values("pk")
    )
    return SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.EXPORT,
        program=report.program,
        user__in=funders,
        detail__what="report",
        detail__filters__report=report.pk,
        detail__filters__status=Report.Status.PUBLISHED,
    ).exists()


def can_unpublish(membership: Membership | None, report: Report) -> bool:
    """A published report can be taken back while no funder has downloaded it; afterwards
    the funder holds it, and a change is a new version."""
    return (
        can_manage_reports(membership)
        and report.status == Report.Status.PUBLISHED
        and not report.next_versions.exists()
        and not downloaded_by_funder(report)
    )
