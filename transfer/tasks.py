"""Background work of imports, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from . import jobs


@task
def preview_import(job_id: int) -> str:
    """Check an uploaded file and keep the preview; returns the job's state."""
    job = jobs.job_preview(job_id=job_id)
    return job.state if job is not None else ""


@task
def run_import(job_id: int) -> str:
    """Import a checked file as its preview was confirmed; returns the job's state."""
    job = jobs.job_import(job_id=job_id)
    return job.state if job is not None else ""
