"""KPI and PDF time of a program-year report, and a one-page PDF: JSON for ``python -m bench``.

Uses the functions of ``bench/report_bench.py`` on the database in DATABASE_URL: median and
slowest of ``--runs`` calls of ``reports.kpis.compute`` for the in2balance demo program's last
twelve months (with its number of queries), of ``render_report_pdf`` for that report, and of
WeasyPrint on a one-page "hello" document (the floor of any PDF); for the PDFs also the median
CPU time of this process, and the load average when done.
"""

import argparse
import json
import os
import statistics
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.report_bench import measure, program_year  # noqa: E402  (sets up Django)
from programs.models import Program  # noqa: E402


def summary(seconds: list[float], cpu: list[float] | None = None) -> dict:
    """Median and slowest wall-clock time; with ``cpu``, the median CPU time of this process
    (on a loaded machine the wall clock also counts the waits for a CPU)."""
    found = {"median": statistics.median(seconds), "max": max(seconds), "n": len(seconds)}
    if cpu:
        found["cpu_median"] = statistics.median(cpu)
    return found


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
        "pdf": {**summary(m.pdf_seconds, m.pdf_cpu_seconds), "pages": m.pages},
        "hello_pdf": summary(m.hello_seconds, m.hello_cpu_seconds),
        "load": os.getloadavg()[0],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
