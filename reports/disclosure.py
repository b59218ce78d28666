"""Small-cell suppression that holds: which published figures must be withheld.

A funder report publishes counts of persons and the totals they add up to. Withholding a small
count ("<5") protects nobody if it can be worked out again: 27 people in total, 12 women and
14 men published, leaves exactly 1 diverse person. This module decides, for a set of figures
and the additive relations between them, which figures to withhold:

- **primary** cells: counts from 1 to ``threshold`` − 1 (or any set the caller names);
- **complementary** cells, so that no withheld cell can be recomputed from the published ones.
  First, every relation (a total and its parts) holding exactly one withheld cell gets a
  second one: the smallest other cell of that relation, a part before a total, a positive
  value before a zero. That is repeated to a fixed point. It is not enough on its own (in a
  two-way table a withheld cell can still be the difference of two blocks of rows), so the
  result is then checked with linear algebra: a withheld cell is *determined* when the
  relations, with every published value filled in, fix its value. For each determined cell
  another complement is added from its relations (the cheapest one that frees it), and both
  steps repeat until no withheld cell is determined.

The figures are any hashable keys with integer values; :func:`protect` takes the relations
between them, so one call covers every breakdown of a report at once and a figure that
appears in two places gets one decision. :func:`protect_breakdown` and :func:`protect_table`
are the two common shapes: a 1-D breakdown with its total, and rows × columns with marginal
totals.

Derived statistics (a share, a mean, a median, a change) are not cells of a table;
:func:`derived_withheld` says whether one rests on too few persons to be published.

:func:`report_facts` reads, from the database, what the suppression of a program's report
needs (the threshold and which sites are private flats); the snapshot keeps them, so a
published report is suppressed the same way for ever.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from programs.models import Program, Site

DEFAULT_THRESHOLD = 5
THRESHOLDS = (5, 10)
TOTAL = "total"  # the key of a total in protect_breakdown and protect_table


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``parts`` (all keys of figures)."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Protection:
    """What to withhold: the small counts themselves and the cells withheld to protect them."""

    primary: frozenset
    complementary: frozenset

    @property
    def withheld(self) -> frozenset:
        return self.primary | self.complementary

    def __contains__(self, key) -> bool:
        return key in self.primary or key in self.complementary


def is_small(value, threshold: int) -> bool:
    """A count that is withheld by itself: from 1 to ``threshold`` − 1."""
    return isinstance(value, int | float) and 0 < value < threshold


def derived_withheld(base, threshold: int, numerator=None) -> bool:
    """Whether a share, mean, median or change resting on ``base`` persons is withheld.

    It is when it rests on 1 to ``threshold`` − 1 persons, and a share also when its
    ``numerator`` (given, or worked out from the share and its base) is such a small count:
    60 % of 5 pairs are 3 pairs.
    """
    if base is None:
        return False
    if is_small(base, threshold):
        return True
    return numerator is not None and is_small(numerator, threshold)


def share_numerator(share, base) -> int | None:
    """The count behind a share of ``base`` (a share is rounded, the count is not)."""
    if share is None or base is None:
        return None
    return round(share * base)


# ---- the general case ------------------------------------------------------------------------


def protect(
    values: Mapping[Hashable, int | float],
    relations: Iterable[Relation],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    primary: Iterable[Hashable] | None = None,
) -> Protection:
    """Which of ``values`` to withhold so that none of them can be recomputed.

    ``primary`` defaults to every value from 1 to ``threshold`` − 1. Every key of a relation
    must be in ``values``. The result is deterministic: ties go to the key that comes first in
    ``values``.
    """
    relations = [r for r in relations if r.parts]
    order = {key: index for index, key in enumerate(values)}
    margins = {r.total for r in relations}
    if primary is None:
        primary = [key for key, value in values.items() if is_small(value, threshold)]
    first = frozenset(primary)
    withheld = set(first)

    def cost(key):
        value = values[key]
        return (value == 0, key in margins, value, order[key])

    while True:
        _close_relations(relations, withheld, cost)
        determined = _determined(relations, withheld, order)
        if not determined:
            break
        cell = determined[0]
        complement = _freeing_complement(cell, relations, withheld, cost, order)
        if complement is None:
            break  # everything is withheld already
        withheld.add(complement)
    return Protection(primary=first, complementary=frozenset(withheld - first))


def _close_relations(relations: list[Relation], withheld: set, cost) -> None:
    """Give every relation with exactly one withheld cell a second one, to a fixed point."""
    changed = True
    while changed:
        changed = False
        for relation in relations:
            hidden = [c for c in relation.cells if c in withheld]
            if len(hidden) != 1:
                continue
            candidates = [c for c in relation.cells if c not in withheld]
            if candidates:
                withheld.add(min(candidates, key=cost))
                changed = True


def _freeing_complement(cell, relations, withheld: set, cost, order):
    """The cheapest published cell whose withholding leaves ``cell`` undetermined.

    Candidates are the published cells of the relations ``cell`` is in; when none of them
    frees it alone, the cheapest of them is taken and the caller checks again. Without such
    candidates, the cheapest published cell of any relation.
    """
    near = {c for r in relations if cell in r.cells for c in r.cells if c not in withheld}
    for candidate in sorted(near, key=cost):
        if cell not in _determined(relations, withheld | {candidate}, order):
            return candidate
    if near:
        return min(near, key=cost)
    anywhere = {c for r in relations for c in r.cells if c not in withheld}
    return min(anywhere, key=cost) if anywhere else None


def _determined(relations: list[Relation], withheld: set, order: Mapping) -> list:
    """The withheld cells whose value the relations fix, given every published value.

    The relations restricted to the withheld cells form a homogeneous system A·x = 0 for the
    change x of the withheld values (the published ones cannot change). A cell is fixed when
    every solution leaves it unchanged: in reduced row echelon form it is a pivot column whose
    row has no entry in a free column. Exact arithmetic with fractions; reports are small.
    """
    columns = sorted(withheld, key=lambda key: order[key])
    index = {key: i for i, key in enumerate(columns)}
    matrix = []
    for relation in relations:
        row = [Fraction(0)] * len(columns)
        for part in relation.parts:
            if part in index:
                row[index[part]] += 1
        if relation.total in index:
            row[index[relation.total]] -= 1
        if any(row):
            matrix.append(row)
    pivots = _reduce(matrix, len(columns))
    free = [c for c in range(len(columns)) if c not in pivots]
    fixed = []
    for column, row in pivots.items():
        if not any(matrix[row][f] for f in free):
            fixed.append(columns[column])
    return sorted(fixed, key=lambda key: order[key])


def _reduce(matrix: list[list[Fraction]], width: int) -> dict[int, int]:
    """Bring ``matrix`` to reduced row echelon form in place; returns {pivot column: row}."""
    pivots: dict[int, int] = {}
    row = 0
    for column in range(width):
        pivot = next((r for r in range(row, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[row], matrix[pivot] = matrix[pivot], matrix[row]
        lead = matrix[row][column]
        matrix[row] = [value / lead for value in matrix[row]]
        for other in range(len(matrix)):
            if other != row and matrix[other][column]:
                factor = matrix[other][column]
                pairs = zip(matrix[other], matrix[row], strict=True)
                matrix[other] = [a - factor * b for a, b in pairs]
        pivots[column] = row
        row += 1
    return pivots


# ---- the common shapes -----------------------------------------------------------------------


def protect_breakdown(
    counts: Sequence[int], total: int | None = None, threshold: int = DEFAULT_THRESHOLD
) -> set:
    """A 1-D breakdown and its published total (default: the sum): the indices to withhold,
    and :data:`TOTAL` if the total must be withheld too."""
    values = {i: v for i, v in enumerate(counts)}
    values[TOTAL] = sum(counts) if total is None else total
    relation = Relation(TOTAL, tuple(range(len(counts))))
    return set(protect(values, [relation], threshold).withheld)


def protect_table(cells: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> set:
    """Rows × columns with their row, column and grand totals (computed from ``cells``).

    Returns the withheld cells as ``(row, column)`` pairs, where a row or column index of
    :data:`TOTAL` names a marginal total (``(TOTAL, TOTAL)`` is the grand total).
    """
    rows = range(len(cells))
    columns = range(len(cells[0]) if cells else 0)
    values: dict = {}
    for i in rows:
        for j in columns:
            values[(i, j)] = cells[i][j]
    for i in rows:
        values[(i, TOTAL)] = sum(cells[i])
    for j in columns:
        values[(TOTAL, j)] = sum(cells[i][j] for i in rows)
    values[(TOTAL, TOTAL)] = sum(values[(i, TOTAL)] for i in rows)
    relations = [Relation((i, TOTAL), tuple((i, j) for j in columns)) for i in rows]
    relations += [Relation((TOTAL, j), tuple((i, j) for i in rows)) for j in columns]
    relations.append(Relation((TOTAL, TOTAL), tuple((i, TOTAL) for i in rows)))
    relations.append(Relation((TOTAL, TOTAL), tuple((TOTAL, j) for j in columns)))
    return set(protect(values, relations, threshold).withheld)


# ---- what a report needs from the database ---------------------------------------------------


def report_facts(program: Program) -> dict:
    """The program's threshold and its private flats (site keys as in the snapshot)."""
    private = program.sites.filter(kind=Site.Kind.PRIVATE_FLAT).order_by("pk")
    return {
        "threshold": program.disclosure_threshold,
        "private_sites": [str(pk) for pk in private.values_list("pk", flat=True)],
    }
