"""Time the organisation report over every program of the database, and count the queries of
the organisation dashboard for few and many programs.

Run against a PostgreSQL database that holds the large demo scale (50 programs)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench_org DEBUG=1 \\
        .venv/bin/python -m bench.organisation_bench

It reports, over ``--runs`` runs (default 5), the median and slowest time of
``reports.organisation.compute`` over all programs for the last twelve months, by program and
by site, with its queries; of that report's PDF; and the queries of the organisation
dashboard when its organisation leads 2 and all programs (the leads are changed inside a
transaction that is rolled back). Targets: KPIs under 2 s, PDF under 5 s, the dashboard's
queries the same for 2 and 50 programs.
"""

import argparse
import datetime as dt
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from home.organisation import organisation_dashboard  # noqa: E402
from programs.models import Organisation, Program  # noqa: E402
from reports import organisation as org_report  # noqa: E402
from reports.organisation_views import render_organisation_pdf  # noqa: E402

KPI_TARGET = 2.0
PDF_TARGET = 5.0


def timed(function, runs: int):
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return seconds, result


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    programs = list(Program.objects.order_by("pk"))
    organisation = Organisation.objects.order_by("pk").first()
    end = timezone.localdate()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    lines = [f"programs: {len(programs)}, period {start} – {end}"]
    for breakdown in org_report.Breakdown.values:

        def compute(breakdown=breakdown):
            return org_report.compute(
                organisation, programs, start=start, end=end, breakdown=breakdown, language="de"
            )

        n = queries(compute)
        seconds, snapshot = timed(compute, args.runs)
        activities = snapshot["totals"]["activities"]
        lines.append(
            f"KPIs by {breakdown} ({activities:,} activities, {len(snapshot['rows'])} rows): "
            f"median {statistics.median(seconds) * 1000:,.0f} ms, max {max(seconds) * 1000:,.0f}"
            f" ms, {n} queries (target < {KPI_TARGET} s: "
            f"{'met' if max(seconds) < KPI_TARGET else 'NOT met'})"
        )
        pdf_seconds, pdf = timed(lambda s=snapshot: render_organisation_pdf(organisation, s), 3)
        lines.append(
            f"PDF by {breakdown} ({len(pdf):,} bytes): median "
            f"{statistics.median(pdf_seconds) * 1000:,.0f} ms, max {max(pdf_seconds) * 1000:,.0f}"
            f" ms (target < {PDF_TARGET} s: "
            f"{'met' if max(pdf_seconds) < PDF_TARGET else 'NOT met'})"
        )
    today = timezone.localdate()
    few = dashboard_queries(organisation, programs[:2], today)
    many = dashboard_queries(organisation, programs, today)
    lines.append(
        f"organisation dashboard queries: {few} for 2 programs, {many} for {len(programs)}"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
