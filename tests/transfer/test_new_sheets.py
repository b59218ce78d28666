"""The matches, self-help groups and outcomes sheets refuse what their pages refuse, in the
user's language, each at its column."""

import pytest
from django.utils import translation

from ..factories import ParticipantFactory, SiteFactory, VolunteerFactory
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
