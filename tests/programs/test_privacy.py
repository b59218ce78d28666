"""Participants' rights and retention: export (Art. 15), erasure (Art. 17), retention run."""

import datetime as dt
import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from programs.models import Participant, SecurityEvent
from programs.privacy import months_before, participants_past_retention
from referrals.models import ReferralEvent
from sessions_log.models import Activity

from ..factories import (
    ActivityFactory,
    MatchFactory,
    ParticipantFactory,
    ReferralFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def person(program):
    participant = ParticipantFactory(
        program=program,
        code="P-ABC23",
        alias="Onkel Ali",
        year_of_birth=1975,
        consent_on=dt.date(2024, 2, 1),
        consent_scope="referral",
        site=SiteFactory(program=program, name="Haus Nord"),
    )
    activity = ActivityFactory(program=program, date=dt.date(2024, 3, 1), notes="Slept badly.")
    activity.participants.add(participant)
    referral = ReferralFactory(program=program, participant=participant, outcome="Diagnosed.")
    ReferralEvent.objects.create(referral=referral, to_status="proposed", note="Called Dr. B.")
    return participant


# ---- Art. 15 ---------------------------------------------------------------------------------


def test_the_coordinator_downloads_everything_about_a_person(login, program, alice, person):
    url = reverse("participant_data_export", args=[program.slug, person.pk])
    response = login(alice).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="P-ABC23-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["participant"]["alias"] == "Onkel Ali"
    assert data["participant"]["site"]["name"] == "Haus Nord"
    assert data["activities"][0]["notes"] == "Slept badly."
    assert data["referrals"][0]["outcome"] == "Diagnosed."
    assert data["referrals"][0]["events"][0]["note"] == "Called Dr. B."
    assert SecurityEvent.objects.filter(kind="export", detail__what="participant_data").exists()


def test_volunteers_cannot_download_a_persons_data(login, program, bob, person):
    url = reverse("participant_data_export", args=[program.slug, person.pk])
    assert login(bob).get(url).status_code == 403


# ---- Art. 17 ---------------------------------------------------------------------------------


def test_erasing_asks_for_the_code_and_keeps_only_anonymous_counts(login, program, alice, person):
    client = login(alice)
    url = reverse("participant_erase", args=[program.slug, person.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"code": "P-WRONG"}).status_code == 200
    assert Participant.objects.get(pk=person.pk).alias == "Onkel Ali"

    response = client.post(url, {"code": "p-abc23"})
    assert response.status_code == 302
    erased = Participant.objects.get(pk=person.pk)  # kept: a referral points at it
    assert erased.erased_at is not None
    assert erased.code.startswith("X-")
    assert not erased.alias
    assert (erased.year_of_birth, erased.site, erased.consent_scope) == (None, None, "")
    activity = Activity.objects.get()
    assert activity.attendees_total == 10
    assert not activity.participants.exists()
    referral = erased.referrals.get()
    assert referral.outcome == ""
    assert referral.events.get().note == ""


def test_the_trail_records_the_erasure_but_not_the_content(login, program, alice, person):
    login(alice).post(
        reverse("participant_erase", args=[program.slug, person.pk]), {"code": "P-ABC23"}
    )
    entries = LogEntry.objects.filter(object_pk=str(person.pk), content_type__model="participant")
    last = entries.order_by("-pk").first()
    assert last.action == LogEntry.Action.DELETE
    assert last.actor == alice
    text = " ".join(f"{e.changes} {e.changes_text} {e.object_repr}" for e in LogEntry.objects.all())
    assert "P-ABC23" not in text
    assert "1975" not in text


def test_a_person_without_referrals_or_matches_is_deleted(login, program, alice):
    person = ParticipantFactory(program=program, code="P-DEL22")
    activity = ActivityFactory(program=program)
    activity.participants.add(person)
    url = reverse("participant_erase", args=[program.slug, person.pk])
    login(alice).post(url, {"code": "P-DEL22"})
    assert not Participant.objects.filter(pk=person.pk).exists()
    assert Activity.objects.get().attendees_total == 10


def test_only_coordinators_erase(login, program, bob, person):
    url = reverse("participant_erase", args=[program.slug, person.pk])
    assert login(bob).post(url, {"code": "P-ABC23"}).status_code == 403


# ---- retention -------------------------------------------------------------------------------


def test_months_before_keeps_the_day_where_it_can():
    assert months_before(dt.date(2026, 6, 15), 24) == dt.date(2024, 6, 15)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)


def _old(program, code, **kwargs):
    participant = ParticipantFactory(program=program, code=code, **kwargs)
    Participant.objects.filter(pk=participant.pk).update(
        created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    return participant


def test_retention_finds_people_without_recent_contact(program):
    program.participant_retention_months = 24
    program.save()
    gone = _old(program, "P-GONE2")
    seen = _old(program, "P-SEEN2")
    ActivityFactory(program=program, date=dt.date(2025, 1, 10)).participants.add(seen)
    aftercare = _old(program, "P-AFTER", aftercare_until=dt.date(2025, 12, 31))
    referred = _old(program, "P-REFER")
    ReferralFactory(program=program, participant=referred, referred_on=dt.date(2024, 7, 1))
    matched = _old(program, "P-MATCH")
    MatchFactory(program=program, participant=matched, proposed_on=dt.date(2023, 2, 1))
    due = {p.code for p in participants_past_retention(program, TODAY)}
    assert due == {gone.code}
    assert {seen.code, aftercare.code, referred.code, matched.code}.isdisjoint(due)


def test_the_retention_command_erases_and_says_what_it_did(program):
    gone = _old(program, "P-GONE2")
    kept = _old(program, "P-KEPT2")
    ReferralFactory(program=program, participant=kept, referred_on=dt.date(2023, 1, 2))
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "would erase 2" in out.getvalue()
    assert Participant.objects.filter(code="P-GONE2").exists()

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "erased 2" in out.getvalue()
    assert "P-GONE2" in out.getvalue()
    assert not Participant.objects.filter(pk=gone.pk).exists()
    kept.refresh_from_db()
    assert kept.erased_at is not None
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "0 participant(s) erased" in out.getvalue()


def test_an_erased_participant_is_no_longer_listed_or_offered(login, program, alice, person):
    client = login(alice)
    client.post(reverse("participant_erase", args=[program.slug, person.pk]), {"code": "P-ABC23"})
    code = Participant.objects.get(pk=person.pk).code
    listing = client.get(reverse("participant_list", args=[program.slug]))
    assert code not in listing.text
    log_form = client.get(reverse("activity_log", args=[program.slug]))
    assert code not in log_form.text
    detail = reverse("participant_detail", args=[program.slug, person.pk])
    assert client.get(detail).status_code == 404


def test_the_daily_task_runs_the_retention(program):
    from programs.tasks import apply_retention_daily

    _old(program, "P-GONE2")
    result = apply_retention_daily.enqueue()
    assert result.return_value == 1
    assert not Participant.objects.filter(code="P-GONE2").exists()
