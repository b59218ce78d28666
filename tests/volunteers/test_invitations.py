"""Invitations: a coordinator invites a volunteer by e-mail; the link sets a password, once."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from programs.models import Membership
from volunteers import invitation_links, services

from ..factories import PASSWORD, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-lantern-quiet-meadow"


@pytest.fixture
def samira(program):
    return VolunteerFactory(program=program, name="Samira Haddad", email="samira@example.org")


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    def _invite(client, program, volunteer, email="samira@example.org"):
        url = reverse("volunteer_invite", args=[program.slug, volunteer.pk])
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"email": email})

    return _invite


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_volunteer_page_offers_an_invitation(login, program, alice, samira):
    page = login(alice).get(reverse("volunteer_detail", args=[program.slug, samira.pk]))
    assert reverse("volunteer_invite", args=[program.slug, samira.pk]) in page.text
    assert 'value="samira@example.org"' in page.text


def test_an_invited_volunteer_sets_a_password_and_joins(
    client, login, invite, program, alice, samira
):
    response = invite(login(alice), program, samira)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["samira@example.org"]
    assert re.search(r"\b7\b", message.body)  # days the link works, in the program's language
    url = path_of(link_in(message))
    client.post(reverse("logout"))

    page = client.get(url)
    assert page.status_code == 200
    assert "samira@example.org" in page.text
    weak = client.post(url, {"new_password1": "12345", "new_password2": "12345"})
    assert weak.status_code == 200  # the password rules apply
    done = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("program_home", args=[program.slug])

    user = get_user_model().objects.get(username="samira@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user, program=program).role == "volunteer"
    samira.refresh_from_db()
    assert samira.user == user
    assert client.get(done.url).status_code == 200  # signed in


def test_a_used_link_says_so(client, login, invite, program, alice, samira):
    invite(login(alice), program, samira)
    url = path_of(link_in(mail.outbox[0]))
    client.post(reverse("logout"))
    client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.post(reverse("logout"))
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_an_expired_link_says_so(client, program, alice, samira, settings):
    invitation = services.invitation_send(volunteer=samira, email=samira.email, by=alice)
    token = invitation_links.invitation_token(invitation)
    settings.LOTSE_INVITATION_DAYS = 0  # so the link is out of date a second later
    time.sleep(1.1)
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.text


def test_a_damaged_link_says_so(client):
    response = client.get(reverse("invitation_accept", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid" in response.text


def test_someone_with_an_account_logs_in_to_accept(client, program, alice, samira):
    existing = UserFactory(username="samira@example.org")
    invitation = services.invitation_send(volunteer=samira, email=samira.email, by=alice)
    url = reverse("invitation_accept", args=[invitation_links.invitation_token(invitation)])
    page = client.get(url)
    assert reverse("login") in page.text
    client.force_login(existing)
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=existing, program=program, role="volunteer").exists()


def test_only_coordinators_invite(login, invite, program, bob, samira):
    assert invite(login(bob), program, samira).status_code == 403
    assert not mail.outbox


def test_a_volunteer_who_can_log_in_is_not_invited(login, invite, program, alice, bob):
    volunteer = VolunteerFactory(program=program, user=bob)
    invite(login(alice), program, volunteer, email="bob@example.org")
    assert not mail.outbox
    assert PASSWORD
