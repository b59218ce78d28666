"""Starting, confirming and cancelling an import; the work runs in the worker (``jobs.py``).

A request only stores the upload (through ``default_storage``) and queues a task, so the
page answers at once however large the file is.
"""

import secrets
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from . import jobs
from .models import ImportJob
from .tasks import preview_import, run_import

State = ImportJob.State
UPLOAD_SUFFIXES = (".xlsx", ".zip", ".csv", ".txt")


def _store(upload) -> str:
    suffix = Path(upload.name or "").suffix.lower()
    name = secrets.token_urlsafe(24) + (suffix if suffix in UPLOAD_SUFFIXES else "")
    return default_storage.save(f"{jobs.UPLOAD_FOLDER}/{name}", upload)


def _enqueue(task, job_pk: int) -> None:
    result = task.enqueue(job_pk)
    ImportJob.objects.filter(pk=job_pk).update(task_id=str(result.id))


def job_start(*, program, by, upload, language: str) -> ImportJob:
    """Keep the upload and queue its check; nothing of the file is read here."""
    jobs.expire_previews()
    stored = _store(upload)
    job = ImportJob.objects.create(
        program=program,
        created_by=by,
        filename=Path(upload.name or "upload").name[:255],
        stored_file=stored,
        language=language,
    )
    transaction.on_commit(lambda: _enqueue(preview_import, job.pk), robust=False)
    return job


@transaction.atomic
def job_confirm(*, job: ImportJob, choices: dict) -> bool:
    """Queue the import of a checked file with the decisions for its new values."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != State.PREVIEWED or not job.stored_file:
        return False
    job.choices = [[what, name, choice] for (what, name), choice in choices.items()]
    job.state = State.IMPORTING
    job.rows_done = 0
    job.writing = False
    job.save(update_fields=["choices", "state", "rows_done", "writing"])
    transaction.on_commit(lambda: _enqueue(run_import, job.pk), robust=False)
    return True


@transaction.atomic
def job_cancel(*, job: ImportJob) -> ImportJob:
    """Cancel a job: at once if no task works on it, else the worker stops after its batch."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state in (State.QUEUED, State.PREVIEWED):
        job.state = State.CANCELLED
        job.cancel_requested = True
        job.finished_at = timezone.now()
        jobs.discard_upload(job)
        job.save()
    elif job.state in ImportJob.RUNNING and not job.cancel_requested:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    return job


def job_check(job: ImportJob) -> ImportJob:
    """Mark a job failed whose task failed (the worker stopped with an error)."""
    if not job.running or not job.task_id:
        return job
    task = run_import if job.state == State.IMPORTING else preview_import
    try:
        result = task.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return job
    if result.status == TaskResultStatus.FAILED:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.running:
                job.state = State.FAILED
                job.finished_at = timezone.now()
                jobs.discard_upload(job)
                job.save()
    return job
