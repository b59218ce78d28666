"""The benchmark's verdicts (``python -m bench``): which row meets its target, and when the run
fails. Timings themselves are never asserted here (docs/performance.md)."""

from bench.__main__ import table


def page(p95_ms: float, queries: int) -> tuple[dict, int]:
    return {"p50": p95_ms / 2000, "p95": p95_ms / 1000}, queries


def results(**pages: tuple[tuple[dict, int], tuple[dict, int]]) -> dict:
    """``name=(small, large)`` pages, each ``page(p95_ms, queries)``."""
    scales = {}
    for index, scale in enumerate(("small", "large")):
        scales[scale] = {
            "latency": {name: pair[index][0] for name, pair in pages.items()},
            "queries": {name: pair[index][1] for name, pair in pages.items()},
        }
    return {"pages": scales}


def row(lines: list[str], name: str) -> list[str]:
    found = [line for line in lines if line.startswith(f"| page: {name} |")]
    assert len(found) == 1, lines
    return [cell.strip() for cell in found[0].strip("|").split("|")]


HELLO = (page(5, 3), page(5, 3))


def test_a_page_within_its_targets_is_met():
    lines, ok = table(results(**{"hello (floor)": HELLO, "list": (page(10, 9), page(14, 9))}))
    cells = row(lines, "list")
    assert cells[1] == "9 / 9"
    assert cells[4] == "2.8×"  # 14 ms ÷ 5 ms
    assert cells[5] == "1.4×"  # large ÷ small
    assert cells[-1] == "yes"
    assert ok


def test_too_slow_too_many_queries_or_a_count_that_grows_fails_the_run():
    for small, large in (
        (page(10, 9), page(16, 9)),  # 3.2× hello
        (page(10, 16), page(10, 16)),  # over 15 queries
        (page(10, 9), page(10, 10)),  # one more query at large scale
    ):
        lines, ok = table(results(**{"hello (floor)": HELLO, "list": (small, large)}))
        assert row(lines, "list")[-1] == "**NO**"
        assert not ok


def test_the_recomputed_preview_is_shown_but_not_held_to_the_page_targets():
    lines, ok = table(
        results(
            **{
                "hello (floor)": HELLO,
                "report preview ?recompute=1": (page(150, 38), page(500, 38)),
            }
        )
    )
    cells = row(lines, "report preview ?recompute=1")
    assert cells[-2:] == ["(recomputes every figure)", "—"]
    assert ok


def test_the_report_and_import_targets():
    timings = {
        "reports": {
            "activities": 10447,
            "kpi": {"median": 0.4, "max": 0.5, "queries": 31},
            "pdf": {"median": 2.2, "max": 3.1, "pages": 16},
            "hello_pdf": {"median": 0.08, "max": 0.09},
        },
        "import": {"import": 8.6, "reimport": 4.9, "rows": 50000},
    }
    lines, ok = table(timings)
    assert any(line.startswith("| KPIs") and line.endswith("| yes |") for line in lines)
    assert any(line.startswith("| report PDF") and line.endswith("| **NO** |") for line in lines)
    assert any(line.startswith("| import") and line.endswith("| yes |") for line in lines)
    assert not ok  # the PDF's median is over 2 s
