"""Encryption at rest: aliases, concerns, session and match notes, referral outcomes and notes,
confidential supervision notes are stored encrypted under FIELD_ENCRYPTION_KEY alone; the pages
read them as typed; rotating SECRET_KEY or FIELD_ENCRYPTION_KEY keeps them readable; a value no
key decrypts is an error, never ciphertext on a page; existing data is converted."""

import contextlib
import datetime as dt
import importlib
import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse
from encrypted_fields import fields as legacy_fields

from programs.models import Participant
from referrals.models import Referral, ReferralEvent
from sessions_log.models import Activity, Concern, Match
from volunteers.models import SupervisionSession

from .factories import (
    ActivityFactory,
    ConcernFactory,
    MatchFactory,
    ParticipantFactory,
    ReferralFactory,
    SupervisionSessionFactory,
)

MARKER = "[cannot be decrypted]"


def _stored(model, field, pk) -> str | None:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _store(model, field, pk, value) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def _forget_derived_keys():
    """Encrypted field classes may keep keys derived from earlier settings on the field."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for name in ("keys", "f"):
                field.__dict__.pop(name, None)


@contextlib.contextmanager
def keys(**settings):
    """Other settings for a while, with no key derived from the settings before."""
    _forget_derived_keys()
    try:
        with override_settings(**settings):
            _forget_derived_keys()
            yield
    finally:
        _forget_derived_keys()


def field_keys(*secrets):
    """FIELD_ENCRYPTION_KEY as config/settings.py sets it (with SALT_KEY beside it)."""
    return keys(FIELD_ENCRYPTION_KEY=list(secrets), SALT_KEY=list(secrets))


@pytest.fixture(autouse=True)
def _fresh_keys():
    _forget_derived_keys()
    yield
    _forget_derived_keys()


def _sensitive(program):
    """One of everything encrypted: (model, field, pk, text)."""
    participant = ParticipantFactory(
        program=program,
        code="P-ONKEL",
        alias="Onkel Ali",
        consent_on=dt.date(2024, 2, 1),
        consent_scope=Participant.ConsentScope.EVALUATION,
    )
    activity = ActivityFactory(program=program, notes="Slept badly since the raid.")
    activity.participants.add(participant)
    concern = ConcernFactory(
        program=program,
        activity=activity,
        description="Talked about ending his life.",
        outcome="Called the crisis service.",
    )
    session = SupervisionSessionFactory(program=program, confidential_notes="Burn-out.")
    match = MatchFactory(
        program=program, participant=participant, matching_notes="Both speak Dari."
    )
    referral = ReferralFactory(
        program=program, participant=participant, outcome="Diagnosed with PTSD."
    )
    event = ReferralEvent.objects.create(
        referral=referral, to_status="proposed", note="Called Dr. Brandt."
    )
    return [
        (Participant, "alias", participant.pk, "Onkel Ali"),
        (Activity, "notes", activity.pk, "Slept badly since the raid."),
        (Concern, "description", concern.pk, "Talked about ending his life."),
        (Concern, "outcome", concern.pk, "Called the crisis service."),
        (SupervisionSession, "confidential_notes", session.pk, "Burn-out."),
        (Match, "matching_notes", match.pk, "Both speak Dari."),
        (Referral, "outcome", referral.pk, "Diagnosed with PTSD."),
        (ReferralEvent, "note", event.pk, "Called Dr. Brandt."),
    ]


def _read(model, field, pk):
    return getattr(model.objects.get(pk=pk), field)


def _all_readable(rows):
    return {f"{m.__name__}.{f}": _read(m, f, pk) for m, f, pk, _text in rows} == {
        f"{m.__name__}.{f}": text for m, f, pk, text in rows
    }


@pytest.mark.django_db
def test_the_sensitive_text_is_stored_encrypted_and_read_back(program):
    for model, field, pk, text in _sensitive(program):
        stored = _stored(model, field, pk)
        assert text not in stored, f"{model.__name__}.{field} is stored as plain text"
        assert stored.startswith("gAAAA")  # a Fernet token
        assert _read(model, field, pk) == text


@pytest.mark.django_db
def test_an_empty_alias_stays_empty(program):
    participant = ParticipantFactory(program=program, alias="")
    assert not Participant.objects.get(pk=participant.pk).alias


@pytest.mark.django_db
def test_empty_notes_stay_empty_and_can_be_told_apart_in_sql(program):
    without = ActivityFactory(program=program, notes="")
    ActivityFactory(program=program, notes="Something.")
    assert Activity.objects.get(pk=without.pk).notes == ""
    assert list(Activity.objects.filter(notes="")) == [without]


@pytest.mark.django_db
@pytest.mark.parametrize("old_key_kept", [True, False], ids=["with-fallback", "without"])
def test_rotating_the_secret_key_keeps_everything_readable(program, settings, old_key_kept):
    rows = _sensitive(program)
    old = settings.SECRET_KEY
    fallbacks = [old] if old_key_kept else []
    with keys(SECRET_KEY="a-new-secret-key-" + "x" * 40, SECRET_KEY_FALLBACKS=fallbacks):
        assert _all_readable(rows)


@pytest.mark.django_db
def test_rotating_the_field_encryption_key_keeps_everything_readable(program):
    with field_keys("the-old-field-key-" + "o" * 30):
        rows = _sensitive(program)
        before = {(m, f, pk): _stored(m, f, pk) for m, f, pk, _text in rows}
    with field_keys("the-new-field-key-" + "n" * 30, "the-old-field-key-" + "o" * 30):
        assert _all_readable(rows)
        call_command("rotate_encryption_key", stdout=io.StringIO())
        assert _all_readable(rows)
    for (model, field, pk), value in before.items():
        assert _stored(model, field, pk) != value
    with field_keys("the-new-field-key-" + "n" * 30):  # the old key dropped
        assert _all_readable(rows)


@pytest.fixture
def wrong_key(program, caplog):
    rows = _sensitive(program)
    ciphertexts = [_stored(m, f, pk) for m, f, pk, _text in rows]
    caplog.set_level(logging.ERROR, logger="lotse.security")
    with field_keys("a-wrong-field-key-" + "w" * 30):
        yield SimpleNamespace(rows=rows, ciphertexts=ciphertexts, caplog=caplog)


def _shows_the_marker_not_the_text(text: str, wrong_key) -> None:
    assert MARKER in text
    assert "gAAAA" not in text
    for ciphertext in wrong_key.ciphertexts:
        assert ciphertext[:20] not in text
    for _m, _f, _pk, plain in wrong_key.rows:
        assert plain not in text


def _logged(wrong_key, model, field, pk) -> bool:
    messages = [r.getMessage() for r in wrong_key.caplog.records if r.name == "lotse.security"]
    for message in messages:
        assert "gAAAA" not in message
    return any(
        f"{model._meta.label}.{field}" in message and f"pk={pk}" in message for message in messages
    )


@pytest.mark.django_db
def test_with_a_wrong_key_the_participant_page_shows_an_error_not_ciphertext(
    login, program, alice, wrong_key
):
    participant = Participant.objects.get(code="P-ONKEL")
    url = reverse("participant_detail", args=[program.slug, participant.pk])
    response = login(alice).get(url)
    assert response.status_code == 200
    _shows_the_marker_not_the_text(response.text, wrong_key)
    assert _logged(wrong_key, Participant, "alias", participant.pk)


@pytest.mark.django_db
def test_with_a_wrong_key_the_exports_show_an_error_not_ciphertext(
    login, program, alice, wrong_key
):
    participant = Participant.objects.get(code="P-ONKEL")
    client = login(alice)
    response = client.get(reverse("participant_list", args=[program.slug]), {"export": "csv"})
    csv_text = b"".join(response.streaming_content).decode()
    assert "P-ONKEL" in csv_text
    _shows_the_marker_not_the_text(csv_text, wrong_key)

    response = client.get(reverse("participant_data_export", args=[program.slug, participant.pk]))
    data = json.loads(response.content)
    assert data["participant"]["alias"] == MARKER
    _shows_the_marker_not_the_text(response.content.decode(), wrong_key)
    assert _logged(wrong_key, Referral, "outcome", Referral.objects.get().pk)


@pytest.mark.django_db
def test_saving_a_record_that_cannot_be_decrypted_keeps_its_ciphertext(program, wrong_key):
    participant = Participant.objects.get(code="P-ONKEL")
    stored = _stored(Participant, "alias", participant.pk)
    assert participant.alias == MARKER
    participant.year_of_birth = 1970
    participant.alias = str(participant.alias)  # as a form sends it back
    participant.save()
    assert _stored(Participant, "alias", participant.pk) == stored


# ---- converting stored data ------------------------------------------------------------------


def _legacy_token(text: str) -> str:
    """``text`` as django-fernet-encrypted-fields stored it: keyed from SECRET_KEY."""
    return legacy_fields.EncryptedTextField().get_prep_value(text)


def _run_migration(app_label: str, name: str) -> None:
    module = importlib.import_module(f"{app_label}.migrations.{name}")
    module.to_field_encryption_key(apps, SimpleNamespace(connection=connection))


@pytest.mark.django_db
def test_the_migration_moves_old_scheme_and_plain_values_to_the_field_key(program, caplog):
    participant = ParticipantFactory(program=program)
    concern = ConcernFactory(program=program)
    activity = ActivityFactory(program=program)
    lost = ConcernFactory(program=program)
    _store(Participant, "alias", participant.pk, _legacy_token("Samira"))
    _store(Concern, "description", concern.pk, _legacy_token("Threatened by a neighbour."))
    _store(Concern, "outcome", concern.pk, "Talked to the shelter management.")
    _store(Activity, "notes", activity.pk, "Plain notes from before.")
    with keys(SECRET_KEY="some-other-secret-key-" + "z" * 40):
        unreadable = _legacy_token("Keyed from a secret key that is gone.")
    _store(Concern, "description", lost.pk, unreadable)

    _run_migration("programs", "0012_field_encryption_key")
    _run_migration("sessions_log", "0008_field_encryption_key")
    converted = {
        "alias": _stored(Participant, "alias", participant.pk),
        "description": _stored(Concern, "description", concern.pk),
        "notes": _stored(Activity, "notes", activity.pk),
    }
    assert _read(Participant, "alias", participant.pk) == "Samira"
    assert _read(Concern, "description", concern.pk) == "Threatened by a neighbour."
    assert _read(Concern, "outcome", concern.pk) == "Talked to the shelter management."
    assert _read(Activity, "notes", activity.pk) == "Plain notes from before."
    assert "Plain notes" not in converted["notes"]
    assert _stored(Concern, "description", lost.pk) == unreadable  # left for the right key
    assert "sessions_log.Concern.description" in caplog.text

    with keys(SECRET_KEY="a-new-secret-key-" + "x" * 40):  # no longer keyed from SECRET_KEY
        assert _read(Participant, "alias", participant.pk) == "Samira"
        _run_migration("programs", "0012_field_encryption_key")
        _run_migration("sessions_log", "0008_field_encryption_key")
    assert _stored(Participant, "alias", participant.pk) == converted["alias"]  # run twice
    assert _stored(Concern, "description", concern.pk) == converted["description"]
    assert _stored(Activity, "notes", activity.pk) == converted["notes"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_plain_text():
    executor = MigrationExecutor(connection)
    before = [("programs", "0007_retention")]
    # Every app's latest migration: going back to programs' 0007 also unapplied the apps that
    # depend on it, which the tests after this one need again.
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organisation = old.get_model("programs", "Organisation")
    Program = old.get_model("programs", "Program")
    OldParticipant = old.get_model("programs", "Participant")
    organisation = Organisation.objects.create(name="Refugio", kind="ngo")
    program = Program.objects.create(
        name="P", slug="p", lead_organisation=organisation, starts_on="2024-01-01", country="DE"
    )
    named = OldParticipant.objects.create(program=program, code="P-AAAA2", alias="Samira")
    unnamed = OldParticipant.objects.create(program=program, code="P-BBBB2", alias="")
    assert _stored(Participant, "alias", named.pk) == "Samira"

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert _stored(Participant, "alias", named.pk).startswith("gAAAA")
    assert Participant.objects.get(pk=named.pk).alias == "Samira"
    assert _stored(Participant, "alias", unnamed.pk) is None
