"""Outcome figures of a report, checked against numbers counted by hand."""

import datetime as dt
import json

import pytest

from reports.outcomes import outcome_kpis, t_critical

from ..factories import OutcomeMeasureFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def who5(raw):
    """WHO-5 answers that add up to ``raw``."""
    answers, left = {}, raw
    for key in "12345":
        answers[key] = min(5, left)
        left -= answers[key]
    return answers


def pair(program, before, after, *, instrument="who5", after_on=dt.date(2025, 7, 1), **extra):
    person = ParticipantFactory(program=program)
    make = who5 if instrument == "who5" else ucla3
    OutcomeMeasureFactory(
        participant=person, instrument=instrument, date=dt.date(2025, 1, 15), answers=make(before)
    )
    OutcomeMeasureFactory(
        participant=person,
        instrument=instrument,
        timepoint="followup_6m",
        date=after_on,
        answers=make(after),
        **extra,
    )
    return person


def ucla3(total):
    """UCLA-3 answers (1–3 each) that add up to ``total``."""
    answers, left = {}, total - 3
    for key in "123":
        answers[key] = 1 + min(2, left)
        left -= answers[key] - 1
    return answers


def entry(result, code):
    return next(e for e in result["instruments"] if e["instrument"] == code)


@pytest.fixture
def who5_pairs(program):
    # before % → after %:  40 → 60, 48 → 52, 28 → 48, 60 → 56, 52 → 64
    for before, after in ((10, 15), (12, 13), (7, 12), (15, 14)):
        pair(program, before, after)
    fifth = pair(program, 13, 16)
    # An earlier 3-month follow-up of the fifth person: only the latest follow-up counts.
    OutcomeMeasureFactory(
        participant=fifth, timepoint="followup_3m", date=dt.date(2025, 4, 1), answers=who5(5)
    )


def test_it_pairs_baselines_with_the_latest_follow_up(program, who5_pairs):
    figures = entry(outcome_kpis(program, START, END), "who5")
    # changes 20, 4, 20, -4, 12: mean 10.4; sd² = (9.6² + 6.4² + 9.6² + 14.4² + 1.6²) / 4
    # = 435.2 / 4 = 108.8; margin = t(4) 2.776 × √(108.8 / 5) = 2.776 × 4.66476 = 12.9494
    assert figures == {
        "instrument": "who5",
        "label": "WHO-5 Well-Being Index",
        "n": 5,
        "unit": "percentage points",
        "direction": "higher_is_better",
        "meaningful_change": 10,
        "mean_before": 45.6,
        "mean_after": 56.0,
        "mean_change": 10.4,
        "ci_low": -2.55,
        "ci_high": 23.35,
        "improved_share": 0.6,  # +20, +20, +12
        "cutoff_label": "Poor wellbeing (WHO-5 ≤ 50 %)",
        "below_cutoff_before": 0.6,  # 40, 48, 28
        "below_cutoff_after": 0.2,  # 48
        "suppressed": False,
    }


def test_it_leaves_out_what_cannot_be_paired(program, other_program, who5_pairs):
    pair(program, 5, 25, after_on=dt.date(2026, 2, 1))  # follow-up after the period
    pair(other_program, 5, 25)  # another program
    incomplete = pair(program, 5, 10)
    incomplete.outcome_measures.filter(timepoint="followup_6m").update(
        complete=False, score=None, score_percent=None, status="draft"
    )
    lonely = ParticipantFactory(program=program)  # a follow-up without a baseline
    OutcomeMeasureFactory(participant=lonely, timepoint="exit", date=dt.date(2025, 6, 1))
    assert entry(outcome_kpis(program, START, END), "who5")["n"] == 5


def test_loneliness_improves_when_the_score_goes_down(program):
    # 7 → 5, 6 → 6, 9 → 6, 8 → 7, 5 → 6: changes -2, 0, -3, -1, +1; mean -1.0
    for before, after in ((7, 5), (6, 6), (9, 6), (8, 7), (5, 6)):
        pair(program, before, after, instrument="ucla3")
    figures = entry(outcome_kpis(program, START, END), "ucla3")
    # sd² = (1² + 1² + 2² + 0² + 2²) / 4 = 2.5; margin = 2.776 × √(2.5 / 5) = 1.96293
    assert (figures["mean_before"], figures["mean_after"]) == (7.0, 6.0)
    assert (figures["mean_change"], figures["ci_low"], figures["ci_high"]) == (-1.0, -2.96, 0.96)
    assert figures["improved_share"] == 0.6  # -2, -3, -1
    assert figures["cutoff_label"] == "Lonely (UCLA-3 6–9)"
    # lonely (6–9) before: 7, 6, 9, 8; after: 6, 6, 7, 6
    assert (figures["below_cutoff_before"], figures["below_cutoff_after"]) == (0.8, 0.8)


def test_fewer_than_five_pairs_are_suppressed(program):
    for before, after in ((7, 5), (6, 6), (9, 6), (8, 7)):
        pair(program, before, after, instrument="ucla3")
    OutcomeMeasureFactory(
        participant=ParticipantFactory(program=program),
        instrument="rhs15",
        answers={str(n): 1 for n in range(1, 16)},
    )
    result = outcome_kpis(program, START, END)
    assert [e["instrument"] for e in result["instruments"]] == ["ucla3", "rhs15"]
    ucla = entry(result, "ucla3")
    assert ucla["n"] is None and ucla["suppressed"] is True
    assert set(ucla) == {"instrument", "label", "n", "suppressed", "note"}
    assert "mean_change" not in entry(result, "rhs15")
    json.dumps(result)


def test_a_program_without_measures_has_no_instruments(program):
    assert outcome_kpis(program, START, END)["instruments"] == []


def test_the_t_table_falls_back_conservatively_and_then_to_the_normal_value():
    assert t_critical(4) == 2.776
    assert t_critical(30) == 2.042
    assert t_critical(45) == 2.021
    assert t_critical(119) == 2.000
    assert t_critical(500) == 1.96


def test_one_pair_has_no_standard_deviation_and_is_suppressed(program):
    # One pair: a standard deviation needs two; the instrument is counted, not shown.
    pair(program, 10, 15)
    who = entry(outcome_kpis(program, START, END), "who5")
    assert (who["n"], who["suppressed"]) == (None, True)
