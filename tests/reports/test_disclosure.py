"""Small-cell suppression that holds (reports/disclosure.py).

Worked examples counted by hand, then a property: for random tables with totals, no withheld
value can be recomputed from the published ones.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.disclosure import (
    TOTAL,
    Relation,
    derived_withheld,
    protect,
    protect_breakdown,
    protect_table,
)

# ---- worked examples ---------------------------------------------------------------------


def test_a_single_small_count_gets_a_partner_so_the_total_does_not_give_it_away():
    # Women 12, men 14, diverse 1, total 27: "diverse = 27 - 12 - 14" must not work.
    assert protect_breakdown([12, 14, 1], 27) == {2, 0}  # the smallest other count, 12
    # Age 0-17: 2 of 27, everyone else 25: "27 - 25 = 2" must not work.
    assert protect_breakdown([2, 25], 27) == {0, 1}


def test_nothing_is_withheld_without_small_counts_and_zeros_stay():
    assert protect_breakdown([12, 0, 15]) == set()
    assert protect_breakdown([0, 0]) == set()


def test_two_small_counts_protect_each_other():
    assert protect_breakdown([3, 2, 20]) == {0, 1}


def test_a_small_total_is_withheld_with_its_parts():
    assert protect_breakdown([3, 0, 0]) == {0, TOTAL}


def test_the_threshold_can_be_ten():
    assert protect_breakdown([7, 30, 12], threshold=10) == {0, 2}
    assert protect_breakdown([7, 30, 12], threshold=5) == set()


def test_a_two_way_table_gets_complements_in_its_row_and_its_column():
    # One small cell: its row, its column and the opposite corner are withheld (a 2 x 2 box).
    table = [[3, 10, 20], [8, 9, 30], [12, 40, 50]]
    withheld = protect_table(table)
    assert withheld == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_a_cell_linking_two_protected_blocks_is_not_left_recomputable():
    """Every row and column with a withheld cell holds two, yet one cell is fixed.

    Rows 0-1 × columns 0-1 and rows 2-3 × columns 2-3 are withheld boxes; the cell (0, 2)
    links them. Its value is row 0 + row 1 - column 0 - column 1 (withheld parts only), so the
    fixed-point rule alone leaves it recomputable; the check adds another cell.
    """
    values = {}
    cells = [(i, j) for i in range(4) for j in range(4)]
    for i, j in cells:
        values[(i, j)] = 20 + i + j
    relations = [Relation(("row", i), tuple((i, j) for j in range(4))) for i in range(4)]
    relations += [Relation(("col", j), tuple((i, j) for i in range(4))) for j in range(4)]
    for i in range(4):
        values[("row", i)] = sum(values[(i, j)] for j in range(4))
        values[("col", i)] = sum(values[(j, i)] for j in range(4))
    box = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    result = protect(values, relations, primary=box)
    assert result.primary == box
    assert result.complementary  # (0, 2) alone would be recomputable
    assert _undetermined(values, relations, result.withheld) == set(result.withheld)


def test_derived_statistics_rest_on_enough_persons():
    assert derived_withheld(4, 5)  # a mean over 4 persons
    assert not derived_withheld(5, 5)
    assert derived_withheld(5, 5, numerator=3)  # 60 % of 5 pairs are 3 pairs
    assert derived_withheld(5, 5, numerator=2)  # and 40 % are 2
    assert not derived_withheld(14, 5, numerator=11)  # 11 of 14 (79 %)
    assert not derived_withheld(14, 5, numerator=0)
    assert derived_withheld(9, 10)
    assert not derived_withheld(None, 5)


# ---- the property ------------------------------------------------------------------------


def _undetermined(values: dict, relations: list[Relation], withheld) -> set:
    """The withheld cells that can take another value, all published values and relations
    kept and nothing negative.

    Searches for a change y of the withheld cells with every entry in {-1, 0, 1} that keeps
    every relation and every value non-negative. That is enough for tables with totals: their
    relations form a totally unimodular system, so any other solution differs from the true
    one by a sum of such elementary changes, each conformal to the difference, and one of
    them moves the cell (a finite search, independent of how the cells were chosen).
    """
    order = sorted(withheld, key=list(values).index)
    found = set()
    for target in order:
        if target in found:
            continue
        for start in (1, -1):
            change = _search(values, relations, order, target, start)
            if change:
                found |= {key for key, step in change.items() if step}
                break
    return found


def _search(values, relations, order, target, start):
    variables = [target] + [key for key in order if key != target]
    assignment = {target: start}
    if values[target] + start < 0:
        return None
    published = set(values) - set(order)
    checks = []  # relations to test once their last withheld cell is assigned
    for relation in relations:
        hidden = [c for c in relation.cells if c not in published]
        last = max((variables.index(c) for c in hidden), default=-1)
        checks.append((last, relation))

    def holds(depth):
        for last, relation in checks:
            if last == depth:
                total = sum(assignment.get(p, 0) for p in relation.parts)
                if total != assignment.get(relation.total, 0):
                    return False
        return True

    def dfs(depth):
        if not holds(depth):
            return False
        if depth + 1 == len(variables):
            return True
        key = variables[depth + 1]
        for step in (0, 1, -1):
            if values[key] + step < 0:
                continue
            assignment[key] = step
            if dfs(depth + 1):
                return True
        del assignment[key]
        return False

    return dict(assignment) if dfs(0) else None


def _breakdown_world(counts):
    values = {i: v for i, v in enumerate(counts)}
    values[TOTAL] = sum(counts)
    return values, [Relation(TOTAL, tuple(range(len(counts))))]


def _table_world(cells):
    values, relations = {}, []
    rows, columns = range(len(cells)), range(len(cells[0]))
    for i in rows:
        for j in columns:
            values[(i, j)] = cells[i][j]
    for i in rows:
        values[(i, TOTAL)] = sum(cells[i])
        relations.append(Relation((i, TOTAL), tuple((i, j) for j in columns)))
    for j in columns:
        values[(TOTAL, j)] = sum(cells[i][j] for i in rows)
        relations.append(Relation((TOTAL, j), tuple((i, j) for i in rows)))
    values[(TOTAL, TOTAL)] = sum(values[(i, TOTAL)] for i in rows)
    relations.append(Relation((TOTAL, TOTAL), tuple((i, TOTAL) for i in rows)))
    relations.append(Relation((TOTAL, TOTAL), tuple((TOTAL, j) for j in columns)))
    return values, relations


thresholds = st.sampled_from([3, 5, 10])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 14), min_size=1, max_size=7), thresholds)
def test_no_withheld_count_of_a_breakdown_can_be_recomputed(counts, threshold):
    withheld = protect_breakdown(counts, threshold=threshold)
    values, relations = _breakdown_world(counts)
    assert {k for k, v in values.items() if 0 < v < threshold} <= withheld
    assert _undetermined(values, relations, withheld) == withheld


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(0, 12), min_size=width, max_size=width), min_size=1, max_size=4
        )
    ),
    thresholds,
)
def test_no_withheld_cell_of_a_table_with_totals_can_be_recomputed(cells, threshold):
    withheld = protect_table(cells, threshold=threshold)
    values, relations = _table_world(cells)
    assert {k for k, v in values.items() if 0 < v < threshold} <= withheld
    assert _undetermined(values, relations, withheld) == withheld


@st.composite
def two_breakdowns_of_one_total(draw):
    """People by gender and by age: two breakdowns of the same published total."""
    first = draw(st.lists(st.integers(0, 12), min_size=1, max_size=4))
    cuts = sorted(draw(st.lists(st.integers(0, sum(first)), max_size=3)))
    bounds = [0, *cuts, sum(first)]
    return first, [high - low for low, high in zip(bounds, bounds[1:], strict=False)]


@settings(max_examples=120, deadline=None)
@given(two_breakdowns_of_one_total(), thresholds)
def test_breakdowns_sharing_a_total_get_one_decision_that_holds(breakdowns, threshold):
    first, second = breakdowns
    values = {("a", i): v for i, v in enumerate(first)}
    values |= {("b", i): v for i, v in enumerate(second)}
    values[TOTAL] = sum(first)
    relations = [
        Relation(TOTAL, tuple(("a", i) for i in range(len(first)))),
        Relation(TOTAL, tuple(("b", i) for i in range(len(second)))),
    ]
    withheld = protect(values, relations, threshold).withheld
    assert {k for k, v in values.items() if 0 < v < threshold} <= withheld
    assert _undetermined(values, relations, withheld) == withheld
