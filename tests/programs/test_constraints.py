"""The database refuses rows that break the domain's invariants, whatever code writes them."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction

from programs.models import Participant
from referrals.models import Referral
from sessions_log.models import Match
from volunteers.models import Enrollment, Training

from ..factories import (
    ActivityFactory,
    GrantFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SiteFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_it_refuses_negative_attendance():
    refused(ActivityFactory, attendees_total=-1, attendees_women=0, attendees_men=0)


def test_it_refuses_more_women_and_men_than_attendees():
    refused(ActivityFactory, attendees_total=5, attendees_women=3, attendees_men=3)


def test_it_accepts_women_and_men_adding_up_to_the_total():
    activity = ActivityFactory(attendees_total=6, attendees_women=3, attendees_men=3)
    assert activity.pk


def test_it_refuses_more_children_than_attendees():
    refused(
        ActivityFactory, attendees_total=2, attendees_women=0, attendees_men=0, attendees_children=3
    )


def test_it_refuses_a_second_activity_with_the_same_idempotency_key():
    key = uuid.uuid4()
    first = ActivityFactory(idempotency_key=key)
    refused(ActivityFactory, program=first.program, idempotency_key=key)


def test_the_same_idempotency_key_may_appear_in_another_program():
    key = uuid.uuid4()
    ActivityFactory(idempotency_key=key)
    assert ActivityFactory(idempotency_key=key).pk


def test_it_refuses_a_program_ending_before_it_starts():
    refused(ProgramFactory, starts_on=dt.date(2024, 5, 1), ends_on=dt.date(2024, 4, 30))


def test_it_refuses_a_grant_period_ending_before_it_starts():
    refused(GrantFactory, starts_on=dt.date(2024, 5, 1), ends_on=dt.date(2024, 4, 30))


def test_it_refuses_a_negative_grant_amount():
    refused(GrantFactory, amount=-1)


def test_it_refuses_a_training_ending_before_it_starts():
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Training.objects.create(
            program=program,
            title="Basics",
            kind=Training.Kind.BASIC,
            starts_on=dt.date(2024, 5, 1),
            ends_on=dt.date(2024, 4, 1),
            planned_hours=20,
        )


def test_it_refuses_a_completed_enrolment_without_completion_date():
    volunteer = VolunteerFactory()
    training = Training.objects.create(
        program=volunteer.program,
        title="Basics",
        kind=Training.Kind.BASIC,
        starts_on=dt.date(2024, 4, 1),
        ends_on=dt.date(2024, 5, 1),
        planned_hours=20,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            training=training,
            volunteer=volunteer,
            status=Enrollment.Status.COMPLETED,
            enrolled_on=dt.date(2024, 4, 1),
        )


def test_it_refuses_a_volunteer_who_left_without_a_date():
    refused(VolunteerFactory, status="left")


def test_it_refuses_duplicate_participant_codes_within_a_program():
    first = ParticipantFactory()
    refused(ParticipantFactory, program=first.program, code=first.code)


def test_it_refuses_consent_scope_without_consent_date():
    refused(ParticipantFactory, consent_scope=Participant.ConsentScope.SUPPORT)


def test_participants_get_a_pseudonymous_code():
    participant = ParticipantFactory()
    assert participant.code.startswith("P-") and len(participant.code) == 7


def test_it_refuses_an_outbound_referral_sent_without_consent():
    refused(ReferralFactory, status=Referral.Status.SENT, consent_to_share=False)


def test_it_accepts_an_inbound_referral_without_consent_to_share_onwards():
    referral = ReferralFactory(direction=Referral.Direction.INBOUND, status="accepted")
    assert referral.pk


def test_it_refuses_an_ended_match_without_reason():
    volunteer = VolunteerFactory()
    participant = ParticipantFactory(program=volunteer.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(
            program=volunteer.program,
            volunteer=volunteer,
            participant=participant,
            status=Match.Status.ENDED,
            proposed_on=dt.date(2024, 1, 1),
            started_on=dt.date(2024, 1, 10),
            ended_on=dt.date(2024, 6, 1),
        )


def test_deleting_a_program_deletes_its_logged_work():
    referral = ReferralFactory()
    program = referral.program
    ActivityFactory(program=program, site=SiteFactory(program=program))
    program.delete()
    assert not Referral.objects.exists()


def test_a_site_with_logged_activities_cannot_be_deleted_on_its_own():
    from django.db.models import RestrictedError

    site = SiteFactory()
    ActivityFactory(program=site.program, site=site)
    with pytest.raises(RestrictedError):
        site.delete()
