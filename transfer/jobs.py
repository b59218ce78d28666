"""The work of an import in the background: check the stored upload, then import it.

The task worker (``manage.py db_worker``) runs :func:`job_preview` and :func:`job_import`
through :mod:`transfer.tasks`; :mod:`transfer.services` creates the jobs and queues them. Each
reads the upload from Django's storage (``default_storage``), so the web server that took it
and the worker that reads it need not be the same machine.

Progress is the number of rows read, written after each batch of the engine (1,000 rows);
the cancel flag is read there too. The check keeps the rows it read beside the upload (JSON,
``importing/recording.py``); the import replays them if they are still the ones the check
wrote and of the same upload (else it reads the upload again) and checks each row again as
it writes it, all in one transaction (rolled back on a problem), so its
progress is written through a connection of its own on PostgreSQL (the page would otherwise
see it only at the end); a cancel stops it and rolls everything back. The upload is deleted
as soon as the job is done, failed or cancelled, and when its preview expires unconfirmed;
so are the checked rows.
"""

import datetime as dt
import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.spreadsheets import FileRefused, Source
from programs.security import Kind, security_event_record

from . import format as fmt
from .importing import (
    ImportCancelled,
    ImportResult,
    NewValue,
    Problem,
    program_data_import,
    recording,
)
from .importing.results import Change, Counts, PreviewRow, SheetPreview
from .models import ImportJob

logger = logging.getLogger(__name__)

State = ImportJob.State
# Where the uploads (and the rows their check read) are kept in default_storage.
UPLOAD_FOLDER = "imports"
# Problems and warnings kept with a job (the page shows this many; the counts are exact).
KEPT_PROBLEMS = 200


def max_age() -> int:
    """Seconds a checked file waits for its confirmation before it is deleted."""
    return getattr(settings, "LOTSE_IMPORT_PREVIEW_SECONDS", 60 * 60)


# ---- the stored upload -------------------------------------------------------------------


def discard_upload(job: ImportJob) -> None:
    """Delete the job's upload and the rows its check read from storage (they hold
    participants' data)."""
    for name in (job.stored_file, job.checked_rows):
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete the import file %s", name)
    job.stored_file = job.checked_rows = job.checked_rows_sha256 = ""


@contextmanager
def local_upload(name: str) -> Iterator[Path]:
    """The stored upload as a local file (a copy when the storage is not on this machine)."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with (
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy,
        default_storage.open(name, "rb") as stored,
    ):
        shutil.copyfileobj(stored, copy)
        copy.flush()
        yield Path(copy.name)


def _upload_sha256(path: Path) -> str:
    with open(path, "rb") as upload:
        return recording.file_digest(upload)


def _keep_checked_rows(job: ImportJob, recorder: recording.Recorder) -> None:
    """Store the rows the check read beside the upload, for the import to replay."""
    recorder.file.seek(0)
    name = Path(job.stored_file).stem + ".rows.json"
    job.checked_rows = default_storage.save(
        f"{UPLOAD_FOLDER}/{name}", File(recorder.file, name=name)
    )
    job.checked_rows_sha256 = recorder.digest


@contextmanager
def _checked_rows(job: ImportJob, upload: Path) -> Iterator[Source | None]:
    """The rows the check read, if they are still the ones it wrote and of this upload;
    else None (the upload is then read again)."""
    if not job.checked_rows or not job.checked_rows_sha256:
        yield None
        return
    with tempfile.TemporaryFile() as copy:
        try:
            with default_storage.open(job.checked_rows, "rb") as stored:
                shutil.copyfileobj(stored, copy)
            if recording.file_digest(copy) != job.checked_rows_sha256:
                raise recording.NotTheseRows("the checked rows changed since the check")
            source = recording.replay(copy, upload=_upload_sha256(upload))
        except (OSError, recording.NotTheseRows) as error:
            logger.warning("import job %s reads its upload again: %s", job.pk, error)
            source = None
        yield source


# ---- the result as JSON ------------------------------------------------------------------


def result_data(result: ImportResult) -> dict:
    """What the page shows of an import's result, as JSON (the preview only if valid)."""
    data = {
        "counts": {sheet: [c.new, c.updated, c.unchanged] for sheet, c in result.counts.items()},
        "problems": [
            [p.sheet, p.row, p.column, p.message] for p in result.problems[:KEPT_PROBLEMS]
        ],
        "problem_count": result.problem_count,
        "warnings": [
            [w.sheet, w.row, w.column, w.message] for w in result.warnings[:KEPT_PROBLEMS]
        ],
        "warning_count": result.warning_count,
        "ignored": list(result.ignored),
        "created": dict(result.created),
        "written": result.written,
        "rows": sum(c.total for c in result.counts.values()),
    }
    if result.valid:
        data["preview"] = {
            sheet: {
                "rows": [
                    [
                        row.number,
                        row.key,
                        row.new,
                        [[c.column, c.field, c.old, c.new] for c in row.changes],
                    ]
                    for row in preview.rows
                ],
                "more": preview.more,
            }
            for sheet, preview in result.preview.items()
        }
        data["new_values"] = [
            [v.what, v.name, v.sheet, v.row, v.decision, v.suggestion]
            for v in result.new_values.values()
        ]
        data["options"] = {what: [list(o) for o in opts] for what, opts in result.options.items()}
    return data


def result_of(data: dict) -> ImportResult:
    """The :class:`ImportResult` that :func:`result_data` wrote."""
    result = ImportResult(
        counts={sheet: Counts(*numbers) for sheet, numbers in data.get("counts", {}).items()},
        problems=[Problem(*p) for p in data.get("problems", [])],
        problem_count=data.get("problem_count", 0),
        warnings=[Problem(*w) for w in data.get("warnings", [])],
        warning_count=data.get("warning_count", 0),
        ignored=data.get("ignored", []),
        created=Counter(data.get("created", {})),
        written=data.get("written", False),
    )
    for sheet, preview in data.get("preview", {}).items():
        result.preview[sheet] = SheetPreview(
            rows=[
                PreviewRow(number, key, new, [Change(*c) for c in changes])
                for number, key, new, changes in preview["rows"]
            ],
            more=preview["more"],
        )
    for what, name, sheet, row, decision, suggestion in data.get("new_values", []):
        value = NewValue(what, name, sheet, row, decision=decision, suggestion=suggestion)
        result.new_values[value.key] = value
    result.options = {
        what: [tuple(o) for o in opts] for what, opts in data.get("options", {}).items()
    }
    return result


# ---- progress and cancelling -------------------------------------------------------------


class _Progress:
    """Writes the rows read after each batch; tells the engine when the job is cancelled."""

    def __init__(self, job: ImportJob):
        self.pk = job.pk
        self.side = None
        if connection.vendor == "postgresql":
            # The write pass's transaction would hide the progress until it ends.
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def progress(self, rows: int, writing: bool) -> None:
        if writing and self.side is not None:
            table = self.side.ops.quote_name(ImportJob._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s, writing = %s WHERE id = %s",  # noqa: S608
                    [rows, writing, self.pk],
                )
            return
        ImportJob.objects.filter(pk=self.pk).update(rows_done=rows, writing=writing)

    def cancelled(self) -> bool:
        # Read fresh each time (READ COMMITTED on PostgreSQL, also inside the transaction), and
        # beside the write pass's connection, which may still be sending the last batch.
        if self.side is None:
            return ImportJob.objects.filter(pk=self.pk, cancel_requested=True).exists()
        table = self.side.ops.quote_name(ImportJob._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(f"SELECT cancel_requested FROM {table} WHERE id = %s", [self.pk])  # noqa: S608
            row = cursor.fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# ---- the work ----------------------------------------------------------------------------


def _claim(job_id: int, expected: str, then: str) -> ImportJob | None:
    """The job, moved from ``expected`` to ``then``; None if it is no longer ``expected``."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("program", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.state != expected:
            return None
        if job.cancel_requested:
            _finish(job, State.CANCELLED)
            return None
        job.state = then
        job.rows_done = 0
        job.writing = False
        job.started_at = timezone.now()
        job.save(update_fields=["state", "rows_done", "writing", "started_at"])
        return job


def _finish(job: ImportJob, state: str, *, result: ImportResult | None = None, error="") -> None:
    """End the job in ``state``; a finished job's upload is deleted."""
    job.refresh_from_db(fields=["rows_done", "cancel_requested"])
    job.state = state
    if result is not None:
        job.result = result_data(result)
    job.error = error[:2000]
    job.writing = False
    job.finished_at = timezone.now()  # of this step; a preview expires from it
    if state in ImportJob.FINISHED:
        discard_upload(job)
    job.save()


def _mapping(job: ImportJob) -> dict:
    return {(what, name): choice for what, name, choice in job.choices}


def _run_engine(job: ImportJob, *, dry_run: bool) -> ImportResult:
    """The check (``dry_run``) records the rows it reads and keeps them if the file is valid;
    the import replays them (or reads the upload again if they cannot be trusted), checking
    each row again as it writes it."""
    reporter = _Progress(job)
    options = {
        "program": job.program,
        "by": job.created_by,
        "dry_run": dry_run,
        "create_new": False,
        "mapping": _mapping(job),
        "progress": reporter.progress,
        "cancelled": reporter.cancelled,
        "checked": not dry_run,
    }
    try:
        with local_upload(job.stored_file) as path:
            if dry_run:
                with (
                    fmt.open_import(path, job.filename) as source,
                    tempfile.TemporaryFile() as rows,
                ):
                    recorder = recording.Recorder(source, rows, upload=_upload_sha256(path))
                    result = program_data_import(source=recorder.source, **options)
                    if result.valid:
                        _keep_checked_rows(job, recorder)
                    return result
            with _checked_rows(job, path) as replayed:
                if replayed is not None:
                    return program_data_import(source=replayed, **options)
            with fmt.open_import(path, job.filename) as source:
                return program_data_import(source=source, **options)
    finally:
        reporter.close()


def _work(job: ImportJob, *, dry_run: bool) -> ImportJob:
    """Run the engine for the job and record what came of it."""
    with translation.override(job.language):
        try:
            result = _run_engine(job, dry_run=dry_run)
        except ImportCancelled:
            _finish(job, State.CANCELLED)
            return job
        except FileRefused as error:
            _finish(job, State.FAILED, error=str(error))
            return job
        except Exception as error:
            _finish(
                job,
                State.FAILED,
                error=gettext("The import failed unexpectedly; nothing was imported."),
            )
            logger.exception("import job %s failed: %s", job.pk, error)
            raise
        if not result.valid:
            _finish(job, State.FAILED, result=result)
        elif dry_run or not result.written:
            # Checked; or a new value is undecided (the program's values changed meanwhile),
            # so the preview asks again.
            job.rows_total = sum(c.total for c in result.counts.values())
            job.save(update_fields=["rows_total"])
            _finish(job, State.PREVIEWED, result=result)
            if not dry_run:  # the page says why the confirmation is asked for again
                job.result["asked_again"] = True
                job.save(update_fields=["result"])
        else:
            _finish(job, State.DONE, result=result)
            security_event_record(
                kind=Kind.IMPORT,
                user=job.created_by,
                program=job.program,
                detail={
                    "what": "program_data",
                    "job": job.pk,
                    "counts": {
                        sheet: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
                        for sheet, c in result.counts.items()
                    },
                },
            )
    return job


def job_preview(*, job_id: int) -> ImportJob | None:
    """Check the job's file without writing anything (the preview)."""
    job = _claim(job_id, State.QUEUED, State.PREVIEWING)
    return _work(job, dry_run=True) if job is not None else None


def job_import(*, job_id: int) -> ImportJob | None:
    """Import the job's file as confirmed, all or nothing."""
    job = _claim(job_id, State.IMPORTING, State.IMPORTING)
    return _work(job, dry_run=False) if job is not None else None


def expire_previews(now: dt.datetime | None = None) -> int:
    """Cancel checked files left unconfirmed past :func:`max_age` and delete their uploads;
    also the uploads of finished jobs a crash may have left. Returns the jobs ended."""
    now = now or timezone.now()
    ended = 0
    stale = ImportJob.objects.filter(
        state=State.PREVIEWED, finished_at__lt=now - dt.timedelta(seconds=max_age())
    )
    for job in stale:
        _finish(job, State.CANCELLED, error=gettext("The preview expired unconfirmed."))
        ended += 1
    for job in ImportJob.objects.filter(state__in=ImportJob.FINISHED).exclude(stored_file=""):
        discard_upload(job)
        job.save(update_fields=["stored_file"])
    return ended
