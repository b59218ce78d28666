"""Concerns: raised from the log form, e-mailed when serious, acknowledged once in the inbox."""

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import ActivityKind, Membership
from sessions_log.models import Concern

from ..factories import (
    ActivityFactory,
    ConcernFactory,
    MembershipFactory,
    ParticipantFactory,
    SiteFactory,
    UserFactory,
)
from .utils import one_to_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(program):
    return reverse("concern_list", args=[program.slug])


def acknowledge_url(concern):
    return reverse("concern_acknowledge", args=[concern.program.slug, concern.pk])


def log_with_concern(client, program, shelter, participant, severity):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": ActivityKind.ONE_TO_ONE,
        "date": timezone.localdate().isoformat(),
        "site": shelter.pk,
        "participants": [participant.pk],
        "worried": "on",
        "concern_category": Concern.Category.SELF_HARM,
        "concern_severity": severity,
        "concern_description": f"{participant.code} spoke about ending their life.",
    }
    return client.post(reverse("activity_log", args=[program.slug]), data)


@pytest.fixture
def person(program, volunteer):
    participant = ParticipantFactory(program=program, code="P-7K3Q9")
    one_to_one(program, volunteer, participant)
    return participant


@pytest.mark.parametrize("severity", ["high", "urgent"])
def test_a_serious_concern_emails_coordinators_and_supervisors_without_identifying_anyone(
    login,
    program,
    alice,
    sara,
    volunteer,
    shelter,
    person,
    severity,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://lotse.example.org"
    program.default_language = "en"
    program.save()
    with django_capture_on_commit_callbacks(execute=True):
        log_with_concern(login(volunteer.user), program, shelter, person, severity)
    concern = Concern.objects.get()
    assert concern.activity.participants.get() == person
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, sara.email]
    message = mail.outbox[0]
    assert "in2balance" in message.subject
    assert "Risk of self-harm or suicide" in message.body
    assert "https://lotse.example.org/p/in2balance/concerns/" in message.body
    assert "P-7K3Q9" not in message.subject + message.body
    assert "ending their life" not in message.body
    assert "Shelter Nord" not in message.body


@pytest.mark.parametrize("severity", ["low", "medium"])
def test_a_lesser_concern_waits_in_the_inbox_without_email(
    login,
    program,
    alice,
    sara,
    volunteer,
    shelter,
    person,
    severity,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        log_with_concern(login(volunteer.user), program, shelter, person, severity)
    assert Concern.objects.count() == 1
    assert mail.outbox == []


def test_volunteers_and_other_programs_are_not_emailed(
    login,
    program,
    other_program,
    charlie,
    volunteer,
    shelter,
    person,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        log_with_concern(login(volunteer.user), program, shelter, person, "urgent")
    recipients = [m.to[0] for m in mail.outbox]
    assert volunteer.user.email not in recipients
    assert charlie.email not in recipients


def test_the_email_is_written_in_the_programs_language(
    login, program, alice, volunteer, shelter, person, django_capture_on_commit_callbacks
):
    assert program.default_language == "de"
    with django_capture_on_commit_callbacks(execute=True):
        log_with_concern(login(volunteer.user), program, shelter, person, "high")
    assert "Gefahr von Selbstverletzung oder Suizid" in mail.outbox[0].body


def test_the_inbox_shows_open_concerns_first_then_the_newest(login, program, sara, inbox):
    now = timezone.now()
    old_open = ConcernFactory(program=program, severity="low")
    new_done = ConcernFactory(program=program, acknowledged_by=sara, acknowledged_at=now)
    new_open = ConcernFactory(program=program, severity="urgent")
    Concern.objects.filter(pk=old_open.pk).update(raised_at=now - dt.timedelta(days=3))
    Concern.objects.filter(pk=new_done.pk).update(raised_at=now)
    Concern.objects.filter(pk=new_open.pk).update(raised_at=now - dt.timedelta(days=1))
    rows = login(sara).get(inbox).context["rows"]
    assert [row[1]["text"] for row in rows] == ["Urgent", "Low", "High"]
    assert [row[-1]["text"] for row in rows][:2] == ["open", "open"]


def test_the_inbox_shows_the_activity_behind_each_concern(login, program, sara, shelter, inbox):
    activity = ActivityFactory(program=program, site=shelter, date=dt.date(2024, 3, 1))
    ConcernFactory(program=program, activity=activity)
    row = login(sara).get(inbox).context["rows"][0]
    assert row[3]["text"] == "Group session 2024-03-01 · Shelter Nord"
    assert row[3]["url"] == reverse("activity_detail", args=[program.slug, activity.pk])


def test_the_inbox_filters_by_severity_category_and_acknowledged(login, program, sara, inbox):
    ConcernFactory(program=program, severity="low", category="medical")
    ConcernFactory(
        program=program, severity="high", acknowledged_by=sara, acknowledged_at=timezone.now()
    )
    client = login(sara)
    assert len(client.get(inbox, {"severity": "low"}).context["rows"]) == 1
    assert len(client.get(inbox, {"category": "medical"}).context["rows"]) == 1
    assert len(client.get(inbox, {"acknowledged": "true"}).context["rows"]) == 1
    assert len(client.get(inbox, {"acknowledged": "false"}).context["rows"]) == 1


def test_a_supervisor_acknowledges_a_concern_once_without_an_outcome(login, program, sara, alice):
    concern = ConcernFactory(program=program)
    client = login(sara)
    response = client.post(acknowledge_url(concern), {"step": "acknowledge"}, follow=True)
    assert "The concern was acknowledged" in response.text
    assert "The outcome is still to be recorded." in response.text
    concern.refresh_from_db()
    assert concern.acknowledged_by == sara
    assert concern.state == Concern.State.ACKNOWLEDGED
    again = login(alice).post(acknowledge_url(concern), {"step": "acknowledge"}, follow=True)
    assert "This concern was already acknowledged." in again.text
    concern.refresh_from_db()
    assert concern.acknowledged_by == sara


def test_the_outcome_is_recorded_after_acknowledging(login, program, sara, alice):
    concern = ConcernFactory(program=program)
    client = login(sara)
    early = client.post(acknowledge_url(concern), {"step": "outcome", "outcome": "Called."})
    assert early.status_code == 302
    concern.refresh_from_db()
    assert concern.outcome == "" and concern.acknowledged_at is None
    client.post(acknowledge_url(concern), {"step": "acknowledge"})
    response = login(alice).post(
        acknowledge_url(concern), {"step": "outcome", "outcome": "Called the shelter's staff."}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.acknowledged_by, concern.outcome_recorded_by) == (sara, alice)
    assert concern.outcome == "Called the shelter's staff."
    assert concern.state == Concern.State.CLOSED
    page = login(sara).get(acknowledge_url(concern)).text
    assert "Called the shelter&#x27;s staff." in page
    assert "Record the outcome</button>" not in page


def test_recording_the_outcome_needs_a_text(login, program, sara):
    concern = ConcernFactory(program=program, acknowledged_by=sara, acknowledged_at=timezone.now())
    response = login(sara).post(acknowledge_url(concern), {"step": "outcome", "outcome": " "})
    assert response.status_code == 422
    assert "outcome" in response.context["form"].errors
    concern.refresh_from_db()
    assert concern.outcome_recorded_at is None


def test_the_transitions_are_enforced_by_the_service(program, sara, alice):
    from django.core.exceptions import ValidationError

    from sessions_log import services

    concern = ConcernFactory(program=program)
    with pytest.raises(ValidationError, match="acknowledge the concern first"):
        services.concern_record_outcome(concern=concern, by=sara, outcome="Done")
    services.concern_acknowledge(concern=concern, by=sara)
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.concern_acknowledge(concern=concern, by=alice)
    services.concern_record_outcome(concern=concern, by=sara, outcome="Done")
    with pytest.raises(ValidationError, match="already recorded"):
        services.concern_record_outcome(concern=concern, by=alice, outcome="Again")


def test_the_volunteer_learns_that_their_concern_was_acknowledged(
    login, program, sara, volunteer, django_capture_on_commit_callbacks
):
    concern = ConcernFactory(program=program, raised_by=volunteer.user, category="medical")
    home = reverse("program_home", args=[program.slug])
    assert "not yet acknowledged" in login(volunteer.user).get(home).text
    with django_capture_on_commit_callbacks(execute=True):
        login(sara).post(acknowledge_url(concern), {"step": "acknowledge"})
    assert [m.to for m in mail.outbox] == [[volunteer.user.email]]
    message = mail.outbox[0]
    assert program.name in message.subject
    # In the program's language (German), and without what was written.
    assert "Medizinischer Notfall" in message.body
    assert concern.description not in message.body
    assert reverse("my_concerns", args=[program.slug]) in message.body
    page = login(volunteer.user).get(home).text
    assert "not yet acknowledged" not in page
    mine = login(volunteer.user).get(reverse("my_concerns", args=[program.slug])).text
    assert "acknowledged" in mine


def test_raised_by_names_the_volunteer_not_an_email(login, program, sara, volunteer, inbox):
    volunteer.user.email = volunteer.user.username = "vera@example.org"
    volunteer.user.save()
    concern = ConcernFactory(program=program, raised_by=volunteer.user)
    row = login(sara).get(inbox).context["rows"][0]
    assert row[4]["text"] == volunteer.name
    page = login(sara).get(acknowledge_url(concern)).text
    assert volunteer.name in page
    assert "vera@example.org" not in page


def test_the_home_page_links_each_open_concern(login, program, sara):
    concern = ConcernFactory(program=program)
    page = login(sara).get(reverse("program_home", args=[program.slug])).text
    assert f'href="{acknowledge_url(concern)}"' in page


def test_volunteers_and_funders_have_no_inbox(login, program, bob, inbox):
    funder = UserFactory()
    MembershipFactory(user=funder, program=program, role=Membership.Role.FUNDER)
    assert login(bob).get(inbox).status_code == 403
    assert login(funder).get(inbox).status_code == 403


def test_a_concern_of_another_program_is_not_found(login, program, other_program, sara):
    foreign = ConcernFactory(program=other_program)
    url = reverse("concern_acknowledge", args=[program.slug, foreign.pk])
    assert login(sara).get(url).status_code == 404
    assert login(sara).post(url, {"step": "acknowledge"}).status_code == 404


def test_query_count_does_not_grow_with_rows(login, program, sara, inbox):
    client = login(sara)

    def queries_for(n):
        for _ in range(n):
            activity = ActivityFactory(program=program, site=SiteFactory(program=program))
            ConcernFactory(program=program, activity=activity, raised_by=sara)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(inbox).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)
