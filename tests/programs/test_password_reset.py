"""Password reset: the page does the same for every address (the worker decides whether an
e-mail goes out), and few e-mails go to one account or on one client address's requests."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs import tasks
from programs.models import SecurityEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-lantern-quiet-meadow"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for a reset link, and let the worker do its part."""

    def _ask(email, ip="198.51.100.7", **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip, **headers
            )

    return _ask


def test_known_and_unknown_addresses_get_the_same_answer_from_the_same_work(
    client, alice, django_capture_on_commit_callbacks
):
    done = {}
    for email in (alice.email, "nobody@example.org"):
        with (
            django_capture_on_commit_callbacks() as enqueued,
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.post(reverse("password_reset"), {"email": email})
        done[email] = (response.status_code, response.url, len(queries), len(enqueued))
        # The page looks nothing up and sends nothing itself: it hands the address on.
        assert not any("auth_user" in query["sql"] for query in queries.captured_queries)
        assert mail.outbox == []
        assert enqueued[0].args[0] == email
    assert done[alice.email] == done["nobody@example.org"]
    assert done[alice.email][:2] == (302, reverse("password_reset_done"))
    assert done[alice.email][3] == 1


def test_the_worker_sends_a_working_link_to_a_known_address_only(client, ask, alice, settings):
    settings.SITE_URL = "https://lotse.example.org"
    ask("nobody@example.org")
    assert mail.outbox == []

    response = ask(alice.email.upper(), HTTP_ACCEPT_LANGUAGE="de")
    assert response.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Passwort" in message.subject  # in the language of the page it was asked on
    link = re.search(r"https://lotse\.example\.org(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_RESET)
    assert (event.user, event.ip_address) == (alice, "198.51.100.7")


def test_an_account_gets_a_few_reset_emails_an_hour_whoever_asks(ask, alice):
    limit = tasks.RESET_MAILS_PER_ACCOUNT
    answers = {ask(alice.email, ip=f"198.51.100.{i}").url for i in range(limit + 1)}
    assert len(mail.outbox) == limit  # the one more request sent nothing ...
    assert answers == {reverse("password_reset_done")}  # ... and said the same
    held = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_RESET_LIMIT)
    assert (held.user, held.detail) == (alice, {"limit": "account"})

    # An hour later it works again.
    SecurityEvent.objects.update(created_at=F("created_at") - dt.timedelta(hours=1, minutes=1))
    ask(alice.email)
    assert len(mail.outbox) == limit + 1


def test_one_client_address_brings_a_few_reset_emails_an_hour(ask):
    limit = tasks.RESET_MAILS_PER_ADDRESS
    users = [UserFactory(username=f"user{i}@example.org") for i in range(limit + 1)]
    for user in users:
        ask(user.email, ip="203.0.113.9")
    assert [m.to for m in mail.outbox] == [[u.email] for u in users[:limit]]
    held = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_RESET_LIMIT)
    assert (held.user, held.detail) == (users[-1], {"limit": "address"})

    # The same account asked for from elsewhere gets its e-mail.
    ask(users[-1].email, ip="203.0.113.10")
    assert mail.outbox[-1].to == [users[-1].email]
