"""Encryption at rest: aliases, concern descriptions and confidential supervision notes are
stored encrypted; the pages read them as typed; existing plain text is converted."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import Participant
from sessions_log.models import Concern
from volunteers.models import SupervisionSession

from .factories import ConcernFactory, ParticipantFactory, SupervisionSessionFactory


def _stored(model, field, pk) -> str | None:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_sensitive_text_is_stored_encrypted_and_read_back(program):
    participant = ParticipantFactory(program=program, alias="Onkel Ali")
    concern = ConcernFactory(program=program, description="Talked about ending his life.")
    session = SupervisionSessionFactory(program=program, confidential_notes="Burn-out.")
    for model, field, obj, text in [
        (Participant, "alias", participant, "Onkel Ali"),
        (Concern, "description", concern, "Talked about ending his life."),
        (SupervisionSession, "confidential_notes", session, "Burn-out."),
    ]:
        stored = _stored(model, field, obj.pk)
        assert text not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
        assert getattr(model.objects.get(pk=obj.pk), field) == text


@pytest.mark.django_db
def test_an_empty_alias_stays_empty(program):
    participant = ParticipantFactory(program=program, alias="")
    assert not Participant.objects.get(pk=participant.pk).alias


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_plain_text():
    executor = MigrationExecutor(connection)
    before = [("programs", "0007_retention")]
    after = executor.loader.graph.leaf_nodes("programs")
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
