"""A program's whole history leaves Lotse in the export and comes back with the import: into
an empty program it gives the same report figures, and importing it again changes nothing."""

import datetime as dt

import pytest

from programs.models import ActivityKind, Participant
from reports import kpis
from transfer.exporter import program_data_export
from transfer.format import open_import
from transfer.importing import program_data_import

from ..factories import (
    ActivityFactory,
    MatchFactory,
    OutcomeMeasureFactory,
    ParticipantFactory,
    ProgramFactory,
    ReferralFactory,
    SelfHelpGroupFactory,
    ServiceProviderFactory,
    SiteFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

START, END = dt.date(2014, 1, 1), dt.date(2024, 12, 31)
# The figures the file carries (trainings and supervision are not part of this history).
CARRIED = (
    "activities",
    "contacts",
    "people_reached",
    "languages",
    "referrals",
    "matches",
    "selfhelp_groups",
    "outcomes",
)


def _history(program):
    consent = {"consent_on": dt.date(2014, 2, 1), "consent_scope": "evaluation"}
    home = SiteFactory(program=program, name="Übergangsheim Nord", capacity=80)
    point = SiteFactory(program=program, name="Kontaktstelle Mitte", kind="contact_point")
    amina, jonas = (
        VolunteerFactory(program=program, code="V-001", joined_on=dt.date(2014, 1, 10)),
        VolunteerFactory(program=program, code="V-002", joined_on=dt.date(2014, 1, 10)),
    )
    people = [
        ParticipantFactory(program=program, code=f"P-{n:05d}", site=home, **consent)
        for n in range(6)
    ]
    for day in (dt.date(2014, 3, 5), dt.date(2019, 6, 1), dt.date(2024, 2, 1)):
        group = ActivityFactory(
            program=program,
            date=day,
            site=home,
            attendees_total=9,
            attendees_women=5,
            attendees_men=3,
        )
        group.facilitators.set([amina])
    talk = ActivityFactory(
        program=program,
        kind=ActivityKind.ONE_TO_ONE,
        date=dt.date(2020, 1, 7),
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
    )
    talk.participants.set([people[0]])
    provider = ServiceProviderFactory(program=program, name="PSZ Düsseldorf")
    ReferralFactory(
        program=program,
        participant=people[1],
        provider=provider,
        status="attended",
        referred_on=dt.date(2021, 4, 1),
        sent_on=dt.date(2021, 4, 1),
        appointment_on=dt.date(2021, 4, 20),
        consent_to_share=True,
        consent_on=dt.date(2021, 4, 1),
    )
    MatchFactory(
        program=program,
        volunteer=amina,
        participant=people[2],
        status="active",
        proposed_on=dt.date(2014, 5, 2),
        started_on=dt.date(2014, 5, 20),
        six_month_check_on=dt.date(2014, 11, 20),
    )
    MatchFactory(
        program=program,
        volunteer=jonas,
        participant=people[3],
        status="ended",
        proposed_on=dt.date(2018, 1, 5),
        started_on=dt.date(2018, 2, 1),
        ended_on=dt.date(2018, 5, 1),
        end_reason="moved",
    )
    group = SelfHelpGroupFactory(
        program=program,
        name="Angehörige Düren",
        contact_point=point,
        started_on=dt.date(2016, 9, 1),
        accompaniment_ends_on=dt.date(2017, 3, 1),
        status="independent",
        follow_up_still_meeting="yes",
        follow_up_checked_on=dt.date(2017, 9, 5),
    )
    group.volunteers.set([amina, jonas])
    SelfHelpGroupFactory(
        program=program, name="Trauer", contact_point=point, started_on=dt.date(2023, 1, 10)
    )
    for person, answers in ((people[4], [1, 2, 1, 2, 1]), (people[5], [3, 3, 4, 2, 3])):
        OutcomeMeasureFactory(
            program=program,
            participant=person,
            date=dt.date(2023, 3, 1),
            answers=dict(zip("12345", answers, strict=True)),
            status="complete",
        )
        OutcomeMeasureFactory(
            program=program,
            participant=person,
            timepoint="followup_3m",
            date=dt.date(2023, 6, 1),
            answers=dict(zip("12345", [a + 1 for a in answers], strict=True)),
            status="complete",
        )
    OutcomeMeasureFactory(  # a draft: one answer missing
        program=program,
        participant=people[0],
        instrument="ucla3",
        date=dt.date(2023, 7, 1),
        answers={"1": 2, "2": None, "3": 1},
    )


def _export(program, path):
    with path.open("wb") as out:
        program_data_export(program=program, start=START, end=END, out=out)
    return path


def _import(program, path, by):
    with open_import(path) as source:
        return program_data_import(program=program, source=source, by=by)


def _without_ids(value):
    """The figures without the database ids some rows are keyed by (sites, areas)."""
    if isinstance(value, dict):
        return {
            k: _without_ids(v)
            for k, v in value.items()
            if not (k in ("key", "id", "pk") and str(v).isdigit())
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _figures(program):
    snapshot = kpis.compute(program, start=START, end=END, language="en")
    return _without_ids({group: snapshot[group] for group in CARRIED})


def test_a_whole_history_exported_and_imported_into_an_empty_program_gives_the_same_figures(
    program, alice, tmp_path
):
    program.starts_on = START
    program.save()
    _history(program)
    path = _export(program, tmp_path / "history.xlsx")
    empty = ProgramFactory(starts_on=START, activity_kinds=program.activity_kinds)

    result = _import(empty, path, alice)

    assert result.valid, [str(p) for p in result.problems]
    assert result.written
    assert {name: c.new for name, c in result.counts.items()} == {
        "sites": 2,
        "volunteers": 2,
        "participants": 6,
        "activities": 4,
        "referrals": 1,
        "matches": 2,
        "selfhelp_groups": 2,
        "outcomes": 5,
    }
    assert _figures(empty) == _figures(program)
    draft = empty.outcome_measures.get(instrument="ucla3")
    assert (draft.status, draft.score) == ("draft", None)
    assert Participant.objects.filter(program=empty).count() == 6

    again = _import(empty, path, alice)

    assert again.valid
    assert all(c.new == 0 and c.updated == 0 for c in again.counts.values()), again.counts
    assert _figures(empty) == _figures(program)
