"""The installable app's server side: the worker and manifest, which pages may be kept on the
phone, and the sync endpoint that saves a queued session once and says why it refused one."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import ActivityKind
from sessions_log.models import Activity, Concern

from ..factories import ActivityFactory, ParticipantFactory
from .test_log_session import group_session
from .utils import one_to_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync_url(program):
    return reverse("activity_sync", args=[program.slug])


def group_session_with_a_concern(shelter) -> dict:
    return group_session(
        shelter,
        worried="on",
        concern_category=Concern.Category.choices[0][0],
        concern_severity=Concern.Severity.HIGH,
        concern_description="She talks about giving up.",
    )


def test_the_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "js/service-worker.js" in response.text
    assert "vendor/idb/umd.js" in response.text  # the log form's script, kept offline


def test_the_manifest_names_the_app_and_its_icons(client):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["name"] == "Lotse"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_a_volunteers_log_form_may_be_kept_offline_and_shows_codes_only(login, program, volunteer):
    person = ParticipantFactory(program=program, code="P-36DTT", year_of_birth=1980, alias="Amal")
    met = ActivityFactory(program=program, kind=ActivityKind.ONE_TO_ONE)
    met.facilitators.add(volunteer)
    met.participants.add(person)
    response = login(volunteer.user).get(reverse("activity_log", args=[program.slug]))
    assert response["X-Lotse-Offline"] == str(volunteer.user.pk)
    assert "P-36DTT" in response.text
    assert "1980" not in response.text
    assert "Amal" not in response.text


def test_a_coordinators_form_is_not_kept_offline(login, program, alice):
    response = login(alice).get(reverse("activity_log", args=[program.slug]))
    assert response.status_code == 200
    assert "X-Lotse-Offline" not in response


def test_a_queued_session_is_saved_once(login, volunteer, shelter, sync_url):
    client = login(volunteer.user)
    data = group_session(shelter)
    first = client.post(sync_url, data)
    assert first.status_code == 201
    assert first.json()["status"] == "saved"
    again = client.post(sync_url, data)
    assert again.status_code == 200
    assert again.json() == {
        "status": "saved",
        "message": "This session was already saved.",
        "notes": [],
        "links": [{"text": "My sessions", "url": "/p/in2balance/my-sessions/"}],
    }
    activity = Activity.objects.get()
    assert str(activity.idempotency_key) == data["idempotency_key"]
    assert volunteer in activity.facilitators.all()


def test_a_queued_session_with_a_concern_raises_it_once(login, volunteer, shelter, sync_url):
    client = login(volunteer.user)
    data = group_session_with_a_concern(shelter)
    first = client.post(sync_url, data).json()
    assert first["notes"] == ["Your concern was passed on to the coordinators and supervisors."]
    again = client.post(sync_url, data).json()
    assert again["notes"] == []  # passed on once, said once
    assert Concern.objects.count() == 1


def test_a_saved_group_session_leads_to_my_sessions_only(login, volunteer, shelter, sync_url):
    answer = login(volunteer.user).post(sync_url, group_session(shelter)).json()
    activity = Activity.objects.get()
    assert answer == {
        "status": "saved",
        "message": "Your session was saved. Thank you!",
        "notes": [],
        "links": [{"text": "My sessions", "url": "/p/in2balance/my-sessions/"}],
        "url": f"/p/in2balance/activities/{activity.pk}/edit/",
    }


def test_a_saved_one_to_one_offers_a_referral_for_it(login, program, volunteer, shelter, sync_url):
    met = ParticipantFactory(program=program)
    earlier = one_to_one(program, volunteer, met)
    data = group_session(
        shelter, kind=ActivityKind.ONE_TO_ONE, participants=[met.pk], attendees_total=""
    )
    answer = login(volunteer.user).post(sync_url, data).json()
    activity = Activity.objects.exclude(pk=earlier.pk).get()
    assert answer["links"] == [
        {
            "text": "Refer someone to a service",
            "url": f"/p/in2balance/referrals/new/?activity={activity.pk}",
        },
        {"text": "My sessions", "url": "/p/in2balance/my-sessions/"},
    ]
    assert answer["notes"] == []


def test_the_links_and_notes_are_translated(login, volunteer, shelter, sync_url):
    data = group_session_with_a_concern(shelter)
    answer = login(volunteer.user).post(sync_url, data, headers={"accept-language": "de"}).json()
    assert answer["message"] != "Your session was saved. Thank you!"
    assert answer["notes"][0] != "Your concern was passed on to the coordinators and supervisors."
    assert answer["links"][0]["text"] != "My sessions"


def test_a_refused_session_comes_back_with_the_reasons(login, volunteer, shelter, sync_url):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(volunteer.user).post(
        sync_url, group_session(shelter, date=tomorrow.isoformat(), site="")
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["message"] == "The session was not saved. Please correct it and send it again."
    assert any(reason.startswith("Date:") and "future" in reason for reason in answer["errors"])
    assert any(reason.startswith("Site:") for reason in answer["errors"])
    assert Activity.objects.count() == 0


def test_an_entry_without_a_key_is_refused(login, volunteer, shelter, sync_url):
    response = login(volunteer.user).post(sync_url, group_session(shelter, idempotency_key=""))
    assert response.status_code == 422
    assert "no valid key" in response.json()["message"]


def test_a_key_another_user_saved_is_not_confirmed(login, program, volunteer, shelter, sync_url):
    key = uuid.uuid4()
    ActivityFactory(program=program, idempotency_key=key)
    response = login(volunteer.user).post(sync_url, group_session(shelter, key=key))
    assert response.status_code == 409
    assert Activity.objects.count() == 1


def test_a_signed_out_browser_is_sent_to_sign_in(client, volunteer, shelter, sync_url):
    response = client.post(sync_url, group_session(shelter))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Activity.objects.count() == 0


def test_the_answers_are_translated(login, volunteer, shelter, sync_url):
    client = login(volunteer.user)
    response = client.post(
        sync_url, group_session(shelter, site=""), headers={"accept-language": "de"}
    )
    assert "Bitte korrigieren Sie ihn" in response.json()["message"]
