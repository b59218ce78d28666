"""Validated short outcome instruments: items, scale, scoring, cut-offs, citation, licence.

One registry, :data:`INSTRUMENTS`, keyed by a stable code that is stored in the database
(``OutcomeMeasure.instrument``). Everything that decides a score lives here, so the entry form,
the model, the report and the tests all score the same way. See docs/outcomes.md.

Item texts and answer labels are the instruments' published wording, stored per language
(they are data, not strings for translators: an instrument's wording must not drift). An
instrument whose licence does not allow shipping its texts records scores only; its items are
shown as "Item 1", "Item 2", …
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

Answers = Mapping[str, int | None]


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"


@dataclass(frozen=True)
class Choice:
    """A labelled answer: its value and the published label per language."""

    value: int
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Item:
    key: str  # the key in ``OutcomeMeasure.answers``: "1", "2", …
    low: int  # the lowest allowed answer
    high: int  # the highest allowed answer
    texts: Mapping[str, str] = field(default_factory=dict)  # published wording by language
    choices: tuple[Choice, ...] = ()  # labelled answers; empty: plain numbers low…high
    in_total: bool = True  # counted in the sum score (the RHS-15 thermometer is not)

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)

    def accepts(self, value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value in self.values


@dataclass(frozen=True)
class Category:
    """A band of the score with its meaning, e.g. WHO-5 raw 0–7: depression likely."""

    key: str
    label: Promise
    low: int
    high: int


@dataclass(frozen=True)
class Result:
    """What scoring a set of answers gives. ``score`` is None when the answers are incomplete."""

    score: int | None
    score_percent: int | None
    complete: bool
    positive_screen: bool | None
    category: str  # a Category key, or "" when it cannot be stated


@dataclass(frozen=True)
class Instrument:
    code: str
    name: Promise
    construct: Promise  # what it measures: wellbeing, loneliness, distress
    items: tuple[Item, ...]
    score_min: int
    score_max: int
    direction: Direction
    categories: tuple[Category, ...]
    # The categories that count as "at or beyond the cut-off" in reports.
    report_categories: frozenset[str]
    report_cutoff_label: Promise
    # The smallest change that matters, in report units (``report_field``); None: not known.
    meaningful_change: int | None
    meaningful_change_source: str
    missing_rule: Promise
    citation: str
    licence: Promise
    texts_shipped: bool
    stems: Mapping[str, str] = field(default_factory=dict)  # "Over the last two weeks …"
    percent_factor: int | None = None  # WHO-5: percentage = raw × 4
    report_field: str = "score"  # "score" or "score_percent": the unit reports use
    report_unit: Promise = _("points")
    scorer: Callable[["Instrument", Answers], Result] | None = None

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)

    def category_of(self, score: int | None) -> Category | None:
        if score is None:
            return None
        return next((c for c in self.categories if c.low <= score <= c.high), None)

    def category_label(self, key: str) -> str:
        found = next((c for c in self.categories if c.key == key), None)
        return str(found.label) if found else ""

    def score(self, answers: Answers) -> Result:
        """Score answers (item key → int or None). Raises ValueError for values off the scale."""
        problems = self.invalid_answers(answers)
        if problems:
            raise ValueError("; ".join(problems))
        if self.scorer is not None:
            return self.scorer(self, answers)
        return _sum_all_or_nothing(self, answers)

    def invalid_answers(self, answers: Answers) -> list[str]:
        """Human-readable problems: unknown items, answers off the scale."""
        known = set(self.keys)
        problems = [
            str(_("Unknown item %(key)s.") % {"key": key}) for key in answers if key not in known
        ]
        for item in self.items:
            value = answers.get(item.key)
            if value is not None and not item.accepts(value):
                problems.append(
                    str(
                        _("Item %(key)s: %(value)s is not between %(low)s and %(high)s.")
                        % {"key": item.key, "value": value, "low": item.low, "high": item.high}
                    )
                )
        return problems

    def text_of(self, item: Item, language: str | None = None) -> str:
        """The item's published wording in the language (or English), else "Item n"."""
        return _wording(item.texts, language) or str(_("Item %(key)s") % {"key": item.key})

    def stem(self, language: str | None = None) -> str:
        return _wording(self.stems, language)

    def choice_label(self, choice: Choice, language: str | None = None) -> str:
        return _wording(choice.labels, language) or str(choice.value)

    def in_report_unit(self, result: Result) -> int | None:
        return result.score_percent if self.report_field == "score_percent" else result.score


def _wording(texts: Mapping[str, str], language: str | None) -> str:
    if not texts:
        return ""
    language = (language or get_language() or "en").split("-")[0]
    return texts.get(language) or texts.get("en") or ""


def _category_key(instrument: Instrument, score: int | None) -> str:
    category = instrument.category_of(score)
    return category.key if category else ""


def _sum_all_or_nothing(instrument: Instrument, answers: Answers) -> Result:
    """Sum of all items; no score at all if any item is missing (WHO-5, UCLA-3)."""
    values = [answers.get(key) for key in instrument.keys]
    if any(v is None for v in values):
        return Result(None, None, False, None, "")
    score = sum(values)
    percent = score * instrument.percent_factor if instrument.percent_factor else None
    return Result(score, percent, True, None, _category_key(instrument, score))


RHS15_SUM_CUTOFF = 12  # items 1–14
RHS15_THERMOMETER_CUTOFF = 5  # item 15


def _score_rhs15(instrument: Instrument, answers: Answers) -> Result:
    """RHS-15: positive if items 1–14 sum to ≥ 12 or the thermometer (item 15) is ≥ 5.

    Incomplete when any of items 1–14 is missing: no score. A positive screen is still stated
    when what was answered already decides it (the answered items sum to ≥ 12, or the
    thermometer is ≥ 5), because missing answers can only add to the sum: a person who has
    crossed the threshold stays across it. A negative screen needs every item.
    """
    summed = [answers.get(item.key) for item in instrument.items if item.in_total]
    thermometer = answers.get("15")
    partial = sum(v for v in summed if v is not None)
    crossed = partial >= RHS15_SUM_CUTOFF or (
        thermometer is not None and thermometer >= RHS15_THERMOMETER_CUTOFF
    )
    if any(v is None for v in summed):
        if crossed:
            return Result(None, None, False, True, "positive")
        return Result(None, None, False, None, "")
    if thermometer is None and not crossed:
        # The sum is below the cut-off but the thermometer could still make it positive.
        return Result(partial, None, False, None, "")
    return Result(
        partial, None, thermometer is not None, crossed, "positive" if crossed else "negative"
    )


# --- WHO-5 ----------------------------------------------------------------------------------
# Wording: WHO-5 Well-Being Index (1998 version), Psychiatric Research Unit, Mental Health
# Centre North Zealand, Region Hovedstaden. Free to use without permission.

WHO5_LABELS = {
    5: {"en": "All of the time", "de": "Die ganze Zeit", "da": "Hele tiden"},
    4: {"en": "Most of the time", "de": "Meistens", "da": "Det meste af tiden"},
    3: {
        "en": "More than half of the time",
        "de": "Etwas mehr als die Hälfte der Zeit",
        "da": "Lidt mere end halvdelen af tiden",
    },
    2: {
        "en": "Less than half of the time",
        "de": "Etwas weniger als die Hälfte der Zeit",
        "da": "Lidt mindre end halvdelen af tiden",
    },
    1: {"en": "Some of the time", "de": "Ab und zu", "da": "Lidt af tiden"},
    0: {"en": "At no time", "de": "Zu keinem Zeitpunkt", "da": "På intet tidspunkt"},
}
WHO5_CHOICES = tuple(Choice(value, labels) for value, labels in WHO5_LABELS.items())
WHO5_TEXTS = (
    {
        "en": "I have felt cheerful and in good spirits",
        "de": "… war ich froh und guter Laune",
        "da": "… har jeg været glad og i godt humør",
    },
    {
        "en": "I have felt calm and relaxed",
        "de": "… habe ich mich ruhig und entspannt gefühlt",
        "da": "… har jeg følt mig rolig og afslappet",
    },
    {
        "en": "I have felt active and vigorous",
        "de": "… habe ich mich energisch und aktiv gefühlt",
        "da": "… har jeg følt mig aktiv og energisk",
    },
    {
        "en": "I woke up feeling fresh and rested",
        "de": "… habe ich mich beim Aufwachen frisch und ausgeruht gefühlt",
        "da": "… er jeg vågnet frisk og udhvilet",
    },
    {
        "en": "My daily life has been filled with things that interest me",
        "de": "… war mein Alltag voller Dinge, die mich interessieren",
        "da": "… har min dagligdag været fyldt med ting der interesserer mig",
    },
)

WHO5 = Instrument(
    code="who5",
    name=_("WHO-5 Well-Being Index"),
    construct=_("Wellbeing"),
    items=tuple(
        Item(str(n), 0, 5, texts, WHO5_CHOICES) for n, texts in enumerate(WHO5_TEXTS, start=1)
    ),
    score_min=0,
    score_max=25,
    direction=Direction.HIGHER_IS_BETTER,
    categories=(
        Category("depression_likely", _("Likely depression (≤ 28 %)"), 0, 7),
        Category("poor_wellbeing", _("Poor wellbeing (≤ 50 %)"), 8, 12),
        Category("adequate", _("Adequate wellbeing (> 50 %)"), 13, 25),
    ),
    report_categories=frozenset({"depression_likely", "poor_wellbeing"}),
    report_cutoff_label=_("Poor wellbeing (WHO-5 ≤ 50 %)"),
    meaningful_change=10,
    meaningful_change_source="Topp et al. 2015: a change of 10 percentage points is significant.",
    missing_rule=_("No score if any item is missing (the measure is marked incomplete)."),
    citation=(
        "Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5 Well-Being Index: "
        "a systematic review of the literature. Psychother Psychosom 2015;84:167–176."
    ),
    licence=_(
        "Free to use. Item texts and answer labels in English, German and Danish as published "
        "by the Psychiatric Research Unit, Region Hovedstaden."
    ),
    texts_shipped=True,
    stems={
        "en": "Over the last two weeks …",
        "de": "In den letzten zwei Wochen …",
        "da": "I de sidste 2 uger …",
    },
    percent_factor=4,
    report_field="score_percent",
    report_unit=_("percentage points"),
)

# --- UCLA-3 ---------------------------------------------------------------------------------
# The three items and their answers are printed in Hughes et al. 2004 and are reproduced freely
# in research and official surveys. Only the English wording is shipped: there is no single
# authoritative German or Danish wording, so programs in those languages use their own
# validated translation on paper and the form shows the English wording as a reference.

UCLA3_CHOICES = (
    Choice(1, {"en": "Hardly ever"}),
    Choice(2, {"en": "Some of the time"}),
    Choice(3, {"en": "Often"}),
)

UCLA3 = Instrument(
    code="ucla3",
    name=_("UCLA Loneliness Scale, 3 items"),
    construct=_("Loneliness"),
    items=tuple(
        Item(str(n), 1, 3, {"en": text}, UCLA3_CHOICES)
        for n, text in enumerate(
            (
                "How often do you feel that you lack companionship?",
                "How often do you feel left out?",
                "How often do you feel isolated from others?",
            ),
            start=1,
        )
    ),
    score_min=3,
    score_max=9,
    direction=Direction.HIGHER_IS_WORSE,
    categories=(
        Category("not_lonely", _("Not lonely (3–5)"), 3, 5),
        Category("lonely", _("Lonely (6–9)"), 6, 9),
    ),
    report_categories=frozenset({"lonely"}),
    report_cutoff_label=_("Lonely (UCLA-3 6–9)"),
    meaningful_change=1,
    meaningful_change_source=(
        "No established minimal important difference; 1 point is about half a standard "
        "deviation in population samples (half-SD rule, Norman et al. 2003)."
    ),
    missing_rule=_("No score if any item is missing (the measure is marked incomplete)."),
    citation=(
        "Hughes ME, Waite LJ, Hawkley LC, Cacioppo JT. A short scale for measuring loneliness "
        "in large surveys: results from two population-based studies. Res Aging "
        "2004;26(6):655–672."
    ),
    licence=_(
        "The three items are published in the article and widely reproduced for research; "
        "the English wording is shipped, German and Danish programs use their own validated "
        "translation."
    ),
    texts_shipped=True,
)

# --- RHS-15 ---------------------------------------------------------------------------------
# The RHS-15 is copyrighted by Pathways to Wellness. Its texts are not shipped: the program
# administers the official form and records the answers here.

RHS15 = Instrument(
    code="rhs15",
    name=_("Refugee Health Screener (RHS-15)"),
    construct=_("Emotional distress"),
    items=(
        *(Item(str(n), 0, 4) for n in range(1, 15)),
        Item("15", 0, 10, in_total=False),
    ),
    score_min=0,
    score_max=56,
    direction=Direction.HIGHER_IS_WORSE,
    categories=(
        Category("negative", _("Screen negative"), 0, 11),
        Category("positive", _("Screen positive"), 12, 56),
    ),
    report_categories=frozenset({"positive"}),
    report_cutoff_label=_("Screen positive (items 1–14 ≥ 12 or thermometer ≥ 5)"),
    meaningful_change=None,
    meaningful_change_source="A screener; no minimal important difference is established.",
    missing_rule=_(
        "Incomplete if any of items 1–14 is missing (no score); a positive screen is still "
        "stated when the answered items already sum to 12 or more or the thermometer is 5 or "
        "more."
    ),
    citation=(
        "Hollifield M, Verbillis-Kolp S, Farmer B, et al. The Refugee Health Screener-15 "
        "(RHS-15): development and validation of an instrument for anxiety, depression, and "
        "PTSD in refugees. Gen Hosp Psychiatry 2013;35(2):202–209. Pathways to Wellness."
    ),
    licence=_(
        "Copyright Pathways to Wellness: no item texts are shipped; scores only, items are "
        "labelled Item 1 … Item 15 (Item 15: distress thermometer 0–10)."
    ),
    texts_shipped=False,
    scorer=_score_rhs15,
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (WHO5, UCLA3, RHS15)}

INSTRUMENT_CHOICES = [(code, instrument.name) for code, instrument in INSTRUMENTS.items()]


def instrument_of(code: str) -> Instrument:
    return INSTRUMENTS[code]
