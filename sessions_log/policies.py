"""Which sessions, participants and matches a member of a program may see and change.

``programs.access`` holds the role table and keeps non-members out; these predicates say what
a role's permissions mean for one record. Each takes the member's ``Membership`` and asks the
role table through ``has_perm``: coordinators change any session at any time and see every
participant; supervisors read; a volunteer sees their own sessions and the people they met.
"""

from datetime import date

from django.db.models import QuerySet

from programs.access import Perm, has_perm
from programs.models import Membership, Participant
from volunteers.models import Volunteer

from . import selectors
from .models import Activity


def coordinates(membership: Membership | None) -> bool:
    """Coordinators log for anyone, pick from every participant when logging, and change any
    session at any time; a volunteer logs as a facilitator, within the edit window."""
    return has_perm(membership, Perm.MANAGE_PROGRAM)


def edits_any_time(membership: Membership | None) -> bool:
    """Whether the member may change a session after its edit window has closed."""
    return coordinates(membership)


def may_log(membership: Membership | None) -> bool:
    """Whether the member logs sessions and records questionnaires."""
    return has_perm(membership, Perm.LOG_ACTIVITY)


def may_propose_referral(membership: Membership | None) -> bool:
    return has_perm(membership, Perm.PROPOSE_REFERRAL)


def may_acknowledge_concerns(membership: Membership | None) -> bool:
    return has_perm(membership, Perm.ACKNOWLEDGE_CONCERNS)


def sees_alias(membership: Membership | None) -> bool:
    """Only coordinators see a participant's alias; everyone else sees the code."""
    return has_perm(membership, Perm.VIEW_PARTICIPANT_ALIAS)


# --- sessions ---------------------------------------------------------------------------


def openable_activities(membership: Membership) -> QuerySet:
    """The sessions the member may open to change: all of the program's for a coordinator, a
    volunteer's own (facilitated or logged) for anyone else."""
    program = membership.program
    if coordinates(membership):
        return program.activities.all()
    return selectors.activities_of_user(program, membership.user_id)


def may_open_activity(membership: Membership, activity: Activity) -> bool:
    """Whether ``activity`` is among the member's ``openable_activities``."""
    if coordinates(membership):
        return activity.program_id == membership.program_id
    return openable_activities(membership).filter(pk=activity.pk).exists()


def within_edit_window(membership: Membership, activity: Activity, today: date) -> bool:
    """Whether the member may still change a session they may open: coordinators at any time,
    anyone else until the session's edit deadline (``Activity.edit_deadline``)."""
    return edits_any_time(membership) or activity.open_to_volunteer_edits(today, membership.program)


def can_edit_activity(membership: Membership, activity: Activity, today: date) -> bool:
    """Whether the member may change ``activity`` today: a coordinator any session of the
    program; a volunteer their own, within the edit window."""
    if not may_log(membership):
        return False
    if not may_open_activity(membership, activity):
        return False
    return within_edit_window(membership, activity, today)


def sees_activity_notes(membership: Membership, activity: Activity) -> bool:
    """Notes are for the coordinators and the volunteer who logged the session, not for
    co-facilitators."""
    return coordinates(membership) or activity.logged_by_id == membership.user_id


# --- participants -----------------------------------------------------------------------


def sees_all_participants(membership: Membership | None) -> bool:
    """Coordinators and supervisors see every participant; a volunteer only the people they
    met."""
    return has_perm(membership, Perm.VIEW_PARTICIPANTS)


def may_open_participants(membership: Membership | None) -> bool:
    """Whether the member opens participants at all: those who see everyone, and volunteers
    (the people they met)."""
    return sees_all_participants(membership) or may_log(membership)


def visible_participants(
    membership: Membership, volunteer: Volunteer | None, extra_ids=()
) -> QuerySet:
    """The participants the member may pick and open (``selectors.visible_participants``):
    everyone for those who see all participants; for a volunteer (``volunteer``, their
    profile), the people they met and those they have just added (``extra_ids``)."""
    return selectors.visible_participants(
        membership.program,
        sees_all=sees_all_participants(membership),
        volunteer=volunteer,
        extra_ids=extra_ids,
    )


def participant_activities(membership: Membership, participant: Participant) -> QuerySet:
    """The sessions of a participant the member sees: all, or a volunteer's own."""
    activities = participant.activities.all()
    if sees_all_participants(membership):
        return activities
    mine = selectors.activities_of_user(membership.program, membership.user_id).values("pk")
    return activities.filter(pk__in=mine)


def participant_matches(
    membership: Membership, participant: Participant, volunteer: Volunteer | None
) -> QuerySet:
    """The matches of a participant the member sees: all, or a volunteer's own."""
    matches = participant.matches.all()
    if sees_all_participants(membership):
        return matches
    return matches.filter(volunteer=volunteer) if volunteer else matches.none()


def outcomes_administered_by(membership: Membership):
    """Whose questionnaires of a participant the member sees: None (everyone's) for those who
    see all participants; a volunteer sees those they took themselves, as with sessions."""
    return None if sees_all_participants(membership) else membership.user_id
