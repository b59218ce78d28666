"""The status workflow in referrals/services.py: steps, consent, who may send, locking."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from programs.models import Participant
from referrals import services
from referrals.models import Referral, ReferralEvent

from .conftest import make_referral

pytestmark = pytest.mark.django_db

S = Referral.Status
TODAY = dt.date(2024, 4, 15)

LEGAL = [(old, new) for old, steps in services.TRANSITIONS.items() for new in steps]
ILLEGAL = [pair for pair in itertools.product(S.values, S.values) if pair not in LEGAL]


def test_the_workflow_is_the_one_the_program_agreed():
    assert set(LEGAL) == {
        (S.PROPOSED, S.SENT),
        (S.PROPOSED, S.CLOSED),
        (S.SENT, S.ACCEPTED),
        (S.SENT, S.DECLINED),
        (S.ACCEPTED, S.APPOINTMENT),
        (S.APPOINTMENT, S.ATTENDED),
        (S.APPOINTMENT, S.NO_SHOW),
        (S.NO_SHOW, S.APPOINTMENT),
        (S.NO_SHOW, S.CLOSED),
        (S.ATTENDED, S.CLOSED),
        (S.DECLINED, S.CLOSED),
    }


@pytest.mark.parametrize(("old", "new"), LEGAL, ids=[f"{o}->{n}" for o, n in LEGAL])
def test_a_legal_step_changes_status_records_an_event_and_bumps_the_version(
    program, alice, old, new
):
    consent = {"consent_to_share": True, "consent_on": dt.date(2024, 3, 1)}
    referral = make_referral(program, old, **(consent if old == S.PROPOSED else {}))
    services.referral_transition(
        referral=referral,
        to_status=new,
        by=alice,
        note="Phoned the service",
        appointment_on=dt.date(2024, 4, 20),
        consent_on=dt.date(2024, 3, 1),
        expected_version=1,
        today=TODAY,
    )
    referral.refresh_from_db()
    assert referral.status == new
    assert referral.version == 2
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.from_status, event.to_status, event.by, event.note) == (
        old,
        new,
        alice,
        "Phoned the service",
    )
    if new == S.SENT:
        assert referral.sent_on == TODAY
    if new == S.APPOINTMENT:
        assert referral.appointment_on == dt.date(2024, 4, 20)
    if new == S.CLOSED:
        assert referral.closed_on == TODAY


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=[f"{o}->{n}" for o, n in ILLEGAL])
def test_an_illegal_step_is_refused_naming_both_statuses(program, alice, old, new):
    referral = make_referral(program, old)
    with pytest.raises(services.IllegalTransition) as refused:
        services.referral_transition(
            referral=referral,
            to_status=new,
            by=alice,
            appointment_on=dt.date(2024, 4, 20),
            expected_version=1,
            today=TODAY,
        )
    message = refused.value.messages[0]
    assert f"“{S(old).label}”" in message and f"“{S(new).label}”" in message
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (old, 1)
    assert not ReferralEvent.objects.filter(referral=referral).exists()


def test_a_proposal_without_consent_can_be_withdrawn(program, alice):
    referral = make_referral(program)
    services.referral_transition(
        referral=referral, to_status=S.CLOSED, by=alice, expected_version=1, today=TODAY
    )
    assert referral.status == S.CLOSED


def test_an_appointment_needs_its_date(program, alice):
    referral = make_referral(program, S.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(
            referral=referral, to_status=S.APPOINTMENT, by=alice, expected_version=1
        )
    assert "appointment_on" in refused.value.message_dict


def test_a_missed_appointment_can_get_a_new_date(program, alice):
    referral = make_referral(program, S.NO_SHOW)
    services.referral_transition(
        referral=referral,
        to_status=S.APPOINTMENT,
        by=alice,
        appointment_on=dt.date(2024, 5, 2),
        expected_version=1,
    )
    assert (referral.status, referral.appointment_on) == (S.APPOINTMENT, dt.date(2024, 5, 2))


# ---- consent -------------------------------------------------------------------------------


def test_sending_without_consent_is_refused_with_a_clear_message(program, alice, met, provider):
    referral = make_referral(program, participant=met, provider=provider)
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(
            referral=referral, to_status=S.SENT, by=alice, expected_version=1
        )
    assert refused.value.message_dict["consent_on"] == [str(services.CONSENT_REQUIRED)]
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED


def test_the_database_refuses_a_sent_referral_without_consent(program):
    referral = make_referral(program)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=S.SENT, sent_on=referral.referred_on)


def test_consent_given_when_sending_is_recorded_on_the_participant(program, alice, met):
    met.consent_scope, met.consent_on = Participant.ConsentScope.SUPPORT, dt.date(2024, 1, 5)
    met.save()
    referral = make_referral(program, participant=met)
    services.referral_transition(
        referral=referral,
        to_status=S.SENT,
        by=alice,
        expected_version=1,
        consent_on=dt.date(2024, 3, 2),
        today=TODAY,
    )
    met.refresh_from_db()
    assert (referral.consent_to_share, referral.consent_on) == (True, dt.date(2024, 3, 2))
    assert (met.consent_scope, met.consent_on) == ("referral", dt.date(2024, 3, 2))


def test_a_participant_who_consented_to_referrals_can_be_referred_on_that_consent(
    program, alice, met
):
    met.consent_scope, met.consent_on = Participant.ConsentScope.EVALUATION, dt.date(2024, 1, 5)
    met.save()
    referral = make_referral(program, participant=met)
    services.referral_transition(
        referral=referral, to_status=S.SENT, by=alice, expected_version=1, today=TODAY
    )
    met.refresh_from_db()
    assert referral.consent_on == dt.date(2024, 1, 5)
    assert met.consent_scope == "evaluation"  # a wider consent is not narrowed


def test_consent_cannot_be_dated_in_the_future(program, alice):
    referral = make_referral(program)
    with pytest.raises(ValidationError):
        services.referral_transition(
            referral=referral,
            to_status=S.SENT,
            by=alice,
            expected_version=1,
            consent_on=TODAY + dt.timedelta(days=1),
            today=TODAY,
        )


# ---- who may do what -----------------------------------------------------------------------


def test_a_volunteer_proposes_for_someone_they_met(program, bob, met, provider):
    referral = services.referral_create(
        program=program, participant=met, provider=provider, by=bob, note="Sleeps badly"
    )
    assert referral.status == S.PROPOSED
    assert referral.created_by == bob
    assert referral.category == provider.category
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.note) == ("", S.PROPOSED, "Sleeps badly")


def test_a_volunteer_cannot_refer_someone_they_never_met(
    program, bob, volunteer, stranger, provider
):
    with pytest.raises(ValidationError) as refused:
        services.referral_create(program=program, participant=stranger, provider=provider, by=bob)
    assert "participant" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_a_volunteer_may_not_send_unless_the_program_allows(program, bob, met, provider):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            program=program,
            participant=met,
            provider=provider,
            by=bob,
            consent_on=dt.date(2024, 3, 1),
            send=True,
        )
    referral = services.referral_create(program=program, participant=met, provider=provider, by=bob)
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            referral=referral,
            to_status=S.SENT,
            by=bob,
            expected_version=1,
            consent_on=dt.date(2024, 3, 1),
        )
    assert S.SENT not in services.permitted_next_statuses(
        referral, program.memberships.get(user=bob)
    )


def test_a_volunteer_may_withdraw_their_own_proposal(program, bob, met, provider):
    referral = services.referral_create(
        program=program, participant=met, provider=provider, by=bob, consent_on=dt.date(2024, 3, 1)
    )
    membership = program.memberships.get(user=bob)
    assert services.permitted_next_statuses(referral, membership) == [S.CLOSED]
    services.referral_transition(
        referral=referral, to_status=S.CLOSED, by=bob, expected_version=1, note="Found help"
    )
    assert referral.status == S.CLOSED


def test_a_volunteer_cannot_write_the_outcome_of_their_own_proposal(program, bob, met, provider):
    referral = services.referral_create(program=program, participant=met, provider=provider, by=bob)
    with pytest.raises(PermissionDenied):
        services.referral_transition(
            referral=referral,
            to_status=S.CLOSED,
            by=bob,
            expected_version=1,
            outcome="Now in therapy at the PSZ",
        )
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED
    assert not referral.outcome


def test_a_volunteer_sends_when_the_program_allows(program, bob, met, provider):
    program.volunteers_may_send_referrals = True
    program.save()
    referral = services.referral_create(
        program=program,
        participant=met,
        provider=provider,
        by=bob,
        consent_on=dt.date(2024, 3, 1),
        send=True,
    )
    assert referral.status == S.SENT
    assert [e.to_status for e in referral.events.order_by("pk")] == [S.PROPOSED, S.SENT]


def test_a_coordinator_sends_a_volunteers_proposal(program, alice, bob, met, provider):
    referral = services.referral_create(program=program, participant=met, provider=provider, by=bob)
    services.referral_transition(
        referral=referral,
        to_status=S.SENT,
        by=alice,
        expected_version=referral.version,
        consent_on=dt.date(2024, 3, 1),
    )
    assert referral.status == S.SENT
    assert referral.events.get(to_status=S.SENT).by == alice


def test_a_provider_outside_the_directory_cannot_be_chosen(program, other_program, alice, met):
    from ..factories import ServiceProviderFactory

    elsewhere = ServiceProviderFactory(program=other_program)
    with pytest.raises(ValidationError) as refused:
        services.referral_create(program=program, participant=met, provider=elsewhere, by=alice)
    assert "provider" in refused.value.message_dict


# ---- optimistic locking --------------------------------------------------------------------


def test_a_step_on_an_outdated_version_is_refused_and_changes_nothing(program, alice):
    referral = make_referral(program, S.SENT)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_transition(
        referral=referral, to_status=S.ACCEPTED, by=alice, expected_version=1
    )
    with pytest.raises(services.ReferralConflict) as refused:
        services.referral_transition(
            referral=stale, to_status=S.DECLINED, by=alice, expected_version=1
        )
    assert "changed meanwhile" in refused.value.messages[0]
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (S.ACCEPTED, 2)
    assert referral.events.count() == 1


def test_editing_details_on_an_outdated_version_is_refused(program, alice, provider):
    referral = make_referral(program, provider=provider)
    details = {
        "provider": provider,
        "category": referral.category,
        "referred_on": referral.referred_on,
        "consent_on": None,
    }
    services.referral_update(
        referral=referral, by=alice, expected_version=1, urgency="urgent", **details
    )
    with pytest.raises(services.ReferralConflict):
        services.referral_update(
            referral=referral, by=alice, expected_version=1, urgency="soon", **details
        )
    referral.refresh_from_db()
    assert (referral.urgency, referral.version) == ("urgent", 2)
