"""What the server tells the browser's kept copy of the log form (static/js/keep-entry.js): which
sessions it has saved, whose page it is, and that a kept session was sent again and saved.
The browser side is tested in tests/e2e/test_expired_session.py."""

import datetime as dt
import uuid

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from sessions_log.models import Activity

from ..factories import ActivityFactory
from .test_log_session import group_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("activity_log", args=[program.slug])


def body(response):
    return lxml.html.fromstring(response.content).find("body")


def saved_keys(response) -> list[str]:
    return body(response).get("data-saved-entries").split()


def log_form(response):
    return lxml.html.fromstring(response.content).xpath("//form[contains(@class, 'js-log-form')]")[
        0
    ]


def test_the_page_after_a_save_names_the_saved_session(login, volunteer, shelter, url):
    key = uuid.uuid4()
    response = login(volunteer.user).post(url, group_session(shelter, key=key), follow=True)
    assert "Your session was saved. Thank you!" in response.text
    assert saved_keys(response) == [str(key)]


def test_a_session_saved_before_is_named_too(login, program, volunteer, shelter, url):
    key = uuid.uuid4()
    ActivityFactory(program=program, idempotency_key=key)
    response = login(volunteer.user).post(url, group_session(shelter, key=key), follow=True)
    assert "This session was already saved." in response.text
    assert saved_keys(response) == [str(key)]
    assert Activity.objects.count() == 1


def test_only_the_last_ten_saved_sessions_are_named(login, volunteer, shelter, url):
    client = login(volunteer.user)
    keys = [str(uuid.uuid4()) for _ in range(12)]
    for key in keys:
        client.post(url, group_session(shelter, key=key))
    assert saved_keys(client.get(url)) == keys[-10:]


def test_a_form_with_errors_names_nothing(login, volunteer, shelter, url):
    response = login(volunteer.user).post(url, group_session(shelter, date="2999-01-01"))
    assert saved_keys(response) == []
    assert Activity.objects.count() == 0


def test_a_kept_session_sent_again_says_it_was_kept_and_saved(login, volunteer, shelter, url):
    day = timezone.localdate() - dt.timedelta(days=2)
    data = group_session(shelter, date=day.isoformat(), _kept="1")
    response = login(volunteer.user).post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    text = response.text
    with translation.override("en"):
        printed = date_format(day, "SHORT_DATE_FORMAT")
    assert f"Your session of {printed} was kept while you signed in again" in text
    assert "Your session was saved. Thank you!" not in text
    assert Activity.objects.count() == 1


def test_the_kept_message_is_in_the_users_language(login, volunteer, shelter, url):
    day = timezone.localdate() - dt.timedelta(days=2)
    data = group_session(shelter, date=day.isoformat(), _kept="1")
    response = login(volunteer.user).post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert f"Ihr Einsatz vom {day:%d.%m.%Y} wurde aufbewahrt" in response.text


def test_pages_say_whose_they_are(client, login, volunteer, url):
    assert body(client.get(reverse("login"))).get("data-user") == ""
    assert body(login(volunteer.user).get(url)).get("data-user") == str(volunteer.user.pk)


def test_a_new_session_form_is_kept_and_a_change_form_is_not(
    login, program, volunteer, shelter, url, today
):
    client = login(volunteer.user)
    form = log_form(client.get(url))
    assert form.get("data-keep-entry") == program.slug
    assert form.get("data-bound") is None
    assert form.get("data-login-url") == reverse("login")

    shown_again = log_form(client.post(url, group_session(shelter, date="2999-01-01")))
    assert shown_again.get("data-bound") is not None

    client.post(url, group_session(shelter, date=today.isoformat()))
    edit = reverse("activity_edit", args=[program.slug, Activity.objects.get().pk])
    assert log_form(client.get(edit)).get("data-keep-entry") is None


def test_the_logout_form_is_marked_for_dropping_kept_copies(login, volunteer, url):
    page = lxml.html.fromstring(login(volunteer.user).get(url).content)
    logout = page.xpath("//form[contains(@class, 'js-logout')]")
    assert [form.get("action") for form in logout] == [reverse("logout")]
