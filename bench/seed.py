"""Make sure a benchmark database holds the demo data of one scale; seed it if not.

Run with DATABASE_URL pointing at the benchmark database (``python -m bench`` does)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench_large \\
        .venv/bin/python -m bench.seed --scale large

The database is created if missing and migrated. If it already holds the scale's demo data
(judged by the counts below) nothing is seeded; otherwise ``seed_demo --scale X --flush``
runs and its wall-clock time is recorded in ``bench/results/seed-<scale>.json``, which
``python -m bench`` shows in its table. Prints one JSON line with the counts.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# What each scale must reach; ``large`` is the federation the issue asks for.
MINIMUM = {
    "small": {"programs": 5, "activities": 1_000, "volunteers": 50, "sites": 10},
    "medium": {"programs": 10, "activities": 20_000, "volunteers": 300, "sites": 50},
    "large": {"programs": 50, "activities": 1_000_000, "volunteers": 5_000, "sites": 200},
}
MAXIMUM_ACTIVITIES = {"small": 20_000, "medium": 200_000, "large": None}


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        return
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "dbname": "postgres",
        "autocommit": True,
    }
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}", file=sys.stderr)


def counts() -> dict[str, int]:
    from demo import seeding as demo
    from programs.models import Program, Site
    from sessions_log.models import Activity
    from volunteers.models import Volunteer

    programs = demo.demo_programs()
    return {
        "programs": programs.count(),
        "activities": Activity.objects.filter(program__in=programs).count(),
        "volunteers": Volunteer.objects.filter(program__in=programs).count(),
        "sites": Site.objects.filter(program__in=programs).count(),
        "programs in the database": Program.objects.count(),
    }


def satisfied(scale: str, found: dict[str, int]) -> bool:
    if any(found[key] < minimum for key, minimum in MINIMUM[scale].items()):
        return False
    ceiling = MAXIMUM_ACTIVITIES[scale]
    return ceiling is None or found["activities"] <= ceiling


def settle_after_bulk_load(connection) -> None:
    """What autovacuum does shortly after a bulk load (PostgreSQL ≥ 13 vacuums after inserts
    too): statistics, and the visibility map that lets the planner use index-only scans of
    the many-to-many tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def vacuum_if_needed(connection) -> None:
    """VACUUM ANALYZE where autovacuum would have, if the server runs without it.

    The import benchmark adds and deletes 50,000 activities per run; without autovacuum (as
    on a server tuned for test suites) their dead rows pile up and every later scan reads
    them too.
    """
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables "
            "WHERE n_dead_tup > 1000 AND n_dead_tup > 0.05 * n_live_tup"
        )
        tables = [row[0] for row in cursor.fetchall()]
    if tables:
        print(f"autovacuum is off: VACUUM ANALYZE {len(tables)} tables", file=sys.stderr)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'VACUUM ANALYZE "{table}"')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(MINIMUM), required=True)
    parser.add_argument("--force", action="store_true", help="seed even if the data is there")
    parser.add_argument(
        "--check-only", action="store_true", help="migrate and count, never seed (--skip-seed)"
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if url:
        ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)  # others' new tables, if any
    found = counts()
    seeded = None
    if not args.check_only and (args.force or not satisfied(args.scale, found)):
        print(f"seeding scale {args.scale} (seed_demo --flush) …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, flush=True, stdout=sys.stderr)
        seeded = time.perf_counter() - started
        settle_after_bulk_load(connection)
        found = counts()
        RESULTS.mkdir(exist_ok=True)
        record = {"scale": args.scale, "seconds": seeded, "counts": found, "at": time.time()}
        (RESULTS / f"seed-{args.scale}.json").write_text(json.dumps(record, indent=1))
    if connection.vendor == "postgresql":
        vacuum_if_needed(connection)
    ok = satisfied(args.scale, found)
    print(json.dumps({"scale": args.scale, "seeded_seconds": seeded, "counts": found, "ok": ok}))
    if not ok:
        print(f"scale {args.scale} does not reach {MINIMUM[args.scale]}: {found}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
