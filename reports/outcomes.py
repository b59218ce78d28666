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
  normal value 1.96). No scipy;
- ``improved_share``: the share of pairs that improved by at least the instrument's meaningful
  change, in the instrument's direction (WHO-5: +10 points; UCLA-3: −1 point); None for RHS-15,
  a screener without an established meaningful change;
- ``below_cutoff_before`` / ``below_cutoff_after``: the share of pairs in the instrument's
  cut-off band before and after (``cutoff_label`` names the band: WHO-5 ≤ 50 %, UCLA-3 6–9,
  RHS-15 positive screen). Despite the name, for UCLA-3 and RHS-15 the band is at or above the
  cut-off; the label says which.

Shares are fractions between 0 and 1. Fewer than 5 pairs are suppressed (small cells): the
entry keeps only ``instrument``, ``label``, ``n=None``, ``suppressed=True`` and a ``note``.
Everything returned is JSON-serialisable. Counts, means and the sum of the squared changes are
SQL aggregates; Python only turns them into the standard deviation and the interval (a sample
standard deviation needs two pairs: with one, there is none).
"""

import math
from datetime import date

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.utils.translation import gettext as _

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


def sample_sd(n: int, mean: float, squares: float | None) -> float | None:
    """The sample standard deviation of ``n`` values from their mean and the sum of their
    squares; None for fewer than two values."""
    if n < 2 or squares is None:
        return None
    return math.sqrt(max(0.0, (float(squares) - n * mean * mean) / (n - 1)))


def _pairs(program: Program, instrument: Instrument, start: date, end: date):
    """Complete baselines with the latest complete follow-up in the period (one row each)."""
    field = instrument.report_field
    follow_ups = (
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
    return (
        OutcomeMeasure.objects.filter(
            program=program,
            instrument=instrument.code,
            timepoint=OutcomeMeasure.Timepoint.BASELINE,
            complete=True,
        )
        .complete()
        .annotate(
            before=F(field),
            after=Subquery(follow_ups.values(field)[:1]),
            after_category=Subquery(follow_ups.values("category")[:1]),
        )
        .filter(after__isnull=False)
        .annotate(change=F("after") - F("before"))
    )


def _improved(instrument: Instrument) -> Q | None:
    change = instrument.meaningful_change
    if change is None:
        return None
    if instrument.direction == Direction.HIGHER_IS_BETTER:
        return Q(change__gte=change)
    return Q(change__lte=-change)


def _share(count: int | None, n: int) -> float | None:
    return None if count is None else round(count / n, 3)


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def instrument_kpis(program: Program, instrument: Instrument, start: date, end: date) -> dict:
    pairs = _pairs(program, instrument, start, end)
    in_band = sorted(instrument.report_categories)
    improved = _improved(instrument)
    figures = pairs.aggregate(
        n=Count("pk"),
        mean_before=Avg("before"),
        mean_after=Avg("after"),
        mean_change=Avg("change"),
        # Not StdDev: SQLite's raises on a single value, before the count is known.
        squares=Sum(ExpressionWrapper(F("change") * F("change"), output_field=FloatField())),
        band_before=Count("pk", filter=Q(category__in=in_band)),
        band_after=Count("pk", filter=Q(after_category__in=in_band)),
        **({"improved": Count("pk", filter=improved)} if improved is not None else {}),
    )
    n = figures["n"]
    entry = {"instrument": instrument.code, "label": str(instrument.name)}
    if n < SMALL_CELL:
        return {
            **entry,
            "n": None,
            "suppressed": True,
            "note": _("Fewer than %(n)s before-and-after pairs: not shown.") % {"n": SMALL_CELL},
        }
    mean_change = float(figures["mean_change"])
    sd = sample_sd(n, mean_change, figures["squares"])
    margin = None if sd is None else t_critical(n - 1) * sd / math.sqrt(n)
    return {
        **entry,
        "n": n,
        "unit": str(instrument.report_unit),
        "direction": instrument.direction.value,
        "meaningful_change": instrument.meaningful_change,
        "mean_before": _round(figures["mean_before"]),
        "mean_after": _round(figures["mean_after"]),
        "mean_change": _round(mean_change),
        "ci_low": None if margin is None else _round(mean_change - margin),
        "ci_high": None if margin is None else _round(mean_change + margin),
        "improved_share": _share(figures.get("improved"), n),
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
            "(Student's t). WHO-5 in percent (0–100), UCLA-3 and RHS-15 in points. Improved: "
            "by at least the instrument's meaningful change (WHO-5 10 points, UCLA-3 1 point). "
            "Shares are fractions of the pairs. Fewer than %(n)s pairs are not shown."
        )
        % {"n": SMALL_CELL},
    }
