"""Every read of participant-level data leaves a trace: who opened which record, which list page
showed whom, which export held whom, and which record a user was refused."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from programs.models import Participant, SecurityEvent
from referrals.models import Referral
from sessions_log.models import Activity, Concern
from volunteers.models import SupervisionSession

from .factories import (
    ActivityFactory,
    ConcernFactory,
    ParticipantFactory,
    ReferralFactory,
    SupervisionSessionFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

ACCESS = LogEntry.Action.ACCESS
TWENTY_THREE_DIGITS = "12345678901234567890123"


def reads_of(obj):
    return LogEntry.objects.get_for_object(obj).filter(action=ACCESS)


def list_reads(model):
    return LogEntry.objects.filter(
        action=ACCESS, content_type=ContentType.objects.get_for_model(model), object_pk=""
    )


@pytest.fixture
def bobs_volunteer(program, bob):
    return VolunteerFactory(program=program, user=bob, name="Bob Berger")


def met_by(volunteer, participant, **fields):
    activity = ActivityFactory(program=volunteer.program, **fields)
    activity.facilitators.add(volunteer)
    activity.participants.add(participant)
    return activity


# ---- detail pages ------------------------------------------------------------------------------


def test_opening_a_concern_is_logged_with_actor_and_address(login, program, alice):
    concern = ConcernFactory(program=program, description="Talked about ending his life.")
    url = reverse("concern_acknowledge", args=[program.slug, concern.pk])
    assert login(alice).get(url, REMOTE_ADDR="192.0.2.21").status_code == 200
    (entry,) = reads_of(concern)
    assert entry.actor == alice
    assert entry.remote_addr == "192.0.2.21"
    assert entry.additional_data["program"] == program.pk


def test_opening_an_activity_with_notes_is_logged(login, program, alice):
    activity = ActivityFactory(program=program, notes="Spoke about the asylum hearing.")
    url = reverse("activity_detail", args=[program.slug, activity.pk])
    assert "asylum hearing" in login(alice).get(url).text
    (entry,) = reads_of(activity)
    assert entry.actor == alice


def test_a_volunteer_opening_their_own_session_is_logged(login, program, bob, bobs_volunteer):
    activity = met_by(bobs_volunteer, ParticipantFactory(program=program), logged_by=bob)
    url = reverse("activity_edit", args=[program.slug, activity.pk])
    assert login(bob).get(url).status_code == 200
    (entry,) = reads_of(activity)
    assert entry.actor == bob


def test_opening_a_referral_is_logged(login, program, alice):
    referral = ReferralFactory(program=program, outcome="Diagnosed with PTSD.")
    url = reverse("referral_detail", args=[program.slug, referral.pk])
    assert login(alice).get(url).status_code == 200
    (entry,) = reads_of(referral)
    assert entry.actor == alice


# ---- lists -------------------------------------------------------------------------------------


def test_a_page_of_the_participant_list_is_one_entry_naming_who_was_on_it(
    login, program, other_program, alice
):
    women = [ParticipantFactory(program=program, gender="female") for _ in range(2)]
    ParticipantFactory(program=program, gender="male")
    ParticipantFactory(program=other_program, gender="female")
    url = reverse("participant_list", args=[program.slug])
    assert login(alice).get(url, {"gender": "female"}).status_code == 200
    (entry,) = list_reads(Participant)
    assert entry.actor == alice
    assert entry.additional_data == {
        "program": program.pk,
        "list": "participant_list",
        "filters": {"gender": "female"},
        "page": 1,
        "participants": sorted(p.pk for p in women),
    }


def test_a_page_of_the_activity_list_names_its_sessions_and_their_participants(
    login, program, alice
):
    people = [ParticipantFactory(program=program) for _ in range(3)]
    first = ActivityFactory(program=program)
    first.participants.add(*people[:2])
    second = ActivityFactory(program=program)
    second.participants.add(people[2])
    assert login(alice).get(reverse("activity_list", args=[program.slug])).status_code == 200
    (entry,) = list_reads(Activity)
    assert sorted(entry.additional_data["records"]) == sorted([first.pk, second.pk])
    assert entry.additional_data["participants"] == sorted(p.pk for p in people)


def test_the_referral_list_names_the_participants_of_its_referrals(login, program, alice):
    referrals = [ReferralFactory(program=program) for _ in range(2)]
    assert login(alice).get(reverse("referral_list", args=[program.slug])).status_code == 200
    (entry,) = list_reads(Referral)
    assert entry.additional_data["participants"] == sorted(r.participant_id for r in referrals)


def test_a_list_of_other_records_is_not_logged_as_a_read(login, program, alice):
    assert login(alice).get(reverse("site_list", args=[program.slug])).status_code == 200
    assert not LogEntry.objects.filter(action=ACCESS).exists()


# ---- exports -----------------------------------------------------------------------------------


def test_a_list_export_records_the_participants_it_contained(login, program, alice):
    inside = ParticipantFactory(
        program=program, consent_on="2024-01-01", consent_scope="evaluation"
    )
    ParticipantFactory(program=program)  # no consent: not in the file
    url = reverse("participant_list", args=[program.slug])
    assert login(alice).get(url, {"export": "csv"}).status_code == 200
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT)
    assert event.detail["participants"] == [inside.pk]


def test_a_referral_export_records_the_participants_of_its_rows(login, program, alice):
    referral = ReferralFactory(program=program)
    url = reverse("referral_list", args=[program.slug])
    assert login(alice).get(url, {"export": "xlsx"}).status_code == 200
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT)
    assert event.detail["participants"] == [referral.participant_id]


def test_the_art_15_export_records_its_participant(login, program, alice):
    person = ParticipantFactory(program=program)
    url = reverse("participant_data_export", args=[program.slug, person.pk])
    assert login(alice).get(url).status_code == 200
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT)
    assert event.detail["participants"] == [person.pk]
    assert reads_of(person).count() == 1


# ---- the admin ---------------------------------------------------------------------------------


def _admin_change(model, pk):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


def test_the_admin_change_page_of_a_participant_is_logged(admin_client, admin_user, program):
    person = ParticipantFactory(program=program)
    assert admin_client.get(_admin_change(Participant, person.pk)).status_code == 200
    (entry,) = reads_of(person)
    assert entry.actor == admin_user
    assert entry.additional_data == {"program": program.pk, "via": "admin"}


def test_the_admin_pages_of_a_concern_and_of_supervision_notes_are_logged(admin_client, program):
    concern = ConcernFactory(program=program)
    session = SupervisionSessionFactory(program=program, confidential_notes="Burn-out signs.")
    assert admin_client.get(_admin_change(Concern, concern.pk)).status_code == 200
    assert admin_client.get(_admin_change(SupervisionSession, session.pk)).status_code == 200
    assert reads_of(concern).get().additional_data["via"] == "admin"
    assert reads_of(session).get().additional_data["via"] == "admin"


def test_the_admin_list_of_participants_is_logged_with_who_was_on_it(admin_client, program):
    people = [ParticipantFactory(program=program) for _ in range(3)]
    url = reverse("admin:programs_participant_changelist")
    assert admin_client.get(url).status_code == 200
    (entry,) = list_reads(Participant)
    assert entry.additional_data["via"] == "admin"
    assert entry.additional_data["participants"] == sorted(p.pk for p in people)


# ---- refusals ----------------------------------------------------------------------------------


def test_a_volunteer_guessing_a_participants_address_leaves_a_security_event(
    login, program, bob, bobs_volunteer
):
    stranger = ParticipantFactory(program=program)
    url = reverse("participant_detail", args=[program.slug, stranger.pk])
    assert login(bob).get(url, REMOTE_ADDR="198.51.100.4").status_code == 404
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_DENIED)
    assert event.user == bob
    assert event.program == program
    assert event.path == url
    assert event.ip_address == "198.51.100.4"
    assert event.detail["status"] == 404
    assert event.detail["view"] == "participant_detail"
    assert not reads_of(stranger).exists()


def test_a_volunteer_guessing_a_referral_leaves_a_security_event(
    login, program, bob, bobs_volunteer
):
    referral = ReferralFactory(program=program)
    url = reverse("referral_detail", args=[program.slug, referral.pk])
    assert login(bob).get(url).status_code == 404
    (event,) = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_DENIED)
    assert (event.user, event.detail["status"]) == (bob, 404)


# ---- who looked --------------------------------------------------------------------------------


def who_looked(page: str) -> str:
    start = page.index("Who looked at this person")
    return page[start : page.index("</section>", start)]


def test_the_participant_page_shows_the_coordinator_who_looked(
    login, admin_client, program, alice, bob, bobs_volunteer
):
    person = ParticipantFactory(program=program)
    referral = ReferralFactory(program=program, participant=person)
    met_by(bobs_volunteer, person)
    bob.first_name, bob.last_name = "Bob", "Berger"
    bob.save()
    url = reverse("participant_detail", args=[program.slug, person.pk])
    assert login(bob).get(url).status_code == 200
    assert "Who looked at this person" not in login(bob).get(url).text  # coordinators only
    admin_client.get(_admin_change(Participant, person.pk))
    client = login(alice)
    client.get(reverse("referral_detail", args=[program.slug, referral.pk]))
    page = client.get(url).text
    assert "Who looked at this person" in page
    section = who_looked(page)
    assert "Bob Berger" in section
    assert "in the admin" in section
    assert "Referral" in section
    assert section.index(alice.username) < section.index("Bob Berger")  # newest first
    assert reverse("audit_trail", args=[program.slug]) in section


def test_who_looked_leaves_out_other_participants_records(login, program, alice):
    person, other = ParticipantFactory(program=program), ParticipantFactory(program=program)
    other_referral = ReferralFactory(program=program, participant=other)
    client = login(alice)
    client.get(reverse("referral_detail", args=[program.slug, other_referral.pk]))
    page = client.get(reverse("participant_detail", args=[program.slug, person.pk])).text
    section = who_looked(page)
    assert "Referral" not in section


# ---- ids from the query string ---------------------------------------------------------------


def test_a_participant_id_too_large_for_the_database_is_no_server_error(login, program, alice):
    url = reverse("activity_log", args=[program.slug])
    response = login(alice).get(url, {"participant": TWENTY_THREE_DIGITS})
    assert response.status_code == 200
    assert response.context["form"].initial["participants"] == []


def test_a_participant_id_from_the_query_string_still_picks_the_person(login, program, alice):
    person = ParticipantFactory(program=program)
    url = reverse("activity_log", args=[program.slug])
    response = login(alice).get(url, {"participant": [str(person.pk), TWENTY_THREE_DIGITS]})
    assert response.context["form"].initial["participants"] == [str(person.pk)]
