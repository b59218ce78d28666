"""Scoring of the instruments against worked examples counted by hand."""

import pytest

from sessions_log.instruments import INSTRUMENTS, Direction

WHO5, UCLA3, RHS15 = INSTRUMENTS["who5"], INSTRUMENTS["ucla3"], INSTRUMENTS["rhs15"]


def who5(*values):
    return dict(zip("12345", values, strict=True))


def rhs15(items, thermometer):
    answers = {str(n): v for n, v in enumerate(items, start=1)}
    answers["15"] = thermometer
    return answers


def test_who5_raw_12_is_48_percent_and_poor_wellbeing():
    result = WHO5.score(who5(3, 2, 4, 1, 2))
    assert (result.score, result.score_percent, result.complete) == (12, 48, True)
    assert result.category == "poor_wellbeing"


@pytest.mark.parametrize(
    ("answers", "percent", "category"),
    [
        ((1, 1, 2, 1, 2), 28, "depression_likely"),  # raw 7: ≤ 28 %
        ((2, 2, 2, 1, 1), 32, "poor_wellbeing"),  # raw 8
        ((3, 3, 3, 2, 2), 52, "adequate"),  # raw 13: above 50 %
        ((5, 5, 5, 5, 5), 100, "adequate"),
        ((0, 0, 0, 0, 0), 0, "depression_likely"),
    ],
)
def test_who5_cut_offs(answers, percent, category):
    result = WHO5.score(who5(*answers))
    assert (result.score_percent, result.category) == (percent, category)


def test_who5_with_a_missing_item_has_no_score():
    result = WHO5.score(who5(5, 5, None, 5, 5))
    assert (result.score, result.score_percent, result.complete, result.category) == (
        None,
        None,
        False,
        "",
    )


def test_who5_is_higher_is_better_with_a_meaningful_change_of_10_points():
    assert WHO5.direction == Direction.HIGHER_IS_BETTER
    assert WHO5.meaningful_change == 10
    assert "Psychother Psychosom 2015;84:167–176" in WHO5.citation


def test_ucla3_total_of_6_is_lonely_and_5_is_not():
    assert UCLA3.score({"1": 2, "2": 2, "3": 2}).category == "lonely"
    assert UCLA3.score({"1": 1, "2": 2, "3": 2}).category == "not_lonely"
    assert UCLA3.score({"1": 3, "2": 3, "3": 3}).score == 9
    assert UCLA3.direction == Direction.HIGHER_IS_WORSE


def test_ucla3_with_a_missing_item_has_no_score():
    result = UCLA3.score({"1": 3, "2": None, "3": 3})
    assert (result.score, result.complete) == (None, False)


def test_rhs15_sum_11_with_thermometer_5_is_positive():
    result = RHS15.score(rhs15([1] * 11 + [0, 0, 0], 5))
    assert (result.score, result.complete, result.positive_screen) == (11, True, True)


def test_rhs15_sum_12_is_positive_whatever_the_thermometer():
    result = RHS15.score(rhs15([4, 4, 4] + [0] * 11, 0))
    assert (result.score, result.positive_screen, result.category) == (12, True, "positive")


def test_rhs15_sum_11_with_thermometer_4_is_negative():
    result = RHS15.score(rhs15([1] * 11 + [0, 0, 0], 4))
    assert (result.score, result.positive_screen, result.category) == (11, False, "negative")


def test_rhs15_incomplete_but_already_positive_says_so():
    items = [4, 4, 4, 1] + [None] * 10  # 13 from four answers
    result = RHS15.score(rhs15(items, None))
    assert (result.score, result.complete, result.positive_screen) == (None, False, True)


def test_rhs15_incomplete_with_a_high_thermometer_is_positive():
    result = RHS15.score(rhs15([0] * 13 + [None], 7))
    assert (result.score, result.complete, result.positive_screen) == (None, False, True)


def test_rhs15_incomplete_below_the_cut_off_states_nothing():
    result = RHS15.score(rhs15([0] * 13 + [None], 2))
    assert (result.score, result.complete, result.positive_screen, result.category) == (
        None,
        False,
        None,
        "",
    )


def test_rhs15_ships_no_item_texts():
    assert not RHS15.texts_shipped
    assert all(not item.texts for item in RHS15.items)
    assert RHS15.text_of(RHS15.item("15"), "en") == "Item 15"
    assert RHS15.item("15").values == range(0, 11)


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [(WHO5, who5(3, 2, 6, 1, 2)), (UCLA3, {"1": 0, "2": 1, "3": 1}), (RHS15, {"1": 5})],
)
def test_answers_off_the_scale_are_refused(instrument, answers):
    with pytest.raises(ValueError, match="is not between"):
        instrument.score(answers)


def test_who5_wording_is_shipped_in_german_english_and_danish():
    first = WHO5.item("1")
    assert WHO5.text_of(first, "de") == "… war ich froh und guter Laune"
    assert WHO5.text_of(first, "da") == "… har jeg været glad og i godt humør"
    assert WHO5.text_of(first, "en") == "I have felt cheerful and in good spirits"
    labels = [WHO5.choice_label(c, "en") for c in first.choices]
    assert labels[0] == "All of the time" and labels[-1] == "At no time"
