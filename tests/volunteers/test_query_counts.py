"""Every page of the volunteers app answers in the same number of queries at 10 and 100 rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Language
from volunteers.models import TrainingAttendance

from ..factories import (
    ActivityFactory,
    EnrollmentFactory,
    SiteFactory,
    SupervisionSessionFactory,
    TrainingFactory,
    TrainingSessionFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _volunteer(program):
    volunteer = VolunteerFactory(program=program)
    volunteer.languages.add(Language.objects.get(code="ar"))
    volunteer.usual_sites.add(SiteFactory(program=program))
    return volunteer


@pytest.mark.parametrize("list_name", ["volunteer_list", "supervision_overdue"])
def test_volunteer_lists(login, alice, program, list_name):
    client = login(alice)
    url = reverse(list_name, args=[program.slug])

    def queries_for(n):
        for _ in range(n):
            volunteer = _volunteer(program)
            ActivityFactory(program=program).facilitators.add(volunteer)
            SupervisionSessionFactory(
                program=program, date=TODAY - dt.timedelta(days=90)
            ).attendees.add(volunteer)
        return _count(client, url)

    assert queries_for(10) == queries_for(90)


def test_training_list(login, alice, program):
    client = login(alice)
    url = reverse("training_list", args=[program.slug])

    def queries_for(n):
        for _ in range(n):
            session = TrainingSessionFactory(training__program=program)
            EnrollmentFactory(training=session.training)
        return _count(client, url)

    assert queries_for(10) == queries_for(90)


def test_supervision_list(login, alice, program):
    client = login(alice)
    url = reverse("supervision_list", args=[program.slug])

    def queries_for(n):
        for _ in range(n):
            SupervisionSessionFactory(program=program).attendees.add(_volunteer(program))
        return _count(client, url)

    assert queries_for(10) == queries_for(90)


def _fill_training(training, volunteers, sessions):
    new_sessions = [TrainingSessionFactory(training=training) for _ in range(sessions)]
    all_sessions = list(training.sessions.all())
    for _ in range(volunteers):
        volunteer = EnrollmentFactory(training=training).volunteer
        TrainingAttendance.objects.bulk_create(
            TrainingAttendance(session=s, volunteer=volunteer) for s in all_sessions[::2]
        )
    return new_sessions


@pytest.mark.parametrize("view_name", ["training_attendance", "training_detail"])
def test_a_training_with_10_or_100_volunteers(login, alice, program, view_name):
    client = login(alice)
    small = TrainingFactory(program=program)
    large = TrainingFactory(program=program)
    _fill_training(small, volunteers=10, sessions=3)
    _fill_training(large, volunteers=100, sessions=12)
    assert _count(client, reverse(view_name, args=[program.slug, small.pk])) == _count(
        client, reverse(view_name, args=[program.slug, large.pk])
    )


def test_saving_the_grid_takes_as_many_queries_for_10_as_for_100_volunteers(login, alice, program):
    client = login(alice)

    def queries_for(volunteers):
        training = TrainingFactory(program=program)
        _fill_training(training, volunteers=volunteers, sessions=6)
        session_ids = list(training.sessions.values_list("pk", flat=True))
        volunteer_ids = list(training.enrollments.values_list("volunteer_id", flat=True))
        # every volunteer: the odd sessions instead of the even ones
        marks = [f"{s}-{v}" for v in volunteer_ids for s in session_ids[1::2]]
        url = reverse("training_attendance", args=[program.slug, training.pk])
        with CaptureQueriesContext(connection) as ctx:
            client.post(url, {"mark": marks}, headers={"HX-Request": "true"})
        assert TrainingAttendance.objects.filter(session__training=training).count() == len(marks)
        return len(ctx)

    assert queries_for(10) == queries_for(100)


def test_a_volunteer_profile_and_own_page(login, alice, bob, program):
    def profile_queries(n):
        volunteer = _volunteer(program)
        for _ in range(n):
            ActivityFactory(program=program, site=SiteFactory(program=program)).facilitators.add(
                volunteer
            )
            EnrollmentFactory(training__program=program, volunteer=volunteer)
            SupervisionSessionFactory(program=program).attendees.add(volunteer)
        return _count(login(alice), reverse("volunteer_detail", args=[program.slug, volunteer.pk]))

    assert profile_queries(10) == profile_queries(100)

    me = VolunteerFactory(program=program, user=bob)

    def own_queries(n):
        for _ in range(n):
            EnrollmentFactory(training__program=program, volunteer=me)
            SupervisionSessionFactory(program=program).attendees.add(me)
        return _count(login(bob), reverse("my_training", args=[program.slug]))

    assert own_queries(10) == own_queries(90)
