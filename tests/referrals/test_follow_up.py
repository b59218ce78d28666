"""Follow-up: referrals waiting too long at sent or appointment, and the daily digest."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership
from referrals import selectors
from referrals.models import Referral, ReferralEvent

from ..factories import MembershipFactory, ParticipantFactory, UserFactory
from .conftest import make_referral

pytestmark = pytest.mark.django_db

S = Referral.Status
TODAY = dt.date(2024, 6, 30)


def ago(days, today=TODAY):
    return today - dt.timedelta(days=days)


@pytest.fixture
def digest(django_capture_on_commit_callbacks):
    """Run the command as cron would; the queued task runs when the command's work commits."""

    def run(**options):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_referral_digest", stdout=None, **options)

    return run


def codes(referrals):
    return sorted(r.participant.code for r in referrals)


def test_a_referral_is_due_the_day_after_its_follow_up_period(program):
    program.referral_follow_up_days = 14
    program.save()
    sent = dict(referred_on=ago(40))
    make_referral(program, S.SENT, **sent, sent_on=ago(14), participant__code="P-SENT14")
    make_referral(program, S.SENT, **sent, sent_on=ago(15), participant__code="P-SENT15")
    make_referral(
        program, S.APPOINTMENT, **sent, appointment_on=ago(14), participant__code="P-APPT14"
    )
    make_referral(
        program, S.APPOINTMENT, **sent, appointment_on=ago(15), participant__code="P-APPT15"
    )
    make_referral(
        program, S.APPOINTMENT, **sent, appointment_on=TODAY, participant__code="P-APPT00"
    )
    make_referral(program, S.ACCEPTED, **sent, sent_on=ago(30), participant__code="P-ACCEPT")
    make_referral(program, S.CLOSED, **sent, participant__code="P-CLOSED")
    make_referral(program, referred_on=ago(30), participant__code="P-PROPOS")
    assert codes(selectors.follow_up_referrals(program, TODAY)) == ["P-APPT15", "P-SENT15"]


def test_the_follow_up_period_is_the_programs_setting(program):
    program.referral_follow_up_days = 7
    program.save()
    make_referral(program, S.SENT, referred_on=ago(8), sent_on=ago(8), participant__code="P-EIGHT")
    assert codes(selectors.follow_up_referrals(program, TODAY)) == ["P-EIGHT"]
    program.referral_follow_up_days = 14
    assert codes(selectors.follow_up_referrals(program, TODAY)) == []


def test_the_follow_up_page_lists_what_is_due_oldest_first(login, program, other_program, alice):
    today = timezone.localdate()
    make_referral(program, S.SENT, referred_on=ago(30, today), participant__code="P-OLDER")
    make_referral(program, S.SENT, referred_on=ago(20, today), participant__code="P-NEWER")
    make_referral(program, S.SENT, referred_on=ago(3, today), participant__code="P-FRESH")
    make_referral(other_program, S.SENT, referred_on=ago(30, today), participant__code="P-OTHER")
    response = login(alice).get(reverse("referral_follow_up", args=[program.slug]))
    rows = response.context["rows"]
    assert [row[2]["text"] for row in rows] == ["P-OLDER", "P-NEWER"]
    assert rows[0][1]["text"] == "30"


def test_volunteers_have_no_follow_up_page(login, program, bob):
    assert login(bob).get(reverse("referral_follow_up", args=[program.slug])).status_code == 403


@pytest.fixture
def due_referral(program, alice):
    participant = ParticipantFactory(program=program, code="P-DUE77", alias="Amira K.")
    referral = make_referral(
        program,
        S.SENT,
        participant=participant,
        provider__name="Psychiatrie Grafenberg",
        referred_on=ago(20, timezone.localdate()),
        outcome="Diagnosis: PTSD",
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status="proposed",
        to_status="sent",
        by=alice,
        note="Told of flashbacks",
    )
    return referral


def test_the_digest_goes_to_each_coordinator_with_codes_and_links_only(
    program, alice, bob, due_referral, digest
):
    second = UserFactory(username="berit@example.org")
    MembershipFactory(user=second, program=program, role=Membership.Role.COORDINATOR)
    program.default_language = "en"
    program.save()
    digest()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "berit@example.org"]
    message = mail.outbox[0]
    assert message.subject == "in2balance: 1 referral to follow up"
    assert "P-DUE77" in message.body
    assert "Psychiatrie Grafenberg" in message.body
    link = f"https://lotse.example.org/p/in2balance/referrals/{due_referral.pk}/"
    assert link in message.body
    assert "https://lotse.example.org/p/in2balance/referrals/follow-up/" in message.body
    for private in ("Amira", "flashbacks", "PTSD"):
        assert private not in message.body
    assert "bob@example.org" not in [m.to[0] for m in mail.outbox]


def test_the_digest_is_written_in_the_programs_language(program, alice, due_referral, digest):
    program.default_language = "de"
    program.save()
    digest()
    assert "P-DUE77" in mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("in2balance:")


def test_no_digest_when_nothing_is_due(program, alice, digest):
    make_referral(program, S.SENT, referred_on=timezone.localdate())
    digest()
    assert mail.outbox == []


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://lotse.example.org"
