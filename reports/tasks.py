"""Background work of reports, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from . import generation


@task
def generate_report(report_id: int) -> str:
    """Compute, render and store the PDF of a report; returns its SHA-256 (or "" if skipped)."""
    report = generation.report_generate(report_id=report_id)
    return report.checksum if report is not None else ""
