"""Every kind of problem in a file is reported as "sheet, row, column: message", all at once."""

import pytest

from programs.models import Area, Participant, Site
from referrals.models import Referral, ServiceProvider
from sessions_log.models import Activity, Topic
from volunteers.models import Volunteer

from ..factories import VolunteerFactory
from .helpers import HEADERS, messages, run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db


def _activity(**cells) -> list:
    row = dict.fromkeys(HEADERS["activities"], "")
    row.update(ref="A1", date="2024-03-05", kind="group")
    row.update(cells)
    return [row[name] for name in HEADERS["activities"]]


def _referral(**cells) -> list:
    row = dict.fromkeys(HEADERS["referrals"], "")
    row.update(
        ref="R1",
        date="2024-03-06",
        participant="P-1",
        provider="PSZ",
        category="psychiatry",
        status="proposed",
    )
    row.update(cells)
    return [row[name] for name in HEADERS["referrals"]]


PARTICIPANT = {"participants": [["code"], ["P-1"]]}

CASES = {
    "unknown column": (
        {"sites": [["name", "kind", "colour"], ["Haus A", "shelter", "blue"]]},
        "sites, row 1, colour: unknown column; the columns of this sheet are: "
        "name, kind, area, city, capacity",
    ),
    "column twice": (
        {"sites": [["name", "kind", "Kind"], ["Haus A", "shelter", "office"]]},
        "sites, row 1, kind: the column appears twice",
    ),
    "required column missing": (
        {"activities": [["ref", "kind"], ["A1", "group"]]},
        "activities, row 1, date: this required column is missing",
    ),
    "required value empty": (
        {"sites": [["name", "kind"], ["Haus A", ""]]},
        "sites, row 2, kind: a value is required",
    ),
    "value not allowed": (
        {"sites": [["name", "kind"], ["Haus A", "castle"]]},
        "sites, row 2, kind: “castle” is not allowed; use one of: shelter, transition_home, "
        "private_flat, contact_point, office, other",
    ),
    "bad date": (
        {"activities": [HEADERS["activities"], _activity(date="31.02.2024")]},
        "activities, row 2, date: “31.02.2024” is not a date; write it as YYYY-MM-DD, "
        "e.g. 2024-03-31",
    ),
    "ambiguous date": (
        {"activities": [HEADERS["activities"], _activity(date="03/05/2024")]},
        "activities, row 2, date: “03/05/2024” is not a date; write it as YYYY-MM-DD, "
        "e.g. 2024-03-31",
    ),
    "negative number": (
        {"activities": [HEADERS["activities"], _activity(attendees_total=-3)]},
        "activities, row 2, attendees_total: -3 is negative; the number cannot be below 0",
    ),
    "not a number": (
        {"sites": [["name", "kind", "capacity"], ["Haus A", "shelter", "many"]]},
        "sites, row 2, capacity: “many” is not a whole number",
    ),
    "zero minutes": (
        {"activities": [HEADERS["activities"], _activity(duration_minutes=0)]},
        "activities, row 2, duration_minutes: 0 is too small; the lowest allowed is 1",
    ),
    "women and men above the total": (
        {
            "activities": [
                HEADERS["activities"],
                _activity(attendees_total=12, attendees_women=7, attendees_men=6),
            ]
        },
        "activities, row 2, attendees_women: Women and men together cannot be more than the 12 "
        "attending.",
    ),
    "children above the total": (
        {
            "activities": [
                HEADERS["activities"],
                _activity(attendees_total=2, attendees_children=3),
            ]
        },
        "activities, row 2, attendees_children: Children cannot be more than the 2 attending.",
    ),
    "unknown facilitator": (
        {"activities": [HEADERS["activities"], _activity(facilitators="V-404")]},
        "activities, row 2, facilitators: unknown volunteer code “V-404”: it is neither in this "
        "program nor in the volunteers sheet",
    ),
    "unknown participant": (
        {"activities": [HEADERS["activities"], _activity(participants="P-404")]},
        "activities, row 2, participants: unknown participant code “P-404”: it is neither in "
        "this program nor in the participants sheet",
    ),
    "unknown site": (
        {"participants": [["code", "site"], ["P-1", "Nowhere"]]},
        "participants, row 2, site: unknown site “Nowhere”: it is neither in this program nor "
        "in the sites sheet",
    ),
    "unknown participant of a referral": (
        {"referrals": [HEADERS["referrals"], _referral(participant="P-404")]},
        "referrals, row 2, participant: unknown participant code “P-404”: it is neither in this "
        "program nor in the participants sheet",
    ),
    "duplicate key": (
        {"sites": [["name", "kind"], ["Haus A", "shelter"], ["Haus A", "office"]]},
        "sites, row 3, name: “Haus A” is already in row 2",
    ),
    "kind the program does not use": (
        {"activities": [HEADERS["activities"], _activity(kind="visit")]},
        "activities, row 2, kind: this program does not log “visit”; it uses: group, one_to_one",
    ),
    "left without a date": (
        {"volunteers": [["code", "name", "status"], ["V-1", "Amina", "left"]]},
        "volunteers, row 2, left_on: a volunteer who left needs the date they left",
    ),
    "left before joining": (
        {
            "volunteers": [
                ["code", "name", "status", "joined_on", "left_on"],
                ["V-1", "Amina", "left", "2020-01-01", "2019-01-01"],
            ]
        },
        "volunteers, row 2, left_on: The leaving date cannot be before the joining date "
        "(1 Jan 2020).",
    ),
    "not an e-mail address": (
        {"volunteers": [["code", "name", "status", "email"], ["V-1", "Amina", "active", "amina"]]},
        "volunteers, row 2, email: “amina” is not an e-mail address",
    ),
    "not yes or no": (
        {
            "volunteers": [
                ["code", "name", "status", "employed"],
                ["V-1", "Amina", "active", "maybe"],
            ]
        },
        "volunteers, row 2, employed: write yes or no, not “maybe”",
    ),
    "unknown language": (
        {"participants": [["code", "languages"], ["P-1", "ar; klingon"]]},
        "participants, row 2, languages: “klingon” is not a language code; use ISO 639-1 or "
        "639-3 codes",
    ),
    "unknown country": (
        {"participants": [["code", "country_of_origin"], ["P-1", "Syria"]]},
        "participants, row 2, country_of_origin: “SYRIA” is not a country code; use ISO 3166 "
        "alpha-2 (e.g. SY)",
    ),
    "year of birth out of range": (
        {"participants": [["code", "year_of_birth"], ["P-1", 1850]]},
        "participants, row 2, year_of_birth: 1850 is too small; the lowest allowed is 1900",
    ),
    "consent scope without a consent date": (
        {"participants": [["code", "consent_on", "consent_scope"], ["P-1", "", "evaluation"]]},
        "participants, row 2, consent_scope: a consent scope needs the date of the consent "
        "(consent_on)",
    ),
    "consent scope not allowed": (
        {"participants": [["code", "consent_on", "consent_scope"], ["P-1", "2024-03-01", "all"]]},
        "participants, row 2, consent_scope: “all” is not allowed; use one of: support, "
        "referral, evaluation",
    ),
    "text too long": (
        {"participants": [["code"], ["P-" + "X" * 20]]},
        "participants, row 2, code: the text is longer than 12 characters",
    ),
    "appointment without a date": (
        {**PARTICIPANT, "referrals": [HEADERS["referrals"], _referral(status="appointment")]},
        "referrals, row 2, appointment_on: the status “appointment” needs the appointment date",
    ),
    "closed without a date": (
        {**PARTICIPANT, "referrals": [HEADERS["referrals"], _referral(status="closed")]},
        "referrals, row 2, closed_on: the status “closed” needs the date it was closed",
    ),
    "closed before the referral": (
        {
            **PARTICIPANT,
            "referrals": [
                HEADERS["referrals"],
                _referral(status="closed", closed_on="2024-01-01"),
            ],
        },
        "referrals, row 2, closed_on: A referral cannot be closed before its date (6 Mar 2024).",
    ),
}


@pytest.mark.parametrize(("sheets", "message"), CASES.values(), ids=CASES.keys())
def test_each_problem_is_reported_with_sheet_row_and_column(program, tmp_path, sheets, message):
    result = run_import(program, write_xlsx(tmp_path / "bad.xlsx", sheets))

    assert not result.valid
    assert message in messages(result)
    assert not result.written


def test_all_problems_are_reported_at_once_and_nothing_is_written(program, alice, tmp_path):
    sheets = sample_sheets()
    sheets["sites"][2][1] = "castle"  # sites row 3
    sheets["volunteers"][2][6] = ""  # V-002 left, without a date
    sheets["activities"][1][1] = "2024-13-01"  # A1
    sheets["activities"][2][4] = "V-404"  # A2
    sheets["referrals"][2][6] = "lost"  # R2

    result = run_import(program, write_xlsx(tmp_path / "bad.xlsx", sheets), by=alice)

    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        ("sites", 3, "kind"),
        ("volunteers", 3, "left_on"),
        ("activities", 2, "date"),
        ("activities", 3, "facilitators"),
        ("referrals", 3, "status"),
    ]
    assert result.problem_count == 5
    assert not result.written
    for model in (Site, Area, Volunteer, Participant, Activity, Referral, ServiceProvider):
        assert not model.objects.exists(), model
    assert not Topic.objects.filter(program=program).exists()


def test_a_row_with_a_problem_does_not_hide_the_rows_that_refer_to_it(program, tmp_path):
    sheets = sample_sheets()
    sheets["volunteers"][1][4] = "retired"  # V-001 has a bad status but is in the file

    result = run_import(program, write_xlsx(tmp_path / "bad.xlsx", sheets))

    assert [(p.sheet, p.column) for p in result.problems] == [("volunteers", "status")]


def test_an_existing_volunteer_who_left_keeps_the_date_when_the_column_is_missing(
    program, tmp_path
):
    VolunteerFactory(program=program, code="V-1", status="left", left_on="2023-05-01")
    sheets = {"volunteers": [["code", "name", "status"], ["V-1", "Amina", "left"]]}

    result = run_import(program, write_xlsx(tmp_path / "ok.xlsx", sheets))

    assert result.valid, messages(result)


def test_many_problems_are_counted_beyond_those_kept(program, tmp_path, monkeypatch):
    from transfer.importing import results as importer

    monkeypatch.setattr(importer, "MAX_STORED_PROBLEMS", 10)
    rows = [["name", "kind"]] + [[f"Haus {i}", "castle"] for i in range(25)]

    result = run_import(program, write_xlsx(tmp_path / "bad.xlsx", {"sites": rows}))

    assert result.problem_count == 25
    assert len(result.problems) == 10
    assert result.more_problems == 15


def test_many_warnings_are_counted_beyond_those_kept(program, tmp_path, monkeypatch):
    from transfer.importing import results as importer

    monkeypatch.setattr(importer, "MAX_STORED_PROBLEMS", 10)
    rows = [HEADERS["activities"]] + [
        [f"A{i}", "2024-03-05", "group", "", "", "", "", 300, 12, 0, 0, 0, ""] for i in range(25)
    ]

    result = run_import(program, write_xlsx(tmp_path / "long.xlsx", {"activities": rows}))

    assert result.valid, messages(result)
    assert result.warning_count == 50  # the long session, and its date long ago
    assert len(result.warnings) == 10
    assert "300 minutes is more than 4 hours: is that right?" in result.warnings[1].message
