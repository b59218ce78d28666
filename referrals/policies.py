"""Which referrals a member may see and act on, and whom they may refer.

Built on the role table of :mod:`programs.access`: a role with ``MANAGE_REFERRALS``
(coordinators) sees and manages every referral of the program, with its outcome and the notes
of its steps; a role with ``PROPOSE_REFERRAL`` (volunteers) refers the people they met and
follows only the referrals they proposed themselves, by their status and dates. Other roles
see no referral. Views, forms, selectors, services and the participant page ask these
predicates rather than the role table.
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


def follows_referrals(membership: Membership | None) -> bool:
    """Whether the member follows referrals at all: coordinators every one, volunteers their
    own proposals. Supervisors and funders follow none."""
    return can_manage_referrals(membership) or has_perm(membership, Perm.PROPOSE_REFERRAL)


def sees_every_referral(membership: Membership | None) -> bool:
    """Whether the member follows every referral of the program (coordinators), rather than
    only their own proposals (volunteers) or none."""
    return can_manage_referrals(membership)


def sees_referral_notes(membership: Membership | None) -> bool:
    """Whether the member reads (and writes) a referral's outcome and reads the notes of its
    steps: coordinators. A volunteer follows their proposals by status and dates only."""
    return can_manage_referrals(membership)


def _own_proposals(referrals: QuerySet, membership: Membership) -> QuerySet:
    return referrals.filter(direction=Referral.Direction.OUTBOUND, created_by=membership.user_id)


def _is_own_proposal(membership: Membership, referral: Referral) -> bool:
    return (
        referral.program_id == membership.program_id
        and referral.direction == Referral.Direction.OUTBOUND
        and referral.created_by_id is not None
        and referral.created_by_id == membership.user_id
    )


def visible_referrals(program: Program, membership: Membership | None) -> QuerySet:
    """The referrals of the program a member may open and follow.

    Coordinators see every one. A volunteer sees the outbound referrals they proposed
    themselves, never one another member made, even for a person both of them met; other
    roles (supervisors, funders) see none.
    """
    referrals = Referral.objects.filter(program=program)
    if sees_every_referral(membership):
        return referrals
    if has_perm(membership, Perm.PROPOSE_REFERRAL):
        return _own_proposals(referrals, membership)
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

    Coordinators take every step. A volunteer moves only a referral they proposed themselves:
    every step of it where the program lets volunteers send referrals, otherwise only the
    withdrawal of the proposal.
    """
    if can_manage_referrals(membership):
        return True
    if not has_perm(membership, Perm.PROPOSE_REFERRAL):
        return False
    if not _is_own_proposal(membership, referral):
        return False
    if referral.program.volunteers_may_send_referrals:
        return True
    return to_status == Status.CLOSED and referral.status == Status.PROPOSED


def follow_up_recipients(program: Program) -> list[str]:
    """The addresses that receive the daily digest of referrals to follow up: those of the
    members who may open the follow-up list (coordinators)."""
    return member_emails(program, Perm.MANAGE_REFERRALS)
