"""The matches, self-help groups, outcomes, trainings, training sessions, enrolments and
supervision sessions sheets refuse what their pages refuse, in the user's language, each at
its column."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from programs.rules import short_date
from volunteers.models import Enrollment, SupervisionSession, Training

from ..factories import (
    OutcomeMeasureFactory,
    ParticipantFactory,
    SiteFactory,
    TrainingFactory,
    VolunteerFactory,
)
from .helpers import HEADERS, run_import, write_xlsx

pytestmark = pytest.mark.django_db


def _problems(program, tmp_path, sheet, row, language):
    path = write_xlsx(tmp_path / f"{sheet}.xlsx", {sheet: [HEADERS[sheet][: len(row)], row]})
    with translation.override(language):
        result = run_import(program, path, dry_run=True)
        return [str(problem) for problem in result.problems]


@pytest.fixture
def people(program):
    VolunteerFactory(program=program, code="V-001")
    ParticipantFactory(program=program, code="P-00001")
    SiteFactory(program=program, name="Kontaktstelle", kind="contact_point")


def test_an_ended_match_without_a_reason_is_refused(program, people, tmp_path):
    row = ["M1", "V-001", "P-00001", "Beendet", "2024-02-01", "2024-02-10", "2024-05-01"]

    problems = _problems(program, tmp_path, "matches", row, "de")

    with translation.override("de"):
        expected = translation.gettext("Please give a reason for ending the match.")
    assert expected != "Please give a reason for ending the match."
    assert problems == [f"matches, Zeile 2, end_reason: {expected}"]


def test_a_group_follow_up_without_its_date_is_refused(program, people, tmp_path):
    row = ["Trauer", "Kontaktstelle", "mental_health", "2024-02-01", "", "V-001", "independent"]
    row += ["yes", ""]

    problems = _problems(program, tmp_path, "selfhelp_groups", row, "da")

    with translation.override("da"):
        expected = translation.gettext("Give the date the follow-up was checked.")
    assert expected != "Give the date the follow-up was checked."
    assert len(problems) == 1
    assert problems[0].endswith(f"follow_up_checked_on: {expected}")


def test_an_answer_off_the_scale_is_refused_and_no_score_is_read(program, people, tmp_path):
    row = ["Q1", "P-00001", "who5", "baseline", "", "2024-03-01", 3, 9, 2, 2, 2, 4]

    problems = _problems(program, tmp_path, "outcomes", row, "en")

    assert problems == [
        "outcomes, row 2, item_2: 9 is not on the scale of this item (0 to 5)",
        "outcomes, row 2, item_6: WHO-5 Well-Being Index has 5 items; leave this cell empty",
    ]


def _expected(language, message, **values):
    with translation.override(language):
        text = translation.gettext(message)
    assert language == "en" or text != message, f"{message!r} is not translated to {language}"
    return text % values if values else text


@pytest.fixture
def training(program):
    return TrainingFactory(
        program=program,
        ref="T1",
        kind="intensive",
        starts_on=dt.date(2024, 3, 1),
        ends_on=dt.date(2024, 4, 30),
    )


def test_a_training_ending_before_it_starts_is_refused_in_german(program, tmp_path):
    with translation.override("de"):
        kind = str(Training.Kind.INTENSIVE.label)  # the German name is allowed
    row = ["T1", "Intensivphase", kind, "ja", "2024-04-30", "2024-03-01", "24,5"]

    problems = _problems(program, tmp_path, "trainings", row, "de")

    expected = _expected("de", "The training cannot end before it starts.")
    assert problems == [f"trainings, Zeile 2, ends_on: {expected}"]


def test_planned_hours_beyond_the_bound_or_finer_than_a_tenth_are_refused(program, tmp_path):
    sheets = {
        "trainings": [
            HEADERS["trainings"][:7],
            ["T1", "Intensivphase", "intensive", "yes", "2024-03-01", "2024-04-30", 1001],
            ["T2", "Praxis", "supervised_practice", "", "2024-03-01", "2024-04-30", "2.25"],
        ]
    }
    path = write_xlsx(tmp_path / "trainings.xlsx", sheets)

    result = run_import(program, path, dry_run=True)

    assert [str(p) for p in result.problems] == [
        "trainings, row 2, planned_hours: 1001 is too large; the highest allowed is 1000",
        "trainings, row 3, planned_hours: 2.25 has more than one decimal place",
    ]


def test_a_training_session_outside_its_training_is_refused_in_danish(
    program, people, training, tmp_path
):
    row = ["TS1", "T1", "2024-05-02", 180, "Psykoedukation", "V-001"]

    problems = _problems(program, tmp_path, "training_sessions", row, "da")

    expected = _expected(
        "da", "The training runs from %(start)s to %(end)s.", start="2024-03-01", end="2024-04-30"
    )
    assert len(problems) == 1
    assert problems[0].endswith(f"date: {expected}")
    assert problems[0].startswith("training_sessions, ")


def test_a_session_of_a_training_the_file_adds_is_checked_against_the_files_dates(
    program, people, tmp_path
):
    sheets = {
        "trainings": [
            HEADERS["trainings"][:7],
            ["T9", "Auffrischung", "refresher", "no", "2024-06-01", "2024-06-01", 3],
        ],
        "training_sessions": [
            HEADERS["training_sessions"],
            ["TS1", "t9", "2024-06-01", 800, "", "V-001"],
            ["TS2", "T404", "2024-06-01", 60, "", ""],
        ],
    }
    path = write_xlsx(tmp_path / "sessions.xlsx", sheets)

    result = run_import(program, path, dry_run=True)

    assert [str(p) for p in result.problems] == [
        "training_sessions, row 2, duration_minutes: 800 is too large; the highest allowed is 720",
        "training_sessions, row 3, training: unknown training “T404”: it is neither in this "
        "program nor in the trainings sheet",
    ]


def test_a_completed_enrolment_without_its_date_is_refused_in_english(
    program, people, training, tmp_path
):
    row = ["T1", "V-001", "completed", "2024-02-20", "", "12.5"]

    problems = _problems(program, tmp_path, "enrolments", row, "en")

    assert problems == [
        "enrolments, row 2, completed_on: Please give the date the training was completed."
    ]


def test_a_completion_before_the_enrolment_and_a_second_row_for_it_are_refused_in_german(
    program, people, training, tmp_path
):
    with translation.override("de"):
        completed = str(Enrollment.Status.COMPLETED.label)
    sheets = {
        "enrolments": [
            HEADERS["enrolments"],
            ["T1", "V-001", completed, "2024-03-10", "2024-03-01", ""],
            ["t1", "v-001", "enrolled", "2024-03-10", "", ""],
        ]
    }
    path = write_xlsx(tmp_path / "enrolments.xlsx", sheets)

    with translation.override("de"):
        problems = [str(p) for p in run_import(program, path, dry_run=True).problems]
        before = short_date(dt.date(2024, 3, 10))

    assert problems == [
        "enrolments, Zeile 2, completed_on: "
        + _expected(
            "de", "The completion date cannot be before the enrolment (%(date)s).", date=before
        ),
        "enrolments, Zeile 3, volunteer: "
        + _expected(
            "de", "this volunteer's enrolment in the training is already in row %(row)s", row=2
        ),
    ]


def test_a_supervision_in_the_future_or_before_the_program_is_refused_in_danish(
    program, people, tmp_path
):
    program.starts_on = dt.date(2020, 1, 1)
    program.save()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with translation.override("da"):
        group = str(SupervisionSession.Kind.GROUP.label)
    sheets = {
        "supervision_sessions": [
            HEADERS["supervision_sessions"],
            ["S1", tomorrow, group, 90, "Dr. Ute Brandt", "", "V-001"],
            ["S2", "2019-12-31", "individual", 45, "Dr. Ute Brandt", "", "V-001"],
        ]
    }
    path = write_xlsx(tmp_path / "supervision.xlsx", sheets)

    with translation.override("da"):
        problems = [str(p) for p in run_import(program, path, dry_run=True).problems]
        start = short_date(program.starts_on)

    assert problems == [
        "supervision_sessions, række 2, date: "
        + _expected("da", "The date cannot be in the future."),
        "supervision_sessions, række 3, date: "
        + _expected("da", "The date is before the program started (%(start)s).", start=start),
    ]


def test_a_supervisor_who_leads_supervision_in_the_program_is_linked_by_e_mail(
    program, people, alice, tmp_path
):
    sheets = {
        "supervision_sessions": [
            HEADERS["supervision_sessions"],
            ["S1", "2024-03-12", "group", 90, "ALICE@example.org", "Abgrenzung", "V-001"],
            ["S2", "2024-03-13", "individual", 45, "", "", "V-001"],
        ]
    }
    path = write_xlsx(tmp_path / "supervision.xlsx", sheets)

    result = run_import(program, path, by=alice)

    assert result.written, [str(p) for p in result.problems]
    assert [str(w) for w in result.warnings] == [
        "supervision_sessions, row 3, supervisor: Who led the supervision?"
    ]
    session = SupervisionSession.objects.get(program=program, ref="S1")
    assert (session.supervisor, session.supervisor_name) == (alice, "")
    assert list(session.attendees.values_list("code", flat=True)) == ["V-001"]


def test_a_follow_up_dated_before_its_baseline_is_refused_wherever_the_baseline_is(
    program, people, tmp_path
):
    other = ParticipantFactory(program=program, code="P-00002")
    OutcomeMeasureFactory(program=program, participant=other, date=dt.date(2024, 3, 1))
    answers = [3, 3, 3, 3, 3]
    sheets = {
        "outcomes": [
            HEADERS["outcomes"][:11],
            # The follow-up comes before its baseline in the file.
            ["Q1", "P-00001", "who5", "followup_3m", "", "2024-01-10", *answers],
            ["Q2", "P-00001", "who5", "baseline", "", "2024-02-01", *answers],
            # The baseline is in Lotse.
            ["Q3", "P-00002", "who5", "exit", "", "2024-02-28", *answers],
            ["Q4", "P-00002", "who5", "followup_6m", "", "2024-09-01", *answers],
        ]
    }
    path = write_xlsx(tmp_path / "outcomes.xlsx", sheets)

    for language, row in (("de", "Zeile"), ("da", "række")):
        with translation.override(language):
            problems = [str(p) for p in run_import(program, path, dry_run=True).problems]
        expected = _expected(language, "A follow-up cannot be dated before the baseline.")
        assert problems == [
            f"outcomes, {row} 2, date: {expected}",
            f"outcomes, {row} 4, date: {expected}",
        ]


def test_the_preview_names_the_training_and_who_was_there(program, people, training, tmp_path):
    sheets = {
        "training_sessions": [
            HEADERS["training_sessions"],
            ["TS1", "T1", "2024-03-02", "180", "Psychoedukation", "V-001"],
        ],
        "enrolments": [HEADERS["enrolments"], ["T1", "V-001", "enrolled", "2024-02-20", "", ""]],
    }
    path = write_xlsx(tmp_path / "preview.xlsx", sheets)

    result = run_import(program, path, dry_run=True)

    assert result.valid, [str(p) for p in result.problems]
    (session,) = result.preview["training_sessions"].rows
    assert {c.column: c.new for c in session.changes} == {
        "training": training.title,
        "date": "2024-03-02",
        "duration_minutes": "180",
        "topic": "Psychoedukation",
        "present": "V-001",
    }
    (enrolment,) = result.preview["enrolments"].rows
    assert enrolment.key == "T1 / V-001"
    assert {c.column: c.new for c in enrolment.changes} == {
        "status": "enrolled",
        "enrolled_on": "2024-02-20",
        "practice_hours": "0",
    }
