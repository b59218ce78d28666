"""A volunteer sees and follows only the referrals they proposed, never the outcome or notes.

bob and dana both volunteer and both met ``met``. dana proposed a psychotherapy referral for
that person, which a coordinator sent and followed up with an outcome; bob proposed one of his
own to another service. Wherever a referral reaches bob (the list, its export, the detail page,
the participant page), dana's is absent, and on his own he sees status and dates only.
"""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import Membership, Participant
from referrals import services
from referrals.models import Category, Referral

from ..factories import (
    ActivityFactory,
    MembershipFactory,
    ServiceProviderFactory,
    UserFactory,
    VolunteerFactory,
)
from .conftest import make_referral

pytestmark = pytest.mark.django_db

S = Referral.Status
DANAS_OUTCOME = "Diagnosed with PTSD, weekly therapy from May"
DANAS_NOTE = "Phoned the practice about the waiting list"
BOBS_OUTCOME = "Seen twice, no further need"
BOBS_NOTE = "Coordinator: she asked not to tell her family"


@pytest.fixture
def dana(program, met):
    """A second volunteer who met the same person as bob, in a session of her own."""
    user = UserFactory(username="dana@example.org")
    MembershipFactory(user=user, program=program, role=Membership.Role.VOLUNTEER)
    volunteer = VolunteerFactory(program=program, user=user, name="Dana Dahl")
    activity = ActivityFactory(
        program=program, attendees_total=1, attendees_women=1, attendees_men=0
    )
    activity.facilitators.add(volunteer)
    activity.participants.add(met)
    return user


@pytest.fixture
def exportable_met(met):
    """``met`` with consent that covers exports, so the list export names them."""
    met.consent_on = dt.date(2024, 1, 2)
    met.consent_scope = Participant.ConsentScope.EVALUATION
    met.save()
    return met


@pytest.fixture
def danas(program, dana, exportable_met):
    therapist = ServiceProviderFactory(
        program=program, name="Praxis Dr. Therapeutin", category=Category.PSYCHOTHERAPY
    )
    referral = make_referral(
        program,
        S.APPOINTMENT,
        participant=exportable_met,
        provider=therapist,
        category=Category.PSYCHOTHERAPY,
        created_by=dana,
        outcome=DANAS_OUTCOME,
    )
    referral.events.create(from_status=S.SENT, to_status=S.APPOINTMENT, note=DANAS_NOTE)
    return referral


@pytest.fixture
def bobs(program, bob, exportable_met):
    clinic = ServiceProviderFactory(
        program=program, name="Hausarztpraxis am Markt", category=Category.GENERAL_MEDICAL
    )
    referral = make_referral(
        program,
        S.APPOINTMENT,
        participant=exportable_met,
        provider=clinic,
        category=Category.GENERAL_MEDICAL,
        created_by=bob,
        outcome=BOBS_OUTCOME,
        appointment_on=dt.date(2024, 3, 14),
    )
    referral.events.create(from_status=S.SENT, to_status=S.APPOINTMENT, note=BOBS_NOTE)
    return referral


def detail_url(referral):
    return reverse("referral_detail", args=[referral.program.slug, referral.pk])


def list_url(program):
    return reverse("referral_list", args=[program.slug])


def participant_url(participant):
    return reverse("participant_detail", args=[participant.program.slug, participant.pk])


def export_text(client, url, fmt="csv") -> str:
    """The text of the list's export, the cells of an XLSX joined by line breaks."""
    response = client.get(url, {"export": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return b"".join(response.streaming_content).decode()
    sheet = load_workbook(BytesIO(response.content)).active
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)


# ---- the list and its export ----------------------------------------------------------------


def test_the_list_shows_a_volunteer_only_their_own_referrals(login, program, bob, bobs, danas):
    # Each row links to its referral; the filter above offers every service of the directory.
    page = login(bob).get(list_url(program)).text
    assert f'href="{detail_url(bobs)}"' in page
    assert f'href="{detail_url(danas)}"' not in page


def test_the_csv_export_holds_only_a_volunteers_own_referrals(login, program, bob, bobs, danas):
    export = export_text(login(bob), list_url(program))
    assert "Hausarztpraxis am Markt" in export
    assert "Praxis Dr. Therapeutin" not in export
    assert "Psychotherapy" not in export


def test_the_xlsx_export_holds_only_a_volunteers_own_referrals(login, program, bob, bobs, danas):
    export = export_text(login(bob), list_url(program), "xlsx")
    assert "Hausarztpraxis am Markt" in export
    assert "Praxis Dr. Therapeutin" not in export


def test_a_coordinator_still_lists_and_exports_every_referral(login, program, alice, bobs, danas):
    client = login(alice)
    page = client.get(list_url(program)).text
    assert f'href="{detail_url(bobs)}"' in page and f'href="{detail_url(danas)}"' in page
    export = export_text(client, list_url(program))
    assert "Hausarztpraxis am Markt" in export and "Praxis Dr. Therapeutin" in export


# ---- the detail page ------------------------------------------------------------------------


def test_another_volunteers_referral_is_not_found(login, program, bob, danas):
    response = login(bob).get(detail_url(danas))
    assert response.status_code == 404
    assert DANAS_OUTCOME not in response.content.decode()
    assert DANAS_NOTE not in response.content.decode()


def test_a_volunteer_cannot_step_another_volunteers_referral_even_where_volunteers_send(
    login, program, bob, danas
):
    program.volunteers_may_send_referrals = True
    program.save()
    response = login(bob).post(
        detail_url(danas),
        {
            "to_status": "attended",
            "attended-version": str(danas.version),
            "attended-to_status": "attended",
            "attended-outcome": "Overwritten",
        },
    )
    assert response.status_code == 404
    danas.refresh_from_db()
    assert (danas.status, danas.outcome) == (S.APPOINTMENT, DANAS_OUTCOME)


def test_a_volunteer_sees_status_and_appointment_of_their_own_referral_but_no_outcome_or_notes(
    login, program, bob, bobs
):
    page = login(bob).get(detail_url(bobs))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hausarztpraxis am Markt" in text
    assert "Appointment made" in text
    assert "14 Mar 2024" in text or "2024-03-14" in text
    assert BOBS_OUTCOME not in text
    assert BOBS_NOTE not in text


def test_the_steps_a_volunteer_may_take_carry_no_outcome(login, program, bob, bobs):
    program.volunteers_may_send_referrals = True
    program.save()
    page = login(bob).get(detail_url(bobs))
    text = page.content.decode()
    assert 'name="attended-to_status"' in text  # he takes the step …
    assert 'name="attended-outcome"' not in text  # … without the coordinators' outcome field
    assert BOBS_OUTCOME not in text


def test_a_volunteers_step_leaves_the_outcome_alone(login, program, bob, bobs):
    program.volunteers_may_send_referrals = True
    program.save()
    response = login(bob).post(
        detail_url(bobs),
        {
            "to_status": "attended",
            "attended-version": str(bobs.version),
            "attended-to_status": "attended",
            "attended-outcome": "",
        },
    )
    assert response.status_code == 302
    bobs.refresh_from_db()
    assert (bobs.status, bobs.outcome) == (S.ATTENDED, BOBS_OUTCOME)


def test_a_coordinator_reads_the_outcome_and_every_note(login, program, alice, bobs, danas):
    client = login(alice)
    for referral, outcome, note in (
        (bobs, BOBS_OUTCOME, BOBS_NOTE),
        (danas, DANAS_OUTCOME, DANAS_NOTE),
    ):
        text = client.get(detail_url(referral)).content.decode()
        assert outcome in text
        assert note in text


def test_a_volunteer_does_not_read_back_the_note_of_their_own_proposal(
    login, program, bob, met, provider
):
    referral = services.referral_create(
        program=program, participant=met, provider=provider, by=bob, note="Sleeps badly"
    )
    text = login(bob).get(detail_url(referral)).content.decode()
    assert "Proposed" in text
    assert "Sleeps badly" not in text


# ---- the participant page -------------------------------------------------------------------


def test_the_participant_page_lists_a_volunteer_only_their_own_referrals(
    login, program, bob, bobs, danas
):
    page = login(bob).get(participant_url(bobs.participant))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hausarztpraxis am Markt" in text
    assert "Praxis Dr. Therapeutin" not in text
    assert DANAS_OUTCOME not in text
    assert BOBS_OUTCOME not in text


def test_the_participant_page_lists_every_referral_to_a_coordinator(
    login, program, alice, bobs, danas
):
    text = login(alice).get(participant_url(bobs.participant)).content.decode()
    assert "Hausarztpraxis am Markt" in text
    assert "Praxis Dr. Therapeutin" in text


def test_the_participant_page_shows_a_supervisor_no_referrals(login, program, bobs, danas):
    sara = UserFactory(username="sara@example.org")
    MembershipFactory(user=sara, program=program, role=Membership.Role.SUPERVISOR)
    page = login(sara).get(participant_url(bobs.participant))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hausarztpraxis am Markt" not in text
    assert "Praxis Dr. Therapeutin" not in text
