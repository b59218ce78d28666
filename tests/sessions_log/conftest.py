"""The cast of sessions_log: bob volunteers at a shelter, sara supervises, dan is another
volunteer of the same program whose sessions bob must never see."""

import pytest
from django.utils import timezone

from programs.models import Language, Membership

from ..factories import MembershipFactory, SiteFactory, UserFactory, VolunteerFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def shelter(program):
    return SiteFactory(program=program, name="Shelter Nord")


@pytest.fixture
def other_site(program):
    return SiteFactory(program=program, name="Flat Süd", kind="private_flat")


@pytest.fixture
def volunteer(program, bob, shelter):
    v = VolunteerFactory(program=program, user=bob, name="Bob Berger")
    v.usual_sites.add(shelter)
    v.languages.add(Language.objects.get(code="ar"))
    return v


@pytest.fixture
def dan(program):
    user = UserFactory(username="dan@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    return user


@pytest.fixture
def dan_volunteer(program, dan):
    return VolunteerFactory(program=program, user=dan, name="Dan Dahl")


@pytest.fixture
def sara(program):
    user = UserFactory(username="sara@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.SUPERVISOR)
    return user
