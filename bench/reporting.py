"""KPI and PDF time of a program-year report, and a one-page PDF: JSON for ``python -m bench``.

Uses the functions of ``bench/report_bench.py`` on the database in DATABASE_URL: median and
slowest of ``--runs`` calls of ``reports.kpis.compute`` for the in2balance demo program's last
twelve months (with its number of queries), of ``render_report_pdf`` for that report, and of
WeasyPrint on a one-page "hello" document (the floor of any PDF).
"""

import argparse
import io
import json
import os
import statistics
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.report_bench import hello_pdf, program_year, timed  # noqa: E402  (sets up Django)
from programs.models import Program  # noqa: E402
from reports import kpis  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.pdf import render_report_pdf  # noqa: E402


def summary(seconds: list[float]) -> dict:
    return {"median": statistics.median(seconds), "max": max(seconds), "n": len(seconds)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="in2balance")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    program = Program.objects.select_related("lead_organisation").get(slug=args.program)
    start, end = program_year(program, None)
    language = program.default_language

    def compute():
        return kpis.compute(program, start=start, end=end, language=language)

    with CaptureQueriesContext(connection) as queries:
        compute()
    kpi_seconds, snapshot = timed(compute, args.runs)
    report = Report(
        program=program,
        title=f"{program.name} {start.isoformat()}–{end.isoformat()}",
        period_start=start,
        period_end=end,
        language=language,
    )
    pdf_seconds, pdf = timed(lambda: render_report_pdf(report, snapshot), args.runs)
    hello_seconds, _hello = timed(hello_pdf, args.runs)
    result = {
        "period": [start.isoformat(), end.isoformat()],
        "activities": program.activities.filter(date__gte=start, date__lte=end).count(),
        "kpi": {**summary(kpi_seconds), "queries": len(queries)},
        "pdf": {**summary(pdf_seconds), "pages": len(PdfReader(io.BytesIO(pdf)).pages)},
        "hello_pdf": summary(hello_seconds),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
