"""Who may follow, make and move which referral: the predicates of referrals/policies.py.

bob volunteers and met ``met``; dana volunteers too and met the same person; ``stranger`` is
someone neither met.
"""

import datetime as dt

import pytest
from django.utils import timezone

from programs.models import Membership
from referrals import policies
from referrals.models import Referral

from ..factories import (
    ActivityFactory,
    MembershipFactory,
    ParticipantFactory,
    ReferralFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
S = Referral.Status


def _member(program, role, username):
    user = UserFactory(username=username)
    return MembershipFactory(user=user, program=program, role=role)


@pytest.fixture
def bobs(program, bob, volunteer):
    """bob's membership; ``volunteer`` gives him his volunteer record."""
    return program.memberships.get(user=bob)


@pytest.fixture
def alices(program, alice):
    return program.memberships.get(user=alice)


@pytest.fixture
def dana(program, met):
    """A second volunteer who met the same person as bob, in a session of her own."""
    membership = _member(program, Role.VOLUNTEER, "dana@example.org")
    volunteer = VolunteerFactory(program=program, user=membership.user)
    activity = ActivityFactory(
        program=program, attendees_total=1, attendees_women=1, attendees_men=0
    )
    activity.facilitators.add(volunteer)
    activity.participants.add(met)
    return membership


def test_a_volunteer_follows_their_own_proposal(program, bobs, met):
    own = ReferralFactory(program=program, participant=met, created_by=bobs.user)
    assert policies.can_follow_referral(bobs, own)
    assert list(policies.visible_referrals(program, bobs)) == [own]


def test_a_volunteer_does_not_follow_a_referral_another_volunteer_made_for_someone_they_both_met(
    program, bobs, dana, met
):
    danas = ReferralFactory(program=program, participant=met, created_by=dana.user)
    assert policies.can_follow_referral(dana, danas)
    assert not policies.can_follow_referral(bobs, danas)
    assert not policies.visible_referrals(program, bobs).exists()


def test_a_volunteer_does_not_follow_a_referral_a_coordinator_made_for_someone_they_met(
    program, bobs, alices, met
):
    coordinators = ReferralFactory(program=program, participant=met, created_by=alices.user)
    inbound = ReferralFactory(
        program=program, participant=met, direction=Referral.Direction.INBOUND, created_by=None
    )
    assert policies.can_follow_referral(alices, coordinators)
    assert policies.can_follow_referral(alices, inbound)
    assert not policies.can_follow_referral(bobs, coordinators)
    assert not policies.can_follow_referral(bobs, inbound)


def test_a_volunteer_takes_no_step_of_another_volunteers_referral_even_where_volunteers_send(
    program, bobs, dana, met
):
    program.volunteers_may_send_referrals = True
    program.save()
    sent = dict(status=S.SENT, consent_to_share=True, consent_on=dt.date(2024, 3, 1))
    own = ReferralFactory(program=program, participant=met, created_by=bobs.user, **sent)
    danas = ReferralFactory(program=program, participant=met, created_by=dana.user, **sent)
    assert policies.can_take_step(bobs, own, S.ACCEPTED)
    for step in (S.ACCEPTED, S.DECLINED, S.CLOSED):
        assert not policies.can_take_step(bobs, danas, step), step


def test_only_coordinators_read_outcomes_and_notes(program, alices, bobs):
    assert policies.sees_referral_notes(alices)
    assert not policies.sees_referral_notes(bobs)
    for role in (Role.SUPERVISOR, Role.FUNDER):
        assert not policies.sees_referral_notes(_member(program, role, f"{role}@example.org"))
    assert not policies.sees_referral_notes(None)


def test_a_volunteer_does_not_follow_the_referral_of_someone_they_never_met(
    program, bobs, stranger
):
    referral = ReferralFactory(program=program, participant=stranger)
    assert not policies.can_follow_referral(bobs, referral)
    assert not policies.visible_referrals(program, bobs).exists()


def test_a_coordinator_follows_every_referral_of_their_program_and_no_other(
    program, alices, stranger, other_program
):
    referral = ReferralFactory(program=program, participant=stranger)
    elsewhere = ReferralFactory(program=other_program)
    assert policies.can_follow_referral(alices, referral)
    assert not policies.can_follow_referral(alices, elsewhere)


def test_supervisors_funders_and_non_members_follow_no_referral(program, met, bobs):
    referral = ReferralFactory(program=program, participant=met, created_by=bobs.user)
    for role in (Role.SUPERVISOR, Role.FUNDER):
        membership = _member(program, role, f"{role}@example.org")
        assert not policies.can_follow_referral(membership, referral), role
        assert not policies.visible_referrals(program, membership).exists(), role
    assert not policies.can_follow_referral(None, referral)


def test_a_volunteer_refers_only_people_they_met_and_a_coordinator_anyone(
    program, bobs, alices, met, stranger
):
    assert policies.can_refer(bobs, met)
    assert not policies.can_refer(bobs, stranger)
    assert policies.can_refer(alices, stranger)
    assert not policies.can_refer(None, met)


def test_nobody_refers_an_erased_participant(program, alices):
    erased = ParticipantFactory(program=program, erased_at=timezone.now())
    assert not policies.can_refer(alices, erased)


def test_a_volunteer_sends_only_where_the_program_allows_it(program, bobs, alices):
    assert not policies.can_send_referrals(program, bobs)
    assert policies.can_send_referrals(program, alices)
    program.volunteers_may_send_referrals = True
    assert policies.can_send_referrals(program, bobs)


def test_a_volunteer_withdraws_their_own_proposal_and_nobody_elses(program, bobs, dana, met):
    own = ReferralFactory(program=program, participant=met, created_by=bobs.user)
    danas = ReferralFactory(program=program, participant=met, created_by=dana.user)
    assert policies.can_take_step(bobs, own, S.CLOSED)
    assert not policies.can_take_step(bobs, own, S.SENT)
    assert not policies.can_take_step(bobs, danas, S.CLOSED)


def test_a_volunteer_takes_no_step_of_an_inbound_referral(program, bobs, met):
    program.volunteers_may_send_referrals = True
    program.save()
    inbound = ReferralFactory(
        program=program,
        participant=met,
        direction=Referral.Direction.INBOUND,
        status=S.SENT,
        sent_on=dt.date(2024, 3, 1),
        created_by=bobs.user,
    )
    assert not policies.can_take_step(bobs, inbound, S.ACCEPTED)


def test_the_follow_up_digest_goes_to_coordinators_only(program, alices, bobs):
    _member(program, Role.SUPERVISOR, "sam@example.org")
    _member(program, Role.FUNDER, "fay@example.org")
    assert policies.follow_up_recipients(program) == [alices.user.email]
