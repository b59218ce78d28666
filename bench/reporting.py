"""KPI and PDF time of a program-year report, and a one-page PDF: JSON for ``python -m bench``.

Uses the functions of ``bench/report_bench.py`` on the database in DATABASE_URL: median and
slowest of ``--runs`` calls of ``reports.kpis.compute`` for the in2balance demo program's last
twelve months (with its number of queries), of ``render_report_pdf`` for that report, and of
WeasyPrint on a one-page "hello" document (the floor of any PDF).
"""

import argparse
import json
import os
import statistics
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.report_bench import measure, program_year  # noqa: E402  (sets up Django)
from programs.models import Program  # noqa: E402


def summary(seconds: list[float]) -> dict:
    return {"median": statistics.median(seconds), "max": max(seconds), "n": len(seconds)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="in2balance")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    program = Program.objects.select_related("lead_organisation").get(slug=args.program)
    start, end = program_year(program, None)
    m = measure(program, start, end, args.runs)
    result = {
        "period": [start.isoformat(), end.isoformat()],
        "activities": program.activities.filter(date__gte=start, date__lte=end).count(),
        "kpi": {**summary(m.kpi_seconds), "queries": m.queries},
        "pdf": {**summary(m.pdf_seconds), "pages": m.pages},
        "hello_pdf": summary(m.hello_seconds),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
