"""Who may see which volunteer records and whose accounts fill which part, on the role table.

Built on :mod:`programs.access`: a role with ``MANAGE_PROGRAM`` (coordinators) opens every
volunteer's record; a role with ``VIEW_OWN_WORK`` (volunteers) sees only what is their own.
"""

from django.db.models import QuerySet

from programs.access import Perm, has_perm, users_with
from programs.models import Membership, Program

from .models import Enrollment


def can_open_volunteers(membership: Membership | None) -> bool:
    """Whether a member may open the volunteers' records (coordinators)."""
    return has_perm(membership, Perm.MANAGE_PROGRAM)


def can_ask_for_certificates(membership: Membership | None) -> bool:
    """Whether a member's role has training certificates at all: coordinators (any) and
    volunteers (their own). Supervisors and funders are refused by role, before any record is
    looked up."""
    return has_perm(membership, Perm.MANAGE_PROGRAM) or has_perm(membership, Perm.VIEW_OWN_WORK)


def can_see_certificate(membership: Membership | None, enrollment: Enrollment) -> bool:
    """A training certificate is for coordinators and for the volunteer it belongs to."""
    if can_open_volunteers(membership):
        return True
    return (
        has_perm(membership, Perm.VIEW_OWN_WORK)
        and enrollment.volunteer.user_id is not None
        and enrollment.volunteer.user_id == membership.user_id
    )


def records_own_supervision(membership: Membership | None) -> bool:
    """Whether the member leads the supervision they record (supervisors), so that the form
    names them as its supervisor; coordinators record for others."""
    return has_perm(membership, Perm.MANAGE_SUPERVISION) and not has_perm(
        membership, Perm.MANAGE_PROGRAM
    )


def supervision_leaders(program: Program) -> QuerySet:
    """Users who may lead supervision: members whose role manages it (supervisors and
    coordinators)."""
    return users_with(program, Perm.MANAGE_SUPERVISION).order_by(
        "first_name", "last_name", "username"
    )


def volunteer_accounts(program: Program) -> QuerySet:
    """The logins a volunteer record may be linked to: members whose role logs and sees its
    own work (volunteers)."""
    return users_with(program, Perm.VIEW_OWN_WORK)
