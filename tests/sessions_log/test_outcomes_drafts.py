"""An incomplete questionnaire is saved only as a draft: it stays due, counts nowhere, and can
be finished later."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from core.dates import months_later
from reports.outcomes import outcome_kpis
from sessions_log.models import OutcomeMeasure

from ..factories import OutcomeMeasureFactory, ParticipantFactory
from .utils import one_to_one

pytestmark = pytest.mark.django_db

FULL = (3, 2, 4, 1, 2)
MISSING_ITEM = {
    "en": "Choose an answer, or save the questionnaire as a draft.",
    "de": "Wählen Sie eine Antwort, oder speichern Sie den Fragebogen als Entwurf.",
    "da": "Vælg et svar, eller gem spørgeskemaet som kladde.",
}


def form_url(participant, **params):
    url = reverse("outcome_measure_create", args=[participant.program.slug, participant.pk])
    query = "&".join(f"{k}={v}" for k, v in {"instrument": "who5", **params}.items())
    return f"{url}?{query}"


def draft_url(measure):
    url = reverse("outcome_measure_create", args=[measure.program.slug, measure.participant_id])
    return f"{url}?draft={measure.pk}"


def who5(answers=FULL, timepoint="baseline", day="2025-03-01", **fields):
    data = {"timepoint": timepoint, "date": day, "custom_label": "", "language": ""}
    data.update({f"item_{n}": "" if v is None else str(v) for n, v in enumerate(answers, start=1)})
    data.update(fields)
    return data


@pytest.fixture
def due_url(program):
    return reverse("outcome_due_list", args=[program.slug])


def due_rows(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return [(row[0]["text"], row[3]["text"]) for row in response.context["rows"]]


@pytest.mark.parametrize("language", ["en", "de", "da"])
def test_an_empty_who5_is_not_saved_and_each_question_says_why(
    login, client, program, alice, language
):
    participant = ParticipantFactory(program=program)
    login(alice)
    client.cookies["django_language"] = language
    response = client.post(
        form_url(participant),
        who5(answers=(None,) * 5, _action="save"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert not OutcomeMeasure.objects.exists()
    errors = response.context["form"].errors
    for n in range(1, 6):
        assert errors[f"item_{n}"] == [MISSING_ITEM[language]]
    assert response.text.count(MISSING_ITEM[language]) == 5


def test_a_partial_who5_is_refused_as_complete_at_the_missing_items_only(login, program, alice):
    participant = ParticipantFactory(program=program)
    response = login(alice).post(form_url(participant), who5(answers=(3, 2, None, 1, None)))
    assert not OutcomeMeasure.objects.exists()
    errors = response.context["form"].errors
    assert {name for name in errors if name.startswith("item_")} == {"item_3", "item_5"}
    assert "Answer the marked questions, or save the questionnaire as a draft" in response.text
    # What was answered is still ticked.
    assert response.context["form"]["item_1"].value() == "3"


@pytest.mark.parametrize("answers", [(None,) * 5, (3, 2, None, 1, 2)])
def test_an_empty_or_partial_who5_is_saved_as_a_draft(login, program, alice, answers):
    participant = ParticipantFactory(program=program)
    response = login(alice).post(
        form_url(participant), who5(answers=answers, _action="draft"), follow=True
    )
    measure = OutcomeMeasure.objects.get()
    assert (measure.status, measure.score, measure.complete) == ("draft", None, False)
    assert "saved as a draft" in response.text
    assert "Finish the draft" in response.text
    assert f"?draft={measure.pk}" in response.text


def test_a_draft_follow_up_stays_due_and_finishing_it_removes_it(
    login, program, alice, due_url, today
):
    person = ParticipantFactory(program=program, code="P-DRAFT")
    OutcomeMeasureFactory(participant=person, date=months_later(today, -4))
    client = login(alice)
    assert due_rows(client, due_url) == [("P-DRAFT", "3-month follow-up")]

    client.post(
        form_url(person),
        who5(answers=(None,) * 5, timepoint="followup_3m", day=today.isoformat(), _action="draft"),
    )
    draft = OutcomeMeasure.objects.get(timepoint="followup_3m")
    assert draft.status == "draft"
    response = client.get(due_url, HTTP_ACCEPT_LANGUAGE="en")
    assert due_rows(client, due_url) == [("P-DRAFT", "3-month follow-up")]
    assert draft_url(draft).replace("&", "&amp;") in response.text
    assert "Finish the draft" in response.text

    page = client.get(draft_url(draft))
    assert page.status_code == 200
    assert page.context["form"]["timepoint"].value() == "followup_3m"
    response = client.post(
        draft_url(draft), who5(timepoint="followup_3m", day=today.isoformat(), _action="save")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.score) == ("complete", 12)
    assert OutcomeMeasure.objects.filter(timepoint="followup_3m").count() == 1
    assert due_rows(client, due_url) == []


def test_a_draft_keeps_its_answers_when_opened_again(login, program, alice):
    participant = ParticipantFactory(program=program)
    client = login(alice)
    client.post(form_url(participant), who5(answers=(4, None, 1, None, None), _action="draft"))
    draft = OutcomeMeasure.objects.get()
    form = client.get(draft_url(draft)).context["form"]
    assert [form[f"item_{n}"].value() for n in range(1, 6)] == [4, "", 1, "", ""]


def test_saving_a_draft_again_with_answers_missing_keeps_it_a_draft(login, program, alice):
    participant = ParticipantFactory(program=program)
    client = login(alice)
    client.post(form_url(participant), who5(answers=(None,) * 5, _action="draft"))
    draft = OutcomeMeasure.objects.get()
    response = client.post(draft_url(draft), who5(answers=(3, None, 4, 1, 2)))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"__all__", "item_2"}
    client.post(draft_url(draft), who5(answers=(3, None, 4, 1, 2), _action="draft"))
    draft.refresh_from_db()
    assert (draft.status, draft.answers["1"]) == ("draft", 3)
    assert OutcomeMeasure.objects.count() == 1


def test_a_finished_questionnaire_cannot_be_opened_as_a_draft(login, program, alice):
    done = OutcomeMeasureFactory(participant=ParticipantFactory(program=program))
    client = login(alice)
    assert client.get(draft_url(done)).status_code == 404
    assert client.post(draft_url(done), who5(answers=(1, 1, 1, 1, 1))).status_code == 404
    done.refresh_from_db()
    assert done.score == 12


def test_a_volunteer_opens_only_their_own_drafts(login, program, bob, volunteer, alice):
    met = ParticipantFactory(program=program)
    one_to_one(program, volunteer, met)
    theirs = OutcomeMeasureFactory(participant=met, answers={}, administered_by=alice)
    mine = OutcomeMeasureFactory(participant=met, answers={}, administered_by=bob, timepoint="exit")
    client = login(bob)
    assert client.get(draft_url(theirs)).status_code == 404
    assert client.get(draft_url(mine)).status_code == 200


def test_a_draft_is_not_in_the_report_s_pairs(program):
    def pair(before, after, **follow_up):
        person = ParticipantFactory(program=program)
        answers = {str(n): before for n in range(1, 6)}
        OutcomeMeasureFactory(participant=person, date=dt.date(2025, 1, 15), answers=answers)
        answers = {str(n): after for n in range(1, 6)}
        OutcomeMeasureFactory(
            participant=person,
            timepoint="followup_6m",
            date=dt.date(2025, 7, 1),
            answers=answers,
            **follow_up,
        )

    for before, after in ((1, 2), (2, 3), (3, 4), (2, 2), (3, 2)):
        pair(before, after)
    # Every answer given, but saved as a draft: not done, so not paired.
    pair(0, 5, status="draft")
    figures = next(
        e
        for e in outcome_kpis(program, dt.date(2025, 1, 1), dt.date(2025, 12, 31))["instruments"]
        if e["instrument"] == "who5"
    )
    assert figures["n"] == 5
    assert figures["mean_change"] == 8.0  # changes 20, 20, 20, 0, -20 percentage points


def test_the_migration_marks_earlier_questionnaires_complete_only_with_every_answer(program):
    person = ParticipantFactory(program=program)
    full = OutcomeMeasureFactory(participant=person, status="draft")
    partial = OutcomeMeasureFactory(participant=person, timepoint="exit", answers={"1": 3, "2": 2})
    rhs = OutcomeMeasureFactory(
        participant=person,
        instrument="rhs15",
        answers={str(n): 1 for n in range(1, 16)},
        status="draft",
    )
    migration = importlib.import_module("sessions_log.migrations.0009_outcome_measure_status")
    migration.status_from_answers(apps, None)
    statuses = dict(OutcomeMeasure.objects.values_list("pk", "status"))
    assert statuses == {full.pk: "complete", partial.pk: "draft", rhs.pk: "complete"}
