"""The participant data of every app: exported under Art. 15, erased under Art. 17."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from privacy.services import participant_data, participant_erase, participants_past_retention
from programs import personal_data
from programs.models import Participant
from programs.personal_data import Erasure
from sessions_log.models import Activity, Match, OutcomeMeasure

from ..factories import (
    ActivityFactory,
    MatchFactory,
    OutcomeMeasureFactory,
    ParticipantFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched(program):
    """A participant with a match and a questionnaire, and no referral."""
    participant = ParticipantFactory(program=program, code="P-MATCH")
    MatchFactory(program=program, participant=participant, proposed_on=dt.date(2024, 5, 2))
    OutcomeMeasureFactory(participant=participant)
    return participant


def test_the_export_holds_matches_and_questionnaires(matched):
    data = participant_data(matched)
    assert [m["proposed_on"] for m in data["matches"]] == ["2024-05-02"]
    assert [q["instrument"] for q in data["outcome_measures"]] == ["who5"]
    assert data["outcome_measures"][0]["answers"] == {"1": 3, "2": 2, "3": 4, "4": 1, "5": 2}
    assert "participant" not in data["matches"][0]
    assert "program" not in data["outcome_measures"][0]
    assert data["activities"] == []
    assert data["referrals"] == []


def test_erasing_deletes_questionnaires_and_keeps_the_match_on_an_emptied_record(matched):
    assert participant_erase(participant=matched, reason="asked for it") == "pseudonymised"
    assert not OutcomeMeasure.objects.exists()
    match = Match.objects.get()
    assert match.participant_id == matched.pk
    assert match.participant.code.startswith("X-")
    assert match.participant.year_of_birth is None


def test_erasing_drops_the_old_code_from_the_names_in_the_trail(program):
    participant = ParticipantFactory(program=program, code="P-NAMED")
    referral = ReferralFactory(program=program, participant=participant)
    assert "P-NAMED" in LogEntry.objects.get_for_object(referral).get().object_repr
    participant_erase(participant=participant, reason="asked for it")
    assert "P-NAMED" not in LogEntry.objects.get_for_object(referral).get().object_repr


def test_a_participant_who_only_attended_sessions_is_deleted(program):
    participant = ParticipantFactory(program=program)
    OutcomeMeasureFactory(participant=participant)
    ActivityFactory(program=program).participants.add(participant)
    assert participant_erase(participant=participant, reason="asked for it") == "deleted"
    assert not Participant.objects.filter(pk=participant.pk).exists()


# ---- the registry ----------------------------------------------------------------------------


def _links_to_participant():
    """Every (model, field) of the project that points at a participant."""
    return {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is Participant
    }


def test_every_model_pointing_at_a_participant_is_registered():
    registered = {(entry.model._meta.label, entry.field) for entry in personal_data.registered()}
    missing = _links_to_participant() - registered
    assert not missing, (
        f"{sorted(missing)} hold participants' data: register how they are exported and "
        "erased in programs.personal_data from the app's ready()"
    )
    assert {"sessions_log.Activity", "referrals.Referral"} <= {label for label, _ in registered}


def test_an_entry_must_point_at_a_participant():
    with pytest.raises(ImproperlyConfigured):
        personal_data.register(Activity, erasure=Erasure.DELETE, field="program")
    with pytest.raises(ImproperlyConfigured):
        personal_data.register(Match, erasure=Erasure.UNLINK)  # the link is not optional


@pytest.fixture
def only_questionnaires(monkeypatch):
    """A registry with one entry, for questionnaires, that records what erasure asks of it."""
    scrubbed = []
    entry = personal_data.ParticipantData(
        model=OutcomeMeasure,
        erasure=Erasure.KEEP,
        export_row=lambda row: {"questionnaire": row.pk},
        scrub=lambda rows: scrubbed.extend(rows),
        contact_dates=("date",),
        ongoing=Q(complete=False),
    )
    monkeypatch.setattr(personal_data, "_registry", {("test", "participant"): entry})
    return scrubbed


def test_the_export_and_the_erasure_run_the_registered_entries(program, only_questionnaires):
    participant = ParticipantFactory(program=program)
    mine = OutcomeMeasureFactory(participant=participant)
    OutcomeMeasureFactory(participant=ParticipantFactory(program=program))
    ReferralFactory(program=program, participant=participant)

    data = participant_data(participant)
    assert data["outcome_measures"] == [{"questionnaire": mine.pk}]
    assert "referrals" not in data  # not registered here

    assert participant_erase(participant=participant, reason="asked for it") == "pseudonymised"
    assert only_questionnaires == [mine]
    assert OutcomeMeasure.objects.filter(pk=mine.pk).exists()  # kept, as the entry says


def test_retention_counts_the_contact_dates_of_the_registered_entries(program, only_questionnaires):
    program.participant_retention_months = 12
    program.save()
    participant = ParticipantFactory(program=program)
    Participant.objects.filter(pk=participant.pk).update(
        created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    questionnaire = OutcomeMeasureFactory(participant=participant, date=dt.date(2025, 9, 1))
    assert not participants_past_retention(program, dt.date(2026, 6, 15)).exists()
    assert participants_past_retention(program, dt.date(2026, 9, 15)).get() == participant
    # A draft is ongoing.
    OutcomeMeasure.objects.filter(pk=questionnaire.pk).update(complete=False, status="draft")
    assert not participants_past_retention(program, dt.date(2026, 9, 15)).exists()
