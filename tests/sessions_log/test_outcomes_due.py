"""Follow-up questionnaires due: 3 and 6 months after the baseline."""

import pytest
from django.urls import reverse

from core.dates import months_later

from ..factories import OutcomeMeasureFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("outcome_due_list", args=[program.slug])


def baseline(program, code, months_ago, today, **extra):
    person = ParticipantFactory(program=program, code=code)
    OutcomeMeasureFactory(participant=person, date=months_later(today, -months_ago), **extra)
    return person


def rows(response):
    return [(row[0]["text"], row[3]["text"]) for row in response.context["rows"]]


def test_it_lists_the_follow_ups_that_are_due(login, program, alice, url, today):
    baseline(program, "P-RECNT", 1, today)  # not due yet
    baseline(program, "P-THREE", 4, today)
    baseline(program, "P-SIXMO", 7, today)
    done = baseline(program, "P-DONE6", 8, today)
    OutcomeMeasureFactory(participant=done, timepoint="followup_6m", date=months_later(today, -1))
    three_done = baseline(program, "P-DONE3", 4, today)
    OutcomeMeasureFactory(
        participant=three_done, timepoint="followup_3m", date=months_later(today, -1)
    )
    left = baseline(program, "P-LEFT1", 9, today)
    OutcomeMeasureFactory(participant=left, timepoint="exit", date=months_later(today, -2))
    response = login(alice).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert sorted(rows(response)) == [
        ("P-SIXMO", "6-month follow-up"),
        ("P-THREE", "3-month follow-up"),
    ]


def test_a_3_month_follow_up_does_not_stop_the_6_month_one(login, program, alice, url, today):
    person = baseline(program, "P-BOTH6", 7, today)
    OutcomeMeasureFactory(participant=person, timepoint="followup_3m", date=months_later(today, -4))
    assert rows(login(alice).get(url, HTTP_ACCEPT_LANGUAGE="en")) == [
        ("P-BOTH6", "6-month follow-up")
    ]


def test_it_links_to_the_form_with_instrument_and_time_point(login, program, alice, url, today):
    person = baseline(program, "P-LINK1", 7, today)
    response = login(alice).get(url)
    form_url = reverse("outcome_measure_create", args=[program.slug, person.pk])
    assert f"{form_url}?instrument=who5&amp;timepoint=followup_6m" in response.text


def test_it_filters_by_instrument(login, program, alice, url, today):
    baseline(program, "P-WHO55", 7, today)
    baseline(program, "P-UCLA3", 7, today, instrument="ucla3", answers={"1": 2, "2": 2, "3": 2})
    response = login(alice).get(url, {"instrument": "ucla3"})
    assert [code for code, _due in rows(response)] == ["P-UCLA3"]


def test_volunteers_and_supervisors_may_not_open_it(login, program, bob, sara, url):
    assert login(bob).get(url).status_code == 403
    assert login(sara).get(url).status_code == 403


def test_coordinators_find_it_in_the_navigation(login, program, alice, url):
    home = login(alice).get(reverse("program_home", args=[program.slug]))
    assert url in home.text
