"""outcome_measure_record: the one way a questionnaire is written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sessions_log.models import OutcomeMeasure
from sessions_log.services import outcome_measure_record

from ..factories import ParticipantFactory

pytestmark = pytest.mark.django_db

WHO5_12 = {"1": 3, "2": 2, "3": 4, "4": 1, "5": 2}


def record(program, participant, **overrides):
    fields = {
        "program": program,
        "participant": participant,
        "instrument": "who5",
        "timepoint": "baseline",
        "date": dt.date(2025, 3, 1),
        "answers": WHO5_12,
        "by": None,
    }
    fields.update(overrides)
    return outcome_measure_record(**fields)


def test_it_computes_the_score(program):
    measure = record(program, ParticipantFactory(program=program))
    measure.refresh_from_db()
    assert (measure.score, measure.score_percent, measure.category) == (12, 48, "poor_wellbeing")


def test_it_refuses_a_participant_of_another_program(program, other_program):
    with pytest.raises(ValidationError) as error:
        record(program, ParticipantFactory(program=other_program))
    assert error.value.message_dict == {
        "participant": ["This participant belongs to another program."]
    }
    assert not OutcomeMeasure.objects.exists()


def test_it_refuses_answers_off_the_scale(program):
    with pytest.raises(ValidationError) as error:
        record(program, ParticipantFactory(program=program), answers={**WHO5_12, "3": 6})
    assert "Item 3: 6 is not between 0 and 5." in error.value.message_dict["answers"]
    assert not OutcomeMeasure.objects.exists()


def test_it_refuses_a_date_in_the_future(program, today):
    with pytest.raises(ValidationError) as error:
        record(program, ParticipantFactory(program=program), date=today + dt.timedelta(days=1))
    assert "date" in error.value.message_dict


def test_it_refuses_a_follow_up_before_the_baseline(program):
    person = ParticipantFactory(program=program)
    record(program, person)
    with pytest.raises(ValidationError) as error:
        record(program, person, timepoint="followup_6m", date=dt.date(2025, 2, 1))
    assert "before the baseline" in error.value.message_dict["date"][0]


def test_a_custom_time_point_needs_a_name(program):
    with pytest.raises(ValidationError) as error:
        record(program, ParticipantFactory(program=program), timepoint="custom")
    assert "custom_label" in error.value.message_dict


def test_missing_items_are_stored_as_null_in_a_draft(program):
    measure = record(program, ParticipantFactory(program=program), answers={"1": 4}, draft=True)
    assert measure.answers == {"1": 4, "2": None, "3": None, "4": None, "5": None}
    assert (measure.score, measure.complete, measure.status) == (None, False, "draft")


def test_it_refuses_to_save_missing_items_as_complete(program):
    with pytest.raises(ValidationError) as error:
        record(program, ParticipantFactory(program=program), answers={"1": 4, "3": 2})
    assert error.value.message_dict == {
        "answers": [
            "Not every question is answered (2, 4, 5): answer them, or save the questionnaire "
            "as a draft."
        ]
    }
    assert not OutcomeMeasure.objects.exists()


def test_a_draft_is_finished_in_place_and_keeps_who_took_it(program, alice):
    person = ParticipantFactory(program=program)
    draft = record(program, person, answers={"1": 4}, draft=True, by=alice)
    finished = record(program, person, measure=draft, by=None)
    assert finished.pk == draft.pk
    draft.refresh_from_db()
    assert (draft.status, draft.score, draft.administered_by) == ("complete", 12, alice)
    assert OutcomeMeasure.objects.count() == 1


def test_only_a_draft_of_the_same_questionnaire_can_be_finished(program):
    person = ParticipantFactory(program=program)
    done = record(program, person)
    with pytest.raises(ValidationError):
        record(program, person, timepoint="followup_3m", measure=done)
    draft = record(program, person, timepoint="exit", answers={}, draft=True)
    with pytest.raises(ValidationError):
        record(program, ParticipantFactory(program=program), measure=draft)
    with pytest.raises(ValidationError):
        record(program, person, instrument="ucla3", answers={"1": 1, "2": 1, "3": 1}, measure=draft)


def test_the_database_keeps_one_baseline_and_scores_in_range(program):
    person = ParticipantFactory(program=program)
    measure = record(program, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.create(
            program=program,
            participant=person,
            instrument="who5",
            timepoint="baseline",
            date=dt.date(2025, 4, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.filter(pk=measure.pk).update(score=26, score_percent=104)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.filter(pk=measure.pk).update(score_percent=50)


def test_the_database_refuses_a_complete_status_without_every_answer(program):
    draft = record(program, ParticipantFactory(program=program), answers={"1": 4}, draft=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeMeasure.objects.filter(pk=draft.pk).update(status="complete")
