"""Recording questionnaires: coordinators for anyone, volunteers for the people they met."""

import datetime as dt

import pytest
from django.urls import reverse

from sessions_log.models import OutcomeMeasure

from ..factories import OutcomeMeasureFactory, ParticipantFactory
from .utils import one_to_one

pytestmark = pytest.mark.django_db


def new_url(participant, instrument="who5", **params):
    url = reverse("outcome_measure_create", args=[participant.program.slug, participant.pk])
    query = "&".join(f"{k}={v}" for k, v in {"instrument": instrument, **params}.items())
    return f"{url}?{query}"


def who5_post(answers=(3, 2, 4, 1, 2), **fields):
    data = {"timepoint": "baseline", "date": "2025-03-01", "custom_label": "", "language": ""}
    data.update({f"item_{n}": str(v) for n, v in enumerate(answers, start=1)})
    data.update(fields)
    return data


def test_it_shows_one_button_per_answer_with_the_official_wording(login, program, alice):
    participant = ParticipantFactory(program=program)
    response = login(alice).get(new_url(participant), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.text
    assert "I have felt cheerful and in good spirits" in text
    assert text.count('class="btn-check"') == 5 * 7  # six answers and "no answer" per item
    assert "All of the time" in text and "At no time" in text
    assert "style=" not in text.split("<main", 1)[-1]


def test_it_shows_danish_wording_in_danish(login, program, alice, client):
    participant = ParticipantFactory(program=program)
    login(alice)
    client.cookies["django_language"] = "da"
    text = client.get(new_url(participant), HTTP_ACCEPT_LANGUAGE="da").text
    assert "har jeg været glad og i godt humør" in text
    assert "På intet tidspunkt" in text


def test_the_rhs15_form_shows_no_item_texts(login, program, alice):
    participant = ParticipantFactory(program=program)
    text = login(alice).get(new_url(participant, "rhs15"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Item 15" in text
    assert "copyrighted" in text


def test_a_coordinator_records_who5_and_sees_the_score(login, program, alice):
    participant = ParticipantFactory(program=program)
    client = login(alice)
    response = client.post(new_url(participant), who5_post(), follow=True)
    measure = OutcomeMeasure.objects.get()
    assert (measure.score, measure.score_percent, measure.complete) == (12, 48, True)
    assert measure.category == "poor_wellbeing"
    assert measure.administered_by == alice
    assert measure.answers == {"1": 3, "2": 2, "3": 4, "4": 1, "5": 2}
    assert "48 %" in response.text
    assert response.redirect_chain[-1][0].endswith(
        reverse("participant_detail", args=[program.slug, participant.pk])
    )
    assert "<svg" in response.text


def test_a_missing_answer_is_stored_as_incomplete_in_a_draft(login, program, alice):
    participant = ParticipantFactory(program=program)
    data = who5_post(_action="draft")
    data["item_4"] = ""
    login(alice).post(new_url(participant), data)
    measure = OutcomeMeasure.objects.get()
    assert measure.answers["4"] is None
    assert (measure.score, measure.complete, measure.status) == (None, False, "draft")


def test_an_answer_off_the_scale_is_refused_and_nothing_stored(login, program, alice):
    participant = ParticipantFactory(program=program)
    response = login(alice).post(new_url(participant), who5_post(answers=(3, 2, 9, 1, 2)))
    assert response.status_code == 200
    assert "9 is not an answer of this item" in response.text
    assert not OutcomeMeasure.objects.exists()


def test_a_date_in_the_future_is_refused(login, program, alice, today):
    participant = ParticipantFactory(program=program)
    future = (today + dt.timedelta(days=1)).isoformat()
    response = login(alice).post(new_url(participant), who5_post(date=future))
    assert "The date cannot be in the future." in response.text
    assert not OutcomeMeasure.objects.exists()


def test_a_second_baseline_is_refused_with_a_clear_message(login, program, alice):
    participant = ParticipantFactory(program=program)
    OutcomeMeasureFactory(participant=participant, date=dt.date(2025, 1, 10))
    response = login(alice).post(new_url(participant), who5_post())
    assert "already recorded on 10 Jan 2025" in response.text
    assert OutcomeMeasure.objects.count() == 1


def test_a_participant_of_another_program_is_not_found(login, program, alice, other_program):
    stranger = ParticipantFactory(program=other_program)
    url = reverse("outcome_measure_create", args=[program.slug, stranger.pk]) + "?instrument=who5"
    response = login(alice).post(url, who5_post())
    assert response.status_code == 404
    assert not OutcomeMeasure.objects.exists()


def test_a_volunteer_records_for_someone_they_met(login, program, bob, volunteer):
    met = ParticipantFactory(program=program)
    one_to_one(program, volunteer, met)
    response = login(bob).post(
        new_url(met, "ucla3"),
        {
            "timepoint": "baseline",
            "date": "2025-03-01",
            "item_1": "2",
            "item_2": "3",
            "item_3": "2",
        },
    )
    assert response.status_code == 302
    measure = OutcomeMeasure.objects.get()
    assert (measure.score, measure.category) == (7, "lonely")


def test_a_volunteer_guessing_another_participant_gets_404(login, program, bob, volunteer):
    stranger = ParticipantFactory(program=program)
    client = login(bob)
    assert client.get(new_url(stranger)).status_code == 404
    assert client.post(new_url(stranger), who5_post()).status_code == 404
    assert not OutcomeMeasure.objects.exists()


def test_a_supervisor_may_read_but_not_record(login, program, sara):
    participant = ParticipantFactory(program=program)
    OutcomeMeasureFactory(participant=participant)
    client = login(sara)
    assert client.get(new_url(participant)).status_code == 403
    page = client.get(reverse("participant_detail", args=[program.slug, participant.pk]))
    assert "WHO-5" in page.text
    assert "outcomes/new" not in page.text


def test_a_volunteer_sees_only_the_questionnaires_they_took(login, program, bob, volunteer, alice):
    met = ParticipantFactory(program=program)
    one_to_one(program, volunteer, met)
    OutcomeMeasureFactory(participant=met, administered_by=alice, date=dt.date(2025, 1, 1))
    OutcomeMeasureFactory(
        participant=met,
        administered_by=bob,
        timepoint="followup_6m",
        date=dt.date(2025, 7, 1),
        answers={"1": 5, "2": 5, "3": 5, "4": 5, "5": 5},
    )
    text = login(bob).get(reverse("participant_detail", args=[program.slug, met.pk])).text
    assert "Your questionnaires with this person" in text
    assert "100 %" in text
    assert "2025-01-01 Baseline" not in text


def test_without_an_instrument_it_offers_the_choice(login, program, alice):
    participant = ParticipantFactory(program=program)
    url = reverse("outcome_measure_create", args=[program.slug, participant.pk])
    text = login(alice).get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "?instrument=who5" in text and "?instrument=rhs15" in text


def test_the_form_suggests_the_time_point_that_comes_next(login, program, alice, today):
    participant = ParticipantFactory(program=program)
    client = login(alice)

    def suggested():
        return client.get(new_url(participant)).context["form"].initial["timepoint"]

    assert suggested() == "baseline"
    baseline = OutcomeMeasureFactory(participant=participant, date=today - dt.timedelta(days=30))
    assert suggested() == "followup_3m"
    baseline.date = today - dt.timedelta(days=200)
    baseline.save()
    assert suggested() == "followup_6m"
