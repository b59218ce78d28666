"""Each role's start page in a program."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ..factories import (
    ActivityFactory,
    ConcernFactory,
    ProgramFactory,
    SiteFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def test_the_coordinator_home_counts_this_months_activities(login, program, alice):
    today = timezone.localdate()
    ActivityFactory.create_batch(3, program=program, date=today, attendees_total=10)
    ActivityFactory(program=program, date=today.replace(day=1) - dt.timedelta(days=1))
    ActivityFactory(program=ProgramFactory(), date=today)
    response = login(alice).get(reverse("program_home", args=[program.slug]))
    dashboard = response.context["dashboard"]
    assert dashboard.activities.this == 3
    assert dashboard.contacts.this == 30


def test_the_coordinator_home_shows_unacknowledged_concerns(login, program, alice):
    ConcernFactory(program=program)
    response = login(alice).get(reverse("program_home", args=[program.slug]))
    assert response.context["dashboard"].unacknowledged_concerns == 1
    assert "Acute mental health crisis" in response.text


def test_a_volunteer_sees_only_their_own_sessions(login, program, bob):
    mine = ActivityFactory(program=program, site=SiteFactory(program=program, name="Shelter A"))
    mine.facilitators.add(VolunteerFactory(program=program, user=bob))
    theirs = ActivityFactory(program=program, site=SiteFactory(program=program, name="Shelter B"))
    theirs.facilitators.add(VolunteerFactory(program=program))
    response = login(bob).get(reverse("program_home", args=[program.slug]))
    assert "Shelter A" in response.text
    assert "Shelter B" not in response.text
