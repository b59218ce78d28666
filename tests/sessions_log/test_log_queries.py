"""What the volunteer's log form costs: the form, its post and a session sent from the
offline queue each take a fixed number of queries, however many sessions, participants and
volunteers the program has (docs/performance.md, "Offline logging")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import ActivityKind, Language

from ..factories import ActivityFactory, ParticipantFactory, VolunteerFactory
from .test_log_session import group_session

pytestmark = pytest.mark.django_db

# The session, the user (with whether they have a second factor), the memberships and the
# volunteer profile come first; the form then reads its sites, the people the volunteer met,
# the volunteer's usual sites and languages, the volunteers to pick and the topics (the
# languages come from the cache).
FORM_QUERIES = 10
# The idempotency key, the chosen site and topics (the languages are checked against the
# cached list); the session, its audit entry and the facilitators, languages and topics it
# links (a new session has none to read first); the sign-in's list of saved entries. The
# database checks the session's constraints, foreign keys and key as it writes them: no
# query asks first.
POST_QUERIES = 17
# The same without the key's lookup (the database's unique key settles it) and without the
# sign-in's list: the JSON answer tells the page what was saved.
SYNC_QUERIES = 13

# Sent again (a retry, rare): checked like a new one and refused by the unique key in a
# transaction that is rolled back, then found by its key.
RESENT_QUERIES = 11


def grow(program, volunteer, n):
    arabic = Language.objects.get(code="ar")
    for _ in range(n):
        other = VolunteerFactory(program=program)
        other.languages.add(arabic)
        person = ParticipantFactory(program=program)
        activity = ActivityFactory(program=program, kind=ActivityKind.ONE_TO_ONE)
        activity.facilitators.add(volunteer, other)
        activity.participants.add(person)
        activity.languages.add(arabic)


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return response, len(queries)


@pytest.mark.parametrize("rows", [2, 20])
def test_the_log_form_its_post_and_a_synced_session_cost_a_fixed_number_of_queries(
    login, program, volunteer, shelter, rows
):
    grow(program, volunteer, rows)
    client = login(volunteer.user)
    url = reverse("activity_log", args=[program.slug])
    sync_url = reverse("activity_sync", args=[program.slug])
    client.get(url)  # the language list goes into the cache, as on a running server

    response, queries = count(client, "get", url)
    assert response.status_code == 200
    assert response.text.count('name="participants"') == rows
    assert queries == FORM_QUERIES

    response, queries = count(client, "post", url, group_session(shelter))
    assert response.status_code == 302
    assert queries == POST_QUERIES

    data = group_session(shelter)
    response, queries = count(client, "post", sync_url, data)
    assert response.status_code == 201
    assert queries == SYNC_QUERIES
    response, queries = count(client, "post", sync_url, data)
    assert response.status_code == 200  # sent again: the key is taken, nothing is written
    assert response.json()["message"] == "This session was already saved."
    assert queries == RESENT_QUERIES


def test_a_new_language_reaches_the_log_form_at_once(login, program, volunteer):
    client = login(volunteer.user)
    url = reverse("activity_log", args=[program.slug])
    assert "Klingon" not in client.get(url).text
    Language.objects.create(code="tlh", name="Klingon")
    assert client.get(url).text.count(">Klingon</option>") == 2  # the session and the quick-add


def test_the_languages_of_a_post_are_checked_against_the_kept_list_and_the_database(
    login, program, volunteer, shelter
):
    client = login(volunteer.user)
    url = reverse("activity_log", args=[program.slug])
    sync_url = reverse("activity_sync", args=[program.slug])
    client.get(url)  # the list is kept
    # Added by another process: this one's kept list does not know it yet (no signal here).
    Language.objects.bulk_create([Language(code="tlh", name="Klingon")])

    response = client.post(sync_url, group_session(shelter, languages=["ar", "tlh"]))
    assert response.status_code == 201
    activity = program.activities.get()
    assert sorted(activity.languages.values_list("code", flat=True)) == ["ar", "tlh"]

    response = client.post(sync_url, group_session(shelter, languages=["ar", "xx"]))
    assert response.status_code == 422
    assert (
        "Languages spoken: Select a valid choice. xx is not one of the available choices."
        in (response.json()["errors"])
    )
    assert program.activities.count() == 1
