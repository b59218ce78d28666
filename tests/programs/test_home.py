import pytest
from django.urls import reverse

from programs.models import Membership

from ..factories import MembershipFactory

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


def test_navigation_offers_coordinator_pages_only_to_coordinators(login, program, alice, bob):
    volunteers_url = reverse("volunteer_list", args=[program.slug])
    assert volunteers_url in login(alice).get(reverse("program_home", args=[program.slug])).text
    assert volunteers_url not in login(bob).get(reverse("program_home", args=[program.slug])).text
