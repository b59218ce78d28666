"""Time the organisation report over every program of the database, and count the queries of
the organisation dashboard for few and many programs: JSON for ``python -m bench``.

Run against a PostgreSQL database that holds the large demo scale (50 programs)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench_large DEBUG=1 \\
        .venv/bin/python -m bench.organisation_bench

The organisation is the one leading the most programs; the report covers every program of
the database (a chosen set, as its coordinators may choose one) for the last twelve months.
Over ``--runs`` runs (default 5) it times ``reports.organisation.compute`` by program and by
site, with its queries, and that report's PDF; and it counts the queries of the organisation
dashboard when the organisation leads 2 and all programs (the leads are changed inside a
transaction that is rolled back, so the database is left as it was). The readable lines go to
stderr, the last line of stdout is JSON. Targets: KPIs under 2 s, PDF under 5 s, the
dashboard's queries the same for 2 and 50 programs.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from home.organisation import organisation_dashboard  # noqa: E402
from programs.models import Organisation, Program  # noqa: E402
from reports import organisation as org_report  # noqa: E402
from reports.organisation_views import render_organisation_pdf  # noqa: E402

KPI_TARGET = 2.0
PDF_TARGET = 5.0


def timed(function, runs: int):
    """Wall-clock seconds of each run, this process's CPU seconds of each run, the result."""
    seconds, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return seconds, cpu, result


def summary(seconds: list[float], cpu: list[float]) -> dict:
    """Median and slowest wall-clock time, and the median CPU time of this process (on a
    loaded machine the wall clock also counts the waits for a CPU; the PDF is almost all
    CPU of this process, the KPIs mostly of PostgreSQL's)."""
    return {
        "median": statistics.median(seconds),
        "max": max(seconds),
        "cpu_median": statistics.median(cpu),
        "n": len(seconds),
    }


def queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def dashboard_queries(organisation, programs, today) -> int:
    with transaction.atomic():
        Program.objects.filter(pk__in=[p.pk for p in programs]).update(
            lead_organisation=organisation
        )
        count = queries(lambda: organisation_dashboard(organisation, today))
        transaction.set_rollback(True)
    return count


def pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def leading_organisation() -> Organisation:
    """The organisation that leads the most programs (the demo federation)."""
    return Organisation.objects.annotate(led=Count("led_programs")).order_by("-led", "pk").first()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    programs = list(Program.objects.order_by("pk"))
    organisation = leading_organisation()
    end = timezone.localdate()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    result: dict = {
        "programs": len(programs),
        "organisation": organisation.name,
        "period": [start.isoformat(), end.isoformat()],
        "load_before": os.getloadavg()[0],
    }
    log = [f"{organisation.name}: {len(programs)} programs, period {start} – {end}"]
    for breakdown in org_report.Breakdown.values:

        def compute(breakdown=breakdown):
            return org_report.compute(
                organisation, programs, start=start, end=end, breakdown=breakdown, language="de"
            )

        n = queries(compute)  # also the warm-up run
        seconds, cpu, snapshot = timed(compute, args.runs)
        render_organisation_pdf(organisation, snapshot)  # warm-up: fonts, templates
        pdf_seconds, pdf_cpu, pdf = timed(
            lambda s=snapshot: render_organisation_pdf(organisation, s), args.runs
        )
        result[breakdown] = {
            "activities": snapshot["totals"]["activities"],
            "rows": len(snapshot["rows"]),
            "kpi": {**summary(seconds, cpu), "queries": n},
            "pdf": {**summary(pdf_seconds, pdf_cpu), "pages": pages(pdf), "bytes": len(pdf)},
        }
        kpi, made = result[breakdown]["kpi"], result[breakdown]["pdf"]
        log.append(
            f"KPIs by {breakdown} ({kpi['queries']} queries, {len(snapshot['rows'])} rows): "
            f"median {kpi['median'] * 1000:,.0f} ms, max {kpi['max'] * 1000:,.0f} ms; "
            f"PDF ({made['pages']} pages): median {made['median'] * 1000:,.0f} ms, "
            f"max {made['max'] * 1000:,.0f} ms, CPU {made['cpu_median'] * 1000:,.0f} ms"
        )
    today = timezone.localdate()
    result["dashboard_queries"] = {
        "2": dashboard_queries(organisation, programs[:2], today),
        str(len(programs)): dashboard_queries(organisation, programs, today),
    }
    result["load_after"] = os.getloadavg()[0]
    log.append(f"organisation dashboard queries: {result['dashboard_queries']}")
    print("\n".join(log), file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
