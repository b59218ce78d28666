"""Matches: propose, activate, pause, resume, end with a reason; the 6-month check due list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import months_later
from sessions_log import services
from sessions_log.models import Match

from ..factories import MatchFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("match_list", args=[program.slug])


def action(match, name):
    return reverse("match_action", args=[match.program.slug, match.pk, name])


def running(program, started_on, **fields):
    return MatchFactory(
        program=program,
        status=Match.Status.ACTIVE,
        proposed_on=started_on,
        started_on=started_on,
        **fields,
    )


def test_a_coordinator_proposes_a_match(login, program, alice, volunteer, today):
    person = ParticipantFactory(program=program)
    response = login(alice).post(
        reverse("match_create", args=[program.slug]),
        {
            "volunteer": volunteer.pk,
            "participant": person.pk,
            "proposed_on": today.isoformat(),
            "matching_notes": "Both love football; Arabic.",
        },
    )
    match = Match.objects.get()
    assert response.url == reverse("match_detail", args=[program.slug, match.pk])
    assert (match.status, match.volunteer, match.participant) == ("proposed", volunteer, person)


def test_a_participant_of_another_program_cannot_be_matched(
    login, program, other_program, alice, volunteer, today
):
    foreign = ParticipantFactory(program=other_program)
    response = login(alice).post(
        reverse("match_create", args=[program.slug]),
        {"volunteer": volunteer.pk, "participant": foreign.pk, "proposed_on": today.isoformat()},
    )
    assert "participant" in response.context["form"].errors
    assert not Match.objects.exists()


def test_the_whole_lifecycle_through_the_pages(login, program, alice, today):
    match = MatchFactory(program=program, proposed_on=today - dt.timedelta(days=10))
    client = login(alice)
    client.post(action(match, "activate"), {"started_on": today.isoformat()})
    match.refresh_from_db()
    assert (match.status, match.started_on) == ("active", today)
    client.post(action(match, "pause"))
    match.refresh_from_db()
    assert match.status == "paused"
    client.post(action(match, "resume"))
    match.refresh_from_db()
    assert (match.status, match.started_on) == ("active", today)
    client.post(action(match, "end"), {"ended_on": today.isoformat(), "end_reason": "moved"})
    match.refresh_from_db()
    assert (match.status, match.ended_on, match.end_reason) == ("ended", today, "moved")


def test_a_proposed_match_can_end_without_starting(program, today):
    match = MatchFactory(program=program, proposed_on=today)
    match = services.match_end(match=match, ended_on=today, reason="not_started")
    assert match.status == "ended"


@pytest.mark.parametrize(
    ("status", "run", "message"),
    [
        ("proposed", lambda m, d: services.match_pause(match=m), "Only an active match"),
        ("proposed", lambda m, d: services.match_resume(match=m), "Only a paused match"),
        ("active", lambda m, d: services.match_activate(match=m, started_on=d), "proposed"),
        ("paused", lambda m, d: services.match_activate(match=m, started_on=d), "is paused"),
        ("active", lambda m, d: services.match_resume(match=m), "Only a paused match"),
        ("ended", lambda m, d: services.match_pause(match=m), "this match is ended"),
        ("ended", lambda m, d: services.match_resume(match=m), "Only a paused match"),
        (
            "ended",
            lambda m, d: services.match_end(match=m, ended_on=d, reason="other"),
            "already ended",
        ),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(program, today, status, run, message):
    start = today - dt.timedelta(days=30)
    fields = {"status": status, "proposed_on": start}
    if status in ("active", "paused", "ended"):
        fields["started_on"] = start
    if status == "ended":
        fields.update(ended_on=today, end_reason="completed")
    match = MatchFactory(program=program, **fields)
    with pytest.raises(ValidationError, match=message):
        run(match, today)
    match.refresh_from_db()
    assert match.status == status


def test_an_illegal_transition_shows_a_message_on_the_page(login, program, alice, today):
    match = MatchFactory(program=program, proposed_on=today)
    response = login(alice).post(action(match, "pause"), follow=True)
    assert "Only an active match can be paused; this match is proposed." in response.text


def test_ending_needs_a_reason_and_a_date_not_before_the_start(login, program, alice, today):
    match = running(program, today - dt.timedelta(days=5))
    client = login(alice)
    client.post(action(match, "end"), {"ended_on": today.isoformat(), "end_reason": ""})
    early = (today - dt.timedelta(days=9)).isoformat()
    response = client.post(action(match, "end"), {"ended_on": early, "end_reason": "moved"})
    match.refresh_from_db()
    assert match.status == "active"
    assert "cannot end before it started" in client.get(response.url).text


def test_the_list_shows_how_long_active_matches_have_run(login, program, alice, today):
    running(program, months_later(today, -7))
    running(program, today - dt.timedelta(days=12))
    MatchFactory(program=program, proposed_on=today)
    rows = login(alice).get(url_for(program)).context["rows"]  # newest proposal first
    assert [row[5]["text"] for row in rows] == ["—", "12 days", "7 months"]


def url_for(program):
    return reverse("match_list", args=[program.slug])


def test_the_six_month_check_due_list(login, program, alice, today, url):
    due = running(program, months_later(today, -6))
    running(program, months_later(today, -6) + dt.timedelta(days=1))  # not yet
    running(program, months_later(today, -8), six_month_check_on=today)  # already checked
    paused = running(program, months_later(today, -9))
    paused.status = Match.Status.PAUSED
    paused.save()
    response = login(alice).get(url, {"check_due": "true"})
    assert [row[1]["text"] for row in response.context["rows"]] == [due.participant.code]
    assert response.context["checks_due"] == 1


def test_recording_the_check_takes_a_match_off_the_due_list(login, program, alice, today, url):
    match = running(program, months_later(today, -7))
    client = login(alice)
    client.post(action(match, "check"), {"six_month_check_on": today.isoformat()})
    match.refresh_from_db()
    assert match.six_month_check_on == today
    assert client.get(url, {"check_due": "true"}).context["rows"] == []


def test_only_coordinators_manage_matches(login, program, sara, volunteer, url):
    assert login(sara).get(url).status_code == 403
    assert login(volunteer.user).get(url).status_code == 403


def test_a_match_of_another_program_is_not_found(login, program, other_program, alice):
    foreign = MatchFactory(program=other_program)
    assert (
        login(alice).get(reverse("match_detail", args=[program.slug, foreign.pk])).status_code
        == 404
    )
    response = login(alice).post(reverse("match_action", args=[program.slug, foreign.pk, "pause"]))
    assert response.status_code == 404


def test_query_count_does_not_grow_with_rows(login, program, alice, today, url):
    client = login(alice)

    def queries_for(n):
        for _ in range(n):
            running(program, months_later(today, -7))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)


@pytest.mark.parametrize(
    ("status", "started", "actions"),
    [
        ("proposed", False, {"activate", "end"}),
        ("active", True, {"pause", "end", "check"}),
        ("paused", True, {"resume", "end", "check"}),
        ("ended", True, {"check"}),
        ("ended", False, set()),
    ],
)
def test_the_page_offers_what_the_lifecycle_allows(
    login, program, alice, today, status, started, actions
):
    started_on = today - dt.timedelta(days=3) if started else None
    match = MatchFactory(
        program=program,
        status=status,
        proposed_on=today - dt.timedelta(days=5),
        started_on=started_on,
        ended_on=today if status == "ended" else None,
        end_reason="moved" if status == "ended" else "",
    )
    assert services.match_actions(match) == actions
    context = login(alice).get(reverse("match_detail", args=[program.slug, match.pk])).context
    offered = {a for a in ("activate", "pause", "resume", "end", "check") if context[f"can_{a}"]}
    assert offered == actions


def test_the_page_says_when_the_six_month_check_is_due(login, program, alice, today):
    due = running(program, months_later(today, -6))
    not_yet = running(program, months_later(today, -6) + dt.timedelta(days=1))
    client = login(alice)
    assert client.get(reverse("match_detail", args=[program.slug, due.pk])).context["check"] == (
        "due"
    )
    response = client.get(reverse("match_detail", args=[program.slug, not_yet.pk]))
    assert response.context["check"] == ""
    assert response.context["age"] == "5 months"
