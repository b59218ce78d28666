"""The audit trail: changes and reads of sensitive records, per program, read-only."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from programs.models import Membership, SecurityEvent

from .factories import (
    ConcernFactory,
    MembershipFactory,
    ParticipantFactory,
    SupervisionSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Action = LogEntry.Action


def test_a_change_to_a_participant_is_logged_with_actor_and_address(login, program, alice):
    participant = ParticipantFactory(program=program)
    client = login(alice)
    # A change through any request carries the signed-in user and address.
    participant.year_of_birth = 1991
    from auditlog.context import set_actor

    with set_actor(alice, remote_addr="192.0.2.10"):
        participant.save()
    entry = LogEntry.objects.get_for_object(participant).get(action=Action.UPDATE)
    assert entry.actor == alice
    assert entry.remote_addr == "192.0.2.10"
    assert entry.changes_dict["year_of_birth"] == ["1990", "1991"]
    assert entry.additional_data == {"program": program.pk}
    assert client  # signed in


def test_opening_a_participant_page_is_logged_as_access(login, program, alice):
    participant = ParticipantFactory(program=program)
    login(alice).get(
        reverse("participant_detail", args=[program.slug, participant.pk]),
        REMOTE_ADDR="192.0.2.11",
    )
    entry = LogEntry.objects.get_for_object(participant).get(action=Action.ACCESS)
    assert entry.actor == alice
    assert entry.remote_addr == "192.0.2.11"


def test_opening_confidential_supervision_notes_is_logged(login, program, alice):
    session = SupervisionSessionFactory(program=program, confidential_notes="Burn-out signs.")
    client = login(alice)
    client.get(reverse("supervision_detail", args=[program.slug, session.pk]))
    client.get(reverse("supervision_edit", args=[program.slug, session.pk]))
    assert LogEntry.objects.get_for_object(session).filter(action=Action.ACCESS).count() == 2


def test_confidential_text_never_enters_the_trail(program):
    concern = ConcernFactory(program=program, description="Talked about ending his life.")
    concern.description = "Now safe, with the crisis service."
    concern.save()
    participant = ParticipantFactory(program=program, alias="Onkel Ali")
    session = SupervisionSessionFactory(program=program, confidential_notes="Burn-out.")
    texts = " ".join(
        f"{e.changes} {e.changes_text} {e.object_repr} {e.serialized_data}"
        for e in LogEntry.objects.all()
    )
    for secret in ["ending his life", "crisis service", "Onkel Ali", "Burn-out"]:
        assert secret not in texts
    update = LogEntry.objects.get_for_object(concern).get(action=Action.UPDATE)
    assert "description" in update.changes_dict  # that it changed is recorded
    assert participant and session


def test_the_coordinator_reads_the_trail_of_their_program_only(login, program, alice, charlie):
    mine = ParticipantFactory(program=program, code="P-MINE2")
    theirs = ParticipantFactory(program=charlie.memberships.get().program, code="P-THEIR")
    response = login(alice).get(reverse("audit_trail", args=[program.slug]))
    assert response.status_code == 200
    assert mine.code in response.text
    assert theirs.code not in response.text


def test_the_trail_filters_by_record_type_user_and_date(login, program, alice):
    ParticipantFactory(program=program, code="P-FILTR")
    SupervisionSessionFactory(program=program)
    client = login(alice)
    url = reverse("audit_trail", args=[program.slug])
    from django.contrib.contenttypes.models import ContentType

    supervision = ContentType.objects.get(app_label="volunteers", model="supervisionsession")
    response = client.get(url, {"content_type": supervision.pk})
    assert response.status_code == 200
    assert "P-FILTR" not in response.text
    response = client.get(url, {"actor": alice.pk, "since": "2000-01-01"})
    assert "P-FILTR" not in response.text  # created by no one signed in
    response = client.get(url, {"since": "2000-01-01"})
    assert "P-FILTR" in response.text


def test_only_coordinators_read_the_trail(login, program, bob):
    supervisor = UserFactory()
    MembershipFactory(user=supervisor, program=program, role=Membership.Role.SUPERVISOR)
    assert login(bob).get(reverse("audit_trail", args=[program.slug])).status_code == 403
    assert login(supervisor).get(reverse("security_log", args=[program.slug])).status_code == 403


def test_the_security_log_page_shows_members_sign_ins_and_refusals(
    client, login, program, alice, bob, charlie
):
    from .factories import PASSWORD

    client.post(reverse("login"), {"username": bob.username, "password": "wrong"})
    client.post(reverse("login"), {"username": charlie.username, "password": "wrong"})
    login(bob).get(reverse("volunteer_list", args=[program.slug]))
    response = login(alice).get(reverse("security_log", args=[program.slug]))
    assert response.status_code == 200
    assert response.text.count(bob.username) >= 3  # failure, sign-in, refusal
    assert charlie.username not in response.text
    assert SecurityEvent.objects.filter(kind="login_failed").count() == 2
    assert PASSWORD not in response.text


def test_nobody_edits_or_deletes_the_trail_in_the_admin(admin_client, program):
    participant = ParticipantFactory(program=program)
    entry = LogEntry.objects.get_for_object(participant).first()
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    assert admin_client.get(change).status_code == 200  # view only
    assert admin_client.post(change, {"object_repr": "x"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
