"""Supervision: log sessions, list and filter them, confidential notes, and who is overdue."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership

from ..conftest import shown_date
from ..factories import (
    MembershipFactory,
    SupervisionSessionFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def supervisor(program):
    user = UserFactory(username="supervisor@example.org", first_name="Ute", last_name="Brandt")
    MembershipFactory(user=user, program=program, role=Membership.Role.SUPERVISOR)
    return user


def test_a_supervisor_logs_a_session_with_attendees_and_notes(login, supervisor, program):
    amal = VolunteerFactory(program=program, name="Amal")
    response = login(supervisor).post(
        reverse("supervision_create", args=[program.slug]),
        {
            "date": TODAY.isoformat(),
            "kind": "group",
            "minutes": "120",
            "supervisor": supervisor.pk,
            "attendees": [amal.pk],
            "topics": "Boundaries",
            "confidential_notes": "Amal is exhausted after the fire in the shelter.",
        },
        follow=True,
    )
    session = program.supervision_sessions.get()
    assert list(session.attendees.all()) == [amal]
    assert session.supervisor == supervisor
    assert "Amal is exhausted" in response.text  # the detail page shows the notes
    assert "Ute Brandt" in response.text


def test_the_supervisor_must_be_a_member_or_an_external_name(
    login, alice, program, charlie, supervisor
):
    client = login(alice)
    url = reverse("supervision_create", args=[program.slug])
    data = {"date": TODAY.isoformat(), "kind": "group", "minutes": "60"}
    response = client.post(url, data)
    assert "Who led the supervision?" in response.text
    response = client.post(url, {**data, "supervisor": charlie.pk})  # outside the program
    assert "supervisor" in response.context["form"].errors
    response = client.post(url, {**data, "supervisor": supervisor.pk, "supervisor_name": "X"})
    assert "not both" in response.text
    offered = set(response.context["form"].fields["supervisor"].queryset)
    assert offered == {alice, supervisor}
    assert not program.supervision_sessions.exists()


def test_attendees_are_the_programs_volunteers_only(login, alice, program, other_program):
    stranger = VolunteerFactory(program=other_program)
    response = login(alice).post(
        reverse("supervision_create", args=[program.slug]),
        {
            "date": TODAY.isoformat(),
            "kind": "group",
            "minutes": "60",
            "supervisor_name": "Dr. Brandt",
            "attendees": [stranger.pk],
        },
    )
    assert "attendees" in response.context["form"].errors


def test_the_list_filters_by_date_kind_and_volunteer(login, alice, program):
    amal = VolunteerFactory(program=program)
    march = SupervisionSessionFactory(program=program, date=dt.date(2024, 3, 5), topics="March")
    march.attendees.add(amal, VolunteerFactory(program=program))
    SupervisionSessionFactory(program=program, date=dt.date(2024, 4, 5), topics="April")
    SupervisionSessionFactory(
        program=program, date=dt.date(2024, 3, 6), kind="individual", topics="Individual"
    )
    client = login(alice)
    url = reverse("supervision_list", args=[program.slug])

    def topics(**params):
        return [row[-1]["text"] for row in client.get(url, params).context["rows"]]

    assert topics(date_from="2024-03-01", date_to="2024-03-31") == ["Individual", "March"]
    assert topics(kind="group") == ["April", "March"]
    response = client.get(url, {"volunteer": amal.pk})
    assert [[c["text"] for c in row][4:] for row in response.context["rows"]] == [["2", "March"]]


def test_a_volunteer_cannot_open_supervision_pages(login, bob, program):
    session = SupervisionSessionFactory(program=program)
    client = login(bob)
    assert client.get(reverse("supervision_list", args=[program.slug])).status_code == 403
    url = reverse("supervision_detail", args=[program.slug, session.pk])
    assert client.get(url).status_code == 403


def test_another_programs_session_is_not_found(login, alice, program, other_program):
    session = SupervisionSessionFactory(program=other_program)
    url = reverse("supervision_detail", args=[program.slug, session.pk])
    assert login(alice).get(url).status_code == 404


# ---- overdue ---------------------------------------------------------------------------------


def _supervised(volunteer, days_ago):
    session = SupervisionSessionFactory(
        program=volunteer.program, date=TODAY - dt.timedelta(days=days_ago)
    )
    session.attendees.add(volunteer)


def test_overdue_lists_active_volunteers_past_the_interval(login, supervisor, program):
    program.supervision_interval_days = 30
    program.save()
    on_the_day = VolunteerFactory(program=program, name="On the day")
    _supervised(on_the_day, 30)
    one_day_late = VolunteerFactory(program=program, name="One day late")
    _supervised(one_day_late, 31)
    recent = VolunteerFactory(program=program, name="Recent")
    _supervised(recent, 31)
    _supervised(recent, 2)
    VolunteerFactory(program=program, name="Never")
    paused = VolunteerFactory(program=program, name="Paused", status="paused")
    _supervised(paused, 90)
    future_only = VolunteerFactory(program=program, name="Only planned")
    _supervised(future_only, -3)

    response = login(supervisor).get(reverse("supervision_overdue", args=[program.slug]))
    rows = {row[1]["text"]: [c["text"] for c in row] for row in response.context["rows"]}
    assert set(rows) == {"One day late", "Never", "Only planned"}
    assert rows["One day late"][4:] == [shown_date(TODAY - dt.timedelta(days=31)), "31"]
    assert rows["Never"][4:] == ["never", "—"]
    assert "No supervision for more than 30 days" in response.text
    assert rows["Never"] == [c["text"] for c in response.context["rows"][0]]  # never first
    # Supervisors may not open volunteer profiles, so the names are not links for them.
    assert response.context["rows"][0][1]["url"] is None


def test_overdue_follows_the_programs_interval(login, alice, program):
    program.supervision_interval_days = 60
    program.save()
    volunteer = VolunteerFactory(program=program, name="Forty days ago")
    _supervised(volunteer, 40)
    response = login(alice).get(reverse("supervision_overdue", args=[program.slug]))
    assert response.context["rows"] == []
