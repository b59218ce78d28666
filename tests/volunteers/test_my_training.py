"""A volunteer's own trainings and supervision: theirs only, and never the confidential notes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ..factories import (
    EnrollmentFactory,
    SupervisionSessionFactory,
    TrainingSessionFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def me(program, bob):
    return VolunteerFactory(program=program, user=bob, name="Bob Berger")


def test_a_volunteer_sees_their_enrolments_attendance_and_certificate(login, bob, program, me):
    session = TrainingSessionFactory(
        training__program=program, training__title="Basic course", minutes=180
    )
    TrainingSessionFactory(training=session.training, minutes=180)
    done = EnrollmentFactory(
        training=session.training, volunteer=me, status="completed", completed_on=TODAY
    )
    session.attendances.create(volunteer=me)
    EnrollmentFactory(training__program=program, training__title="Someone else's course")
    response = login(bob).get(reverse("my_training", args=[program.slug]))
    assert "Basic course" in response.text
    assert "1 of 2 sessions attended" in response.text
    assert "3.0 of 24.0 h" in response.text
    certificate = reverse("training_certificate", args=[program.slug, done.training.pk, done.pk])
    assert certificate in response.text
    assert "Someone else" not in response.text


def test_a_volunteer_sees_their_supervision_hours_but_never_the_notes(login, bob, program, me):
    mine = SupervisionSessionFactory(
        program=program,
        date=TODAY - dt.timedelta(days=3),
        minutes=90,
        kind="individual",
        confidential_notes="Worried about Bob's sleep.",
    )
    mine.attendees.add(me)
    SupervisionSessionFactory(program=program, kind="group", minutes=600).attendees.add(
        VolunteerFactory(program=program)
    )
    response = login(bob).get(reverse("my_training", args=[program.slug]))
    own = response.context["own"]
    assert own.supervision.total == pytest.approx(1.5)
    assert [s.pk for s in own.supervision_sessions] == [mine.pk]
    assert "Individual supervision" in response.text
    assert "Group supervision" not in response.text
    assert "Worried about" not in response.text


def test_without_a_volunteer_profile_the_page_says_whom_to_ask(login, bob, program):
    response = login(bob).get(reverse("my_training", args=[program.slug]))
    assert response.status_code == 200
    assert "ask your coordinator" in response.text


def test_coordinators_have_no_own_training_page(login, alice, program):
    assert login(alice).get(reverse("my_training", args=[program.slug])).status_code == 403
