"""Who may open and change which session, and whom a member sees: sessions_log.policies."""

import datetime as dt

import pytest

from programs.models import Membership
from sessions_log import policies

from ..factories import ActivityFactory, ParticipantFactory
from .utils import one_to_one

pytestmark = pytest.mark.django_db


def membership_of(program, user):
    return Membership.objects.select_related("program").get(program=program, user=user)


def session_of(volunteer, **fields):
    activity = ActivityFactory(program=volunteer.program, **fields)
    activity.facilitators.add(volunteer)
    return activity


def test_a_volunteer_changes_their_own_session_only_within_the_window(program, volunteer, today):
    member = membership_of(program, volunteer.user)
    days = program.volunteer_edit_days
    last_day = session_of(volunteer, date=today - dt.timedelta(days=days))
    too_old = session_of(volunteer, date=today - dt.timedelta(days=days + 1))
    assert policies.can_edit_activity(member, last_day, today)
    assert policies.may_open_activity(member, too_old)
    assert not policies.can_edit_activity(member, too_old, today)


def test_a_volunteer_neither_opens_nor_changes_another_volunteers_session(
    program, volunteer, dan_volunteer, today
):
    member = membership_of(program, volunteer.user)
    theirs = session_of(dan_volunteer, date=today)
    assert not policies.may_open_activity(member, theirs)
    assert not policies.can_edit_activity(member, theirs, today)
    assert theirs not in policies.openable_activities(member)


def test_a_coordinator_changes_any_session_at_any_time(program, alice, volunteer, today):
    member = membership_of(program, alice)
    old = session_of(volunteer, date=today - dt.timedelta(days=400))
    assert policies.can_edit_activity(member, old, today)
    assert policies.edits_any_time(member)


def test_a_supervisor_reads_sessions_but_changes_none(program, sara, volunteer, today):
    member = membership_of(program, sara)
    assert not policies.can_edit_activity(member, session_of(volunteer, date=today), today)


def test_the_notes_are_for_coordinators_and_the_volunteer_who_logged(
    program, alice, volunteer, dan_volunteer, dan, today
):
    activity = session_of(dan_volunteer, date=today, logged_by=dan)
    activity.facilitators.add(volunteer)
    assert policies.sees_activity_notes(membership_of(program, dan), activity)
    assert policies.sees_activity_notes(membership_of(program, alice), activity)
    assert not policies.sees_activity_notes(membership_of(program, volunteer.user), activity)


def test_a_volunteer_sees_the_people_they_met_and_a_supervisor_everyone(
    program, sara, volunteer, today
):
    met = ParticipantFactory(program=program)
    stranger = ParticipantFactory(program=program)
    one_to_one(program, volunteer, met, date=today)
    mine = policies.visible_participants(membership_of(program, volunteer.user), volunteer)
    assert list(mine) == [met]
    everyone = policies.visible_participants(membership_of(program, sara), None)
    assert set(everyone) == {met, stranger}
