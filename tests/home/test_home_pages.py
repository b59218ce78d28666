"""Each role's start page in a program."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership

from ..factories import (
    ActivityFactory,
    ConcernFactory,
    MembershipFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
    VolunteerFactory,
)

Role = Membership.Role

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


# What each role's start page is made of (the names in its template context).
HOME_PAGE_PARTS = {
    Role.COORDINATOR: {"dashboard", "concerns", "reports"},
    Role.SUPERVISOR: {"overdue_supervision", "unacknowledged_concerns", "concerns"},
    Role.VOLUNTEER: {"my_activities"},
    Role.FUNDER: {"reports"},
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_its_own_page_with_its_parts_and_no_others(login, program, role):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    response = login(user).get(reverse("program_home", args=[program.slug]))
    parts = set().union(*HOME_PAGE_PARTS.values())
    assert {part for part in parts if part in response.context} == HOME_PAGE_PARTS[role]
    assert response.templates[0].name == f"home/{role}.html"
