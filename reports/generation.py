"""Generating a report: compute its figures, render the PDF and store both, or fail.

This is the work the background task (:mod:`reports.tasks`) runs; :mod:`reports.services`
queues it and reads the figures of a draft through :func:`report_figures`. The PDF, its SHA-256
and the KPI snapshot are stored together in one transaction at the end, so no report ever
points at a partial PDF; any error leaves the report ``failed`` with the message.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import disclosure, kpis, pdf
from .models import Report

Status = Report.Status


def locked(report: Report) -> Report:
    """``report`` read again and locked for update until the transaction ends."""
    return Report.objects.select_for_update().get(pk=report.pk)


def report_figures(report: Report) -> dict:
    """The report's figures computed now from the logged data, in the report's language, with
    what their suppression needs (``disclosure``: the threshold, the private flats)."""
    snapshot = kpis.compute(
        report.program,
        start=report.period_start,
        end=report.period_end,
        grant=report.grant,
        language=report.language,
    )
    snapshot["disclosure"] = disclosure.report_facts(report.program)
    return snapshot


def report_filename(report: Report, extension: str = "pdf") -> str:
    name = slugify(f"{report.program.slug} {report.title}")[:80] or "report"
    return f"{name}-v{report.version}.{extension}"


def _progress(report: Report, percent: int) -> None:
    Report.objects.filter(pk=report.pk, status=Status.GENERATING).update(progress=percent)


def report_generate(*, report_id: int) -> Report | None:
    """Compute the snapshot, render the PDF and store both (called by the background task).

    Any error leaves the report ``failed`` with the message, and nothing half-written.
    """
    report = (
        Report.objects.select_related("program__lead_organisation", "grant__funder")
        .filter(pk=report_id, status=Status.GENERATING)
        .first()
    )
    if report is None:
        return None
    try:
        _progress(report, 10)
        snapshot = report_figures(report)
        _progress(report, 40)
        content = pdf.render_report_pdf(report, snapshot)
        _progress(report, 90)
        with transaction.atomic():
            current = locked(report)
            if current.status != Status.GENERATING:
                return current  # cancelled or timed out meanwhile: keep what is there
            current.pdf.save(report_filename(current), ContentFile(content), save=False)
            current.checksum = hashlib.sha256(content).hexdigest()
            current.kpi_snapshot = snapshot
            current.generated_at = current.snapshot_at = timezone.now()
            current.status = Status.GENERATED
            current.progress = 100
            current.save()
            return current
    except Exception as error:
        report_fail(report=report, error=str(error) or error.__class__.__name__)
        raise


def report_fail(*, report: Report, error: str) -> Report:
    """End a generation as ``failed`` with ``error``; a report not generating stays as it is."""
    with transaction.atomic():
        report = locked(report)
        if report.status == Status.GENERATING:
            report.status = Status.FAILED
            report.error = error[:2000]
            report.save(update_fields=["status", "error"])
        return report
