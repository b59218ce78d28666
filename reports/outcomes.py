"""Outcome figures for funder reports: did wellbeing, loneliness or distress change?

For each instrument used in a program, :func:`outcome_kpis` pairs every participant's complete
baseline with their latest complete follow-up (any time point other than the baseline) dated
within the report period and not before the baseline, and states in the instrument's report
unit (WHO-5: percent 0–100; UCLA-3 and RHS-15: points):

- ``n``: the number of pairs; ``mean_before``, ``mean_after``, ``mean_change`` (after − before);
- ``ci_low`` / ``ci_high``: the 95 % confidence interval of the mean change, mean ± t × sd / √n
  with the sample standard deviation of the changes and Student's t for n − 1 degrees of
  freedom from :data:`T_CRITICAL_95` (exact values up to 30 degrees of freedom; above that the
  next lower tabulated value of 40, 60 or 120, which is slightly conservative; beyond 120 the
  normal value 1.96). No scipy. ``ci_includes_zero`` says whether the interval contains 0;
- ``before_ci_low`` / ``before_ci_high`` and ``after_ci_low`` / ``after_ci_high``: the same
  interval for each mean, for charts on the instrument's scale ``scale_min``–``scale_max``;
- ``baselines``, ``lost`` and ``attrition_share``: attrition. The baselines counted are the
  pairs and every other complete baseline whose first follow-up fell due in the period (dated
  from :data:`FOLLOW_UP_DUE_MONTHS` months before the start to as long before the end);
  ``lost`` are those without a follow-up in the period, ``attrition_share`` = lost / baselines;
- ``improved_share``: the share of pairs that improved by at least the instrument's meaningful
  change in the registry, in the instrument's direction (WHO-5: +10 points; UCLA-3: −1 point);
  None for RHS-15;
- ``reliable_improved_share``: the share of pairs with a reliable improvement by the rule of
  :data:`RELIABLE_CHANGE` (``reliable_rule``; ``reliable_threshold`` in report units where the
  rule has one; ``reliable_source`` cites it): WHO-5 a rise of at least 10 percentage points;
  UCLA-3 a fall by more than the Jacobson–Truax reliable change index; RHS-15 a positive
  screen before and a negative one after;
- ``below_cutoff_before`` / ``below_cutoff_after``: the share of pairs in the instrument's
  cut-off band before and after (``cutoff_label`` names the band: WHO-5 ≤ 50 %, UCLA-3 6–9,
  RHS-15 positive screen). Despite the name, for UCLA-3 and RHS-15 the band is at or above the
  cut-off; the label says which.

Shares are fractions between 0 and 1. Fewer than 5 pairs are suppressed (small cells): the
entry keeps only ``instrument``, ``label``, ``n=None``, ``suppressed=True`` and a ``note``.
Everything returned is JSON-serialisable. Counts, sums, means and sums of squares are SQL
aggregates (two or three queries per instrument); Python only turns them into standard
deviations (:func:`sample_sd`: one needs two pairs) and intervals.
"""

import math
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils.translation import gettext as _

from core.dates import months_later
from programs.models import Program
from sessions_log.instruments import INSTRUMENTS, Direction, Instrument
from sessions_log.models import OutcomeMeasure

SMALL_CELL = 5

# Two-sided 95 % critical values of Student's t by degrees of freedom.
T_CRITICAL_95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
    40: 2.021,
    60: 2.000,
    120: 1.980,
}
Z_95 = 1.96


def t_critical(df: int) -> float:
    """The 95 % two-sided t value; between tabulated rows the next lower df (conservative)."""
    if df < 1:
        raise ValueError("at least one degree of freedom is needed")
    if df > max(T_CRITICAL_95):
        return Z_95
    return T_CRITICAL_95[max(k for k in T_CRITICAL_95 if k <= df)]


# The first follow-up falls due three months after the baseline (docs/outcomes.md).
FOLLOW_UP_DUE_MONTHS = 3


@dataclass(frozen=True)
class ReliableChange:
    """How a reliable improvement of an instrument is decided, and where the rule comes from.

    ``rule`` is ``"fixed"`` (a change of at least ``threshold`` report units), ``"rci"`` (the
    Jacobson–Truax reliable change index: a change larger than 1.96 × √2 × SD × √(1 − r), with
    ``reliability`` r and the standard deviation of the baseline scores of the pairs) or
    ``"screen"`` (a positive screen before, a negative one after).
    """

    rule: str
    source: str
    threshold: float | None = None
    reliability: float | None = None


RELIABLE_CHANGE = {
    "who5": ReliableChange(
        "fixed",
        "Topp CW et al., Psychother Psychosom 2015;84:167–176: a change of 10 percentage "
        "points is clinically relevant.",
        threshold=10,
    ),
    "ucla3": ReliableChange(
        "rci",
        "Jacobson NS, Truax P, J Consult Clin Psychol 1991;59(1):12–19, with Cronbach's "
        "α = 0.72 (Hughes ME et al., Res Aging 2004;26(6):655–672) and the SD of the baselines.",
        reliability=0.72,
    ),
    "rhs15": ReliableChange(
        "screen",
        "The screening cut-off of Hollifield M et al., Gen Hosp Psychiatry 2013;35(2):202–209: "
        "items 1–14 ≥ 12 or distress thermometer ≥ 5.",
    ),
}
Z_RELIABLE = 1.96


def reliable_change_index(sd_baseline: float, reliability: float) -> float:
    """The smallest change that is reliable at the 5 % level (Jacobson and Truax 1991):
    1.96 × the standard error of the difference, √2 × SD × √(1 − reliability)."""
    return Z_RELIABLE * math.sqrt(2) * sd_baseline * math.sqrt(1 - reliability)


def _follow_ups(instrument: Instrument, start: date, end: date):
    """The participant's complete follow-ups in the period, not before the baseline, latest
    first (a subquery on a baseline)."""
    return (
        OutcomeMeasure.objects.filter(
            participant=OuterRef("participant"),
            instrument=instrument.code,
            complete=True,
            date__gte=start,
            date__lte=end,
        )
        .filter(date__gte=OuterRef("date"))
        .exclude(timepoint=OutcomeMeasure.Timepoint.BASELINE)
        .complete()
        .order_by("-date", "-id")
    )


def _baselines(program: Program, instrument: Instrument):
    """The program's complete baselines of the instrument (drafts left out)."""
    return OutcomeMeasure.objects.filter(
        program=program,
        instrument=instrument.code,
        timepoint=OutcomeMeasure.Timepoint.BASELINE,
        complete=True,
    ).complete()


def _pairs(program: Program, instrument: Instrument, start: date, end: date):
    """Complete baselines with the latest complete follow-up in the period (one row each)."""
    field = instrument.report_field
    follow_ups = _follow_ups(instrument, start, end)
    return (
        _baselines(program, instrument)
        .annotate(
            before=F(field),
            after=Subquery(follow_ups.values(field)[:1]),
            after_category=Subquery(follow_ups.values("category")[:1]),
        )
        .filter(after__isnull=False)
        .annotate(change=F("after") - F("before"))
    )


def _lost(program: Program, instrument: Instrument, start: date, end: date) -> int:
    """Baselines whose first follow-up fell due in the period and that have none in it."""
    due_from = months_later(start, -FOLLOW_UP_DUE_MONTHS)
    due_to = months_later(end, -FOLLOW_UP_DUE_MONTHS)
    return (
        _baselines(program, instrument)
        .filter(date__gte=due_from, date__lte=due_to)
        .exclude(Exists(_follow_ups(instrument, start, end)))
        .count()
    )


def _improved(instrument: Instrument, change: float | None = None, *, strict=False) -> Q | None:
    """Pairs whose change goes ``change`` or more (more than it, ``strict``) in the better
    direction; by default the registry's meaningful change."""
    change = instrument.meaningful_change if change is None else change
    if change is None:
        return None
    if instrument.direction == Direction.HIGHER_IS_BETTER:
        return Q(change__gt=change) if strict else Q(change__gte=change)
    return Q(change__lt=-change) if strict else Q(change__lte=-change)


def _reliable(instrument: Instrument) -> Q | None:
    """The condition of a reliable improvement decided without the data (fixed, screen)."""
    rule = RELIABLE_CHANGE.get(instrument.code)
    if rule is None:
        return None
    if rule.rule == "fixed":
        return _improved(instrument, rule.threshold)
    if rule.rule == "screen":
        return Q(category="positive", after_category="negative")
    return None


def _squares(field: str) -> Sum:
    """The sum of the squares of ``field`` over the pairs, for :func:`sample_sd`."""
    return Sum(ExpressionWrapper(F(field) * F(field), output_field=FloatField()))


def sample_sd(n: int, mean, squares) -> float | None:
    """The sample standard deviation of ``n`` values from their mean and the sum of their
    squares; None for fewer than two values."""
    if n < 2 or squares is None or mean is None:
        return None
    mean = float(mean)
    return math.sqrt(max(0.0, (float(squares) - n * mean * mean) / (n - 1)))


def _interval(mean: float, sd: float | None, n: int) -> tuple[float, float]:
    margin = t_critical(n - 1) * float(sd or 0.0) / math.sqrt(n)
    return mean - margin, mean + margin


def _in_report_unit(instrument: Instrument, score: int) -> int:
    if instrument.report_field == "score_percent" and instrument.percent_factor:
        return score * instrument.percent_factor
    return score


def _share(count: int | None, n: int) -> float | None:
    return None if count is None else round(count / n, 3)


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def instrument_kpis(program: Program, instrument: Instrument, start: date, end: date) -> dict:
    pairs = _pairs(program, instrument, start, end)
    in_band = sorted(instrument.report_categories)
    improved = _improved(instrument)
    reliable = _reliable(instrument)
    figures = pairs.aggregate(
        n=Count("pk"),
        mean_before=Avg("before"),
        mean_after=Avg("after"),
        mean_change=Avg("change"),
        # Not StdDev: SQLite's raises on a single value, before the count is known.
        squares_change=_squares("change"),
        squares_before=_squares("before"),
        squares_after=_squares("after"),
        band_before=Count("pk", filter=Q(category__in=in_band)),
        band_after=Count("pk", filter=Q(after_category__in=in_band)),
        **({"improved": Count("pk", filter=improved)} if improved is not None else {}),
        **({"reliable": Count("pk", filter=reliable)} if reliable is not None else {}),
    )
    n = figures["n"]
    for name in ("change", "before", "after"):
        figures[f"sd_{name}"] = sample_sd(n, figures[f"mean_{name}"], figures[f"squares_{name}"])
    entry = {"instrument": instrument.code, "label": str(instrument.name)}
    if n < SMALL_CELL:
        return {
            **entry,
            "n": None,
            "suppressed": True,
            "note": _("Fewer than %(n)s before-and-after pairs: not shown.") % {"n": SMALL_CELL},
        }
    lost = _lost(program, instrument, start, end)
    rule = RELIABLE_CHANGE.get(instrument.code)
    threshold = rule.threshold if rule else None
    reliable_count = figures.get("reliable")
    if rule is not None and rule.rule == "rci":
        threshold = reliable_change_index(float(figures["sd_before"] or 0.0), rule.reliability)
        if threshold > 0:
            reliable_count = pairs.filter(_improved(instrument, threshold, strict=True)).count()
        else:
            threshold = None  # every baseline alike: no spread to judge change against
    mean_change = float(figures["mean_change"])
    ci_low, ci_high = _interval(mean_change, figures["sd_change"], n)
    before_low, before_high = _interval(float(figures["mean_before"]), figures["sd_before"], n)
    after_low, after_high = _interval(float(figures["mean_after"]), figures["sd_after"], n)
    return {
        **entry,
        "n": n,
        "unit": str(instrument.report_unit),
        "direction": instrument.direction.value,
        "scale_min": _in_report_unit(instrument, instrument.score_min),
        "scale_max": _in_report_unit(instrument, instrument.score_max),
        "meaningful_change": instrument.meaningful_change,
        "mean_before": _round(figures["mean_before"]),
        "mean_after": _round(figures["mean_after"]),
        "mean_change": _round(mean_change),
        "ci_low": _round(ci_low),
        "ci_high": _round(ci_high),
        "ci_includes_zero": _round(ci_low) <= 0 <= _round(ci_high),
        "before_ci_low": _round(before_low),
        "before_ci_high": _round(before_high),
        "after_ci_low": _round(after_low),
        "after_ci_high": _round(after_high),
        "baselines": n + lost,
        "lost": lost,
        "attrition_share": _share(lost, n + lost),
        "improved_share": _share(figures.get("improved"), n),
        "reliable_rule": rule.rule if rule else None,
        "reliable_threshold": _round(threshold),
        "reliable_improved_share": _share(reliable_count, n) if rule else None,
        "reliable_source": rule.source if rule else "",
        "cutoff_label": str(instrument.report_cutoff_label),
        "below_cutoff_before": _share(figures["band_before"], n),
        "below_cutoff_after": _share(figures["band_after"], n),
        "suppressed": False,
    }


def outcome_kpis(program: Program, start: date, end: date) -> dict:
    """Before-and-after figures of every instrument the program used (see the module doc)."""
    used = set(
        OutcomeMeasure.objects.filter(program=program)
        .values_list("instrument", flat=True)
        .distinct()
    )
    return {
        "instruments": [
            instrument_kpis(program, instrument, start, end)
            for code, instrument in INSTRUMENTS.items()
            if code in used
        ],
        "note": _(
            "Each participant's complete baseline paired with their latest complete follow-up "
            "in the period. Change = after − before, with a 95 %% confidence interval "
            "(Student's t). WHO-5 in percent (0–100), UCLA-3 and RHS-15 in points. Reliable "
            "improvement: WHO-5 at least 10 points (Topp et al. 2015); UCLA-3 a fall larger "
            "than the reliable change index of Jacobson and Truax (1991, reliability 0.72 from "
            "Hughes et al. 2004); RHS-15 from a positive to a negative screen. Attrition: "
            "baselines whose first follow-up fell due in the period without a follow-up in "
            "it. Shares are fractions of the pairs. Fewer than %(n)s pairs are not shown."
        )
        % {"n": SMALL_CELL},
    }
