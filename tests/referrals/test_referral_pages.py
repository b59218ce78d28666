"""Referral pages: proposing, sending, inbound referrals, who sees what, concurrent edits."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Language, Participant
from referrals.models import Referral
from sessions_log.models import Match

from ..factories import ActivityFactory, ParticipantFactory, ReferralFactory, VolunteerFactory
from .conftest import make_referral

pytestmark = pytest.mark.django_db

S = Referral.Status


def detail_url(referral):
    return reverse("referral_detail", args=[referral.program.slug, referral.pk])


def hidden_version(html: str, prefix: str = "") -> str:
    name = f"{prefix}-version" if prefix else "version"
    return re.search(rf'name="{name}" value="(\d+)"', html).group(1)


# ---- proposing and sending -------------------------------------------------------------------


def test_a_volunteer_proposes_a_referral_for_someone_they_met(login, program, bob, met, provider):
    client = login(bob)
    url = reverse("referral_create", args=[program.slug])
    page = client.get(url, {"participant": met.pk})
    assert "Propose referral" in page.text
    assert "Send to the service" not in page.text
    assert met.alias not in page.text  # aliases are for coordinators only
    response = client.post(
        url + f"?participant={met.pk}",
        {
            "participant": met.pk,
            "provider": provider.pk,
            "urgency": "soon",
            "referred_on": timezone.localdate().isoformat(),
            "note": "Cannot sleep since the move",
            "action": "send",  # not offered to him, so it only proposes
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(referral)
    assert (referral.status, referral.participant, referral.urgency) == (S.PROPOSED, met, "soon")
    assert referral.events.get().note == "Cannot sleep since the move"


def test_the_participant_list_offers_only_people_the_volunteer_met(
    login, program, bob, met, stranger
):
    page = login(bob).get(reverse("referral_create", args=[program.slug]))
    assert met.code in page.text
    assert stranger.code not in page.text


def test_a_volunteer_cannot_preselect_someone_they_never_met(login, program, bob, met, stranger):
    url = reverse("referral_create", args=[program.slug])
    assert login(bob).get(url, {"participant": stranger.pk}).status_code == 404


def test_right_after_a_one_to_one_its_participant_is_offered(login, program, bob, volunteer, met):
    other = ParticipantFactory(program=program)
    later = ActivityFactory(program=program, attendees_total=1, attendees_women=1, attendees_men=0)
    later.facilitators.add(volunteer)
    later.participants.add(other)
    activity = met.activities.get()
    page = login(bob).get(
        reverse("referral_create", args=[program.slug]), {"activity": activity.pk}
    )
    assert page.context["form"]["participant"].initial == met.pk
    assert other.code not in page.text


def test_someone_elses_session_cannot_be_used(login, program, bob, volunteer):
    foreign = ActivityFactory(program=program)
    url = reverse("referral_create", args=[program.slug])
    assert login(bob).get(url, {"activity": foreign.pk}).status_code == 404


def test_a_coordinator_sends_a_referral_at_once_with_consent(login, program, alice, met, provider):
    today = timezone.localdate()
    response = login(alice).post(
        reverse("referral_create", args=[program.slug]),
        {
            "participant": met.pk,
            "provider": provider.pk,
            "urgency": "routine",
            "referred_on": today.isoformat(),
            "consent_to_share": "on",
            "consent_on": today.isoformat(),
            "action": "send",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    met.refresh_from_db()
    assert (referral.status, referral.sent_on, referral.consent_on) == (S.SENT, today, today)
    assert (met.consent_scope, met.consent_on) == ("referral", today)


def test_sending_without_consent_shows_the_reason_and_keeps_the_form(
    login, program, alice, met, provider
):
    response = login(alice).post(
        reverse("referral_create", args=[program.slug]),
        {
            "participant": met.pk,
            "provider": provider.pk,
            "urgency": "routine",
            "referred_on": timezone.localdate().isoformat(),
            "note": "Needs an Arabic-speaking therapist",
            "action": "send",
        },
    )
    assert response.status_code == 200
    assert "consent to share their data" in response.text
    assert "Needs an Arabic-speaking therapist" in response.text
    assert not Referral.objects.exists()


def test_the_coordinator_sends_a_proposal_from_its_page(login, program, alice, met, provider):
    referral = make_referral(program, participant=met, provider=provider)
    client = login(alice)
    page = client.get(detail_url(referral))
    assert "Send to the service" in page.text
    today = timezone.localdate().isoformat()
    response = client.post(
        detail_url(referral),
        {
            "to_status": "sent",
            "sent-version": "1",
            "sent-to_status": "sent",
            "sent-consent_to_share": "on",
            "sent-consent_on": today,
            "sent-note": "Faxed the form",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.events.get(to_status=S.SENT).note == "Faxed the form"


def test_a_volunteer_sees_no_send_button_on_a_proposal(login, program, bob, met, provider):
    referral = make_referral(program, participant=met, provider=provider, created_by=bob)
    page = login(bob).get(detail_url(referral))
    assert page.status_code == 200
    assert "Send to the service" not in page.text
    # Of his own proposal he may only withdraw it; a sent one waits for a coordinator.
    assert "Withdraw the proposal" in page.text
    sent = make_referral(program, S.SENT, participant=met, provider=provider, created_by=bob)
    assert "A coordinator takes the next step." in login(bob).get(detail_url(sent)).text


def test_a_step_the_volunteer_may_not_take_is_refused_on_the_page(
    login, program, bob, met, provider
):
    referral = make_referral(program, participant=met, provider=provider, created_by=bob)
    today = timezone.localdate().isoformat()
    response = login(bob).post(
        detail_url(referral),
        {
            "to_status": "sent",
            "sent-version": "1",
            "sent-to_status": "sent",
            "sent-consent_to_share": "on",
            "sent-consent_on": today,
        },
    )
    assert "a coordinator sends referrals" in response.text
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED


def test_the_history_shows_who_did_what(login, program, alice, bob, met, provider):
    from referrals import services

    referral = services.referral_create(
        program=program, participant=met, provider=provider, by=bob, note="First contact"
    )
    page = login(alice).get(detail_url(referral))
    assert "bob@example.org" in page.text
    assert "First contact" in page.text


# ---- who sees what -------------------------------------------------------------------------


def test_a_volunteer_never_sees_referrals_of_people_they_did_not_meet(
    login, program, bob, met, stranger
):
    mine = make_referral(program, participant=met, created_by=bob)
    theirs = make_referral(program, participant=stranger)
    client = login(bob)
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(detail_url(mine)).status_code == 200
    listing = client.get(reverse("referral_list", args=[program.slug]))
    assert met.code in listing.text
    assert stranger.code not in listing.text
    export = client.get(reverse("referral_list", args=[program.slug]), {"export": "csv"})
    assert stranger.code not in b"".join(export.streaming_content).decode()


def test_a_volunteer_cannot_step_a_referral_they_cannot_see(login, program, bob, met, stranger):
    program.volunteers_may_send_referrals = True
    program.save()
    theirs = make_referral(program, S.SENT, participant=stranger)
    response = login(bob).post(
        detail_url(theirs),
        {"to_status": "accepted", "accepted-version": "1", "accepted-to_status": "accepted"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.SENT


def test_a_referral_of_another_program_is_not_found(login, program, other_program, alice):
    elsewhere = make_referral(other_program)
    url = reverse("referral_detail", args=[program.slug, elsewhere.pk])
    assert login(alice).get(url).status_code == 404


def test_a_volunteer_cannot_edit_details(login, program, bob, met):
    referral = make_referral(program, participant=met)
    url = reverse("referral_edit", args=[program.slug, referral.pk])
    assert login(bob).get(url).status_code == 403


def test_the_list_filters_by_status_and_date(login, program, alice):
    make_referral(program, S.SENT, referred_on=dt.date(2024, 3, 1), participant__code="P-AAAA1")
    make_referral(program, S.SENT, referred_on=dt.date(2024, 5, 1), participant__code="P-BBBB2")
    make_referral(program, referred_on=dt.date(2024, 3, 2), participant__code="P-CCCC3")
    response = login(alice).get(
        reverse("referral_list", args=[program.slug]),
        {"status": "sent", "date_from": "2024-02-01", "date_to": "2024-03-31"},
    )
    codes = [row[1]["text"] for row in response.context["rows"]]
    assert codes == ["P-AAAA1"]


def test_the_list_sorts_by_days_since_the_last_change(login, program, alice):
    stale = make_referral(program, S.SENT, participant__code="P-STALE")
    fresh = make_referral(program, S.SENT, participant__code="P-FRESH")
    Referral.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=9))
    url = reverse("referral_list", args=[program.slug])
    client = login(alice)
    rows = client.get(url, {"o": "days"}).context["rows"]
    assert [(row[1]["text"], row[7]["text"]) for row in rows] == [
        ("P-FRESH", "0"),
        ("P-STALE", "9"),
    ]
    rows = client.get(url, {"o": "-days"}).context["rows"]
    assert [row[1]["text"] for row in rows] == ["P-STALE", "P-FRESH"]
    assert fresh.pk


# ---- inbound -------------------------------------------------------------------------------


def test_an_inbound_referral_creates_the_participant_and_a_match_proposal(
    login, program, alice, provider
):
    volunteer = VolunteerFactory(program=program, name="Mette Holm")
    today = timezone.localdate()
    response = login(alice).post(
        reverse("referral_inbound_create", args=[program.slug]),
        {
            "provider": provider.pk,
            "category": "psychiatry",
            "urgency": "soon",
            "referred_on": today.isoformat(),
            "ref": "PSY-2024-118",
            "who": "new",
            "year_of_birth": "1987",
            "gender": "male",
            "languages": ["ar", "kmr"],
            "country_of_origin": "SY",
            "consent_scope": "referral",
            "consent_on": today.isoformat(),
            "start_match": "on",
            "volunteer": volunteer.pk,
            "matching_notes": "Likes football, speaks Arabic",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.get()
    participant = referral.participant
    assert (participant.year_of_birth, participant.gender, participant.country_of_origin) == (
        1987,
        "male",
        "SY",
    )
    assert set(participant.languages.values_list("code", flat=True)) == {"ar", "kmr"}
    assert (participant.consent_scope, participant.consent_on) == ("referral", today)
    match = Match.objects.get()
    assert (match.volunteer, match.participant, match.status, match.proposed_on) == (
        volunteer,
        participant,
        Match.Status.PROPOSED,
        today,
    )
    assert match.matching_notes == "Likes football, speaks Arabic"
    assert referral.match == match
    assert (referral.direction, referral.status, referral.ref) == (
        "inbound",
        "accepted",
        "PSY-2024-118",
    )
    assert [(e.from_status, e.to_status) for e in referral.events.order_by("pk")] == [
        ("", "sent"),
        ("sent", "accepted"),
    ]


def test_an_inbound_referral_can_link_a_known_participant(login, program, alice, met, provider):
    response = login(alice).post(
        reverse("referral_inbound_create", args=[program.slug]),
        {
            "provider": provider.pk,
            "urgency": "routine",
            "referred_on": timezone.localdate().isoformat(),
            "who": "existing",
            "participant": met.pk,
            "gender": "unknown",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.participant, referral.status, referral.match) == (met, S.SENT, None)
    assert Participant.objects.count() == 1
    assert not Match.objects.exists()


def test_an_inbound_referral_asks_for_the_volunteer_of_the_match(login, program, alice, provider):
    response = login(alice).post(
        reverse("referral_inbound_create", args=[program.slug]),
        {
            "provider": provider.pk,
            "urgency": "routine",
            "referred_on": timezone.localdate().isoformat(),
            "who": "new",
            "gender": "female",
            "start_match": "on",
        },
    )
    assert response.status_code == 200
    assert "Choose the volunteer to propose." in response.text
    assert not Participant.objects.exists()


def test_volunteers_do_not_record_inbound_referrals(login, program, bob):
    url = reverse("referral_inbound_create", args=[program.slug])
    assert login(bob).get(url).status_code == 403


# ---- two people at once --------------------------------------------------------------------


def test_the_second_of_two_concurrent_steps_is_told_and_keeps_their_note(
    login, program, alice, met, provider
):
    referral = make_referral(
        program,
        participant=met,
        provider=provider,
        consent_to_share=True,
        consent_on=dt.date(2024, 2, 1),
    )
    client = login(alice)
    first_tab = client.get(detail_url(referral)).text
    second_tab = client.get(detail_url(referral)).text
    assert hidden_version(first_tab, "sent") == hidden_version(second_tab, "closed") == "1"

    sent = client.post(
        detail_url(referral),
        {
            "to_status": "sent",
            "sent-version": "1",
            "sent-to_status": "sent",
        },
    )
    assert sent.status_code == 302

    late = client.post(
        detail_url(referral),
        {
            "to_status": "closed",
            "closed-version": "1",
            "closed-to_status": "closed",
            "closed-note": "She found a doctor herself",
        },
    )
    assert late.status_code == 409
    assert "changed meanwhile by someone else" in late.text
    assert "She found a doctor herself</textarea>" in late.text
    assert "Sent on" in late.text  # the current state is shown
    assert hidden_version(late.text, "closed") == "2"  # deciding again uses what is now saved
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (S.SENT, 2)


def test_a_concurrent_edit_of_details_keeps_what_was_typed(login, program, alice, provider):
    referral = make_referral(program, provider=provider)
    client = login(alice)
    url = reverse("referral_edit", args=[program.slug, referral.pk])
    assert hidden_version(client.get(url).text) == "1"
    form = {
        "version": "1",
        "provider": provider.pk,
        "category": referral.category,
        "urgency": "urgent",
        "referred_on": referral.referred_on.isoformat(),
        "ref": "",
        "outcome": "",
    }
    assert client.post(url, form).status_code == 302
    late = client.post(url, {**form, "urgency": "soon", "outcome": "Waiting for a call back"})
    assert late.status_code == 409
    assert "changed meanwhile by someone else" in late.text
    assert "Waiting for a call back</textarea>" in late.text
    assert "Saved meanwhile" in late.text
    referral.refresh_from_db()
    assert (referral.urgency, referral.outcome) == ("urgent", "")


def test_a_language_choice_for_new_participants_lists_iso_languages(login, program, alice):
    assert Language.objects.filter(code="prs").exists()
    page = login(alice).get(reverse("referral_inbound_create", args=[program.slug]))
    assert 'value="prs"' in page.text


def test_the_list_export_names_only_people_whose_consent_covers_exports(login, program, alice):
    consented = ParticipantFactory(
        program=program,
        code="P-EXPRT",
        consent_on=dt.date(2024, 1, 2),
        consent_scope=Participant.ConsentScope.EVALUATION,
    )
    private = ParticipantFactory(
        program=program,
        code="P-PRIVT",
        consent_on=dt.date(2024, 1, 2),
        consent_scope=Participant.ConsentScope.REFERRAL,
    )
    ReferralFactory(program=program, participant=consented)
    ReferralFactory(program=program, participant=private)
    url = reverse("referral_list", args=[program.slug])
    client = login(alice)
    page = client.get(url).text
    assert "P-EXPRT" in page and "P-PRIVT" in page
    export = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    assert "P-EXPRT" in export
    assert "P-PRIVT" not in export
    assert "withheld (no consent to exports)" in export
    assert export.count("\n") == 3  # header and both referrals
