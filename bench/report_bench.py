"""Time a funder report: KPI computation (and its queries) and PDF rendering for a program-year.

Run against the database in DATABASE_URL (PostgreSQL for the figure that counts)::

    createdb -h 127.0.0.1 -U postgres lotse_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench DEBUG=1 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench DEBUG=1 \\
        .venv/bin/python -m bench.report_bench --scale medium --seed

``--seed`` first replaces the demo data (``manage.py seed_demo --scale X --flush``); without
it the benchmark uses whatever demo data the database holds (``--scale`` then only labels the
output). It reports, over ``--runs`` runs (default 5), the median and slowest time of
``reports.kpis.compute`` for the in2balance demo program's last twelve months with its number
of queries, of rendering that report's PDF, and of a one-page PDF through WeasyPrint (the
floor: what any PDF costs). Targets: KPIs under 1 s, PDF under 2 s (median).
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from dataclasses import dataclass

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402  (a dev dependency, like the benchmarks)

from bench.seed import settle_after_bulk_load  # noqa: E402
from demo.builder import SCALES  # noqa: E402
from programs.models import Program  # noqa: E402
from reports import kpis  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.pdf import render_report_pdf  # noqa: E402

KPI_TARGET = 1.0  # seconds
PDF_TARGET = 2.0  # seconds, median
HELLO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hello</title>
</head><body><h1>Hello</h1><p>One page, one paragraph.</p></body></html>"""


def timed(function, runs: int) -> tuple[list[float], object]:
    """Seconds of each of ``runs`` calls, and the last result."""
    seconds, _cpu, result = timed_with_cpu(function, runs)
    return seconds, result


def timed_with_cpu(function, runs: int) -> tuple[list[float], list[float], object]:
    """Wall-clock seconds of each of ``runs`` calls, this process's CPU seconds of each, and
    the last result. On a loaded machine the wall clock also counts the waits for a CPU; a PDF
    is almost all CPU of this process, so its CPU time is what an idle machine would take."""
    seconds, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return seconds, cpu, result


def program_year(program: Program, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The twelve months up to ``end`` (default: the program's last logged activity)."""
    if end is None:
        last = program.activities.order_by("-date").values_list("date", flat=True).first()
        end = last or dt.date.today()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    return start, end


def hello_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string=HELLO).write_pdf(pdf_variant="pdf/ua-1")


@dataclass
class Measured:
    kpi_seconds: list[float]
    queries: int  # of one kpis.compute
    snapshot: dict
    pdf_seconds: list[float]
    pdf: bytes
    hello_seconds: list[float]
    pdf_cpu_seconds: list[float]
    hello_cpu_seconds: list[float]

    @property
    def pages(self) -> int:
        return len(PdfReader(io.BytesIO(self.pdf)).pages)


def measure(program: Program, start: dt.date, end: dt.date, runs: int) -> Measured:
    """Time ``runs`` KPI computations and PDFs of the program's report for ``start``–``end``,
    and as many one-page PDFs."""
    language = program.default_language

    def compute():
        return kpis.compute(program, start=start, end=end, language=language)

    with CaptureQueriesContext(connection) as queries:
        compute()
    kpi_seconds, snapshot = timed(compute, runs)
    report = Report(
        program=program,
        title=f"{program.name} {start.isoformat()}–{end.isoformat()}",
        period_start=start,
        period_end=end,
        language=language,
    )
    pdf_seconds, pdf_cpu, pdf = timed_with_cpu(lambda: render_report_pdf(report, snapshot), runs)
    hello_seconds, hello_cpu, _hello = timed_with_cpu(hello_pdf, runs)
    return Measured(
        kpi_seconds, len(queries), snapshot, pdf_seconds, pdf, hello_seconds, pdf_cpu, hello_cpu
    )


def row(step: str, seconds: list[float], target: float | None, extra: str = "") -> str:
    median, slowest = statistics.median(seconds), max(seconds)
    verdict = "—"
    if target is not None:
        verdict = f"< {target:g} s: " + ("yes" if median < target else "NO")
    return f"| {step} | {median:.3f} | {slowest:.3f} | {extra or '—'} | {verdict} |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument(
        "--seed",
        action="store_true",
        help="replace the demo data first (manage.py seed_demo --scale SCALE --flush)",
    )
    parser.add_argument("--program", default="in2balance", help="slug of the program")
    parser.add_argument("--end", type=dt.date.fromisoformat, help="last day of the year")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    if args.seed:
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, flush=True, stdout=io.StringIO())
        print(f"seeded scale {args.scale} in {time.perf_counter() - started:.0f} s")
        settle_after_bulk_load(connection)

    program = Program.objects.select_related("lead_organisation").filter(slug=args.program).first()
    if program is None:
        print(f"No program “{args.program}”; seed the demo data with --seed.", file=sys.stderr)
        return 2
    start, end = program_year(program, args.end)
    activities = program.activities.filter(date__gte=start, date__lte=end).count()
    m = measure(program, start, end, args.runs)
    print(
        f"database: {connection.vendor}; scale: {args.scale}; program: {program.slug}; "
        f"period {start} – {end}: {activities} activities, "
        f"{m.snapshot['people_reached']['total']} people reached; {args.runs} runs"
    )
    print()
    print("| step | median s | max s | size | target (median) |")
    print("|---|---:|---:|---|---|")
    print(row("KPI snapshot (kpis.compute)", m.kpi_seconds, KPI_TARGET, f"{m.queries} queries"))
    size = f"{m.pages} pages, {len(m.pdf) / 1024:.0f} KB"
    size += f", CPU median {statistics.median(m.pdf_cpu_seconds):.3f} s"
    print(row("report PDF (render_report_pdf)", m.pdf_seconds, PDF_TARGET, size))
    print(row("one-page PDF (WeasyPrint floor)", m.hello_seconds, None, "1 page"))
    kpi_median, pdf_median = statistics.median(m.kpi_seconds), statistics.median(m.pdf_seconds)
    return 0 if kpi_median < KPI_TARGET and pdf_median < PDF_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
