"""Time the import of a 50,000-row activities sheet (and the records it refers to) by the worker.

Run against the database in DATABASE_URL (PostgreSQL for the figure that counts)::

    createdb -h 127.0.0.1 -U postgres lotse_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench DEBUG=1 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotse_bench DEBUG=1 \\
        .venv/bin/python -m bench.import_bench [--rows 50000] [--keep]

It writes a workbook with sites, volunteers, participants and the activities sheet, stores
it through the storage API as the import page does, and runs the background tasks directly,
as ``manage.py db_worker`` runs them: the check (``preview_import``), then the import of the
confirmed preview (``run_import``, which replays the rows the check read, checking each row
again as it writes it, all in one transaction), and the import of the same file again (every
row unchanged). It reports the wall-clock time, the CPU seconds of this process and of its
database server process (which a loaded machine inflates far less), the load average, and the
process's peak memory (``--trace`` adds a dry run under tracemalloc). The program is deleted
afterwards unless ``--keep`` is given. The import by the worker must take under 10 seconds for
50,000 rows.
"""

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from auditlog.models import LogEntry  # noqa: E402
from django.core.files.base import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from programs.models import ActivityKind, Organisation, Participant, Program, Site  # noqa: E402
from sessions_log.models import Activity  # noqa: E402
from transfer import format as fmt  # noqa: E402
from transfer import services, tasks  # noqa: E402
from transfer.format import open_import  # noqa: E402
from transfer.importing import CREATE, program_data_import  # noqa: E402
from transfer.models import ImportJob  # noqa: E402
from volunteers.models import Volunteer  # noqa: E402

IMPORT_TARGET = 10.0
M2M_FIELDS = ("facilitators", "languages", "topics", "participants")

KINDS = [ActivityKind.GROUP, ActivityKind.INFO_EVENT, ActivityKind.ONE_TO_ONE, ActivityKind.VISIT]
LANGUAGES = ["ar", "fa", "prs", "ku", "ti", "uk", "ru", "en", "de", "fr", "so", "ckb"]
TOPICS = [
    "Sleep",
    "Reactions to stress and healthy coping",
    "health_system",
    "Trauma and its consequences",
    "Housing",
    "Nachbarschaft",
    "Elterncafé",
]


def build_workbook(path: Path, rows: int, seed: int = 1) -> dict[str, int]:
    """Write the benchmark workbook; returns the rows per sheet."""
    rnd = random.Random(seed)
    sizes = {"sites": 60, "volunteers": 250, "participants": 6000, "activities": rows}
    sites = [f"Unterkunft {i:03d}" for i in range(sizes["sites"])]
    volunteers = [f"V-{i:04d}" for i in range(sizes["volunteers"])]
    participants = [f"P-{i:05d}" for i in range(sizes["participants"])]
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet("sites")
    sheet.append(list(fmt.SITES.names))
    for i, name in enumerate(sites):
        sheet.append([name, "shelter", f"Bezirk {i % 6}", "Düsseldorf", rnd.randint(40, 400)])

    sheet = workbook.create_sheet("volunteers")
    sheet.append(list(fmt.VOLUNTEERS.names))
    for code in volunteers:
        sheet.append(
            [
                code,
                f"Volunteer {code}",
                f"{code.lower()}@example.org",
                "; ".join(rnd.sample(LANGUAGES, 2)),
                "active",
                "2019-01-15",
                "",
                rnd.choice(["yes", "no"]),
            ]
        )

    sheet = workbook.create_sheet("participants")
    sheet.append(list(fmt.PARTICIPANTS.names))
    for code in participants:
        sheet.append(
            [
                code,
                rnd.randint(1950, 2010),
                rnd.choice(["female", "male", "diverse", "unknown"]),
                "; ".join(rnd.sample(LANGUAGES, rnd.randint(1, 2))),
                rnd.choice(["SY", "AF", "IQ", "ER", "UA", "TR"]),
                rnd.choice(sites),
                "2020-02-01",
            ]
        )

    sheet = workbook.create_sheet("activities")
    sheet.append(list(fmt.ACTIVITIES.names))
    for i in range(rows):
        kind = rnd.choice(KINDS)
        individual = kind in ActivityKind.individual()
        total = 1 if individual else rnd.randint(3, 30)
        women = rnd.randint(0, total)
        men = rnd.randint(0, total - women)
        sheet.append(
            [
                f"XL-{i:06d}",
                f"20{rnd.randint(17, 24)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                kind,
                rnd.choice(sites),
                "; ".join(rnd.sample(volunteers, rnd.randint(1, 2))),
                "; ".join(rnd.sample(LANGUAGES, rnd.randint(1, 2))),
                "; ".join(rnd.sample(TOPICS, rnd.randint(1, 2))),
                rnd.choice([45, 60, 90, 120]),
                total,
                women,
                men,
                rnd.randint(0, total) if not individual else 0,
                rnd.choice(participants) if individual else "",
            ]
        )
    workbook.save(path)
    return sizes


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def _import(program, path, *, dry_run=False):
    """The engine called directly (the command line's path), for the tracemalloc run."""
    with open_import(path) as source:
        started = time.perf_counter()
        result = program_data_import(program=program, source=source, dry_run=dry_run)
        return result, time.perf_counter() - started


def _backend_cpu() -> float | None:
    """CPU seconds the database's server process for this connection has used so far (read
    from /proc where the server runs on this machine), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_task(task, job: ImportJob) -> tuple[float, float, float | None]:
    """Wall-clock seconds of the task as db_worker runs it, the CPU seconds it took in this
    process, and those of the database server (None if they are not readable); on a loaded
    machine the CPU seconds show the work itself."""
    backend = _backend_cpu()
    cpu = time.process_time()
    started = time.perf_counter()
    task.call(job.pk)  # as db_worker runs it
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    after = _backend_cpu()
    return seconds, cpu, (after - backend) if backend is not None and after is not None else None


def _worker_import(program, path) -> tuple[ImportJob, tuple, tuple]:
    """Upload, check and import as the page and the worker do; the seconds of both tasks."""
    with open(path, "rb") as upload:
        stored = File(upload, name=path.name)
        job = services.job_start(program=program, by=None, upload=stored, language="en")
    check = _timed_task(tasks.preview_import, job)
    job.refresh_from_db()
    if job.state != ImportJob.State.PREVIEWED:
        return job, check, (0.0, 0.0, None)
    # Confirm the preview: create every area and topic the file names (as preselected).
    new_values = job.result.get("new_values", [])
    job.choices = [[what, name.casefold(), CREATE] for what, name, *_rest in new_values]
    job.state = ImportJob.State.IMPORTING
    job.save(update_fields=["choices", "state"])
    seconds = _timed_task(tasks.run_import, job)
    job.refresh_from_db()
    return job, check, seconds


def _delete(program) -> None:
    """Remove the benchmark program (activities first: their sites are protected)."""
    for field in M2M_FIELDS:
        getattr(Activity, field).through.objects.filter(activity__program=program).delete()
    program.activities.all().delete()
    program.referrals.all().delete()
    program.delete()
    _vacuum()


def _vacuum() -> None:
    """What autovacuum does after a bulk delete, on a server that runs without it (one tuned
    for test suites): else each run leaves its dead rows and index entries to the next, and
    the next imports more slowly (15-20 % after a dozen runs)."""
    if connection.vendor != "postgresql":
        return
    models = [Activity, Participant, Volunteer, Site, LogEntry]
    models += [getattr(Activity, field).through for field in M2M_FIELDS]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark program")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also measure the Python heap of a dry run with tracemalloc (slow)",
    )
    args = parser.parse_args(argv)

    organisation, _ = Organisation.objects.get_or_create(
        name="Lotse benchmark", defaults={"kind": Organisation.Kind.NGO}
    )
    program = Program.objects.create(
        name="Import benchmark",
        slug=f"bench-import-{os.getpid()}-{int(time.time())}",
        lead_organisation=organisation,
        starts_on=dt.date(2017, 1, 1),
        country="DE",
        default_language="de",
        activity_kinds=KINDS,
    )
    table = []
    with (
        tempfile.TemporaryDirectory() as directory,
        override_settings(MEDIA_ROOT=Path(directory) / "media"),
    ):
        path = Path(directory) / "bench.xlsx"
        started = time.perf_counter()
        sizes = build_workbook(path, args.rows)
        table.append(("write workbook", args.rows, time.perf_counter() - started, None, None, None))
        megabytes = path.stat().st_size / (1024 * 1024)

        job, check, seconds = _worker_import(program, path)
        if job.state != ImportJob.State.DONE:
            print(job.state, job.error)
            for problem in job.result.get("problems", [])[:20]:
                print(problem)
            return 1
        assert job.result["counts"]["activities"][0] == args.rows
        table.append(("check (worker)", args.rows, *check, _peak_rss_mb()))
        table.append(("import (all new)", args.rows, *seconds, _peak_rss_mb()))

        if connection.vendor == "postgresql":
            # What autovacuum does within a minute of a bulk load; the re-import's lookups
            # by id would otherwise be planned on the empty tables' statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        again, _check, seconds = _worker_import(program, path)
        assert again.result["counts"]["activities"][2] == args.rows
        table.append(("re-import (unchanged)", args.rows, *seconds, _peak_rss_mb()))

        if args.trace:
            tracemalloc.start()
            _result, seconds = _import(program, path, dry_run=True)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            table.append(
                ("dry run, tracemalloc", args.rows, seconds, None, None, peak / (1024 * 1024))
            )

    print(
        f"database: {connection.vendor}; workbook: {megabytes:.1f} MB; "
        + ", ".join(f"{name} {count}" for name, count in sizes.items())
    )
    print(
        f"{'step':<24}{'rows':>8}{'seconds':>10}{'rows/s':>10}{'CPU s':>8}{'worker':>8}"
        f"{'DB':>8}{'peak MB':>10}"
    )
    for step, rows, seconds, worker, server, peak in table:
        cpu = worker + server if worker is not None and server is not None else None
        texts = [f"{v:.1f}" if v is not None else "—" for v in (cpu, worker, server)]
        peak_text = f"{peak:.0f}" if peak is not None else "—"
        print(
            f"{step:<24}{rows:>8}{seconds:>10.1f}{rows / seconds:>10.0f}"
            + "".join(f"{text:>8}" for text in texts)
            + f"{peak_text:>10}"
        )
    print(
        "CPU s: this process (worker) and its database server process (DB) together; peak MB: "
        "the process's peak resident memory (tracemalloc: the Python heap's peak)"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs")
    import_seconds = table[2][2]
    print(
        f"import of {args.rows} activities by the worker: {import_seconds:.1f} s "
        + (
            f"(under {IMPORT_TARGET:g} s)"
            if import_seconds < IMPORT_TARGET
            else f"(OVER {IMPORT_TARGET:g} s)"
        )
    )
    if not args.keep:
        _delete(program)
    return 0 if import_seconds < IMPORT_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
