"""Outcome figures of a report, checked against numbers counted by hand."""

import datetime as dt
import json

import pytest

from reports.outcomes import RELIABLE_CHANGE, outcome_kpis, reliable_change_index, t_critical

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


def pair(
    program,
    before,
    after,
    *,
    instrument="who5",
    after_on=dt.date(2025, 7, 1),
    before_on=dt.date(2025, 1, 15),
    **extra,
):
    person = ParticipantFactory(program=program)
    make = {"who5": who5, "ucla3": ucla3, "rhs15": rhs15}[instrument]
    OutcomeMeasureFactory(
        participant=person, instrument=instrument, date=before_on, answers=make(before)
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


def rhs15(total):
    """RHS-15 answers: items 1–14 (0–4 each) adding up to ``total``, thermometer 0."""
    answers, left = {}, total
    for key in range(1, 15):
        answers[str(key)] = min(4, left)
        left -= answers[str(key)]
    return {**answers, "15": 0}


def baseline_only(program, on, instrument="who5"):
    """A participant with a complete baseline and no follow-up."""
    return OutcomeMeasureFactory(
        participant=ParticipantFactory(program=program), instrument=instrument, date=on
    )


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
    # before 40, 48, 28, 60, 52: mean 45.6; sd² = (5.6² + 2.4² + 17.6² + 14.4² + 6.4²) / 4
    # = 595.2 / 4 = 148.8; margin = 2.776 × √(148.8 / 5) = 2.776 × 5.45527 = 15.1438
    # after 60, 52, 48, 56, 64: mean 56; sd² = (4² + 4² + 8² + 0² + 8²) / 4 = 40;
    # margin = 2.776 × √(40 / 5) = 2.776 × 2.82843 = 7.8517
    assert figures == {
        "instrument": "who5",
        "label": "WHO-5 Well-Being Index",
        "n": 5,
        "unit": "percentage points",
        "direction": "higher_is_better",
        "scale_min": 0,
        "scale_max": 100,
        "meaningful_change": 10,
        "mean_before": 45.6,
        "mean_after": 56.0,
        "mean_change": 10.4,
        "ci_low": -2.55,
        "ci_high": 23.35,
        "ci_includes_zero": True,
        "before_ci_low": 30.46,
        "before_ci_high": 60.74,
        "after_ci_low": 48.15,
        "after_ci_high": 63.85,
        # Every baseline (15 January) fell due in the period and has its follow-up.
        "baselines": 5,
        "lost": 0,
        "attrition_share": 0.0,
        "improved_share": 0.6,  # +20, +20, +12
        "reliable_rule": "fixed",
        "reliable_threshold": 10.0,
        "reliable_improved_share": 0.6,  # +20, +20, +12: at least 10 points
        "reliable_source": RELIABLE_CHANGE["who5"].source,
        "cutoff_label": "Poor wellbeing (WHO-5 ≤ 50 %)",
        "below_cutoff_before": 0.6,  # 40, 48, 28
        "below_cutoff_after": 0.2,  # 48
        "suppressed": False,
    }
    assert "Topp" in figures["reliable_source"]


def test_attrition_counts_the_baselines_due_in_the_period_without_a_follow_up(program, who5_pairs):
    # Due in 2025: baselines from 1 October 2024 to 30 September 2025 (three months before
    # the period's first and last day).
    baseline_only(program, dt.date(2024, 10, 1))  # due 1 January 2025: lost
    baseline_only(program, dt.date(2025, 9, 30))  # due 30 December 2025: lost
    pair(program, 10, 15, before_on=dt.date(2025, 2, 1), after_on=dt.date(2026, 2, 1))  # late
    baseline_only(program, dt.date(2024, 9, 30))  # due in 2024: counted in that year's report
    baseline_only(program, dt.date(2025, 10, 1))  # not due before the end of the period
    figures = entry(outcome_kpis(program, START, END), "who5")
    assert (figures["n"], figures["lost"], figures["baselines"]) == (5, 3, 8)
    assert figures["attrition_share"] == 0.375  # 3 of 8


def test_a_pair_from_an_earlier_baseline_counts_among_the_baselines(program, who5_pairs):
    pair(program, 10, 15, before_on=dt.date(2024, 3, 1), after_on=dt.date(2025, 3, 1))
    figures = entry(outcome_kpis(program, START, END), "who5")
    assert (figures["n"], figures["lost"], figures["baselines"]) == (6, 0, 6)


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
    assert figures["ci_includes_zero"] is True
    assert figures["improved_share"] == 0.6  # -2, -3, -1
    assert figures["cutoff_label"] == "Lonely (UCLA-3 6–9)"
    # lonely (6–9) before: 7, 6, 9, 8; after: 6, 6, 7, 6
    assert (figures["below_cutoff_before"], figures["below_cutoff_after"]) == (0.8, 0.8)
    assert (figures["scale_min"], figures["scale_max"]) == (3, 9)


def test_a_reliable_fall_in_loneliness_exceeds_the_reliable_change_index(program):
    for before, after in ((7, 5), (6, 6), (9, 6), (8, 7), (5, 6)):
        pair(program, before, after, instrument="ucla3")
    figures = entry(outcome_kpis(program, START, END), "ucla3")
    # Baselines 7, 6, 9, 8, 5: mean 7, sd = √((0 + 1 + 4 + 1 + 4) / 4) = √2.5 = 1.58114.
    # RCI = 1.96 × √2 × 1.58114 × √(1 − 0.72) = 2.77186 × 1.58114 × 0.52915 = 2.3191 points:
    # only the fall of 3 (9 → 6) is reliable; the falls of 2 and 1 are not.
    assert figures["reliable_rule"] == "rci"
    assert figures["reliable_threshold"] == 2.32
    assert figures["reliable_improved_share"] == 0.2
    assert "Jacobson" in figures["reliable_source"] and "0.72" in figures["reliable_source"]


def test_the_rci_is_the_smallest_reliable_change():
    assert round(reliable_change_index(1.58114, 0.72), 4) == 2.3191
    assert reliable_change_index(2.0, 1.0) == 0


def test_a_distress_screen_improves_reliably_from_positive_to_negative(program):
    # items 1–14 sum: 20 → 8 and 14 → 11 turn negative (cut-off 12); 30 → 13 stays
    # positive; 5 → 3 and 8 → 16 were not positive before.
    for before, after in ((20, 8), (14, 11), (30, 13), (5, 3), (8, 16)):
        pair(program, before, after, instrument="rhs15")
    figures = entry(outcome_kpis(program, START, END), "rhs15")
    assert figures["reliable_rule"] == "screen"
    assert figures["reliable_threshold"] is None
    assert figures["reliable_improved_share"] == 0.4
    assert figures["improved_share"] is None  # no meaningful change in the registry
    assert (figures["scale_min"], figures["scale_max"]) == (0, 56)
    # changes -12, -3, -17, -2, +8: mean -5.2; the interval -5.2 ± 2.776 × sd / √5 with
    # sd² = (6.8² + 2.2² + 11.8² + 3.2² + 13.2²) / 4 = 374.8 / 4 = 93.7:
    # margin = 2.776 × √(93.7 / 5) = 2.776 × 4.32897 = 12.0172
    assert (figures["ci_low"], figures["ci_high"]) == (-17.22, 6.82)
    assert figures["ci_includes_zero"] is True


def test_an_interval_above_zero_does_not_include_it(program):
    # WHO-5 raw 10 → 15, 12 → 16, 7 → 12, 15 → 18, 13 → 17: +20, +16, +20, +12, +16 percent
    for before, after in ((10, 15), (12, 16), (7, 12), (15, 18), (13, 17)):
        pair(program, before, after)
    figures = entry(outcome_kpis(program, START, END), "who5")
    # mean 16.8; sd² = (3.2² + 0.8² + 3.2² + 4.8² + 0.8²) / 4 = 44.8 / 4 = 11.2;
    # margin = 2.776 × √(11.2 / 5) = 2.776 × 1.49666 = 4.1547
    assert (figures["ci_low"], figures["ci_high"]) == (12.65, 20.95)
    assert figures["ci_includes_zero"] is False


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
