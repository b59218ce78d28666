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
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def test_it_takes_a_member_of_one_program_straight_to_it(login, program, alice):
    response = login(alice).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("program_home", args=[program.slug])


def test_it_lists_the_programs_of_a_member_of_several(login, program, other_program, alice):
    MembershipFactory(user=alice, program=other_program, role=Membership.Role.FUNDER)
    response = login(alice).get(reverse("home"))
    assert response.status_code == 200
    assert "in2balance" in response.text and "Livet går videre" in response.text


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


def test_navigation_offers_coordinator_pages_only_to_coordinators(login, program, alice, bob):
    volunteers_url = reverse("volunteer_list", args=[program.slug])
    assert volunteers_url in login(alice).get(reverse("program_home", args=[program.slug])).text
    assert volunteers_url not in login(bob).get(reverse("program_home", args=[program.slug])).text
