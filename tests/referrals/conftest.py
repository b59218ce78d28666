"""Referral fixtures: bob volunteers and met one participant; a second person he never met."""

import datetime as dt

import pytest

from programs.models import ActivityKind
from referrals.models import Category, Referral

from ..factories import (
    ActivityFactory,
    ParticipantFactory,
    ReferralFactory,
    ServiceProviderFactory,
    VolunteerFactory,
)


@pytest.fixture
def volunteer(program, bob):
    return VolunteerFactory(program=program, user=bob, name="Bob Berger")


@pytest.fixture
def met(program, volunteer):
    """A participant bob talked to in a one-to-one he facilitated."""
    participant = ParticipantFactory(program=program, code="P-MET22", alias="Samira")
    activity = ActivityFactory(
        program=program,
        kind=ActivityKind.ONE_TO_ONE,
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    activity.facilitators.add(volunteer)
    activity.participants.add(participant)
    return participant


@pytest.fixture
def stranger(program):
    """A participant of the program bob never met."""
    return ParticipantFactory(program=program, code="P-STR99", alias="Yusuf")


@pytest.fixture
def provider(program):
    return ServiceProviderFactory(
        program=program, name="PSZ Düsseldorf", category=Category.PSYCHOSOCIAL_CENTRE
    )


def make_referral(program, status=Referral.Status.PROPOSED, **kwargs):
    """A referral already in ``status``, with the dates and consent that status needs."""
    referred_on = kwargs.pop("referred_on", dt.date(2024, 3, 1))
    values = {"referred_on": referred_on, "status": status}
    if status != Referral.Status.PROPOSED:
        values.update(consent_to_share=True, consent_on=referred_on, sent_on=referred_on)
    if status in (
        Referral.Status.APPOINTMENT,
        Referral.Status.ATTENDED,
        Referral.Status.NO_SHOW,
    ):
        values["appointment_on"] = referred_on + dt.timedelta(days=10)
    if status == Referral.Status.CLOSED:
        values["closed_on"] = referred_on + dt.timedelta(days=20)
    values.update(kwargs)
    return ReferralFactory(program=program, **values)
