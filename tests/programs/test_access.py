"""Scoping: non-members get 404, roles without the right get 403, following access.py's table."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.urls import program_urlpatterns
from programs.access import ROLE_PERMISSIONS, view_permission
from programs.models import Membership

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


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


def _scoped_views():
    """Every view under /p/<program_slug>/ with no other URL arguments."""
    for pattern in program_urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        if isinstance(pattern, URLPattern) and not pattern.pattern.converters:
            yield pattern.name, pattern.callback


SCOPED = list(_scoped_views())


def test_every_scoped_view_declares_a_permission():
    resolver = get_resolver()
    for name, callback in SCOPED:
        assert view_permission(callback), f"{name} is not behind programs.access"
        assert resolver.reverse_dict.get(name) is not None


@pytest.mark.parametrize("role", Membership.Role.values)
@pytest.mark.parametrize(("name", "callback"), SCOPED, ids=[n for n, _ in SCOPED])
def test_each_role_gets_what_the_role_table_says(client, program, role, name, callback):
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    client.force_login(user)
    response = client.get(reverse(name, args=[program.slug]))
    expected = 200 if view_permission(callback) in ROLE_PERMISSIONS[role] else 403
    assert response.status_code == expected
