"""Scoping: non-members get 404, roles without the right get 403, following access.py's table.

tests/test_permission_matrix.py walks every URL × every role against the table.
"""

import pytest
from django.urls import reverse

from programs.access import Perm, roles_with, users_with
from programs.models import Membership

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def test_it_sends_anonymous_visitors_to_the_login_page(client, program):
    response = client.get(reverse("program_home", args=[program.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_answers_404_to_a_non_member(login, program, charlie):
    response = login(charlie).get(reverse("program_home", args=[program.slug]))
    assert response.status_code == 404


def test_it_answers_404_for_a_program_that_does_not_exist(login, alice):
    response = login(alice).get(reverse("program_home", args=["no-such-program"]))
    assert response.status_code == 404


def test_it_answers_403_to_a_volunteer_on_a_coordinator_page(login, program, bob):
    response = login(bob).get(reverse("volunteer_list", args=[program.slug]))
    assert response.status_code == 403


def test_the_coordinator_sees_the_volunteer_list(login, program, alice):
    response = login(alice).get(reverse("volunteer_list", args=[program.slug]))
    assert response.status_code == 200


def test_staff_who_are_not_members_get_404(login, program):
    staff = UserFactory(username="staff@example.org", is_staff=True, is_superuser=True)
    response = login(staff).get(reverse("program_home", args=[program.slug]))
    assert response.status_code == 404


def test_it_names_the_roles_that_hold_a_right_as_the_role_table_says():
    assert roles_with(Perm.VIEW_PARTICIPANTS) == [Role.COORDINATOR, Role.SUPERVISOR]
    assert roles_with(Perm.VIEW_OWN_WORK) == [Role.VOLUNTEER]
    assert roles_with(Perm.DOWNLOAD_REPORTS) == [Role.COORDINATOR, Role.FUNDER]


def test_it_finds_the_users_that_hold_a_right_in_one_program_only(program, alice, bob, charlie):
    assert list(users_with(program, Perm.MANAGE_PROGRAM)) == [alice]
    assert list(users_with(program, Perm.VIEW_OWN_WORK)) == [bob]
