"""Which referrals a member may see and act on, and whom they may refer.

Built on the role table of :mod:`programs.access`: a role with ``MANAGE_REFERRALS``
(coordinators) sees and manages every referral of the program; a role with ``PROPOSE_REFERRAL``
(volunteers) refers the people they met and follows the referrals of those people. Views,
forms, selectors and services ask these predicates rather than the role table.
"""

from django.db.models import QuerySet

from programs.access import Perm, has_perm, member_emails
from programs.models import Membership, Participant, Program
from sessions_log import selectors as sessions_selectors

from .models import Referral

Status = Referral.Status


def can_manage_referrals(membership: Membership | None) -> bool:
    """Every referral of the program, their details, inbound referrals and the directory."""
    return has_perm(membership, Perm.MANAGE_REFERRALS)


def _participants_met(program: Program, membership: Membership) -> QuerySet:
    volunteer = sessions_selectors.volunteer_of(program, membership.user)
    return sessions_selectors.participants_met_by(program, volunteer)


def visible_referrals(program: Program, membership: Membership | None) -> QuerySet:
    """The referrals of the program a member may open and follow.

    Coordinators see every one. A volunteer sees the referrals of the people they met, whoever
    made them and in either direction; other roles see none.
    """
    referrals = Referral.objects.filter(program=program)
    if can_manage_referrals(membership):
        return referrals
    if has_perm(membership, Perm.PROPOSE_REFERRAL):
        met = _participants_met(program, membership)
        return referrals.filter(participant__in=met.values("pk"))
    return referrals.none()


def can_follow_referral(membership: Membership | None, referral: Referral) -> bool:
    """Whether a member may open the referral and follow its progress."""
    if membership is None or membership.program_id != referral.program_id:
        return False
    return visible_referrals(referral.program, membership).filter(pk=referral.pk).exists()


def referable_participants(program: Program, membership: Membership | None) -> QuerySet:
    """The participants a member may refer: all (coordinators) or those they met (volunteers).

    Erased participants are nobody's to refer.
    """
    if can_manage_referrals(membership):
        return program.participants.filter(erased_at__isnull=True)
    if has_perm(membership, Perm.PROPOSE_REFERRAL):
        return _participants_met(program, membership)
    return Participant.objects.none()


def can_refer(membership: Membership | None, participant: Participant) -> bool:
    """Whether a member may make a referral for the participant."""
    if membership is None:
        return False
    return referable_participants(membership.program, membership).filter(pk=participant.pk).exists()


def referral_activities(program: Program, membership: Membership) -> QuerySet:
    """The sessions whose participants a member is offered to refer: any session of the program
    for coordinators, a volunteer's own sessions (facilitated or logged) otherwise."""
    if can_manage_referrals(membership):
        return program.activities.all()
    return sessions_selectors.activities_of_user(program, membership.user)


def can_send_referrals(program: Program, membership: Membership | None) -> bool:
    """Coordinators send referrals; volunteers too if the program allows it."""
    if can_manage_referrals(membership):
        return True
    return has_perm(membership, Perm.PROPOSE_REFERRAL) and program.volunteers_may_send_referrals


def can_take_step(membership: Membership | None, referral: Referral, to_status: str) -> bool:
    """Whether a member may move the referral to ``to_status``, a step its workflow allows.

    Coordinators take every step. Where the program lets volunteers send referrals, a volunteer
    takes every step of an outbound referral; otherwise a volunteer may only withdraw a
    proposal they made. Whether they may see the referral at all is :func:`can_follow_referral`.
    """
    if can_manage_referrals(membership):
        return True
    if not has_perm(membership, Perm.PROPOSE_REFERRAL):
        return False
    if referral.direction != Referral.Direction.OUTBOUND:
        return False
    if referral.program.volunteers_may_send_referrals:
        return True
    return (
        to_status == Status.CLOSED
        and referral.status == Status.PROPOSED
        and referral.created_by_id == membership.user_id
    )


def follow_up_recipients(program: Program) -> list[str]:
    """The addresses that receive the daily digest of referrals to follow up: those of the
    members who may open the follow-up list (coordinators)."""
    return member_emails(program, Perm.MANAGE_REFERRALS)
