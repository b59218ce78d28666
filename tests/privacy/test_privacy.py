"""Participants' rights and retention: export (Art. 15), erasure (Art. 17), retention run."""

import datetime as dt
import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.dates import months_later
from privacy.services import (
    apply_retention,
    participant_erase,
    participants_past_retention,
)
from programs.models import Participant, SecurityEvent
from programs.security import security_event_record
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
    assert months_later(dt.date(2026, 6, 15), -24) == dt.date(2024, 6, 15)
    assert months_later(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)


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
    assert "0 participants erased." in out.getvalue()


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
    from privacy.tasks import apply_retention_daily

    _old(program, "P-GONE2")
    event = security_event_record(kind=SecurityEvent.Kind.LOGIN, username="alice")
    _age(event, days=400)
    result = apply_retention_daily.enqueue()
    assert result.return_value == {"participants": 1, "audit_entries": 0, "security_events": 1}
    assert not Participant.objects.filter(code="P-GONE2").exists()
    assert not SecurityEvent.objects.exists()


# ---- retention of the logs -------------------------------------------------------------------


def _age(entry, *, days):
    """Move an audit trail entry or security log event ``days`` into the past."""
    when = timezone.now() - dt.timedelta(days=days)
    if isinstance(entry, LogEntry):
        LogEntry.objects.filter(pk=entry.pk).update(timestamp=when)
    else:
        SecurityEvent.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


@pytest.fixture
def logs(program, settings):
    """Audit trail entries and security log events on either side of their periods."""
    settings.LOTSE_AUDIT_LOG_DAYS = 90
    settings.LOTSE_SECURITY_LOG_DAYS = 30
    person = ParticipantFactory(program=program, code="P-LOGS2")  # one audit entry: created
    old_audit = _age(LogEntry.objects.get_for_object(person).get(), days=91)
    person.year_of_birth = 1980
    person.save()  # a second one: changed
    recent_audit = LogEntry.objects.get_for_object(person).exclude(pk=old_audit.pk).get()
    _age(recent_audit, days=89)
    login = SecurityEvent.Kind.LOGIN
    old_event = _age(security_event_record(kind=login, username="alice"), days=31)
    recent_event = _age(security_event_record(kind=login, username="bob"), days=29)
    return {
        "old": [old_audit, old_event],
        "recent": [recent_audit, recent_event],
    }


def _exists(entry) -> bool:
    return type(entry).objects.filter(pk=entry.pk).exists()


def test_the_retention_run_deletes_log_entries_older_than_their_period(logs):
    out = StringIO()
    call_command("apply_retention", stdout=out)

    assert not any(_exists(entry) for entry in logs["old"])
    assert all(_exists(entry) for entry in logs["recent"])
    assert "1 audit trail entry older than" in out.getvalue()
    assert "1 security log event older than" in out.getvalue()
    assert out.getvalue().count(" deleted.") == 2


def test_a_dry_run_counts_the_old_log_entries_and_deletes_nothing(logs):
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    assert all(_exists(entry) for entry in logs["old"] + logs["recent"])
    assert "1 audit trail entry older than" in out.getvalue()
    assert "1 security log event older than" in out.getvalue()
    assert out.getvalue().count(" would be deleted.") == 2


def test_the_record_of_an_erasure_is_kept_for_the_audit_period(program, settings):
    settings.LOTSE_AUDIT_LOG_DAYS = 90
    settings.LOTSE_SECURITY_LOG_DAYS = 30
    for code, days in (("P-ERAS1", 60), ("P-ERAS2", 100)):
        participant_erase(
            participant=ParticipantFactory(program=program, code=code), reason="asked for it"
        )
        _age(LogEntry.objects.filter(additional_data__erased=True).latest("pk"), days=days)

    run = apply_retention()

    assert run.logs.audit_entries == 1
    (kept,) = LogEntry.objects.filter(additional_data__erased=True)
    assert kept.timestamp < timezone.now() - dt.timedelta(days=59)
